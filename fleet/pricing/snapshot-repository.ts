import { StatementCache } from '../../platform/statement-cache.ts';
import type { Database } from '../storage/database.ts';

export interface SnapshotVersion {
  storeId: string;
  version: number;
  sha256: string;
  size: number;
  /** sha256 of the snapshot's content without `version` and `builtAt`: an unchanged rebuild makes no version. */
  contentDigest: string;
  builtAt: number;
  validFrom: number;
  supersededAt: number | null;
  /** The gzip bytes, for the last versions kept; null once pruned. */
  bytes: Buffer | null;
}

interface Row {
  store_id: string;
  version: number;
  sha256: string;
  size: number;
  content_digest: string;
  built_at: number;
  valid_from: number;
  superseded_at: number | null;
  bytes: Buffer | null;
}

/** Every pricing snapshot version of every store (migration 19); the validity intervals are kept forever. */
export class SnapshotRepository {
  private readonly statements: StatementCache;

  constructor(private readonly db: Database) {
    this.statements = new StatementCache(db);
  }

  latest(storeId: string): SnapshotVersion | undefined {
    const row = this.statements
      .prepare('SELECT * FROM pricing_snapshots WHERE store_id = ? ORDER BY version DESC LIMIT 1')
      .get(storeId) as Row | undefined;
    return row && toVersion(row);
  }

  /** The store's newest version number (no bytes read). */
  latestVersion(storeId: string): number | undefined {
    const row = this.statements
      .prepare('SELECT max(version) AS version FROM pricing_snapshots WHERE store_id = ?')
      .get(storeId) as { version: number | null };
    return row.version ?? undefined;
  }

  /** When a version was current (no bytes read). */
  interval(storeId: string, version: number): { validFrom: number; supersededAt: number | null } | undefined {
    const row = this.statements
      .prepare('SELECT valid_from, superseded_at FROM pricing_snapshots WHERE store_id = ? AND version = ?')
      .get(storeId, version) as { valid_from: number; superseded_at: number | null } | undefined;
    return row && { validFrom: row.valid_from, supersededAt: row.superseded_at };
  }

  get(storeId: string, version: number): SnapshotVersion | undefined {
    const row = this.statements
      .prepare('SELECT * FROM pricing_snapshots WHERE store_id = ? AND version = ?')
      .get(storeId, version) as Row | undefined;
    return row && toVersion(row);
  }

  /** Versions that still have their bytes, newest first. */
  withBytes(storeId?: string): SnapshotVersion[] {
    const rows = (
      storeId === undefined
        ? this.statements
            .prepare('SELECT * FROM pricing_snapshots WHERE bytes IS NOT NULL ORDER BY store_id, version DESC')
            .all()
        : this.statements
            .prepare('SELECT * FROM pricing_snapshots WHERE store_id = ? AND bytes IS NOT NULL ORDER BY version DESC')
            .all(storeId)
    ) as Row[];
    return rows.map(toVersion);
  }

  /**
   * Stores a new version, closes the previous one's interval at its `validFrom`, and drops the bytes of versions
   * older than the last `keep`; returns the versions whose bytes were dropped. One transaction.
   */
  append(next: Omit<SnapshotVersion, 'supersededAt'>, keep: number): number[] {
    return this.db.transaction(() => {
      this.statements
        .prepare(
          'UPDATE pricing_snapshots SET superseded_at = ? WHERE store_id = ? AND superseded_at IS NULL AND version < ?',
        )
        .run(next.validFrom, next.storeId, next.version);
      this.statements
        .prepare(
          `INSERT INTO pricing_snapshots (store_id, version, sha256, size, content_digest, built_at, valid_from, bytes)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          next.storeId,
          next.version,
          next.sha256,
          next.size,
          next.contentDigest,
          next.builtAt,
          next.validFrom,
          next.bytes,
        );
      const pruned = (
        this.statements
          .prepare(
            'SELECT version FROM pricing_snapshots WHERE store_id = ? AND bytes IS NOT NULL AND version <= ? ORDER BY version',
          )
          .all(next.storeId, next.version - keep) as { version: number }[]
      ).map((r) => r.version);
      this.statements
        .prepare('UPDATE pricing_snapshots SET bytes = NULL WHERE store_id = ? AND version <= ?')
        .run(next.storeId, next.version - keep);
      return pruned;
    })();
  }
}

function toVersion(row: Row): SnapshotVersion {
  return {
    storeId: row.store_id,
    version: row.version,
    sha256: row.sha256,
    size: row.size,
    contentDigest: row.content_digest,
    builtAt: row.built_at,
    validFrom: row.valid_from,
    supersededAt: row.superseded_at,
    bytes: row.bytes,
  };
}
