import type { Command, CommandStatus } from '../../protocol/api/commands.ts';
import type { CommandErrorBody, CommandName } from '../../protocol/commands.ts';
import type { Database } from '../storage/database.ts';

interface CommandRow {
  id: string;
  thing_name: string;
  store_id: string | null;
  name: string;
  params: string;
  status: CommandStatus;
  requested_by: string;
  requested_at: number;
  sent_at: number | null;
  completed_at: number | null;
  expires_at: number;
  result: string | null;
  error: string | null;
}

/** Commands in SQLite (`commands`, migration 5): every command ever sent, newest first per thing. */
export class CommandRepository {
  constructor(private readonly db: Database) {}

  insert(command: Command): void {
    this.db
      .prepare(
        `INSERT INTO commands (id, thing_name, store_id, name, params, status, requested_by, requested_at, sent_at,
           completed_at, expires_at, result, error)
         VALUES (@id, @thing_name, @store_id, @name, @params, @status, @requested_by, @requested_at, @sent_at,
           @completed_at, @expires_at, @result, @error)`,
      )
      .run(toRow(command));
  }

  /**
   * Writes the command's new state if it is still in `from`; false when another path got there first (an answer
   * racing its timeout), so the caller does not announce a change that did not happen.
   */
  transition(command: Command, from: CommandStatus): boolean {
    const row = toRow(command);
    const changes = this.db
      .prepare(
        `UPDATE commands SET status = @status, sent_at = @sent_at, completed_at = @completed_at,
           expires_at = @expires_at, result = @result, error = @error
         WHERE id = @id AND status = @from`,
      )
      .run({ ...row, from }).changes;
    return changes === 1;
  }

  get(id: string): Command | undefined {
    const row = this.db.prepare('SELECT * FROM commands WHERE id = ?').get(id) as CommandRow | undefined;
    return row && fromRow(row);
  }

  /** A thing's commands, newest first. */
  listByThing(thingName: string, limit: number): Command[] {
    const rows = this.db
      .prepare('SELECT * FROM commands WHERE thing_name = ? ORDER BY requested_at DESC, rowid DESC LIMIT ?')
      .all(thingName, limit) as CommandRow[];
    return rows.map(fromRow);
  }

  /** Commands with `status`, oldest first; for one thing if given. */
  listByStatus(status: 'queued' | 'sent', thingName?: string): Command[] {
    const rows = (
      thingName === undefined
        ? this.db.prepare('SELECT * FROM commands WHERE status = ? ORDER BY requested_at, rowid').all(status)
        : this.db
            .prepare('SELECT * FROM commands WHERE status = ? AND thing_name = ? ORDER BY requested_at, rowid')
            .all(status, thingName)
    ) as CommandRow[];
    return rows.map(fromRow);
  }
}

function toRow(c: Command): CommandRow {
  return {
    id: c.id,
    thing_name: c.thingName,
    store_id: c.storeId,
    name: c.name,
    params: JSON.stringify(c.params),
    status: c.status,
    requested_by: c.requestedBy,
    requested_at: c.requestedAt,
    sent_at: c.sentAt,
    completed_at: c.completedAt,
    expires_at: c.expiresAt,
    result: c.result === null ? null : JSON.stringify(c.result),
    error: c.error === null ? null : JSON.stringify(c.error),
  };
}

function fromRow(r: CommandRow): Command {
  return {
    id: r.id,
    thingName: r.thing_name,
    storeId: r.store_id,
    name: r.name as CommandName,
    params: JSON.parse(r.params) as Record<string, unknown>,
    status: r.status,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    sentAt: r.sent_at,
    completedAt: r.completed_at,
    expiresAt: r.expires_at,
    result: r.result === null ? null : (JSON.parse(r.result) as Record<string, unknown>),
    error: r.error === null ? null : (JSON.parse(r.error) as CommandErrorBody),
  };
}
