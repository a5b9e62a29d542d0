import type { AlertCause, AlertRule, AlertSeverity } from '../../protocol/api/alert-rules.ts';
import type { Alert, AlertActor, AlertState } from '../../protocol/api/alerts.ts';
import type { DeviceKind } from '../../protocol/api/devices.ts';
import type { Database } from '../storage/database.ts';
import type { AlertValue } from './alert-conditions.ts';

// An alert's shape is the API contract's (protocol/api/alerts.ts): the HTTP API and the `alert` live event carry
// what this repository returns.
export type { Alert, AlertActor, AlertState };

export interface NewAlert {
  thingName: string;
  storeId: string | null;
  deviceKind: DeviceKind | null;
  cause: AlertCause;
  causeKey: string;
  severity: AlertSeverity;
  message: string;
  value: AlertValue;
  openedAt: number;
}

export interface AlertQuery {
  /** `active` = open or acknowledged. */
  state?: AlertState | 'active' | undefined;
  /** The caller's scope: null = the whole chain (including devices without a store), [] = nothing. */
  storeIds: readonly string[] | null;
  storeId?: string | undefined;
  thingName?: string | undefined;
  severity?: AlertSeverity | undefined;
  limit: number;
  offset: number;
}

export type AlertCounts = Record<'open' | 'acknowledged', Record<AlertSeverity, number>>;

interface AlertRow {
  id: number;
  thing_name: string;
  store_id: string | null;
  device_kind: DeviceKind | null;
  cause: AlertCause;
  cause_key: string;
  severity: AlertSeverity;
  state: AlertState;
  message: string;
  value: AlertValue;
  opened_at: number;
  acknowledged_at: number | null;
  acknowledged_by_id: string | null;
  acknowledged_by_name: string | null;
  resolved_at: number | null;
  resolved_by_id: string | null;
  resolved_by_name: string | null;
  note: string | null;
}

interface RuleRow {
  id: string;
  cause: AlertCause;
  device_kind: DeviceKind | null;
  store_id: string | null;
  severity: AlertSeverity;
  threshold: number | null;
  clear_threshold: number | null;
  for_seconds: number;
  enabled: number;
}

/** Alerts and alert rules in SQLite (migration 6). The schema allows one non-resolved alert per device and cause key. */
export class AlertRepository {
  constructor(private readonly db: Database) {}

  /** The stored rule set, or undefined if none was ever stored (a fresh fleet). */
  rules(): AlertRule[] | undefined {
    if (!this.db.prepare('SELECT 1 FROM alert_rule_set WHERE id = 1').get()) return undefined;
    return (this.db.prepare('SELECT * FROM alert_rules ORDER BY position').all() as RuleRow[]).map(toRule);
  }

  replaceRules(rules: readonly AlertRule[], at: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM alert_rules').run();
      const insert = this.db.prepare(
        `INSERT INTO alert_rules (id, position, cause, device_kind, store_id, severity, threshold, clear_threshold,
           for_seconds, enabled)
         VALUES (@id, @position, @cause, @deviceKind, @storeId, @severity, @threshold, @clearThreshold, @forSeconds,
           @enabled)`,
      );
      rules.forEach((rule, position) => {
        insert.run({ ...rule, position, enabled: rule.enabled ? 1 : 0 });
      });
      this.db
        .prepare(
          `INSERT INTO alert_rule_set (id, updated_at) VALUES (1, ?)
           ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at`,
        )
        .run(at);
    })();
  }

  /** Inserts a new open alert; fails with SQLITE_CONSTRAINT_UNIQUE if one is already open for the cause key. */
  insert(alert: NewAlert): Alert {
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO alerts (thing_name, store_id, device_kind, cause, cause_key, severity, state, message, value,
           opened_at, updated_at)
         VALUES (@thingName, @storeId, @deviceKind, @cause, @causeKey, @severity, 'open', @message, @value, @openedAt,
           @openedAt)`,
      )
      .run(alert);
    return this.get(Number(lastInsertRowid)) as Alert;
  }

  update(id: number, changes: { severity: AlertSeverity; message: string; value: AlertValue }, at: number): Alert {
    this.db
      .prepare(
        'UPDATE alerts SET severity = @severity, message = @message, value = @value, updated_at = @at WHERE id = @id',
      )
      .run({ ...changes, at, id });
    return this.get(id) as Alert;
  }

  acknowledge(id: number, actor: AlertActor, note: string | null, at: number): Alert {
    this.db
      .prepare(
        `UPDATE alerts SET state = 'acknowledged', acknowledged_at = @at, acknowledged_by_id = @userId,
           acknowledged_by_name = @username, note = coalesce(@note, note), updated_at = @at WHERE id = @id`,
      )
      .run({ id, at, note, ...actor });
    return this.get(id) as Alert;
  }

  /** `actor` null: the fleet resolved it because the cause cleared. */
  resolve(id: number, actor: AlertActor | null, note: string | null, at: number): Alert {
    this.db
      .prepare(
        `UPDATE alerts SET state = 'resolved', resolved_at = @at, resolved_by_id = @userId,
           resolved_by_name = @username, note = coalesce(@note, note), updated_at = @at WHERE id = @id`,
      )
      .run({ id, at, note, userId: actor?.userId ?? null, username: actor?.username ?? null });
    return this.get(id) as Alert;
  }

  get(id: number): Alert | undefined {
    const row = this.db.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as AlertRow | undefined;
    return row && toAlert(row);
  }

  findActive(thingName: string, causeKey: string): Alert | undefined {
    const row = this.db
      .prepare(`SELECT * FROM alerts WHERE thing_name = ? AND cause_key = ? AND state != 'resolved'`)
      .get(thingName, causeKey) as AlertRow | undefined;
    return row && toAlert(row);
  }

  /** Every open or acknowledged alert, with the cause key it is held under. */
  listActive(): { causeKey: string; alert: Alert }[] {
    return (this.db.prepare(`SELECT * FROM alerts WHERE state != 'resolved' ORDER BY id`).all() as AlertRow[]).map(
      (row) => ({ causeKey: row.cause_key, alert: toAlert(row) }),
    );
  }

  /** Newest first. */
  list(query: AlertQuery): { items: Alert[]; total: number } {
    if (query.storeIds !== null && query.storeIds.length === 0) return { items: [], total: 0 };
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: query.limit, offset: query.offset };
    if (query.state === 'active') where.push(`state != 'resolved'`);
    else if (query.state) {
      where.push('state = @state');
      params.state = query.state;
    }
    if (query.storeIds !== null) {
      const names = query.storeIds.map((id, i) => {
        params[`scope${i}`] = id;
        return `@scope${i}`;
      });
      where.push(`store_id IN (${names.join(', ')})`);
    }
    for (const [column, key] of [
      ['store_id', 'storeId'],
      ['thing_name', 'thingName'],
      ['severity', 'severity'],
    ] as const) {
      if (query[key] === undefined) continue;
      where.push(`${column} = @${key}`);
      params[key] = query[key];
    }
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM alerts ${filter}`).get(params) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM alerts ${filter} ORDER BY opened_at DESC, id DESC LIMIT @limit OFFSET @offset`)
      .all(params) as AlertRow[];
    return { items: rows.map(toAlert), total };
  }

  /** Open and acknowledged alerts per device. */
  activeCountsByThing(): Map<string, number> {
    const rows = this.db
      .prepare(`SELECT thing_name, count(*) AS n FROM alerts WHERE state != 'resolved' GROUP BY thing_name`)
      .all() as { thing_name: string; n: number }[];
    return new Map(rows.map((r) => [r.thing_name, r.n]));
  }

  counts(): AlertCounts {
    const counts: AlertCounts = { open: { warning: 0, critical: 0 }, acknowledged: { warning: 0, critical: 0 } };
    const rows = this.db
      .prepare(`SELECT state, severity, count(*) AS n FROM alerts WHERE state != 'resolved' GROUP BY state, severity`)
      .all() as { state: 'open' | 'acknowledged'; severity: AlertSeverity; n: number }[];
    for (const row of rows) counts[row.state][row.severity] = row.n;
    return counts;
  }
}

function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    thingName: row.thing_name,
    storeId: row.store_id,
    deviceKind: row.device_kind,
    cause: row.cause,
    severity: row.severity,
    state: row.state,
    message: row.message,
    value: row.value,
    openedAt: row.opened_at,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: actorOf(row.acknowledged_by_id, row.acknowledged_by_name),
    resolvedAt: row.resolved_at,
    resolvedBy: actorOf(row.resolved_by_id, row.resolved_by_name),
    note: row.note,
  };
}

function actorOf(userId: string | null, username: string | null): AlertActor | null {
  return userId === null || username === null ? null : { userId, username };
}

function toRule(row: RuleRow): AlertRule {
  return {
    id: row.id,
    cause: row.cause,
    deviceKind: row.device_kind,
    storeId: row.store_id,
    severity: row.severity,
    threshold: row.threshold,
    clearThreshold: row.clear_threshold,
    forSeconds: row.for_seconds,
    enabled: row.enabled === 1,
  };
}
