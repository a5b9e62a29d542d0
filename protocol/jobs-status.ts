/**
 * AWS IoT Jobs' execution statuses, as AWS spells them (`JobExecutionState.status`). `protocol/jobs.ts` holds the
 * rest of the Jobs MQTT API; the statuses are apart so the operations API and the console can take them alone.
 */
export const JOB_EXECUTION_STATUSES = [
  'QUEUED',
  'IN_PROGRESS',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'REJECTED',
  'REMOVED',
  'CANCELED',
] as const;
export type JobExecutionStatus = (typeof JOB_EXECUTION_STATUSES)[number];

/** Statuses after which an execution never changes again (AWS: "terminal"). */
export const TERMINAL_EXECUTION_STATUSES: readonly JobExecutionStatus[] = [
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'REJECTED',
  'REMOVED',
  'CANCELED',
];

/** The failures an abort or retry criterion can count (AWS `failureType`, without `ALL`, which means all three). */
export const JOB_FAILURE_TYPES = ['FAILED', 'REJECTED', 'TIMED_OUT'] as const;
export type JobFailureType = (typeof JOB_FAILURE_TYPES)[number];
