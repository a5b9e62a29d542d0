import type { Migration } from '../../platform/sqlite.ts';

/**
 * Product recognition on the fleet (issue 11).
 *
 * Migration 36: OTA's `gallery` component (a store's gallery is a release and is rolled out). Migrations 33 and 34
 * wrote `component IN ('software', 'model', 'config')` into `releases` and `ota_rollouts`, and SQLite cannot alter a
 * CHECK: both tables are rebuilt by SQLite's ALTER TABLE procedure (new table, copy, drop, rename, indexes again),
 * with foreign keys off so that dropping the old tables does not cascade to signatures, deltas, the rollouts'
 * stores, phases and devices, which keep naming `releases` and `ota_rollouts` and find the rebuilt tables.
 *
 * Migration 37: enrolment photos (files in `{dataDir}/vision/photos/{sha256}`, one per sha256, rows per store and
 * product), their embeddings (one per photo and model version), the stores' vision settings, gallery versions, and
 * the recognition records carts send (one row per cart and record id, the latest outcome).
 */
export const visionMigrations: Migration[] = [
  {
    version: 36,
    name: "OTA releases and rollouts admit the 'gallery' component (tables rebuilt: SQLite cannot alter a CHECK)",
    rebuildsTables: true,
    sql: `
      CREATE TABLE releases_new (
        id TEXT PRIMARY KEY,
        component TEXT NOT NULL CHECK (component IN ('software', 'model', 'config', 'gallery')),
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        sha256 TEXT NOT NULL REFERENCES release_artifacts(sha256),
        size INTEGER NOT NULL CHECK (size > 0),
        -- the manifest's canonical JSON (RFC 8785): exactly what the signatures cover
        manifest TEXT NOT NULL,
        published_by TEXT,
        published_at INTEGER NOT NULL,
        UNIQUE (name, version)
      );
      INSERT INTO releases_new (id, component, name, version, sha256, size, manifest, published_by, published_at)
        SELECT id, component, name, version, sha256, size, manifest, published_by, published_at FROM releases;
      DROP TABLE releases;
      ALTER TABLE releases_new RENAME TO releases;
      CREATE INDEX releases_component ON releases(component, published_at);
      CREATE INDEX releases_sha256 ON releases(sha256);

      CREATE TABLE ota_rollouts_new (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        release_id TEXT NOT NULL,
        component TEXT NOT NULL CHECK (component IN ('software', 'model', 'config', 'gallery')),
        release_name TEXT NOT NULL,
        version TEXT NOT NULL,
        job_id TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL CHECK (state IN ('scheduled', 'running', 'paused', 'completed', 'aborted', 'canceled')),
        state_reason TEXT,
        -- the RolloutSpec as sent (JSON)
        spec TEXT NOT NULL,
        created_by TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      INSERT INTO ota_rollouts_new (id, name, release_id, component, release_name, version, job_id, state,
          state_reason, spec, created_by, created_at, updated_at)
        SELECT id, name, release_id, component, release_name, version, job_id, state,
          state_reason, spec, created_by, created_at, updated_at FROM ota_rollouts;
      DROP TABLE ota_rollouts;
      ALTER TABLE ota_rollouts_new RENAME TO ota_rollouts;
      CREATE INDEX ota_rollouts_state ON ota_rollouts(state);
      CREATE INDEX ota_rollouts_release ON ota_rollouts(release_id);
    `,
  },
  {
    version: 37,
    name: 'vision: gallery photos and their embeddings, store vision settings, gallery versions, recognition records',
    sql: `
      CREATE TABLE vision_photos (
        id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
        -- null: a contribution whose recognition record has not arrived yet
        sku TEXT,
        source TEXT NOT NULL CHECK (source IN ('enrolment', 'contribution')),
        sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
        media_type TEXT NOT NULL,
        bytes INTEGER NOT NULL CHECK (bytes > 0),
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        added_by TEXT,
        thing_name TEXT,
        record_id TEXT,
        added_at INTEGER NOT NULL
      );
      CREATE INDEX vision_photos_product ON vision_photos(store_id, sku, source, added_at);
      CREATE INDEX vision_photos_sha256 ON vision_photos(sha256);
      CREATE UNIQUE INDEX vision_photos_contribution ON vision_photos(thing_name, record_id) WHERE record_id IS NOT NULL;
      CREATE TABLE vision_embeddings (
        photo_id TEXT NOT NULL REFERENCES vision_photos(id) ON DELETE CASCADE,
        model_name TEXT NOT NULL,
        model_version TEXT NOT NULL,
        -- little-endian float32, L2-normalised
        embedding BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (photo_id, model_name, model_version)
      );
      -- What changed a store's gallery since its last version (a build with nothing changed is a no-op).
      CREATE TABLE vision_store_state (
        store_id TEXT PRIMARY KEY REFERENCES stores(id) ON DELETE CASCADE,
        contributions INTEGER NOT NULL DEFAULT 0,
        -- PlanogramEntry[] (JSON)
        planogram TEXT NOT NULL DEFAULT '[]',
        settings_updated_at INTEGER,
        settings_updated_by TEXT,
        -- bumped by every enrolment change; a version records the value it was built from
        change_seq INTEGER NOT NULL DEFAULT 0,
        changed_at INTEGER
      );
      CREATE TABLE vision_gallery_versions (
        store_id TEXT NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT,
        trigger TEXT NOT NULL,
        change_seq INTEGER NOT NULL,
        -- the products (sku, photo ids, zones) it was built from (JSON): "nothing changed" is the same content
        content_digest TEXT NOT NULL,
        products INTEGER NOT NULL,
        photos INTEGER NOT NULL,
        left_out TEXT NOT NULL,
        -- skus in it (JSON array)
        skus TEXT NOT NULL,
        model_name TEXT NOT NULL,
        model_version TEXT NOT NULL,
        embedding_size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        release_id TEXT NOT NULL,
        rollout_id TEXT,
        PRIMARY KEY (store_id, version)
      );
      CREATE TABLE vision_records (
        thing_name TEXT NOT NULL,
        record_id TEXT NOT NULL,
        store_id TEXT,
        at INTEGER NOT NULL,
        decision TEXT NOT NULL,
        truth_sku TEXT,
        outcome_at INTEGER,
        model_version TEXT,
        gallery_version INTEGER,
        -- the RecognitionRecord as the cart sent it (JSON)
        record TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (thing_name, record_id)
      );
      CREATE INDEX vision_records_store ON vision_records(store_id, at);
      CREATE INDEX vision_records_at ON vision_records(at);
    `,
  },
];
