import type { Migration } from '../../platform/sqlite.ts';

/**
 * The broadcast content library (issue 9 item 1, migration 26). One row per stored file, keyed by the sha256 of the
 * normalised Ogg/Opus file in `{dataDir}/broadcast/assets/`; `input_sha256` is the upload's own digest, so the same
 * upload again is found without normalising it again. `store_id` NULL is chain-wide (HQ) content; a store's upload
 * belongs to that store, and `broadcast_asset_shares` records the other stores whose managers uploaded the same audio.
 */
export const broadcastContentMigrations: Migration[] = [
  {
    version: 26,
    name: 'broadcast content library: normalised assets, their loudness and waveform, shares between stores',
    sql: `
      CREATE TABLE broadcast_assets (
        sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
        title TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('music', 'speech', 'jingle')),
        origin TEXT NOT NULL CHECK (origin IN ('upload', 'announcer')),
        bytes INTEGER NOT NULL CHECK (bytes > 0),
        duration_ms INTEGER NOT NULL CHECK (duration_ms > 0),
        -- the stored file, measured after encoding
        integrated_lufs REAL NOT NULL,
        true_peak_dbtp REAL NOT NULL,
        -- the upload as received (decoded to 48 kHz mono for its loudness)
        input_sha256 TEXT NOT NULL,
        input_bytes INTEGER NOT NULL,
        input_lufs REAL NOT NULL,
        input_true_peak_dbtp REAL NOT NULL,
        gain_db REAL NOT NULL,
        limited INTEGER NOT NULL CHECK (limited IN (0, 1)),
        -- JSON array of WAVEFORM_POINTS peaks, 0..1
        waveform TEXT NOT NULL,
        store_id TEXT,
        created_by TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX broadcast_assets_input ON broadcast_assets(input_sha256);
      CREATE INDEX broadcast_assets_store ON broadcast_assets(store_id, created_at);
      CREATE TABLE broadcast_asset_shares (
        sha256 TEXT NOT NULL REFERENCES broadcast_assets(sha256) ON DELETE CASCADE,
        store_id TEXT NOT NULL,
        PRIMARY KEY (sha256, store_id)
      );
      CREATE INDEX broadcast_asset_shares_store ON broadcast_asset_shares(store_id);
    `,
  },
];
