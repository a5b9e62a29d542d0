import type { StoredRecognition } from '../../protocol/api/vision.ts';
import type { RecognitionRecord } from '../../protocol/vision/recognition.ts';
import type { Database } from '../storage/database.ts';

export interface RecognitionRow {
  thingName: string;
  storeId: string | null;
  receivedAt: number;
  record: RecognitionRecord;
}

export interface RecognitionFilter {
  /** null: every store (the chain); a list: those stores only. */
  storeIds: string[] | null;
  from: number;
  to: number;
  thingName?: string | undefined;
  sku?: string | undefined;
  decision?: string | undefined;
}

/** Recognition records (migration 37): one row per cart and record id, the latest outcome. */
export class RecognitionRepository {
  constructor(private readonly db: Database) {}

  /**
   * Stores records, one row per (cart, record id): a record replaces the stored one unless the stored one has an
   * outcome and the new one has none or an earlier one (the outbox may deliver the undecided copy after the decided
   * one). Answers the records stored (new or replaced).
   */
  upsertMany(rows: readonly RecognitionRow[]): RecognitionRow[] {
    const existing = this.db.prepare('SELECT outcome_at FROM vision_records WHERE thing_name = ? AND record_id = ?');
    const put = this.db.prepare(
      `INSERT OR REPLACE INTO vision_records (thing_name, record_id, store_id, at, decision, truth_sku, outcome_at,
         model_version, gallery_version, record, received_at)
       VALUES (@thingName, @recordId, @storeId, @at, @decision, @truthSku, @outcomeAt, @modelVersion, @galleryVersion,
         @record, @receivedAt)`,
    );
    const stored: RecognitionRow[] = [];
    for (const row of rows) {
      const { record } = row;
      const before = existing.get(row.thingName, record.id) as { outcome_at: number | null } | undefined;
      const outcomeAt = record.outcome?.at ?? null;
      if (before && before.outcome_at !== null && (outcomeAt === null || outcomeAt < before.outcome_at)) continue;
      put.run({
        thingName: row.thingName,
        recordId: record.id,
        storeId: row.storeId,
        at: record.evidence.at,
        decision: record.decision.kind,
        truthSku: record.outcome?.truthSku ?? null,
        outcomeAt,
        modelVersion: record.evidence.modelVersion,
        galleryVersion: record.evidence.galleryVersion,
        record: JSON.stringify(record),
        receivedAt: row.receivedAt,
      });
      stored.push(row);
    }
    return stored;
  }

  list(filter: RecognitionFilter, limit: number, offset: number): { items: StoredRecognition[]; total: number } {
    const { where, params } = whereOf(filter);
    const rows = this.db
      .prepare(
        `SELECT thing_name, store_id, received_at, record FROM vision_records ${where}
         ORDER BY at DESC, thing_name, record_id LIMIT ? OFFSET ?`,
      )
      .all(...params, limit, offset) as {
      thing_name: string;
      store_id: string | null;
      received_at: number;
      record: string;
    }[];
    const total = this.db
      .prepare(`SELECT count(*) FROM vision_records ${where}`)
      .pluck()
      .get(...params) as number;
    return {
      items: rows.map((r) => ({
        thingName: r.thing_name,
        storeId: r.store_id,
        receivedAt: r.received_at,
        record: JSON.parse(r.record) as RecognitionRecord,
      })),
      total,
    };
  }

  /** The newest `limit` records of the range, and whether more fell in it. */
  records(filter: RecognitionFilter, limit: number): { records: RecognitionRecord[]; truncated: boolean } {
    const { where, params } = whereOf(filter);
    const rows = this.db
      .prepare(`SELECT record FROM vision_records ${where} ORDER BY at DESC LIMIT ?`)
      .pluck()
      .all(...params, limit + 1) as string[];
    return {
      records: rows.slice(0, limit).map((r) => JSON.parse(r) as RecognitionRecord),
      truncated: rows.length > limit,
    };
  }

  /** Deletes records made before `before`; how many. */
  deleteBefore(before: number): number {
    return this.db.prepare('DELETE FROM vision_records WHERE at < ?').run(before).changes;
  }

  /** A cart's record, if it is in. */
  get(thingName: string, recordId: string): RecognitionRecord | undefined {
    const json = this.db
      .prepare('SELECT record FROM vision_records WHERE thing_name = ? AND record_id = ?')
      .pluck()
      .get(thingName, recordId) as string | undefined;
    return json === undefined ? undefined : (JSON.parse(json) as RecognitionRecord);
  }
}

function whereOf(filter: RecognitionFilter): { where: string; params: unknown[] } {
  const clauses = ['at >= ?', 'at < ?'];
  const params: unknown[] = [filter.from, filter.to];
  if (filter.storeIds !== null) {
    clauses.push(`store_id IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(filter.storeIds));
  }
  if (filter.thingName) {
    clauses.push('thing_name = ?');
    params.push(filter.thingName);
  }
  if (filter.sku) {
    clauses.push('truth_sku = ?');
    params.push(filter.sku);
  }
  if (filter.decision) {
    clauses.push('decision = ?');
    params.push(filter.decision);
  }
  return { where: `WHERE ${clauses.join(' AND ')}`, params };
}
