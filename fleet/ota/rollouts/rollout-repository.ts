import { emptyCounts, moveCount, type RolloutCounts } from '../../../ota/rollout/counts.ts';
import type { RolloutDeviceStatus, RolloutSpec, RolloutState } from '../../../protocol/api/rollouts.ts';
import type { OtaFailureReason, OtaStep } from '../../../protocol/ota/device-ota.ts';
import type { OtaComponent } from '../../../protocol/ota/release.ts';
import type { Database } from '../../storage/database.ts';

export interface RolloutRecord {
  id: string;
  name: string;
  releaseId: string;
  component: OtaComponent;
  releaseName: string;
  version: string;
  jobId: string;
  state: RolloutState;
  stateReason: string | null;
  spec: RolloutSpec;
  storeIds: string[];
  /** When each phase started (null: not yet). */
  phaseStartedAt: (number | null)[];
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface RolloutDeviceRecord {
  rolloutId: string;
  thingName: string;
  storeId: string | null;
  phase: number;
  position: number;
  status: RolloutDeviceStatus;
  step: OtaStep | null;
  reason: OtaFailureReason | null;
  message: string | null;
  logs: string | null;
  progress: number | null;
  attempts: number;
  retriesFailed: number;
  retriesTimedOut: number;
  executionNumber: number | null;
  queuedAt: number | null;
  updatedAt: number | null;
}

export interface RolloutListFilter {
  /** null: every rollout; otherwise those touching one of these stores. */
  scope: readonly string[] | null;
  state?: RolloutState;
  storeId?: string;
  releaseId?: string;
  limit: number;
  offset: number;
}

export interface DeviceListFilter {
  /** null: every device; otherwise those of these stores. */
  scope: readonly string[] | null;
  phase?: number;
  status?: RolloutDeviceStatus;
  limit: number;
  offset: number;
}

/** A device's part in one rollout, for its page's history. */
export interface DeviceHistoryRecord extends RolloutDeviceRecord {
  releaseId: string;
  component: OtaComponent;
  version: string;
}

type Row = Record<string, string | number | null>;

const ACTIVE_STATES = "('scheduled', 'running', 'paused')";
const OPEN_STATUSES = "('PENDING', 'QUEUED', 'IN_PROGRESS')";

/**
 * `ota_rollouts`, `ota_rollout_stores`, `ota_rollout_phases` and `ota_rollout_devices` (migration 34). Writes run
 * inside a DatabaseWriter transaction; the statements of the hot path (a device's execution changed) are prepared once.
 */
export class RolloutRepository {
  private readonly updateDeviceStatement;
  private readonly updateStateStatement;

  constructor(private readonly db: Database) {
    this.updateDeviceStatement = db.prepare(
      `UPDATE ota_rollout_devices SET status = ?, step = ?, reason = ?, message = ?, logs = ?, progress = ?,
         attempts = ?, retries_failed = ?, retries_timed_out = ?, execution_number = ?, queued_at = ?, updated_at = ?
       WHERE rollout_id = ? AND thing_name = ?`,
    );
    this.updateStateStatement = db.prepare(
      'UPDATE ota_rollouts SET state = ?, state_reason = ?, updated_at = ? WHERE id = ?',
    );
  }

  insert(rollout: RolloutRecord, devices: readonly RolloutDeviceRecord[]): void {
    this.db
      .prepare(
        `INSERT INTO ota_rollouts (id, name, release_id, component, release_name, version, job_id, state, state_reason,
           spec, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        rollout.id,
        rollout.name,
        rollout.releaseId,
        rollout.component,
        rollout.releaseName,
        rollout.version,
        rollout.jobId,
        rollout.state,
        rollout.stateReason,
        JSON.stringify(rollout.spec),
        rollout.createdBy,
        rollout.createdAt,
        rollout.updatedAt,
      );
    const store = this.db.prepare('INSERT INTO ota_rollout_stores (rollout_id, store_id) VALUES (?, ?)');
    for (const storeId of rollout.storeIds) store.run(rollout.id, storeId);
    const phase = this.db.prepare('INSERT INTO ota_rollout_phases (rollout_id, phase, started_at) VALUES (?, ?, ?)');
    rollout.phaseStartedAt.forEach((at, i) => {
      phase.run(rollout.id, i, at);
    });
    const device = this.db.prepare(
      `INSERT INTO ota_rollout_devices (rollout_id, thing_name, store_id, phase, position, status, attempts)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const d of devices) device.run(d.rolloutId, d.thingName, d.storeId, d.phase, d.position, d.status, d.attempts);
  }

  setState(id: string, state: RolloutState, reason: string | null, at: number): void {
    this.updateStateStatement.run(state, reason, at, id);
  }

  setPhaseStarted(id: string, phase: number, at: number): void {
    this.db
      .prepare('UPDATE ota_rollout_phases SET started_at = ? WHERE rollout_id = ? AND phase = ?')
      .run(at, id, phase);
  }

  updateDevice(d: RolloutDeviceRecord): void {
    this.updateDeviceStatement.run(
      d.status,
      d.step,
      d.reason,
      d.message,
      d.logs,
      d.progress,
      d.attempts,
      d.retriesFailed,
      d.retriesTimedOut,
      d.executionNumber,
      d.queuedAt,
      d.updatedAt,
      d.rolloutId,
      d.thingName,
    );
  }

  get(id: string): RolloutRecord | undefined {
    const row = this.db.prepare('SELECT * FROM ota_rollouts WHERE id = ?').get(id) as Row | undefined;
    return row ? this.withParts(row) : undefined;
  }

  /** Rollouts that may still queue or follow executions: not finished, or finished with executions still open. */
  unfinished(): RolloutRecord[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM ota_rollouts r WHERE r.state IN ${ACTIVE_STATES}
           OR EXISTS (SELECT 1 FROM ota_rollout_devices d WHERE d.rollout_id = r.id AND d.status IN ('QUEUED', 'IN_PROGRESS'))
         ORDER BY r.created_at`,
      )
      .all() as Row[];
    return rows.map((r) => this.withParts(r));
  }

  list(filter: RolloutListFilter): { items: RolloutRecord[]; total: number } {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.scope !== null) {
      const marks = filter.scope.map(() => '?').join(',');
      where.push(
        filter.scope.length > 0
          ? `EXISTS (SELECT 1 FROM ota_rollout_stores s WHERE s.rollout_id = r.id AND s.store_id IN (${marks}))`
          : '0',
      );
      params.push(...filter.scope);
    }
    if (filter.storeId !== undefined) {
      where.push('EXISTS (SELECT 1 FROM ota_rollout_stores s WHERE s.rollout_id = r.id AND s.store_id = ?)');
      params.push(filter.storeId);
    }
    if (filter.state !== undefined) {
      where.push('r.state = ?');
      params.push(filter.state);
    }
    if (filter.releaseId !== undefined) {
      where.push('r.release_id = ?');
      params.push(filter.releaseId);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM ota_rollouts r ${clause}`).get(...params) as { n: number }
    ).n;
    const rows = this.db
      .prepare(`SELECT * FROM ota_rollouts r ${clause} ORDER BY r.created_at DESC, r.id LIMIT ? OFFSET ?`)
      .all(...params, filter.limit, filter.offset) as Row[];
    return { items: rows.map((r) => this.withParts(r)), total };
  }

  /** Rollout ids of a release, newest first (the release's detail lists them). */
  idsOfRelease(releaseId: string): string[] {
    return (
      this.db
        .prepare('SELECT id FROM ota_rollouts WHERE release_id = ? ORDER BY created_at DESC, id')
        .all(releaseId) as { id: string }[]
    ).map((r) => r.id);
  }

  /** Whether an unfinished rollout ships the release (it may not be deleted). */
  releaseInUse(releaseId: string): boolean {
    return (
      this.db
        .prepare(`SELECT 1 FROM ota_rollouts WHERE release_id = ? AND state IN ${ACTIVE_STATES}`)
        .get(releaseId) !== undefined
    );
  }

  devices(rolloutId: string): RolloutDeviceRecord[] {
    return (
      this.db
        .prepare('SELECT * FROM ota_rollout_devices WHERE rollout_id = ? ORDER BY position')
        .all(rolloutId) as Row[]
    ).map(deviceOf);
  }

  listDevices(rolloutId: string, filter: DeviceListFilter): { items: RolloutDeviceRecord[]; total: number } {
    const where = ['rollout_id = ?'];
    const params: (string | number)[] = [rolloutId];
    if (filter.scope !== null) {
      where.push(filter.scope.length > 0 ? `store_id IN (${filter.scope.map(() => '?').join(',')})` : '0');
      params.push(...filter.scope);
    }
    if (filter.phase !== undefined) {
      where.push('phase = ?');
      params.push(filter.phase);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      params.push(filter.status);
    }
    const clause = `WHERE ${where.join(' AND ')}`;
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM ota_rollout_devices ${clause}`).get(...params) as { n: number }
    ).n;
    const rows = this.db
      .prepare(`SELECT * FROM ota_rollout_devices ${clause} ORDER BY position LIMIT ? OFFSET ?`)
      .all(...params, filter.limit, filter.offset) as Row[];
    return { items: rows.map(deviceOf), total };
  }

  /** Each phase's counts, from the stored devices (a rollout the engine no longer holds). */
  phaseCounts(rolloutId: string, phases: number): RolloutCounts[] {
    const counts = Array.from({ length: phases }, () => emptyCounts());
    const rows = this.db
      .prepare(
        'SELECT phase, status, COUNT(*) AS n FROM ota_rollout_devices WHERE rollout_id = ? GROUP BY phase, status',
      )
      .all(rolloutId) as { phase: number; status: RolloutDeviceStatus; n: number }[];
    for (const r of rows) {
      const c = counts[r.phase];
      if (c) for (let i = 0; i < r.n; i++) moveCount(c, null, r.status);
    }
    return counts;
  }

  device(rolloutId: string, thingName: string): RolloutDeviceRecord | undefined {
    const row = this.db
      .prepare('SELECT * FROM ota_rollout_devices WHERE rollout_id = ? AND thing_name = ?')
      .get(rolloutId, thingName) as Row | undefined;
    return row ? deviceOf(row) : undefined;
  }

  /** Devices with an open place (pending, queued, in progress) in an unfinished rollout of the component. */
  busyThings(component: OtaComponent): Set<string> {
    const rows = this.db
      .prepare(
        `SELECT d.thing_name FROM ota_rollout_devices d JOIN ota_rollouts r ON r.id = d.rollout_id
         WHERE r.component = ? AND d.status IN ${OPEN_STATUSES}
           AND (r.state IN ${ACTIVE_STATES} OR d.status IN ('QUEUED', 'IN_PROGRESS'))`,
      )
      .all(component) as { thing_name: string }[];
    return new Set(rows.map((r) => r.thing_name));
  }

  /** A device's rollouts, newest first. */
  history(thingName: string, limit: number): DeviceHistoryRecord[] {
    const rows = this.db
      .prepare(
        `SELECT d.*, r.release_id, r.component, r.version FROM ota_rollout_devices d
           JOIN ota_rollouts r ON r.id = d.rollout_id
         WHERE d.thing_name = ? ORDER BY r.created_at DESC, r.id LIMIT ?`,
      )
      .all(thingName, limit) as Row[];
    return rows.map((r) => ({
      ...deviceOf(r),
      releaseId: r.release_id as string,
      component: r.component as OtaComponent,
      version: r.version as string,
    }));
  }

  private withParts(row: Row): RolloutRecord {
    const id = row.id as string;
    const storeIds = (
      this.db.prepare('SELECT store_id FROM ota_rollout_stores WHERE rollout_id = ? ORDER BY store_id').all(id) as {
        store_id: string;
      }[]
    ).map((r) => r.store_id);
    const phaseStartedAt = (
      this.db.prepare('SELECT started_at FROM ota_rollout_phases WHERE rollout_id = ? ORDER BY phase').all(id) as {
        started_at: number | null;
      }[]
    ).map((r) => r.started_at);
    return {
      id,
      name: row.name as string,
      releaseId: row.release_id as string,
      component: row.component as OtaComponent,
      releaseName: row.release_name as string,
      version: row.version as string,
      jobId: row.job_id as string,
      state: row.state as RolloutState,
      stateReason: row.state_reason as string | null,
      spec: JSON.parse(row.spec as string) as RolloutSpec,
      storeIds,
      phaseStartedAt,
      createdBy: row.created_by as string | null,
      createdAt: row.created_at as number,
      updatedAt: row.updated_at as number,
    };
  }
}

function deviceOf(r: Row): RolloutDeviceRecord {
  return {
    rolloutId: r.rollout_id as string,
    thingName: r.thing_name as string,
    storeId: r.store_id as string | null,
    phase: r.phase as number,
    position: r.position as number,
    status: r.status as RolloutDeviceStatus,
    step: r.step as OtaStep | null,
    reason: r.reason as OtaFailureReason | null,
    message: r.message as string | null,
    logs: r.logs as string | null,
    progress: r.progress as number | null,
    attempts: r.attempts as number,
    retriesFailed: r.retries_failed as number,
    retriesTimedOut: r.retries_timed_out as number,
    executionNumber: r.execution_number as number | null,
    queuedAt: r.queued_at as number | null,
    updatedAt: r.updated_at as number | null,
  };
}
