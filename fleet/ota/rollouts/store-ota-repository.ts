import { type PenaltyBoxRule, type PenaltyState, penaltyState } from '../../../ota/rollout/penalty-box.ts';
import type { MaintenanceWindow } from '../../../protocol/api/rollouts.ts';
import type { JobFailureType } from '../../../protocol/jobs-status.ts';
import type { Database } from '../../storage/database.ts';

/** `ota_maintenance_windows` (migration 35): each store's windows, as its API document. */
export class MaintenanceWindowRepository {
  constructor(private readonly db: Database) {}

  get(storeId: string): MaintenanceWindow[] {
    const row = this.db.prepare('SELECT windows FROM ota_maintenance_windows WHERE store_id = ?').get(storeId) as
      | { windows: string }
      | undefined;
    return row ? (JSON.parse(row.windows) as MaintenanceWindow[]) : [];
  }

  all(): Map<string, MaintenanceWindow[]> {
    const rows = this.db.prepare('SELECT store_id, windows FROM ota_maintenance_windows').all() as {
      store_id: string;
      windows: string;
    }[];
    return new Map(rows.map((r) => [r.store_id, JSON.parse(r.windows) as MaintenanceWindow[]]));
  }

  put(storeId: string, windows: readonly MaintenanceWindow[], by: string, at: number): void {
    this.db
      .prepare(
        `INSERT INTO ota_maintenance_windows (store_id, windows, updated_at, updated_by) VALUES (?, ?, ?, ?)
         ON CONFLICT (store_id) DO UPDATE SET windows = excluded.windows, updated_at = excluded.updated_at,
           updated_by = excluded.updated_by`,
      )
      .run(storeId, JSON.stringify(windows), at, by);
  }
}

/**
 * `ota_device_failures` and `ota_penalty_clears` (migration 35): what the penalty box rule (ota/rollout/penalty-box.ts)
 * is applied to. Failures are kept; the rule's window decides which count.
 */
export class PenaltyBoxRepository {
  constructor(
    private readonly db: Database,
    private readonly rule: PenaltyBoxRule,
  ) {}

  /** Counts only the statuses the rule counts; others are not recorded. */
  recordFailure(thingName: string, rolloutId: string, status: JobFailureType, reason: string | null, at: number): void {
    if (!this.rule.statuses.includes(status)) return;
    this.db
      .prepare('INSERT INTO ota_device_failures (thing_name, rollout_id, status, reason, at) VALUES (?, ?, ?, ?, ?)')
      .run(thingName, rolloutId, status, reason, at);
  }

  /** A technician took the device out (a retry): its failures until now no longer count. */
  clear(thingName: string, by: string, at: number): void {
    this.db
      .prepare(
        `INSERT INTO ota_penalty_clears (thing_name, cleared_at, cleared_by) VALUES (?, ?, ?)
         ON CONFLICT (thing_name) DO UPDATE SET cleared_at = excluded.cleared_at, cleared_by = excluded.cleared_by`,
      )
      .run(thingName, at, by);
  }

  /** `extra`: failure times not written yet (one being recorded in this turn). */
  state(thingName: string, now: number, extra: readonly number[] = []): PenaltyState {
    const times = (
      this.db
        .prepare('SELECT at FROM ota_device_failures WHERE thing_name = ? AND at > ?')
        .all(thingName, now - this.rule.windowMs) as { at: number }[]
    ).map((r) => r.at);
    times.push(...extra);
    const cleared = this.db.prepare('SELECT cleared_at FROM ota_penalty_clears WHERE thing_name = ?').get(thingName) as
      | { cleared_at: number }
      | undefined;
    return penaltyState(times, cleared?.cleared_at ?? null, now, this.rule);
  }

  /** Every device in the box at `now`: one query over the window's failures, the rule applied per device. */
  boxed(now: number): Set<string> {
    const rows = this.db
      .prepare(
        `SELECT f.thing_name, f.at, c.cleared_at FROM ota_device_failures f
           LEFT JOIN ota_penalty_clears c ON c.thing_name = f.thing_name
         WHERE f.at > ? ORDER BY f.thing_name`,
      )
      .all(now - this.rule.windowMs) as { thing_name: string; at: number; cleared_at: number | null }[];
    const byThing = new Map<string, { times: number[]; cleared: number | null }>();
    for (const r of rows) {
      let entry = byThing.get(r.thing_name);
      if (!entry) {
        entry = { times: [], cleared: r.cleared_at };
        byThing.set(r.thing_name, entry);
      }
      entry.times.push(r.at);
    }
    const boxed = new Set<string>();
    for (const [thing, { times, cleared }] of byThing) {
      if (times.length >= this.rule.failures && penaltyState(times, cleared, now, this.rule).boxed) boxed.add(thing);
    }
    return boxed;
  }
}
