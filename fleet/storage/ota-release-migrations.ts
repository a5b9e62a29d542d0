import type { Migration } from '../../platform/sqlite.ts';

/**
 * OTA releases (issue 10, migration 33). A release is immutable once published: its manifest as signed (RFC 8785
 * canonical JSON, the bytes the signatures cover), its signatures in the order given, and its artifact by sha256.
 * Artifact files live in `{dataDir}/ota/artifacts/{sha256}`, one per sha256 whatever the number of releases naming
 * it; `release_artifacts` has a row for each stored file (staged by an upload, then named by releases), so a file
 * without a row is an orphan start() removes. `release_deltas` holds the BSDIFF40 deltas from earlier releases of the
 * same name, made in the background (`pending` → `ready` | `failed`); files in `{dataDir}/ota/deltas/{from}-{to}`.
 * No signing key is ever stored here: the fleet's key is a file named in its config.
 */
export const otaReleaseMigrations: Migration[] = [
  {
    version: 33,
    name: 'OTA releases: staged artifacts, releases with their signed manifests and signatures, deltas',
    sql: `
      CREATE TABLE release_artifacts (
        sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
        size INTEGER NOT NULL CHECK (size > 0),
        staged_by TEXT,
        staged_at INTEGER NOT NULL
      );
      CREATE TABLE releases (
        id TEXT PRIMARY KEY,
        component TEXT NOT NULL CHECK (component IN ('software', 'model', 'config')),
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
      CREATE INDEX releases_component ON releases(component, published_at);
      CREATE INDEX releases_sha256 ON releases(sha256);
      CREATE TABLE release_signatures (
        release_id TEXT NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        key_id TEXT NOT NULL,
        algorithm TEXT NOT NULL,
        signature TEXT NOT NULL,
        PRIMARY KEY (release_id, position)
      );
      CREATE TABLE release_deltas (
        release_id TEXT NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
        from_release_id TEXT NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
        from_sha256 TEXT NOT NULL,
        to_sha256 TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'ready', 'failed')),
        sha256 TEXT,
        size INTEGER,
        error TEXT,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (release_id, from_release_id)
      );
      CREATE INDEX release_deltas_files ON release_deltas(from_sha256, to_sha256);
      CREATE INDEX release_deltas_from ON release_deltas(from_release_id);
    `,
  },
];
