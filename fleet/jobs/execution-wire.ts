import {
  JOBS_LIMITS,
  type JobExecutionData,
  type JobExecutionState,
  type JobExecutionSummary,
  type JobExecutionsChangedEvent,
  type NextJobExecutionChangedEvent,
} from '../../protocol/jobs.ts';
import type { JobExecution } from './ports.ts';

/** AWS's payloads carry epoch seconds; the fleet keeps milliseconds. */
export function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** AWS `JobExecution`; `jobDocument` when the answer includes it. Empty status details and no start are left out. */
export function executionData(execution: JobExecution, jobDocument?: unknown): JobExecutionData {
  const data: JobExecutionData = {
    jobId: execution.jobId,
    thingName: execution.thingName,
    status: execution.status,
    queuedAt: epochSeconds(execution.queuedAt),
    lastUpdatedAt: epochSeconds(execution.lastUpdatedAt),
    versionNumber: execution.versionNumber,
    executionNumber: execution.executionNumber,
  };
  if (Object.keys(execution.statusDetails).length > 0) data.statusDetails = execution.statusDetails;
  if (execution.startedAt !== null) data.startedAt = epochSeconds(execution.startedAt);
  if (jobDocument !== undefined) data.jobDocument = jobDocument;
  return data;
}

export function executionState(execution: JobExecution): JobExecutionState {
  const state: JobExecutionState = { status: execution.status, versionNumber: execution.versionNumber };
  if (Object.keys(execution.statusDetails).length > 0) state.statusDetails = execution.statusDetails;
  return state;
}

export function executionSummary(execution: JobExecution): JobExecutionSummary {
  const summary: JobExecutionSummary = {
    jobId: execution.jobId,
    queuedAt: epochSeconds(execution.queuedAt),
    lastUpdatedAt: epochSeconds(execution.lastUpdatedAt),
    versionNumber: execution.versionNumber,
    executionNumber: execution.executionNumber,
  };
  if (execution.startedAt !== null) summary.startedAt = epochSeconds(execution.startedAt);
  return summary;
}

/**
 * The ListNotification of a pending list (in AWS's order): at most 15 executions, grouped by status; `jobs` is `{}`
 * when nothing is pending (AWS's example after the last execution was force-deleted).
 */
export function listNotification(pending: readonly JobExecution[], now: number): JobExecutionsChangedEvent {
  const listed = pending.slice(0, JOBS_LIMITS.maxListNotificationExecutions);
  const inProgress = listed.filter((e) => e.status === 'IN_PROGRESS').map(executionSummary);
  const queued = listed.filter((e) => e.status === 'QUEUED').map(executionSummary);
  const jobs: JobExecutionsChangedEvent['jobs'] = {};
  if (inProgress.length > 0) jobs.IN_PROGRESS = inProgress;
  if (queued.length > 0) jobs.QUEUED = queued;
  return { jobs, timestamp: epochSeconds(now) };
}

/** The NextNotification: the next execution with its job document, or only the timestamp when none is left. */
export function nextNotification(
  next: JobExecution | undefined,
  jobDocument: unknown,
  now: number,
): NextJobExecutionChangedEvent {
  return next === undefined
    ? { timestamp: epochSeconds(now) }
    : { execution: executionData(next, jobDocument), timestamp: epochSeconds(now) };
}
