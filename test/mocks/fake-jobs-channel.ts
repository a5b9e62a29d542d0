import type { JobExecution, JobsChannel, JobUpdate } from '../../ota/agent/jobs-channel.ts';
import { JobsRequestError } from '../../ota/agent/jobs-channel.ts';
import { type JobExecutionStatus, TERMINAL_EXECUTION_STATUSES } from '../../protocol/jobs-status.ts';

export interface FakeRequest {
  kind: 'start-next' | 'describe' | 'update';
  jobId?: string;
  status?: string;
}

interface FakeExecution extends JobExecution {
  /** Every update the device made, in order (what the fleet would have recorded). */
  updates: { status: JobExecutionStatus; statusDetails: Record<string, string> }[];
  order: number;
}

/**
 * AWS IoT Jobs for one thing, as its documentation describes the device API, faked for unit tests: executions are
 * QUEUED, start-next hands out an IN_PROGRESS one first, then the oldest QUEUED; every update bumps `versionNumber`,
 * one with a stale `expectedVersion` is refused (VersionMismatch, with the current state), one after a terminal status
 * is refused (TerminalStateReached); notify-next tells the channel when the next pending execution changes.
 */
export class FakeJobsService {
  private readonly executions = new Map<string, FakeExecution>();
  private order = 0;
  readonly channels = new Set<FakeJobsChannel>();

  queue(jobId: string, jobDocument: unknown): void {
    const previous = this.executions.get(jobId);
    this.executions.set(jobId, {
      jobId,
      status: 'QUEUED',
      versionNumber: 1,
      executionNumber: (previous?.executionNumber ?? 0) + 1,
      jobDocument,
      updates: [],
      order: this.order++,
    });
    this.notifyNext();
  }

  /** The fleet ends an execution (an abort's force-cancel, a timeout, a removal). */
  end(jobId: string, status: 'CANCELED' | 'TIMED_OUT' | 'REMOVED' = 'CANCELED'): void {
    const execution = this.require(jobId);
    execution.status = status;
    execution.versionNumber++;
    this.notifyNext();
  }

  /** Changes the execution behind the device's back (an operator's edit): its next update meets VersionMismatch. */
  touch(jobId: string): void {
    this.require(jobId).versionNumber++;
  }

  execution(jobId: string): FakeExecution {
    return this.require(jobId);
  }

  status(jobId: string): JobExecutionStatus {
    return this.require(jobId).status;
  }

  /** The statusDetails of the last update. */
  details(jobId: string): Record<string, string> {
    return this.require(jobId).statusDetails ?? {};
  }

  next(): FakeExecution | undefined {
    const pending = [...this.executions.values()].sort((a, b) => a.order - b.order);
    return pending.find((e) => e.status === 'IN_PROGRESS') ?? pending.find((e) => e.status === 'QUEUED');
  }

  startNext(statusDetails: Record<string, string>): JobExecution | null {
    const next = this.next();
    if (!next) return null;
    if (next.status === 'QUEUED') {
      next.status = 'IN_PROGRESS';
      next.versionNumber++;
      next.statusDetails = statusDetails;
    }
    return copy(next);
  }

  update(update: JobUpdate): { status: JobExecutionStatus; versionNumber: number } {
    const execution = this.executions.get(update.jobId);
    if (!execution) throw new JobsRequestError('ResourceNotFound', `no execution of ${update.jobId}`);
    // AWS: both refusals carry the execution's state.
    const state = { status: execution.status, versionNumber: execution.versionNumber };
    if (update.expectedVersion !== undefined && update.expectedVersion !== execution.versionNumber)
      throw new JobsRequestError('VersionMismatch', 'expectedVersion does not match', state);
    if (TERMINAL_EXECUTION_STATUSES.includes(execution.status))
      throw new JobsRequestError('InvalidStateTransition', `${update.jobId} is ${execution.status}`, state);
    execution.status = update.status;
    execution.statusDetails = update.statusDetails;
    execution.versionNumber++;
    execution.updates.push({ status: update.status, statusDetails: update.statusDetails });
    if (TERMINAL_EXECUTION_STATUSES.includes(update.status)) this.notifyNext();
    return { status: execution.status, versionNumber: execution.versionNumber };
  }

  /** AWS: a terminal execution is not described (TerminalStateReached). */
  describe(jobId: string): JobExecution {
    const execution = this.executions.get(jobId);
    if (!execution) throw new JobsRequestError('ResourceNotFound', `no execution of ${jobId}`);
    if (TERMINAL_EXECUTION_STATUSES.includes(execution.status))
      throw new JobsRequestError('TerminalStateReached', `${jobId} is ${execution.status}`);
    return copy(execution);
  }

  private notifyNext(): void {
    const next = this.next();
    for (const channel of this.channels) channel.deliverNext(next ? copy(next) : null);
  }

  private require(jobId: string): FakeExecution {
    const execution = this.executions.get(jobId);
    if (!execution) throw new Error(`fake jobs: no execution of ${jobId}`);
    return execution;
  }
}

/**
 * The agent's JobsChannel on a FakeJobsService, with the network in the test's hands: `online = false` makes every
 * request fail as unanswered (Timeout) and holds notify-next; `loseAnswers` applies the next requests but loses their
 * answers (a cut right after the service took them).
 */
export class FakeJobsChannel implements JobsChannel {
  private running = false;
  private isOnline = true;
  private readonly readyListeners = new Set<() => void>();
  private readonly nextListeners = new Set<(execution: JobExecution | null) => void>();
  /** Requests whose answer is lost after the service applied them. */
  loseAnswers = 0;
  /** Loses the answer of the next request this matches (once). */
  loseAnswerOf: ((request: FakeRequest) => boolean) | undefined;
  readonly requests: FakeRequest[] = [];
  /** The codes the service refused requests with, in order. */
  readonly rejections: string[] = [];

  constructor(private readonly service: FakeJobsService) {}

  get ready(): boolean {
    return this.running && this.isOnline;
  }

  set online(online: boolean) {
    const was = this.ready;
    this.isOnline = online;
    if (!was && this.ready) for (const listener of this.readyListeners) listener();
  }

  get online(): boolean {
    return this.isOnline;
  }

  start(): void {
    this.running = true;
    this.service.channels.add(this);
    if (this.ready) for (const listener of this.readyListeners) listener();
  }

  stop(): void {
    this.running = false;
    this.service.channels.delete(this);
  }

  onReady(listener: () => void): () => void {
    this.readyListeners.add(listener);
    return () => this.readyListeners.delete(listener);
  }

  onNextChanged(listener: (execution: JobExecution | null) => void): () => void {
    this.nextListeners.add(listener);
    return () => this.nextListeners.delete(listener);
  }

  deliverNext(execution: JobExecution | null): void {
    if (!this.ready) return;
    queueMicrotask(() => {
      for (const listener of this.nextListeners) listener(execution);
    });
  }

  async startNext(statusDetails: Record<string, string>): Promise<JobExecution | null> {
    return this.answer({ kind: 'start-next' }, () => this.service.startNext(statusDetails));
  }

  async describe(jobId: string): Promise<JobExecution> {
    return this.answer({ kind: 'describe', jobId }, () => this.service.describe(jobId));
  }

  async update(update: JobUpdate): Promise<{ status: JobExecutionStatus; versionNumber: number }> {
    return this.answer({ kind: 'update', jobId: update.jobId, status: update.status }, () =>
      this.service.update(update),
    );
  }

  private async answer<T>(request: FakeRequest, apply: () => T): Promise<T> {
    this.requests.push(request);
    await Promise.resolve();
    if (!this.ready) throw new JobsRequestError('Timeout', 'fake: offline');
    let result: T;
    try {
      result = apply();
    } catch (err) {
      if (err instanceof JobsRequestError) this.rejections.push(err.code);
      throw err;
    }
    const lose = this.loseAnswers > 0 || this.loseAnswerOf?.(request) === true;
    if (lose) {
      if (this.loseAnswers > 0) this.loseAnswers--;
      else this.loseAnswerOf = undefined;
      throw new JobsRequestError('Timeout', 'fake: the answer was lost');
    }
    return result;
  }
}

function copy(execution: FakeExecution): JobExecution {
  const { updates: _updates, order: _order, ...rest } = execution;
  return structuredClone(rest);
}
