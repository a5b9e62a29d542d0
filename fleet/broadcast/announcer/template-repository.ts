import { StatementCache } from '../../../platform/statement-cache.ts';
import type { FieldValues, TemplateText } from '../../../protocol/api/announcer.ts';
import type { Database } from '../../storage/database.ts';

/** A stored template, as the repository holds it (the announcer adds its languages and fields). */
export interface TemplateRecord {
  id: string;
  name: string;
  text: TemplateText;
  defaults: FieldValues;
  storeId: string | null;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

interface TemplateRow {
  id: string;
  name: string;
  text: string;
  defaults: string;
  store_id: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

function toRecord(row: TemplateRow): TemplateRecord {
  return {
    id: row.id,
    name: row.name,
    text: JSON.parse(row.text) as TemplateText,
    defaults: JSON.parse(row.defaults) as FieldValues,
    storeId: row.store_id,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Announcer templates (migration 29). */
export class TemplateRepository {
  private readonly statements: StatementCache;

  constructor(db: Database) {
    this.statements = new StatementCache(db);
  }

  get(id: string): TemplateRecord | undefined {
    const row = this.statements.prepare('SELECT * FROM announcer_templates WHERE id = ?').get(id) as
      | TemplateRow
      | undefined;
    return row && toRecord(row);
  }

  /**
   * Templates visible in `storeIds` (null: all), HQ's included, by id; `storeId` narrows to that store's and HQ's.
   */
  list(storeIds: ReadonlySet<string> | null, storeId: string | undefined, limit: number, offset: number) {
    const rows = (
      this.statements.prepare('SELECT * FROM announcer_templates ORDER BY id').all() as TemplateRow[]
    ).filter(
      (r) =>
        (r.store_id === null || storeIds === null || storeIds.has(r.store_id)) &&
        (storeId === undefined || r.store_id === null || r.store_id === storeId),
    );
    return { items: rows.slice(offset, offset + limit).map(toRecord), total: rows.length };
  }

  /** Inserts or replaces; the creation stamp stays the first write's. Answers whether it was new. */
  put(record: Omit<TemplateRecord, 'createdAt' | 'updatedAt' | 'createdBy'>, by: string, now: number): boolean {
    const existed = this.get(record.id) !== undefined;
    this.statements
      .prepare(
        `INSERT INTO announcer_templates (id, name, text, defaults, store_id, created_by, created_at, updated_by, updated_at)
         VALUES (@id, @name, @text, @defaults, @storeId, @by, @now, @by, @now)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, text = excluded.text, defaults = excluded.defaults,
           store_id = excluded.store_id, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      )
      .run({
        id: record.id,
        name: record.name,
        text: JSON.stringify(record.text),
        defaults: JSON.stringify(record.defaults),
        storeId: record.storeId,
        by,
        now,
      });
    return !existed;
  }

  delete(id: string): void {
    this.statements.prepare('DELETE FROM announcer_templates WHERE id = ?').run(id);
  }
}
