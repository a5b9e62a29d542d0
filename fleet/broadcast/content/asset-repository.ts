import { StatementCache } from '../../../platform/statement-cache.ts';
import { type AssetOrigin, type ContentAsset, contentAudioPath } from '../../../protocol/api/content.ts';
import type { AssetKind } from '../../../protocol/broadcast/layers.ts';
import type { Database } from '../../storage/database.ts';

interface AssetRow {
  sha256: string;
  title: string;
  kind: AssetKind;
  origin: AssetOrigin;
  bytes: number;
  duration_ms: number;
  integrated_lufs: number;
  true_peak_dbtp: number;
  input_sha256: string;
  input_bytes: number;
  input_lufs: number;
  input_true_peak_dbtp: number;
  gain_db: number;
  limited: 0 | 1;
  waveform: string;
  store_id: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  shares: string | null;
}

/** Which assets a list or a read may see: `null` for every one (chain-wide roles), else these stores' and the chain's. */
export type AssetVisibility = ReadonlySet<string> | null;

export interface AssetFilter {
  q?: string | undefined;
  kind?: AssetKind | undefined;
  origin?: AssetOrigin | undefined;
  /** A store id: assets usable there (the chain's, its own, shared with it); `chain`: chain-wide assets only. */
  storeId?: string | undefined;
  limit: number;
  offset: number;
}

const SELECT = `SELECT a.*, (SELECT json_group_array(s.store_id) FROM broadcast_asset_shares s WHERE s.sha256 = a.sha256) AS shares
  FROM broadcast_assets a`;

/** `broadcast_assets` and `broadcast_asset_shares` (migration 26). */
export class AssetRepository {
  private readonly statements: StatementCache;

  constructor(db: Database) {
    this.statements = new StatementCache(db);
  }

  get(sha256: string): ContentAsset | undefined {
    const row = this.statements.prepare(`${SELECT} WHERE a.sha256 = ?`).get(sha256) as AssetRow | undefined;
    return row && toAsset(row);
  }

  /** The asset an upload with this digest was normalised into. */
  byInput(inputSha256: string): ContentAsset | undefined {
    const row = this.statements.prepare(`${SELECT} WHERE a.input_sha256 = ? LIMIT 1`).get(inputSha256) as
      | AssetRow
      | undefined;
    return row && toAsset(row);
  }

  list(filter: AssetFilter, visibility: AssetVisibility): { items: ContentAsset[]; total: number } {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (filter.q) {
      where.push(`a.title LIKE @q ESCAPE '\\'`);
      params.q = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    if (filter.kind) {
      where.push('a.kind = @kind');
      params.kind = filter.kind;
    }
    if (filter.origin) {
      where.push('a.origin = @origin');
      params.origin = filter.origin;
    }
    if (filter.storeId === 'chain') where.push('a.store_id IS NULL');
    else if (filter.storeId) {
      where.push(`(${usableIn('@store')})`);
      params.store = filter.storeId;
    }
    if (visibility !== null) {
      const stores = [...visibility];
      params.visible = JSON.stringify(stores);
      where.push(
        `(a.store_id IS NULL OR a.store_id IN (SELECT value FROM json_each(@visible))
          OR EXISTS (SELECT 1 FROM broadcast_asset_shares s WHERE s.sha256 = a.sha256
                     AND s.store_id IN (SELECT value FROM json_each(@visible))))`,
      );
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = (
      this.statements.prepare(`SELECT count(*) AS n FROM broadcast_assets a ${clause}`).get(params) as { n: number }
    ).n;
    const rows = this.statements
      .prepare(`${SELECT} ${clause} ORDER BY a.created_at DESC, a.sha256 LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: filter.limit, offset: filter.offset }) as AssetRow[];
    return { items: rows.map(toAsset), total };
  }

  insert(asset: ContentAsset): void {
    this.statements
      .prepare(
        `INSERT INTO broadcast_assets (sha256, title, kind, origin, bytes, duration_ms, integrated_lufs, true_peak_dbtp,
           input_sha256, input_bytes, input_lufs, input_true_peak_dbtp, gain_db, limited, waveform, store_id,
           created_by, created_at, updated_at)
         VALUES (@sha256, @title, @kind, @origin, @bytes, @durationMs, @lufs, @tp, @inputSha256, @inputBytes,
           @inputLufs, @inputTp, @gainDb, @limited, @waveform, @storeId, @createdBy, @createdAt, @updatedAt)`,
      )
      .run({
        sha256: asset.sha256,
        title: asset.title,
        kind: asset.kind,
        origin: asset.origin,
        bytes: asset.bytes,
        durationMs: asset.durationMs,
        lufs: asset.loudness.integratedLufs,
        tp: asset.loudness.truePeakDbtp,
        inputSha256: asset.input.sha256,
        inputBytes: asset.input.bytes,
        inputLufs: asset.input.loudness.integratedLufs,
        inputTp: asset.input.loudness.truePeakDbtp,
        gainDb: asset.gainDb,
        limited: asset.limited ? 1 : 0,
        waveform: JSON.stringify(asset.waveform),
        storeId: asset.storeId,
        createdBy: asset.createdBy,
        createdAt: asset.createdAt,
        updatedAt: asset.updatedAt,
      });
  }

  update(sha256: string, change: { title?: string; kind?: AssetKind; storeId?: string | null }, now: number): void {
    const sets: string[] = ['updated_at = @now'];
    if (change.title !== undefined) sets.push('title = @title');
    if (change.kind !== undefined) sets.push('kind = @kind');
    if (change.storeId !== undefined) sets.push('store_id = @storeId');
    this.statements
      .prepare(`UPDATE broadcast_assets SET ${sets.join(', ')} WHERE sha256 = @sha256`)
      .run({ sha256, now, title: change.title ?? null, kind: change.kind ?? null, storeId: change.storeId ?? null });
  }

  share(sha256: string, storeId: string): void {
    this.statements
      .prepare('INSERT OR IGNORE INTO broadcast_asset_shares (sha256, store_id) VALUES (?, ?)')
      .run(sha256, storeId);
  }

  unshare(sha256: string, storeId: string): void {
    this.statements
      .prepare('DELETE FROM broadcast_asset_shares WHERE sha256 = ? AND store_id = ?')
      .run(sha256, storeId);
  }

  delete(sha256: string): void {
    this.statements.prepare('DELETE FROM broadcast_assets WHERE sha256 = ?').run(sha256);
  }
}

function usableIn(param: string): string {
  return `a.store_id IS NULL OR a.store_id = ${param}
    OR EXISTS (SELECT 1 FROM broadcast_asset_shares s WHERE s.sha256 = a.sha256 AND s.store_id = ${param})`;
}

function toAsset(row: AssetRow): ContentAsset {
  return {
    sha256: row.sha256,
    title: row.title,
    kind: row.kind,
    origin: row.origin,
    bytes: row.bytes,
    durationMs: row.duration_ms,
    loudness: { integratedLufs: row.integrated_lufs, truePeakDbtp: row.true_peak_dbtp },
    input: {
      sha256: row.input_sha256,
      bytes: row.input_bytes,
      loudness: { integratedLufs: row.input_lufs, truePeakDbtp: row.input_true_peak_dbtp },
    },
    gainDb: row.gain_db,
    limited: row.limited === 1,
    waveform: JSON.parse(row.waveform) as number[],
    storeId: row.store_id,
    sharedWith: row.shares ? (JSON.parse(row.shares) as string[]).sort() : [],
    audioUrl: contentAudioPath(row.sha256),
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
