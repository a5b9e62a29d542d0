import { canonicalJson } from '../../../ota/release/canonical-json.ts';
import { StatementCache } from '../../../platform/statement-cache.ts';
import type { OtaComponent, ReleaseManifest, ReleaseSignature } from '../../../protocol/ota/release.ts';
import type { Database } from '../../storage/database.ts';

/** A stored artifact file: staged by an upload, named by zero or more releases. */
export interface StoredArtifact {
  sha256: string;
  size: number;
  stagedBy: string | null;
  stagedAt: number;
}

/** A published release as stored: immutable. */
export interface StoredRelease {
  id: string;
  component: OtaComponent;
  name: string;
  version: string;
  sha256: string;
  size: number;
  manifest: ReleaseManifest;
  signatures: ReleaseSignature[];
  publishedBy: string | null;
  publishedAt: number;
}

export type DeltaState = 'pending' | 'ready' | 'failed';

/** A delta from an earlier release of the same name (`fromReleaseId`) to `releaseId`. */
export interface StoredDelta {
  releaseId: string;
  fromReleaseId: string;
  fromVersion: string;
  fromSha256: string;
  toSha256: string;
  state: DeltaState;
  /** Of the delta file, once ready. */
  sha256: string | null;
  size: number | null;
  error: string | null;
  createdAt: number;
}

interface ReleaseRow {
  id: string;
  component: OtaComponent;
  name: string;
  version: string;
  sha256: string;
  size: number;
  manifest: string;
  published_by: string | null;
  published_at: number;
  signatures: string;
}

interface DeltaRow {
  release_id: string;
  from_release_id: string;
  from_version: string;
  from_sha256: string;
  to_sha256: string;
  state: DeltaState;
  sha256: string | null;
  size: number | null;
  error: string | null;
  created_at: number;
}

const SELECT_RELEASE = `SELECT r.*, (SELECT json_group_array(json_object('keyId', s.key_id, 'algorithm', s.algorithm, 'signature', s.signature))
    FROM (SELECT * FROM release_signatures WHERE release_id = r.id ORDER BY position) s) AS signatures
  FROM releases r`;

const SELECT_DELTA = `SELECT d.*, f.version AS from_version FROM release_deltas d JOIN releases f ON f.id = d.from_release_id`;

/** `release_artifacts`, `releases`, `release_signatures`, `release_deltas` (migration 33). Writes go through the fleet's writer. */
export class ReleaseRepository {
  private readonly statements: StatementCache;

  constructor(db: Database) {
    this.statements = new StatementCache(db);
  }

  artifact(sha256: string): StoredArtifact | undefined {
    const row = this.statements.prepare('SELECT * FROM release_artifacts WHERE sha256 = ?').get(sha256) as
      | { sha256: string; size: number; staged_by: string | null; staged_at: number }
      | undefined;
    return row && { sha256: row.sha256, size: row.size, stagedBy: row.staged_by, stagedAt: row.staged_at };
  }

  allArtifactShas(): string[] {
    return this.statements.prepare('SELECT sha256 FROM release_artifacts').pluck().all() as string[];
  }

  insertArtifact(artifact: StoredArtifact): void {
    this.statements
      .prepare('INSERT OR IGNORE INTO release_artifacts (sha256, size, staged_by, staged_at) VALUES (?, ?, ?, ?)')
      .run(artifact.sha256, artifact.size, artifact.stagedBy, artifact.stagedAt);
  }

  deleteArtifact(sha256: string): void {
    this.statements.prepare('DELETE FROM release_artifacts WHERE sha256 = ?').run(sha256);
  }

  /** Releases naming this artifact. */
  artifactUses(sha256: string): number {
    return this.statements.prepare('SELECT count(*) FROM releases WHERE sha256 = ?').pluck().get(sha256) as number;
  }

  /** The component of a release naming this artifact (for its media type); undefined when none does. */
  componentOfArtifact(sha256: string): OtaComponent | undefined {
    return this.statements.prepare('SELECT component FROM releases WHERE sha256 = ? LIMIT 1').pluck().get(sha256) as
      | OtaComponent
      | undefined;
  }

  insertRelease(release: StoredRelease): void {
    this.statements
      .prepare(
        `INSERT INTO releases (id, component, name, version, sha256, size, manifest, published_by, published_at)
         VALUES (@id, @component, @name, @version, @sha256, @size, @manifest, @publishedBy, @publishedAt)`,
      )
      .run({ ...release, manifest: canonicalJson(release.manifest) });
    const insertSignature = this.statements.prepare(
      'INSERT INTO release_signatures (release_id, position, key_id, algorithm, signature) VALUES (?, ?, ?, ?, ?)',
    );
    release.signatures.forEach((s, position) => {
      insertSignature.run(release.id, position, s.keyId, s.algorithm, s.signature);
    });
  }

  get(id: string): StoredRelease | undefined {
    const row = this.statements.prepare(`${SELECT_RELEASE} WHERE r.id = ?`).get(id) as ReleaseRow | undefined;
    return row && toRelease(row);
  }

  byNameVersion(name: string, version: string): StoredRelease | undefined {
    const row = this.statements.prepare(`${SELECT_RELEASE} WHERE r.name = ? AND r.version = ?`).get(name, version) as
      | ReleaseRow
      | undefined;
    return row && toRelease(row);
  }

  /** Every release of a name (its versions are compared by the caller: SemVer is not SQL's order). */
  ofName(name: string): StoredRelease[] {
    return (this.statements.prepare(`${SELECT_RELEASE} WHERE r.name = ?`).all(name) as ReleaseRow[]).map(toRelease);
  }

  list(filter: { component?: OtaComponent | undefined; name?: string | undefined; limit: number; offset: number }): {
    items: StoredRelease[];
    total: number;
  } {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (filter.component) {
      where.push('r.component = @component');
      params.component = filter.component;
    }
    if (filter.name) {
      where.push('r.name = @name');
      params.name = filter.name;
    }
    const clause = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
    const total = this.statements.prepare(`SELECT count(*) FROM releases r${clause}`).pluck().get(params) as number;
    const rows = this.statements
      .prepare(`${SELECT_RELEASE}${clause} ORDER BY r.published_at DESC, r.id LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: filter.limit, offset: filter.offset }) as ReleaseRow[];
    return { items: rows.map(toRelease), total };
  }

  /** Deletes the release, its signatures and every delta to or from it (cascade). */
  deleteRelease(id: string): void {
    this.statements.prepare('DELETE FROM releases WHERE id = ?').run(id);
  }

  insertPendingDelta(delta: {
    releaseId: string;
    fromReleaseId: string;
    fromSha256: string;
    toSha256: string;
    createdAt: number;
  }): void {
    this.statements
      .prepare(
        `INSERT OR IGNORE INTO release_deltas (release_id, from_release_id, from_sha256, to_sha256, state, created_at)
         VALUES (?, ?, ?, ?, 'pending', ?)`,
      )
      .run(delta.releaseId, delta.fromReleaseId, delta.fromSha256, delta.toSha256, delta.createdAt);
  }

  /** Marks every pending delta between these two artifacts ready (the file is per artifact pair). */
  markDeltaReady(fromSha256: string, toSha256: string, file: { sha256: string; size: number }): void {
    this.statements
      .prepare(
        `UPDATE release_deltas SET state = 'ready', sha256 = ?, size = ?, error = NULL
         WHERE from_sha256 = ? AND to_sha256 = ? AND state = 'pending'`,
      )
      .run(file.sha256, file.size, fromSha256, toSha256);
  }

  markDeltaFailed(fromSha256: string, toSha256: string, error: string): void {
    this.statements
      .prepare(
        `UPDATE release_deltas SET state = 'failed', error = ? WHERE from_sha256 = ? AND to_sha256 = ? AND state = 'pending'`,
      )
      .run(error.slice(0, 500), fromSha256, toSha256);
  }

  /** The deltas to a release, the newest base first. */
  deltasOf(releaseId: string): StoredDelta[] {
    return (
      this.statements
        .prepare(`${SELECT_DELTA} WHERE d.release_id = ? ORDER BY f.published_at DESC`)
        .all(releaseId) as DeltaRow[]
    ).map(toDelta);
  }

  pendingDeltas(): StoredDelta[] {
    return (
      this.statements.prepare(`${SELECT_DELTA} WHERE d.state = 'pending' ORDER BY d.created_at`).all() as DeltaRow[]
    ).map(toDelta);
  }

  /** A ready delta between two artifacts, if any. */
  readyDelta(fromSha256: string, toSha256: string): StoredDelta | undefined {
    const row = this.statements
      .prepare(`${SELECT_DELTA} WHERE d.from_sha256 = ? AND d.to_sha256 = ? AND d.state = 'ready' LIMIT 1`)
      .get(fromSha256, toSha256) as DeltaRow | undefined;
    return row && toDelta(row);
  }

  /** Deltas (any state) between two artifacts: their file is kept while one is left. */
  deltaFileUses(fromSha256: string, toSha256: string): number {
    return this.statements
      .prepare('SELECT count(*) FROM release_deltas WHERE from_sha256 = ? AND to_sha256 = ?')
      .pluck()
      .get(fromSha256, toSha256) as number;
  }

  /** The artifact pairs of every delta row, for the file sweep at start. */
  deltaPairs(): { fromSha256: string; toSha256: string }[] {
    return (
      this.statements.prepare('SELECT DISTINCT from_sha256, to_sha256 FROM release_deltas').all() as {
        from_sha256: string;
        to_sha256: string;
      }[]
    ).map((r) => ({ fromSha256: r.from_sha256, toSha256: r.to_sha256 }));
  }
}

function toRelease(row: ReleaseRow): StoredRelease {
  return {
    id: row.id,
    component: row.component,
    name: row.name,
    version: row.version,
    sha256: row.sha256,
    size: row.size,
    manifest: JSON.parse(row.manifest) as ReleaseManifest,
    signatures: JSON.parse(row.signatures) as ReleaseSignature[],
    publishedBy: row.published_by,
    publishedAt: row.published_at,
  };
}

function toDelta(row: DeltaRow): StoredDelta {
  return {
    releaseId: row.release_id,
    fromReleaseId: row.from_release_id,
    fromVersion: row.from_version,
    fromSha256: row.from_sha256,
    toSha256: row.to_sha256,
    state: row.state,
    sha256: row.sha256,
    size: row.size,
    error: row.error,
    createdAt: row.created_at,
  };
}
