import type { AuditEntry } from '../../protocol/api/audit.ts';
import type { Database } from '../storage/database.ts';

export interface AuditActor {
  id: string | null;
  username: string;
}

export interface AuditInput {
  actor: AuditActor;
  action: string;
  targetType: string;
  targetId: string | null;
  storeId: string | null;
  ip: string | null;
  userAgent: string | null;
  details?: AuditEntry['details'];
}

export interface AuditQuery {
  /** null: every store; otherwise entries about these stores (and the principal's own actions). */
  storeIds: ReadonlySet<string> | null;
  viewerId?: string;
  actor?: string;
  action?: string;
  targetId?: string;
  storeId?: string;
  from?: number;
  to?: number;
  limit: number;
  offset: number;
}

interface AuditRow {
  id: number;
  at: number;
  actor_id: string | null;
  actor_name: string;
  action: string;
  target_type: string;
  target_id: string | null;
  store_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: string;
}

/**
 * Every change a person makes, append-only: SQLite triggers refuse UPDATE and DELETE on the table, so not even
 * a bug in this process can rewrite history. Entries are written in the same turn as the change they describe.
 */
export class AuditLog {
  constructor(private readonly db: Database) {}

  record(input: AuditInput): AuditEntry {
    const at = Date.now();
    const details = input.details ?? {};
    const result = this.db
      .prepare(
        `INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, store_id, ip, user_agent, details)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        at,
        input.actor.id,
        input.actor.username,
        input.action,
        input.targetType,
        input.targetId,
        input.storeId,
        input.ip,
        input.userAgent?.slice(0, 300) ?? null,
        JSON.stringify(details),
      );
    return { ...input, id: Number(result.lastInsertRowid), at, details };
  }

  search(query: AuditQuery): { items: AuditEntry[]; total: number } {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.storeIds !== null) {
      const ids = [...query.storeIds];
      const scoped = ids.length > 0 ? `store_id IN (${ids.map(() => '?').join(',')})` : '0';
      where.push(query.viewerId ? `(${scoped} OR actor_id = ?)` : scoped);
      params.push(...ids);
      if (query.viewerId) params.push(query.viewerId);
    }
    if (query.actor) {
      where.push('actor_name = ? COLLATE NOCASE');
      params.push(query.actor);
    }
    if (query.action) {
      // `device` matches every device.* action; `device.revoke` only itself.
      where.push('(action = ? OR action LIKE ?)');
      params.push(query.action, `${query.action}.%`);
    }
    if (query.targetId) {
      where.push('target_id = ?');
      params.push(query.targetId);
    }
    if (query.storeId) {
      where.push('store_id = ?');
      params.push(query.storeId);
    }
    if (query.from !== undefined) {
      where.push('at >= ?');
      params.push(query.from);
    }
    if (query.to !== undefined) {
      where.push('at <= ?');
      params.push(query.to);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM audit_log ${clause}`).get(...params) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM audit_log ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...params, query.limit, query.offset) as AuditRow[];
    return { items: rows.map(toEntry), total };
  }
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: { id: row.actor_id, username: row.actor_name },
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    storeId: row.store_id,
    ip: row.ip,
    userAgent: row.user_agent,
    details: JSON.parse(row.details) as AuditEntry['details'],
  };
}
