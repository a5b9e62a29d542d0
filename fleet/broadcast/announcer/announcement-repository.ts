import { StatementCache } from '../../../platform/statement-cache.ts';
import type { Announcement, AnnouncerLanguage, FieldValues } from '../../../protocol/api/announcer.ts';
import type { Database } from '../../storage/database.ts';

interface AnnouncementRow {
  id: number;
  sha256: string;
  title: string;
  text: string;
  language: AnnouncerLanguage;
  template_id: string | null;
  fields: string;
  product_id: string | null;
  store_id: string | null;
  duration_ms: number;
  integrated_lufs: number;
  created_by: string | null;
  created_at: number;
}

function toAnnouncement(row: AnnouncementRow): Announcement {
  return {
    id: row.id,
    sha256: row.sha256,
    title: row.title,
    text: row.text,
    language: row.language,
    templateId: row.template_id,
    fields: JSON.parse(row.fields) as FieldValues,
    productId: row.product_id,
    storeId: row.store_id,
    durationMs: row.duration_ms,
    integratedLufs: row.integrated_lufs,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

/** What each announcer asset says (migration 29): the asset's sha256, the text, the template and field values. */
export class AnnouncementRepository {
  private readonly statements: StatementCache;

  constructor(db: Database) {
    this.statements = new StatementCache(db);
  }

  insert(a: Omit<Announcement, 'id'>): Announcement {
    const { lastInsertRowid } = this.statements
      .prepare(
        `INSERT INTO announcements (sha256, title, text, language, template_id, fields, product_id, store_id,
           duration_ms, integrated_lufs, created_by, created_at)
         VALUES (@sha256, @title, @text, @language, @templateId, @fields, @productId, @storeId, @durationMs,
           @integratedLufs, @createdBy, @createdAt)`,
      )
      .run({ ...a, fields: JSON.stringify(a.fields) });
    return { id: Number(lastInsertRowid), ...a };
  }

  /** Newest first, within `storeIds` (null: all; HQ's announcements, store null, only for the whole chain). */
  list(
    storeIds: ReadonlySet<string> | null,
    filter: { storeId?: string; sha256?: string },
    limit: number,
    offset: number,
  ): { items: Announcement[]; total: number } {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (filter.storeId !== undefined) {
      where.push('store_id = @storeId');
      params.storeId = filter.storeId;
    }
    if (filter.sha256 !== undefined) {
      where.push('sha256 = @sha256');
      params.sha256 = filter.sha256;
    }
    if (storeIds !== null) {
      where.push(`store_id IN (SELECT value FROM json_each(@scope))`);
      params.scope = JSON.stringify([...storeIds]);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (
      this.statements.prepare(`SELECT count(*) AS n FROM announcements ${clause}`).get(params) as { n: number }
    ).n;
    const rows = this.statements
      .prepare(`SELECT * FROM announcements ${clause} ORDER BY id DESC LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit, offset }) as AnnouncementRow[];
    return { items: rows.map(toAnnouncement), total };
  }
}
