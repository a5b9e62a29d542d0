import { isTerminalExecutionStatus, JOBS_LIMITS } from '../../protocol/jobs.ts';
import type { StartNextPendingJobExecutionRequest, UpdateJobExecutionRequest } from '../../protocol/jobs-requests.ts';
import type { JobHead, StoredExecution } from './job-repository.ts';
import type { JobExecution, JobExecutionStatus } from './ports.ts';

/**
 * The rules of a job execution's life, as AWS's "Jobs and job execution states" and the device API describe them.
 * Pure: the caller reads, decides here, and stores the result.
 *
 * - QUEUED → IN_PROGRESS, SUCCEEDED, FAILED, REJECTED (a device's update or start-next); CANCELED (a cancel).
 * - IN_PROGRESS → IN_PROGRESS (new status details, a new step timer), SUCCEEDED, FAILED, REJECTED (a device);
 *   TIMED_OUT (a timer); CANCELED (a forced cancel).
 * - A terminal status never changes: a device's update is `InvalidStateTransition` (AWS's own example is "an
 *   attempt to change a request in state SUCCEEDED to state IN_PROGRESS").
 * - `versionNumber` goes up with every change, whoever makes it, so an `expectedVersion` taken before a cancel or a
 *   timeout no longer matches.
 */

export const MINUTE_MS = 60_000;

/** A new execution: `executionNumber` 1 for the first on a thing, the previous + 1 for a retry. */
export function queuedExecution(
  jobId: string,
  thingName: string,
  executionNumber: number,
  now: number,
): StoredExecution {
  return {
    jobId,
    thingName,
    executionNumber,
    status: 'QUEUED',
    statusDetails: {},
    versionNumber: 1,
    queuedAt: now,
    startedAt: null,
    lastUpdatedAt: now,
    stepDeadline: null,
    inProgressDeadline: null,
  };
}

export type UpdateDecision =
  | { ok: true; next: StoredExecution }
  | { ok: false; code: 'VersionMismatch' | 'InvalidStateTransition'; message: string };

/**
 * A device's UpdateJobExecution on the execution it names. `inProgressTimeoutMinutes` is the job's, read only when
 * it matters (the execution is QUEUED: this update may start it).
 */
export function applyDeviceUpdate(
  current: StoredExecution,
  request: UpdateJobExecutionRequest,
  inProgressTimeoutMinutes: number | null,
  now: number,
): UpdateDecision {
  if (request.expectedVersion !== undefined && request.expectedVersion !== current.versionNumber)
    return {
      ok: false,
      code: 'VersionMismatch',
      message: `The execution is at version ${current.versionNumber}, not ${request.expectedVersion}`,
    };
  if (isTerminalExecutionStatus(current.status))
    return {
      ok: false,
      code: 'InvalidStateTransition',
      message: `The execution is ${current.status}, a terminal status: it cannot change to ${request.status}`,
    };
  const changed = { ...current, statusDetails: request.statusDetails ?? current.statusDetails };
  if (request.status === 'IN_PROGRESS')
    return { ok: true, next: inProgress(changed, inProgressTimeoutMinutes, request, now) };
  return { ok: true, next: finished(changed, request.status, now) };
}

/** StartNextPendingJobExecution on the next execution when it is QUEUED; an IN_PROGRESS one "is not changed". */
export function startExecution(
  current: StoredExecution,
  request: StartNextPendingJobExecutionRequest,
  job: JobHead,
  now: number,
): StoredExecution {
  if (current.status !== 'QUEUED') return current;
  const changed = { ...current, statusDetails: request.statusDetails ?? current.statusDetails };
  return inProgress(changed, job.inProgressTimeoutMinutes, request, now);
}

/**
 * IN_PROGRESS, with the timers AWS describes: the in-progress timer starts when the execution first goes
 * IN_PROGRESS ("can't be updated"); the step timer is set by `stepTimeoutInMinutes`, cancelled by -1, and left
 * running when the field is absent.
 */
function inProgress(
  current: StoredExecution,
  inProgressTimeoutMinutes: number | null,
  request: { stepTimeoutInMinutes?: number },
  now: number,
): StoredExecution {
  const starting = current.status === 'QUEUED';
  const step = request.stepTimeoutInMinutes;
  return {
    ...current,
    status: 'IN_PROGRESS',
    versionNumber: current.versionNumber + 1,
    startedAt: current.startedAt ?? now,
    lastUpdatedAt: now,
    stepDeadline:
      step === undefined ? current.stepDeadline : step === JOBS_LIMITS.clearStepTimeout ? null : now + step * MINUTE_MS,
    inProgressDeadline:
      starting && inProgressTimeoutMinutes !== null
        ? now + inProgressTimeoutMinutes * MINUTE_MS
        : current.inProgressDeadline,
  };
}

/** A terminal status: both timers stop. */
function finished(current: StoredExecution, status: JobExecutionStatus, now: number): StoredExecution {
  return {
    ...current,
    status,
    versionNumber: current.versionNumber + 1,
    lastUpdatedAt: now,
    stepDeadline: null,
    inProgressDeadline: null,
  };
}

/** The step or in-progress timer ran out before the device finished. */
export function timedOut(current: StoredExecution, now: number): StoredExecution {
  return finished(current, 'TIMED_OUT', now);
}

/** Whether a timer of `execution` has run out at `now`. */
export function isDue(execution: StoredExecution, now: number): boolean {
  return (
    !isTerminalExecutionStatus(execution.status) &&
    ((execution.stepDeadline !== null && execution.stepDeadline <= now) ||
      (execution.inProgressDeadline !== null && execution.inProgressDeadline <= now))
  );
}

/** CancelJobExecution / CancelJob: `statusDetails`, when given, replaces the execution's. */
export function canceled(
  current: StoredExecution,
  now: number,
  statusDetails?: Record<string, string>,
): StoredExecution {
  return finished({ ...current, statusDetails: statusDetails ?? current.statusDetails }, 'CANCELED', now);
}

/** The earliest running timer of an execution, or `null`. */
export function deadlineOf(execution: StoredExecution): number | null {
  const { stepDeadline: step, inProgressDeadline: inProgress } = execution;
  if (step === null) return inProgress;
  return inProgress === null ? step : Math.min(step, inProgress);
}

/** What the port hands out: the execution without its timers. */
export function publicExecution(execution: StoredExecution): JobExecution {
  const { stepDeadline: _step, inProgressDeadline: _inProgress, ...rest } = execution;
  return rest;
}

/** Same execution: the identity notifications compare (a job may hold several executions of one thing in time). */
export function sameExecution(a: JobExecution | undefined, b: JobExecution | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.jobId === b.jobId && a.executionNumber === b.executionNumber;
}

/** Whether two pending lists hold the same executions, whatever their order. */
export function samePendingSet(a: readonly JobExecution[], b: readonly JobExecution[]): boolean {
  if (a.length !== b.length) return false;
  const keys = new Set(a.map((e) => `${e.jobId}#${e.executionNumber}`));
  return b.every((e) => keys.has(`${e.jobId}#${e.executionNumber}`));
}

/** Whether the change is one the port reports: a new execution, another status, other status details. */
export function isReportedChange(previous: JobExecution | null, next: JobExecution): boolean {
  if (previous === null) return true;
  if (previous.status !== next.status) return true;
  const before = Object.entries(previous.statusDetails);
  const after = next.statusDetails;
  return before.length !== Object.keys(after).length || before.some(([key, value]) => after[key] !== value);
}
