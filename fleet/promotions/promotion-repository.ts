import { StatementCache } from '../../platform/statement-cache.ts';
import type { PromotionOwner, PromotionRecord } from '../../protocol/api/promotions.ts';
import type { Promotion } from '../../protocol/commerce/promotions.ts';
import type { LocalizedText } from '../../protocol/commerce/text.ts';
import type { Database } from '../storage/database.ts';

interface PromotionRow {
  document: string;
  owner: PromotionOwner;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
}

/** Promotions (migration 15): the validated document as JSON, its scope in columns, who owns and changed it. */
export class PromotionRepository {
  private readonly statements: StatementCache;

  constructor(db: Database) {
    this.statements = new StatementCache(db);
  }

  get(id: string): PromotionRecord | undefined {
    const row = this.statements.prepare('SELECT * FROM promotions WHERE id = ?').get(id) as PromotionRow | undefined;
    return row && toRecord(row);
  }

  /** A promotion's name alone (receipts and order lines), without parsing the whole document. */
  name(id: string): LocalizedText | undefined {
    const row = this.statements
      .prepare(`SELECT json_extract(document, '$.name') AS name FROM promotions WHERE id = ?`)
      .get(id) as { name: string | null } | undefined;
    return row?.name ? (JSON.parse(row.name) as LocalizedText) : undefined;
  }

  /** Every promotion, by id (few enough to filter in memory: the snapshot builder takes them all). */
  all(): PromotionRecord[] {
    return (this.statements.prepare('SELECT * FROM promotions ORDER BY id').all() as PromotionRow[]).map(toRecord);
  }

  /** Inserts or replaces; the creation stamp stays that of the first write. Answers whether it was new. */
  put(promotion: Promotion, owner: PromotionOwner, by: string, now: number): boolean {
    const existed = this.statements.prepare('SELECT 1 FROM promotions WHERE id = ?').get(promotion.id) !== undefined;
    this.statements
      .prepare(
        `INSERT INTO promotions (id, kind, document, store_ids, regions, owner, created_at, created_by, updated_at, updated_by)
         VALUES (@id, @kind, @document, @storeIds, @regions, @owner, @now, @by, @now, @by)
         ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, document = excluded.document,
           store_ids = excluded.store_ids, regions = excluded.regions, owner = excluded.owner,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      )
      .run({
        id: promotion.id,
        kind: promotion.kind,
        document: JSON.stringify(promotion),
        storeIds: JSON.stringify(promotion.scope.storeIds),
        regions: JSON.stringify(promotion.scope.regions),
        owner,
        now,
        by,
      });
    return !existed;
  }

  delete(id: string): boolean {
    return this.statements.prepare('DELETE FROM promotions WHERE id = ?').run(id).changes > 0;
  }
}

function toRecord(row: PromotionRow): PromotionRecord {
  return {
    promotion: JSON.parse(row.document) as Promotion,
    owner: row.owner,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}
