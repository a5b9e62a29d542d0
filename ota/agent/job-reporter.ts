import { type Clock, sleep } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import { type JobExecutionStatus, TERMINAL_EXECUTION_STATUSES } from '../../protocol/jobs-status.ts';
import { type DeviceSetStatus, type JobsChannel, JobsRequestError } from './jobs-channel.ts';

/** The execution the agent works on; `versionNumber` follows every accepted update. */
export interface ExecutionRef {
  jobId: string;
  executionNumber: number;
  versionNumber: number;
}

/**
 * How a report ended: taken by the service, the execution had ended another way (canceled, timed out, removed), or
 * the reporter stopped first (the journal keeps what must still be said).
 */
export type ReportResult =
  | { kind: 'accepted' }
  | { kind: 'ended'; status: JobExecutionStatus | 'REMOVED' }
  | { kind: 'stopped' };

interface Wanted {
  ref: ExecutionRef;
  status: DeviceSetStatus;
  details: Record<string, string>;
  stepTimeoutInMinutes: number | undefined;
  resolve: (result: ReportResult) => void;
}

/**
 * Sends the agent's UpdateJobExecution requests one at a time, in order, each with `expectedVersion` (AWS: the update
 * is refused with VersionMismatch when the execution changed since): on VersionMismatch it describes the execution,
 * takes its version and sends again (or stops, if the execution has ended); TerminalStateReached and
 * InvalidStateTransition are checked the same way. Progress (IN_PROGRESS) is coalesced: only the latest waiting one is
 * sent. While the jobs channel is down everything waits; nothing is given up but a report the service refuses as
 * malformed.
 */
export class JobReporter {
  private readonly queue: Wanted[] = [];
  private sending = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  private offReady: (() => void) | undefined;

  constructor(
    private readonly jobs: JobsChannel,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly retryMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    this.offReady = this.jobs.onReady(() => this.wake?.());
  }

  /** Ends sending; what waits resolves as `stopped` (the next start reports again from the journal). */
  stop(): void {
    this.stopped = true;
    this.offReady?.();
    this.wake?.();
    for (const wanted of this.queue.splice(0)) wanted.resolve({ kind: 'stopped' });
  }

  /** An IN_PROGRESS update; replaces one of the same execution still waiting. */
  progress(ref: ExecutionRef, details: Record<string, string>, stepTimeoutInMinutes?: number): Promise<ReportResult> {
    // The head of the queue may be on the wire already: only one still waiting behind it is replaced.
    const index = this.queue.findIndex(
      (w, i) => (i > 0 || !this.sending) && w.status === 'IN_PROGRESS' && w.ref.jobId === ref.jobId,
    );
    if (index >= 0) {
      const replaced = this.queue.splice(index, 1)[0] as Wanted;
      return this.enqueue(ref, 'IN_PROGRESS', details, stepTimeoutInMinutes, replaced.resolve);
    }
    return this.enqueue(ref, 'IN_PROGRESS', details, stepTimeoutInMinutes);
  }

  /** A terminal status; resolves once the service took it (or the execution had ended otherwise). */
  final(ref: ExecutionRef, status: Exclude<DeviceSetStatus, 'IN_PROGRESS'>, details: Record<string, string>) {
    return this.enqueue(ref, status, details, undefined);
  }

  private enqueue(
    ref: ExecutionRef,
    status: DeviceSetStatus,
    details: Record<string, string>,
    stepTimeoutInMinutes: number | undefined,
    resolve?: (result: ReportResult) => void,
  ): Promise<ReportResult> {
    return new Promise((res) => {
      const done = (result: ReportResult) => {
        resolve?.(result);
        res(result);
      };
      this.queue.push({ ref, status, details, stepTimeoutInMinutes, resolve: done });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (!this.stopped && this.queue.length > 0) {
        const wanted = this.queue[0] as Wanted;
        const result = await this.send(wanted);
        if (this.queue[0] === wanted) this.queue.shift();
        wanted.resolve(result ?? { kind: 'stopped' });
      }
    } finally {
      this.sending = false;
    }
  }

  /** Sends until it is taken, the execution has ended, or the reporter stops (undefined). */
  private async send(wanted: Wanted): Promise<ReportResult | undefined> {
    const { ref } = wanted;
    while (!this.stopped) {
      if (!this.jobs.ready) {
        await this.pause(Number.POSITIVE_INFINITY);
        continue;
      }
      try {
        const update = {
          jobId: ref.jobId,
          executionNumber: ref.executionNumber,
          status: wanted.status,
          statusDetails: wanted.details,
          expectedVersion: ref.versionNumber,
          ...(wanted.stepTimeoutInMinutes === undefined ? {} : { stepTimeoutInMinutes: wanted.stepTimeoutInMinutes }),
        };
        const state = await this.jobs.update(update);
        ref.versionNumber = state.versionNumber;
        this.log.debug({ jobId: ref.jobId, status: wanted.status, versionNumber: state.versionNumber }, 'job updated');
        return { kind: 'accepted' };
      } catch (caught) {
        // A failure below the Jobs API (the SDK refusing a publish on a closing connection) is sent again too.
        const err =
          caught instanceof JobsRequestError ? caught : new JobsRequestError('Timeout', (caught as Error).message);
        switch (err.code) {
          case 'VersionMismatch':
          case 'TerminalStateReached':
          case 'InvalidStateTransition': {
            // AWS includes the execution's state with VersionMismatch and InvalidStateTransition ("eliminates the
            // need to send a separate DescribeJobExecution request"); describe only when it is missing.
            this.log.debug({ jobId: ref.jobId, code: err.code }, 'job update refused: where is the execution?');
            const current = await this.stateAfterRefusal(ref, err);
            if (current === 'stopped') return undefined;
            if (current === 'removed') return { kind: 'ended', status: 'REMOVED' };
            if (current.status === undefined || TERMINAL_EXECUTION_STATUSES.includes(current.status)) {
              // Our own terminal update taken before a cut (its answer lost): it is ours, not an end from outside.
              if (current.status === wanted.status) return { kind: 'accepted' };
              return { kind: 'ended', status: current.status ?? 'CANCELED' };
            }
            ref.versionNumber = current.versionNumber ?? ref.versionNumber;
            continue;
          }
          case 'ResourceNotFound':
            return { kind: 'ended', status: 'REMOVED' };
          case 'InvalidRequest':
          case 'InvalidJson':
          case 'InvalidTopic':
            this.log.error({ err: err.message, jobId: ref.jobId }, 'the jobs service refuses this update as malformed');
            return { kind: 'accepted' };
          default:
            // Timeout, throttled, internal error: the same update again after a pause.
            this.log.debug({ err: err.message, jobId: ref.jobId }, 'job update not taken; will send again');
            await this.pause(this.retryMs);
        }
      }
    }
    return undefined;
  }

  /**
   * The execution's status and version after a refused update: from the refusal itself, else a describe. A terminal
   * execution cannot be described (AWS answers TerminalStateReached): its status is then unknown (`undefined`),
   * except that it is terminal.
   */
  private async stateAfterRefusal(
    ref: ExecutionRef,
    refusal: JobsRequestError,
  ): Promise<{ status: JobExecutionStatus | undefined; versionNumber?: number } | 'removed' | 'stopped'> {
    const state = refusal.executionState;
    if (state?.status !== undefined)
      return {
        status: state.status,
        ...(state.versionNumber === undefined ? {} : { versionNumber: state.versionNumber }),
      };
    if (refusal.code === 'TerminalStateReached') return { status: undefined };
    while (!this.stopped) {
      try {
        const execution = await this.jobs.describe(ref.jobId, ref.executionNumber);
        return { status: execution.status, versionNumber: execution.versionNumber };
      } catch (err) {
        if (err instanceof JobsRequestError && err.code === 'ResourceNotFound') return 'removed';
        if (err instanceof JobsRequestError && err.code === 'TerminalStateReached')
          return { status: err.executionState?.status };
        await this.pause(this.jobs.ready ? this.retryMs : Number.POSITIVE_INFINITY);
      }
    }
    return 'stopped';
  }

  /** Waits `ms` on the clock, or until the channel is ready again or the reporter stops. */
  private async pause(ms: number): Promise<void> {
    const wait = Number.isFinite(ms) ? sleep(this.clock, ms) : undefined;
    await new Promise<void>((resolve) => {
      this.wake = () => {
        wait?.wake();
        resolve();
      };
      void wait?.done.then(resolve);
    });
    this.wake = undefined;
  }
}
