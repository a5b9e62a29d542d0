import { StatementCache } from '../../../platform/statement-cache.ts';
import type { Database } from '../../storage/database.ts';

/** One stored manifest version of a speaker (migration 28). */
export interface StoredManifest {
  thingName: string;
  version: number;
  storeId: string;
  sha256: string;
  /** The exact bytes announced and served: the speaker checks them against `sha256`. */
  bytes: Buffer;
  contentDigest: string;
  compiledAt: number;
  horizonFrom: number;
  horizonTo: number;
}

interface Row {
  thing_name: string;
  version: number;
  store_id: string;
  sha256: string;
  bytes: Buffer;
  content_digest: string;
  compiled_at: number;
  horizon_from: number;
  horizon_to: number;
}

/** Per-speaker manifests, the last few versions each, and which assets they reference. */
export class ManifestRepository {
  private readonly statements: StatementCache;

  constructor(db: Database) {
    this.statements = new StatementCache(db);
  }

  latest(thingName: string): StoredManifest | undefined {
    const row = this.statements
      .prepare('SELECT * FROM broadcast_manifests WHERE thing_name = ? ORDER BY version DESC LIMIT 1')
      .get(thingName) as Row | undefined;
    return row && toManifest(row);
  }

  get(thingName: string, version: number): StoredManifest | undefined {
    const row = this.statements
      .prepare('SELECT * FROM broadcast_manifests WHERE thing_name = ? AND version = ?')
      .get(thingName, version) as Row | undefined;
    return row && toManifest(row);
  }

  /** The newest manifest of every speaker that has one (no bytes read): what the daily rollover looks at. */
  latestHorizons(): { thingName: string; storeId: string; version: number; horizonTo: number }[] {
    return (
      this.statements
        .prepare(
          `SELECT thing_name, store_id, version, horizon_to FROM broadcast_manifests m
            WHERE version = (SELECT max(version) FROM broadcast_manifests WHERE thing_name = m.thing_name)`,
        )
        .all() as { thing_name: string; store_id: string; version: number; horizon_to: number }[]
    ).map((r) => ({ thingName: r.thing_name, storeId: r.store_id, version: r.version, horizonTo: r.horizon_to }));
  }

  /** Whether one of the thing's kept manifests references the asset: what lets it download the asset. */
  references(thingName: string, sha256: string): boolean {
    return (
      this.statements
        .prepare('SELECT 1 FROM broadcast_manifest_assets WHERE sha256 = ? AND thing_name = ? LIMIT 1')
        .get(sha256, thingName) !== undefined
    );
  }

  /** Stores a new version with its asset references and prunes the thing's versions beyond the newest `keep`. */
  append(manifest: StoredManifest, assets: readonly string[], keep: number): void {
    this.statements
      .prepare(
        `INSERT INTO broadcast_manifests (thing_name, version, store_id, sha256, bytes, content_digest, compiled_at,
           horizon_from, horizon_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        manifest.thingName,
        manifest.version,
        manifest.storeId,
        manifest.sha256,
        manifest.bytes,
        manifest.contentDigest,
        manifest.compiledAt,
        manifest.horizonFrom,
        manifest.horizonTo,
      );
    const insert = this.statements.prepare(
      'INSERT OR IGNORE INTO broadcast_manifest_assets (thing_name, version, sha256) VALUES (?, ?, ?)',
    );
    for (const sha256 of assets) insert.run(manifest.thingName, manifest.version, sha256);
    const oldest = manifest.version - keep;
    if (oldest < 1) return;
    this.statements
      .prepare('DELETE FROM broadcast_manifests WHERE thing_name = ? AND version <= ?')
      .run(manifest.thingName, oldest);
    this.statements
      .prepare('DELETE FROM broadcast_manifest_assets WHERE thing_name = ? AND version <= ?')
      .run(manifest.thingName, oldest);
  }
}

function toManifest(row: Row): StoredManifest {
  return {
    thingName: row.thing_name,
    version: row.version,
    storeId: row.store_id,
    sha256: row.sha256,
    bytes: row.bytes,
    contentDigest: row.content_digest,
    compiledAt: row.compiled_at,
    horizonFrom: row.horizon_from,
    horizonTo: row.horizon_to,
  };
}
