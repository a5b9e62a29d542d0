import type { Migration } from '../../platform/sqlite.ts';

/**
 * Broadcast scheduling (issue 9 item 3, migration 27): HQ's programmes and campaigns (each kept as its API document,
 * with the columns queries filter by), the chain's holiday calendar, stores' opt decisions, slot overrides, volume
 * schedules and gaps, store tags (campaign targets), and the chain's defaults. The schedule compiler reads them all.
 */
export const broadcastScheduleMigrations: Migration[] = [
  {
    version: 27,
    name: 'broadcast schedules: programmes, campaigns, holidays, store opt-ins, overrides and volume',
    sql: `
      CREATE TABLE broadcast_programmes (
        id TEXT PRIMARY KEY,
        layer TEXT NOT NULL CHECK (layer IN ('ambient', 'holiday')),
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL
      );
      CREATE TABLE broadcast_campaigns (
        id TEXT PRIMARY KEY,
        layer TEXT NOT NULL CHECK (layer IN ('hq_campaign', 'store_campaign', 'holiday')),
        -- a store campaign's store (its manager writes it); NULL for HQ's
        owner_store_id TEXT REFERENCES stores(id) ON DELETE CASCADE,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL
      );
      CREATE INDEX broadcast_campaigns_owner ON broadcast_campaigns(owner_store_id);
      CREATE TABLE broadcast_holidays (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        -- JSON array of local dates YYYY-MM-DD
        dates TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL
      );
      CREATE TABLE broadcast_campaign_opts (
        campaign_id TEXT NOT NULL REFERENCES broadcast_campaigns(id) ON DELETE CASCADE,
        store_id TEXT NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
        decision TEXT NOT NULL CHECK (decision IN ('in', 'out')),
        at INTEGER NOT NULL,
        by TEXT NOT NULL,
        PRIMARY KEY (campaign_id, store_id)
      );
      CREATE INDEX broadcast_campaign_opts_store ON broadcast_campaign_opts(store_id);
      CREATE TABLE broadcast_slot_overrides (
        id TEXT PRIMARY KEY,
        programme_id TEXT NOT NULL REFERENCES broadcast_programmes(id) ON DELETE CASCADE,
        store_id TEXT NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
        body TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL
      );
      CREATE INDEX broadcast_slot_overrides_store ON broadcast_slot_overrides(store_id);
      CREATE TABLE broadcast_store_settings (
        store_id TEXT PRIMARY KEY REFERENCES stores(id) ON DELETE CASCADE,
        -- JSON VolumeSchedule, or NULL: the chain's default volume through opening hours
        volume TEXT,
        -- NULL: the chain's global minimum gap
        min_gap_ms INTEGER CHECK (min_gap_ms IS NULL OR min_gap_ms >= 0),
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL
      );
      CREATE TABLE store_tags (
        store_id TEXT NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (store_id, tag)
      );
      CREATE INDEX store_tags_tag ON store_tags(tag);
      CREATE TABLE broadcast_chain_settings (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        min_gap_ms INTEGER NOT NULL CHECK (min_gap_ms >= 0),
        default_volume INTEGER NOT NULL CHECK (default_volume BETWEEN 0 AND 100),
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL
      );
    `,
  },
];
