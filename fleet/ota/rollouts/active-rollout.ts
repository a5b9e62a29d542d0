import { emptyCounts, moveCount, type RolloutCounts } from '../../../ota/rollout/counts.ts';
import { RATE_WINDOW_MS, RateWindow } from '../../../ota/rollout/rate-limit.ts';
import type { RolloutDeviceStatus } from '../../../protocol/api/rollouts.ts';
import { executionDetails } from './execution-details.ts';
import type { JobExecution } from './ports.ts';
import type { RolloutDeviceRecord, RolloutRecord } from './rollout-repository.ts';

/**
 * One rollout the engine follows, in memory: its devices by thing name, the counts of each phase and of the whole
 * (kept as devices move, never recounted), each phase's devices still to queue (in the rollout's order; a retry
 * goes to the back of its phase), and its rate window. Built from the database at start or when created; the
 * database stays the record, this is the engine's working copy of it.
 */
export class ActiveRollout {
  readonly devices = new Map<string, RolloutDeviceRecord>();
  readonly phaseCounts: RolloutCounts[];
  readonly counts = emptyCounts();
  readonly pending: Set<string>[];
  readonly rate: RateWindow;
  /** The execution version last applied per device (not stored: after a restart each is applied once more). */
  readonly versions = new Map<string, number>();
  /** A pump is already due in this turn (RolloutEngine.schedulePump). */
  pumpScheduled = false;
  /** The abort criteria tripped; the abort runs in this turn. */
  abortScheduled = false;

  constructor(
    public record: RolloutRecord,
    devices: readonly RolloutDeviceRecord[],
    now: number,
  ) {
    this.phaseCounts = record.spec.phases.map(() => emptyCounts());
    this.pending = record.spec.phases.map(() => new Set<string>());
    this.rate = new RateWindow(record.spec.ratePerMinute);
    const ordered = [...devices].sort((a, b) => a.position - b.position);
    const recent: number[] = [];
    for (const d of ordered) {
      this.devices.set(d.thingName, d);
      this.count(d.phase, null, d.status);
      if (d.status === 'PENDING') this.pending[d.phase]?.add(d.thingName);
      if (d.queuedAt !== null && d.queuedAt > now - RATE_WINDOW_MS) recent.push(d.queuedAt);
    }
    for (const at of recent.sort((a, b) => a - b)) this.rate.record(at);
  }

  get id(): string {
    return this.record.id;
  }

  get isFinished(): boolean {
    const { state } = this.record;
    return state === 'completed' || state === 'aborted' || state === 'canceled';
  }

  /** Executions the jobs service still runs for this rollout. */
  get openExecutions(): number {
    return this.counts.queued + this.counts.inProgress;
  }

  /** Moves a device to a status, keeping the counts and the phase's pending set. */
  setStatus(d: RolloutDeviceRecord, status: RolloutDeviceStatus): void {
    if (d.status === status) return;
    this.count(d.phase, d.status, status);
    if (d.status === 'PENDING') this.pending[d.phase]?.delete(d.thingName);
    if (status === 'PENDING') this.pending[d.phase]?.add(d.thingName);
    d.status = status;
  }

  /**
   * Takes an execution's change into its device: a new execution number is a new attempt; the agent's details and
   * the status replace the device's. Returns the device and its status before, or undefined when the change is not
   * this rollout's, is older than what the device holds (an execution retried since, or the one it waits to retry),
   * or was taken already (the catch-up at start meets what the listener brought).
   */
  apply(e: JobExecution): { d: RolloutDeviceRecord; before: RolloutDeviceStatus } | undefined {
    const d = this.devices.get(e.thingName);
    if (!d) return undefined;
    if (d.executionNumber !== null && e.executionNumber < d.executionNumber) return undefined;
    if (d.status === 'PENDING' && e.executionNumber === d.executionNumber) return undefined;
    if (e.executionNumber === d.executionNumber && (this.versions.get(d.thingName) ?? 0) >= e.versionNumber) {
      return undefined;
    }
    this.versions.set(d.thingName, e.versionNumber);
    const before = d.status;
    if (d.executionNumber !== e.executionNumber) {
      d.executionNumber = e.executionNumber;
      d.attempts += 1;
      d.queuedAt = e.queuedAt;
    }
    const details = executionDetails(e.statusDetails);
    d.step = details.step;
    // A cancel (an abort's force-cancel) carries no reason of the agent's.
    d.reason = details.reason ?? (e.status === 'CANCELED' ? 'OTA_CANCELED' : null);
    d.message = details.message;
    d.logs = details.logs;
    d.progress = details.progress;
    d.updatedAt = e.lastUpdatedAt;
    this.setStatus(d, e.status);
    return { d, before };
  }

  phaseStarted(phase: number): boolean {
    return (this.record.phaseStartedAt[phase] ?? null) !== null;
  }

  private count(phase: number, from: RolloutDeviceStatus | null, to: RolloutDeviceStatus | null): void {
    const counts = this.phaseCounts[phase];
    if (counts) moveCount(counts, from, to);
    moveCount(this.counts, from, to);
  }
}
