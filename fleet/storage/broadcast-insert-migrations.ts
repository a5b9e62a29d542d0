import type { Migration } from '../../platform/sqlite.ts';

/**
 * Ad-hoc inserts and emergency announcements (issue 9 item 7, migration 31). One active emergency per store, held by
 * the database itself (a partial unique index), so two managers pressing the button at once cannot both start one.
 */
export const broadcastInsertMigrations: Migration[] = [
  {
    version: 31,
    name: 'broadcast: ad-hoc inserts and emergency announcements',
    sql: `
      CREATE TABLE broadcast_inserts (
        id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        title TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        entry TEXT NOT NULL CHECK (entry IN ('between_tracks', 'interrupt', 'overlay')),
        at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        -- JSON array of thing names, or NULL for every speaker of the store
        thing_names TEXT,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        cancelled_by TEXT,
        cancelled_at INTEGER
      );
      CREATE INDEX broadcast_inserts_store ON broadcast_inserts (store_id, expires_at);
      CREATE TABLE broadcast_emergencies (
        id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        title TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        thing_names TEXT,
        started_by TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        cleared_by TEXT,
        cleared_at INTEGER
      );
      CREATE UNIQUE INDEX broadcast_emergencies_active ON broadcast_emergencies (store_id) WHERE cleared_at IS NULL;
    `,
  },
];
