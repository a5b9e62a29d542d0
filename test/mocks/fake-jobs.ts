import type { JobExecution, JobsPort } from '../../fleet/ota/rollouts/ports.ts';
import type { Clock } from '../../platform/clock.ts';
import { FleetError } from '../../protocol/errors.ts';
import { type JobExecutionStatus, TERMINAL_EXECUTION_STATUSES } from '../../protocol/jobs-status.ts';

interface FakeJob {
  jobId: string;
  document: unknown;
  inProgressTimeoutMinutes: number | null;
  status: 'IN_PROGRESS' | 'CANCELED';
  cancel: { force: boolean; reasonCode?: string; comment?: string } | null;
}

/**
 * The fleet's jobs service as the rollout engine sees it (`JobsPort`), in memory, with AWS's rules for what it
 * keeps: one execution per thing and job, a new execution number when a terminal one is queued again, QUEUED →
 * IN_PROGRESS → terminal, IN_PROGRESS canceled only with force, listeners told of every change synchronously. The
 * test plays the devices (`start`, `report`) and records what the engine asked (`queueCalls`).
 */
export class FakeJobs implements JobsPort {
  readonly jobs = new Map<string, FakeJob>();
  readonly executions = new Map<string, JobExecution>();
  /** Every queueExecutions call's thing names, in order. */
  readonly queueCalls: string[][] = [];
  private readonly listeners = new Set<(e: JobExecution, previous: JobExecutionStatus | null) => void>();

  constructor(private readonly clock: Clock) {}

  createJob(input: { jobId: string; document: unknown; inProgressTimeoutMinutes?: number | null }): void {
    if (this.jobs.has(input.jobId)) throw new FleetError('CONFLICT', `job ${input.jobId} exists`);
    this.jobs.set(input.jobId, {
      jobId: input.jobId,
      document: input.document,
      inProgressTimeoutMinutes: input.inProgressTimeoutMinutes ?? null,
      status: 'IN_PROGRESS',
      cancel: null,
    });
  }

  queueExecutions(jobId: string, thingNames: string[]): JobExecution[] {
    const job = this.jobs.get(jobId);
    if (!job) throw new FleetError('NOT_FOUND', `no job ${jobId}`);
    if (job.status === 'CANCELED') throw new FleetError('CONFLICT', `job ${jobId} is canceled`);
    this.queueCalls.push([...thingNames]);
    const now = this.clock.now();
    const made: JobExecution[] = [];
    for (const thingName of thingNames) {
      const previous = this.executions.get(key(jobId, thingName));
      if (previous && !TERMINAL_EXECUTION_STATUSES.includes(previous.status)) continue;
      const execution: JobExecution = {
        jobId,
        thingName,
        executionNumber: (previous?.executionNumber ?? 0) + 1,
        status: 'QUEUED',
        statusDetails: {},
        versionNumber: 1,
        queuedAt: now,
        startedAt: null,
        lastUpdatedAt: now,
      };
      this.executions.set(key(jobId, thingName), execution);
      made.push({ ...execution });
    }
    for (const e of made) this.emit(e, null);
    return made;
  }

  cancelExecution(
    jobId: string,
    thingName: string,
    options: { force: boolean; statusDetails?: Record<string, string> },
  ): JobExecution | undefined {
    const e = this.executions.get(key(jobId, thingName));
    if (!e || TERMINAL_EXECUTION_STATUSES.includes(e.status)) return e && { ...e };
    if (e.status === 'IN_PROGRESS' && !options.force) return { ...e };
    return this.change(e, 'CANCELED', options.statusDetails ?? e.statusDetails);
  }

  cancelJob(jobId: string, options: { force: boolean; reasonCode?: string; comment?: string }): number {
    const job = this.jobs.get(jobId);
    if (!job) throw new FleetError('NOT_FOUND', `no job ${jobId}`);
    job.status = 'CANCELED';
    job.cancel = options;
    let canceled = 0;
    for (const e of [...this.executions.values()]) {
      if (e.jobId !== jobId) continue;
      if (e.status === 'QUEUED' || (e.status === 'IN_PROGRESS' && options.force)) {
        this.change(e, 'CANCELED', e.statusDetails);
        canceled++;
      }
    }
    return canceled;
  }

  getExecution(jobId: string, thingName: string): JobExecution | undefined {
    const e = this.executions.get(key(jobId, thingName));
    return e && { ...e };
  }

  listExecutions(jobId: string): JobExecution[] {
    return [...this.executions.values()].filter((e) => e.jobId === jobId).map((e) => ({ ...e }));
  }

  onExecutionChange(listener: (e: JobExecution, previous: JobExecutionStatus | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  // The devices' side.

  /** The device starts its execution (start-next): IN_PROGRESS. */
  start(
    jobId: string,
    thingName: string,
    statusDetails: Record<string, string> = { step: 'downloading' },
  ): JobExecution {
    const e = this.require(jobId, thingName, ['QUEUED']);
    return this.change(e, 'IN_PROGRESS', statusDetails, true);
  }

  /** The device (or a timeout) reports: progress while IN_PROGRESS, or a terminal status. */
  report(
    jobId: string,
    thingName: string,
    status: JobExecutionStatus,
    statusDetails: Record<string, string> = {},
  ): JobExecution {
    const e = this.require(jobId, thingName, ['QUEUED', 'IN_PROGRESS']);
    return this.change(e, status, statusDetails, status === 'IN_PROGRESS' && e.startedAt === null);
  }

  /** Starts and finishes in one go (what most tests' devices do). */
  finish(
    jobId: string,
    thingName: string,
    status: JobExecutionStatus,
    statusDetails: Record<string, string> = {},
  ): JobExecution {
    const e = this.executions.get(key(jobId, thingName));
    if (e?.status === 'QUEUED') this.start(jobId, thingName);
    return this.report(jobId, thingName, status, statusDetails);
  }

  statusOf(jobId: string, thingName: string): JobExecutionStatus | undefined {
    return this.executions.get(key(jobId, thingName))?.status;
  }

  /** Things with an execution of the job in one of `statuses`. */
  thingsIn(jobId: string, ...statuses: JobExecutionStatus[]): string[] {
    return [...this.executions.values()]
      .filter((e) => e.jobId === jobId && statuses.includes(e.status))
      .map((e) => e.thingName)
      .sort();
  }

  private require(jobId: string, thingName: string, statuses: JobExecutionStatus[]): JobExecution {
    const e = this.executions.get(key(jobId, thingName));
    if (!e) throw new Error(`no execution of ${jobId} for ${thingName}`);
    if (!statuses.includes(e.status))
      throw new Error(`${thingName}'s execution is ${e.status}, not ${statuses.join('|')}`);
    return e;
  }

  private change(
    e: JobExecution,
    status: JobExecutionStatus,
    statusDetails: Record<string, string>,
    started = false,
  ): JobExecution {
    const previous = e.status;
    const now = this.clock.now();
    e.status = status;
    e.statusDetails = { ...statusDetails };
    e.versionNumber += 1;
    e.lastUpdatedAt = now;
    if (started) e.startedAt = now;
    const copy = { ...e };
    this.emit(copy, previous);
    return copy;
  }

  private emit(e: JobExecution, previous: JobExecutionStatus | null): void {
    for (const listener of [...this.listeners]) listener({ ...e, statusDetails: { ...e.statusDetails } }, previous);
  }
}

function key(jobId: string, thingName: string): string {
  return `${jobId}\u0000${thingName}`;
}
