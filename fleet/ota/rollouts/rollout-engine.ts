import { abortVerdict } from '../../../ota/rollout/abort.ts';
import { shouldRetry } from '../../../ota/rollout/retries.ts';
import type { Clock, TimerHandle } from '../../../platform/clock.ts';
import type { Logger } from '../../../platform/log.ts';
import type { MaintenanceWindow, Rollout, RolloutDeviceStatus } from '../../../protocol/api/rollouts.ts';
import { FleetError } from '../../../protocol/errors.ts';
import { TERMINAL_EXECUTION_STATUSES } from '../../../protocol/jobs-status.ts';
import type { DatabaseWriter } from '../../storage/database-writer.ts';
import { ActiveRollout } from './active-rollout.ts';
import type { JobExecution, JobsPort } from './ports.ts';
import type { RolloutLiveEvents } from './rollout-live-events.ts';
import { dueDevices, duePhases } from './rollout-queue.ts';
import { RolloutRecorder } from './rollout-recorder.ts';
import type { RolloutDeviceRecord, RolloutRecord, RolloutRepository } from './rollout-repository.ts';
import { rolloutView } from './rollout-views.ts';
import type { DownloadCap } from './store-bandwidth.ts';
import type { MaintenanceWindowRepository, PenaltyBoxRepository } from './store-ota-repository.ts';
import { StoreWindows } from './store-windows.ts';

export interface RolloutEngineOptions {
  /**
   * How often running rollouts are looked at for what only time changes: a rate slot freeing, a phase's time, a
   * store's window opening, a scheduled start. Everything a device reports is reacted to at once.
   */
  tickMs: number;
}

export const DEFAULT_ENGINE_OPTIONS: RolloutEngineOptions = Object.freeze({ tickMs: 5_000 });

export interface RolloutEngineDeps {
  repository: RolloutRepository;
  windows: MaintenanceWindowRepository;
  penalties: PenaltyBoxRepository;
  writer: DatabaseWriter;
  jobs: JobsPort;
  /** A store's IANA zone: its windows are read in it unless they name their own. */
  timeZoneOf: (storeId: string) => string | undefined;
  live: RolloutLiveEvents;
  log: Logger;
  clock: Clock;
}

/** Who did something to a rollout, for its state reason. */
export interface RolloutActor {
  username: string;
}

const TERMINAL: ReadonlySet<RolloutDeviceStatus> = new Set(TERMINAL_EXECUTION_STATUSES);
const RETRYABLE_BY_HAND: ReadonlySet<RolloutDeviceStatus> = new Set(['FAILED', 'TIMED_OUT', 'REJECTED', 'REMOVED']);

/**
 * Runs OTA rollouts through AWS IoT Jobs: one job per rollout (`ota-<rolloutId>`), whose executions it queues phase
 * by phase, at the rate limit, inside each store's maintenance windows, leaving out devices in the penalty box; it
 * follows every execution change into the rollout's devices (status, and the agent's step, reason, message,
 * progress and logs), retries failures within the rollout's limits, aborts when the criteria trip — force-canceling
 * the job, so queued AND in-progress executions are canceled and the devices in progress roll back (AWS's abort
 * cancels only what is queued) — starts the next phase by its rule and completes. Operators pause (nothing new is
 * queued), resume, cancel or abort; a technician retries one failed device.
 *
 * Each execution change costs O(1): the device's record and its phase's counts are updated in memory and written
 * with the turn's group commit; the abort criteria read the kept counts. The database is the record: at start the
 * engine rebuilds its rollouts from it and catches up with the executions the jobs service holds.
 */
export class RolloutEngine {
  private readonly rollouts = new Map<string, ActiveRollout>();
  private readonly byJob = new Map<string, ActiveRollout>();
  private windows = new StoreWindows(new Map(), () => undefined);
  private offs: (() => void)[] = [];
  private tickTimer: TimerHandle | undefined;
  private running = false;
  private readonly recorder: RolloutRecorder;

  constructor(
    private readonly deps: RolloutEngineDeps,
    private readonly options: RolloutEngineOptions = DEFAULT_ENGINE_OPTIONS,
  ) {
    this.recorder = new RolloutRecorder(deps);
  }

  start(): void {
    const { repository, jobs, clock, windows } = this.deps;
    this.running = true;
    this.windows = new StoreWindows(windows.all(), this.deps.timeZoneOf);
    const now = clock.now();
    for (const record of repository.unfinished())
      this.register(new ActiveRollout(record, repository.devices(record.id), now));
    this.offs.push(jobs.onExecutionChange((execution) => this.onExecution(execution)));
    // Changes the jobs service made while the engine was not listening (or whose write did not land) come in now.
    for (const r of [...this.rollouts.values()]) {
      for (const execution of jobs.listExecutions(r.record.jobId)) this.onExecution(execution);
    }
    this.deps.live.start();
    this.tickTimer = clock.setInterval(() => this.tick(), this.options.tickMs);
    this.tick();
  }

  stop(): void {
    this.running = false;
    for (const off of this.offs) off();
    this.offs = [];
    this.deps.clock.clearInterval(this.tickTimer);
    this.tickTimer = undefined;
    this.deps.live.stop();
    this.rollouts.clear();
    this.byJob.clear();
  }

  /** A rollout the service made (its job created): stored, then followed. */
  async add(record: RolloutRecord, devices: RolloutDeviceRecord[]): Promise<void> {
    await this.deps.writer.write('ota.rollout.create', () => this.deps.repository.insert(record, devices));
    const r = new ActiveRollout(record, devices, this.deps.clock.now());
    this.register(r);
    this.recorder.announce(r);
    this.pump(r);
  }

  /** The rollout as the engine holds it (unfinished ones, and finished ones still following executions). */
  active(id: string): ActiveRollout | undefined {
    return this.rollouts.get(id);
  }

  view(id: string): Rollout | undefined {
    const r = this.rollouts.get(id);
    return r ? rolloutView(r.record, r.phaseCounts) : undefined;
  }

  /** The store download cap of the device's rollout, while it has an execution queued or in progress. */
  downloadCapOf(thingName: string): DownloadCap {
    for (const r of this.rollouts.values()) {
      const d = r.devices.get(thingName);
      if (!d || (d.status !== 'QUEUED' && d.status !== 'IN_PROGRESS')) continue;
      const kbps = r.record.spec.storeBandwidthKbps;
      return kbps !== null && d.storeId !== null ? { storeId: d.storeId, kbps } : null;
    }
    return null;
  }

  windowsChanged(storeId: string, windows: MaintenanceWindow[]): void {
    this.windows.changed(storeId, windows);
    for (const r of this.rollouts.values()) this.schedulePump(r);
  }

  async pause(id: string, actor: RolloutActor, reason: string | undefined): Promise<Rollout> {
    const r = this.unfinished(id, 'pause');
    if (r.record.state === 'paused') throw new FleetError('ROLLOUT_STATE_INVALID', `rollout ${id} is paused already`);
    await this.recorder.state(r, 'paused', byWhom('paused', actor, reason));
    return this.viewOf(r);
  }

  async resume(id: string, actor: RolloutActor, reason: string | undefined): Promise<Rollout> {
    const r = this.unfinished(id, 'resume');
    if (r.record.state !== 'paused') {
      throw new FleetError('ROLLOUT_STATE_INVALID', `rollout ${id} is ${r.record.state}, not paused`);
    }
    const now = this.deps.clock.now();
    const next = r.record.spec.startAt && r.record.spec.startAt > now && !r.phaseStarted(0) ? 'scheduled' : 'running';
    await this.recorder.state(r, next, byWhom('resumed', actor, reason));
    this.pump(r);
    return this.viewOf(r);
  }

  /**
   * Stops the rollout for good and rolls back what is on the way: devices not queued yet are canceled, and the job
   * is force-canceled, so its queued and in-progress executions are canceled and in-progress devices roll back.
   */
  async abort(id: string, actor: RolloutActor, reason: string | undefined): Promise<Rollout> {
    const r = this.unfinished(id, 'abort');
    await this.finish(r, 'aborted', byWhom('aborted', actor, reason), true);
    return this.viewOf(r);
  }

  /** Stops the rollout and lets devices in progress finish (AWS CancelJob without force). */
  async cancel(id: string, actor: RolloutActor, reason: string | undefined): Promise<Rollout> {
    const r = this.unfinished(id, 'cancel');
    await this.finish(r, 'canceled', byWhom('canceled', actor, reason), false);
    return this.viewOf(r);
  }

  /**
   * A technician tries one failed device again, now (not waiting for the rate or a window: someone is at it), and
   * takes it out of the penalty box. A completed rollout runs again until that device finishes.
   */
  async retryDevice(id: string, thingName: string, actor: RolloutActor): Promise<RolloutDeviceRecord> {
    const { repository, clock, penalties, writer, jobs } = this.deps;
    let r = this.rollouts.get(id);
    if (!r) {
      const record = repository.get(id);
      if (!record) throw new FleetError('ROLLOUT_NOT_FOUND', `no rollout '${id}'`);
      if (record.state !== 'completed') {
        throw new FleetError('ROLLOUT_STATE_INVALID', `rollout ${id} is ${record.state}: its job no longer runs`);
      }
      r = new ActiveRollout(record, repository.devices(id), clock.now());
    }
    if (r.record.state === 'aborted' || r.record.state === 'canceled') {
      throw new FleetError('ROLLOUT_STATE_INVALID', `rollout ${id} is ${r.record.state}: its job no longer runs`);
    }
    const d = r.devices.get(thingName);
    if (!d) throw new FleetError('THING_NOT_FOUND', `${thingName} is not in rollout ${id}`);
    if (!RETRYABLE_BY_HAND.has(d.status)) {
      throw new FleetError('ROLLOUT_STATE_INVALID', `${thingName} is ${d.status}: only a failed device is retried`);
    }
    const now = clock.now();
    await writer.write('ota.penalty.clear', () => penalties.clear(thingName, actor.username, now));
    if (!this.rollouts.has(id)) this.register(r);
    if (r.record.state === 'completed') {
      await this.recorder.state(r, 'running', `reopened by ${actor.username} to retry ${thingName}`);
    }
    const executions = jobs.queueExecutions(r.record.jobId, [thingName]);
    for (const e of executions) this.onExecution(e);
    return d;
  }

  private unfinished(id: string, action: string): ActiveRollout {
    const r = this.rollouts.get(id);
    if (r && !r.isFinished) return r;
    const record = r?.record ?? this.deps.repository.get(id);
    if (!record) throw new FleetError('ROLLOUT_NOT_FOUND', `no rollout '${id}'`);
    throw new FleetError('ROLLOUT_STATE_INVALID', `rollout ${id} is ${record.state}: it cannot ${action}`);
  }

  private register(r: ActiveRollout): void {
    this.rollouts.set(r.id, r);
    this.byJob.set(r.record.jobId, r);
  }

  private unregister(r: ActiveRollout): void {
    this.rollouts.delete(r.id);
    this.byJob.delete(r.record.jobId);
  }

  private tick(): void {
    for (const r of [...this.rollouts.values()]) this.pump(r);
  }

  private schedulePump(r: ActiveRollout): void {
    if (r.pumpScheduled) return;
    r.pumpScheduled = true;
    // After the current change (and the jobs service's own call) has returned: pumping inside its listener would
    // queue executions while it is still emitting.
    queueMicrotask(() => {
      r.pumpScheduled = false;
      if (this.running) this.pump(r);
    });
  }

  /** Starts due phases, queues what the rate, windows and penalty box allow, completes. */
  private pump(r: ActiveRollout): void {
    if (!this.running || this.rollouts.get(r.id) !== r) return;
    const now = this.deps.clock.now();
    if (r.isFinished) {
      if (r.openExecutions === 0) this.release(r);
      return;
    }
    if (r.record.state === 'scheduled' && now >= (r.record.spec.startAt ?? 0)) {
      this.recorder.state(r, 'running', null);
    }
    if (r.record.state !== 'running') return;
    this.startPhases(r, now);
    this.queue(r, now);
    const lastStarted = r.phaseStarted(r.record.spec.phases.length - 1);
    if (lastStarted && r.counts.pending + r.openExecutions === 0) {
      this.recorder.state(r, 'completed', null);
      this.release(r);
    }
  }

  private startPhases(r: ActiveRollout, now: number): void {
    for (const phase of duePhases(r, now)) this.recorder.phaseStarted(r, phase, now);
  }

  private queue(r: ActiveRollout, now: number): void {
    const { chosen, removed } = dueDevices(r, now, this.windows, () => this.deps.penalties.boxed(now));
    for (const d of removed) {
      r.setStatus(d, 'REMOVED');
      d.message = 'left out: in the penalty box (failed too often lately)';
      d.updatedAt = now;
      this.recorder.device(r, d);
    }
    if (chosen.length === 0) return;
    let executions: JobExecution[];
    try {
      executions = this.deps.jobs.queueExecutions(r.record.jobId, chosen);
    } catch (err) {
      // STORAGE_BUSY (another process holds the database) changed nothing: the next pump tries again.
      this.deps.log.error({ err, rolloutId: r.id, devices: chosen.length }, 'queueing executions failed');
      return;
    }
    r.rate.record(now, chosen.length);
    for (const e of executions) this.onExecution(e);
  }

  /** One execution changed: the device follows it; a failure may retry or abort; a finish may start or end things. */
  private onExecution(e: JobExecution): void {
    const r = this.byJob.get(e.jobId);
    const applied = r?.apply(e);
    if (!r || !applied) return;
    const { d, before } = applied;
    if (before !== d.status && (d.status === 'FAILED' || d.status === 'TIMED_OUT' || d.status === 'REJECTED')) {
      this.failed(r, d, d.status);
    }
    this.recorder.device(r, d);
    if (before === d.status) return;
    if (TERMINAL.has(e.status) && !r.isFinished) this.judge(r);
    // A finish may start the next phase or end the rollout; a retry waits in its phase to be queued.
    this.schedulePump(r);
  }

  private failed(r: ActiveRollout, d: RolloutDeviceRecord, status: 'FAILED' | 'TIMED_OUT' | 'REJECTED'): void {
    const now = this.deps.clock.now();
    this.recorder.failure(r, d, status, now);
    if (r.isFinished) return;
    const used = { FAILED: d.retriesFailed, TIMED_OUT: d.retriesTimedOut };
    if (!shouldRetry(status, used, r.record.spec.retries)) return;
    // The failure being written counts already: a retry that would put it in the box is not made.
    if (this.deps.penalties.state(d.thingName, now, status === 'REJECTED' ? [] : [now]).boxed) return;
    if (status === 'FAILED') d.retriesFailed += 1;
    else d.retriesTimedOut += 1;
    r.setStatus(d, 'PENDING');
  }

  /**
   * The abort criteria, on the kept counts. The abort itself runs once the jobs service's call that brought the
   * failure has returned: canceling its job from inside its own change listener would re-enter it.
   */
  private judge(r: ActiveRollout): void {
    if (r.abortScheduled) return;
    const verdict = abortVerdict(r.counts, r.record.spec.abort);
    if (!verdict) return;
    r.abortScheduled = true;
    queueMicrotask(() => {
      if (!this.running || r.isFinished) return;
      this.deps.log.warn({ rolloutId: r.id, ...verdict }, 'rollout aborted by its criteria');
      this.finish(r, 'aborted', `abort criteria: ${verdict.message}`, true).catch((err: unknown) =>
        this.deps.log.error({ err, rolloutId: r.id }, 'rollout abort failed'),
      );
    });
  }

  private async finish(r: ActiveRollout, state: 'aborted' | 'canceled', reason: string, force: boolean): Promise<void> {
    const now = this.deps.clock.now();
    const write = this.recorder.state(r, state, reason);
    for (const set of r.pending) {
      for (const thingName of [...set]) {
        const d = r.devices.get(thingName);
        if (!d) continue;
        r.setStatus(d, 'CANCELED');
        d.reason = 'OTA_CANCELED';
        d.message = `the rollout was ${state} before this device was queued`;
        d.updatedAt = now;
        this.recorder.device(r, d);
      }
    }
    try {
      // AWS CancelJob with force: IN_PROGRESS executions are canceled too, and their agents roll back.
      this.deps.jobs.cancelJob(r.record.jobId, {
        force,
        reasonCode: `ROLLOUT_${state.toUpperCase()}`,
        comment: reason,
      });
    } catch (err) {
      this.deps.log.error({ err, rolloutId: r.id }, 'canceling the rollout’s job failed');
    }
    this.schedulePump(r);
    await write;
  }

  /** A finished rollout with no execution left to follow leaves memory (its last event first). */
  private release(r: ActiveRollout): void {
    this.recorder.released(r);
    this.unregister(r);
  }

  private viewOf(r: ActiveRollout): Rollout {
    return rolloutView(r.record, r.phaseCounts);
  }
}

function byWhom(verb: string, actor: RolloutActor, reason: string | undefined): string {
  return `${verb} by ${actor.username}${reason ? `: ${reason}` : ''}`;
}
