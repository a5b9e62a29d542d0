import type { Migration } from '../../platform/sqlite.ts';

/**
 * Manifest delivery and proof of play (issue 9 items 4 and 8, migration 28). Each speaker's compiled manifests, the
 * last few per thing with their bytes (served over the device HTTPS endpoint exactly as announced), and which assets
 * each references (what a speaker may download); and every play a speaker logged, once per `play_id`. A play keeps
 * the store its speaker was in when the play arrived, so a report per store does not move with a speaker later.
 */
export const broadcastDeliveryMigrations: Migration[] = [
  {
    version: 28,
    name: 'broadcast delivery: per-speaker manifests and their assets, proof of play',
    sql: `
      CREATE TABLE broadcast_manifests (
        thing_name TEXT NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 1),
        store_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        bytes BLOB NOT NULL,
        -- sha256 of the manifest without version and compiledAt: a recompilation that changes nothing makes no version
        content_digest TEXT NOT NULL,
        compiled_at INTEGER NOT NULL,
        horizon_from INTEGER NOT NULL,
        horizon_to INTEGER NOT NULL,
        PRIMARY KEY (thing_name, version)
      );
      CREATE TABLE broadcast_manifest_assets (
        thing_name TEXT NOT NULL,
        version INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (sha256, thing_name, version)
      );
      CREATE INDEX broadcast_manifest_assets_version ON broadcast_manifest_assets(thing_name, version);

      CREATE TABLE broadcast_plays (
        play_id TEXT PRIMARY KEY,
        thing_name TEXT NOT NULL,
        store_id TEXT,
        sha256 TEXT NOT NULL,
        campaign_id TEXT,
        item_id TEXT,
        layer TEXT NOT NULL,
        trigger TEXT NOT NULL,
        scheduled_at INTEGER,
        started_at INTEGER NOT NULL,
        ended_at INTEGER NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('completed', 'interrupted', 'skipped')),
        volume INTEGER NOT NULL,
        level_db_spl REAL,
        manifest_version INTEGER,
        received_at INTEGER NOT NULL
      );
      CREATE INDEX broadcast_plays_started ON broadcast_plays(started_at);
      CREATE INDEX broadcast_plays_store ON broadcast_plays(store_id, started_at);
      CREATE INDEX broadcast_plays_thing ON broadcast_plays(thing_name, started_at);
      CREATE INDEX broadcast_plays_campaign ON broadcast_plays(campaign_id, started_at);
    `,
  },
];
