/**
 * AWS IoT Jobs' device MQTT API, as AWS documents it (developer guide: "Jobs device MQTT API", "Jobs notifications",
 * "Jobs device MQTT and HTTPS data types", "Jobs and job execution states"; API reference: JobExecution,
 * JobExecutionState, JobExecutionSummary, the iot-jobs-data operations): the topics, the wire shapes, the error codes
 * and the limits. The fleet serves it (fleet/jobs/); devices speak it through the SDK's own `iotjobs.IotJobsClient`,
 * so the same device code runs against AWS IoT Core. The request shapes and their parsers are in jobs-requests.ts.
 *
 * Times on the wire are epoch SECONDS, as in every AWS Jobs payload ("timestamp: the time in seconds since the
 * epoch"; the notification examples' `queuedAt`, `lastUpdatedAt`).
 */

import { type JobExecutionStatus, TERMINAL_EXECUTION_STATUSES } from './jobs-status.ts';
import { THING_NAME_PATTERN } from './thing-names.ts';

export * from './jobs-status.ts';

/** A job id as AWS allows it: 1-64 characters of `[a-zA-Z0-9_-]`. */
export const JOB_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
/** DescribeJobExecution's stand-in for "the next pending execution" (`$aws/things/{thing}/jobs/$next/get`). */
export const NEXT_JOB_ID = '$next';

/** AWS's limits on the Jobs device API (API reference: the request fields and `DetailsMap`). */
export const JOBS_LIMITS = {
  /** "clientToken ... can be no longer than 64 bytes". */
  maxClientTokenLength: 64,
  /** DetailsMap key: 1-128 characters of `[a-zA-Z0-9:_-]`. */
  maxStatusDetailKeyLength: 128,
  /** DetailsMap value: "The maximum length of the value in the name/value pair is 1,024 characters". */
  maxStatusDetailValueLength: 1024,
  /** CancelJobExecution: "You can specify at most 10 name/value pairs". */
  maxCancelStatusDetails: 10,
  /** stepTimeoutInMinutes: "1 to 10080 (1 minute to 7 days). A value of -1 ... will cancel the current step timer". */
  minStepTimeoutMinutes: 1,
  maxStepTimeoutMinutes: 10_080,
  clearStepTimeout: -1,
  /** timeoutConfig.inProgressTimeoutInMinutes: "between 1 minute and 7 days (1 to 10080 minutes)". */
  minInProgressTimeoutMinutes: 1,
  maxInProgressTimeoutMinutes: 10_080,
  /** "A ListNotification contains a list of no more than 15 pending job executions". */
  maxListNotificationExecutions: 15,
  /** CreateJob's description: at most 2028 characters. */
  maxDescriptionLength: 2028,
} as const;

/** DetailsMap key pattern. */
export const STATUS_DETAIL_KEY_PATTERN = /^[a-zA-Z0-9:_-]+$/;
/** DetailsMap value pattern `[^\p{C}]+`: no control, format, unassigned or private-use characters. */
export const STATUS_DETAIL_VALUE_PATTERN = /^[^\p{C}]+$/u;

/** What a device may set with UpdateJobExecution: "IN_PROGRESS, FAILED, SUCCEEDED, or REJECTED". */
export const DEVICE_SETTABLE_STATUSES = ['IN_PROGRESS', 'FAILED', 'SUCCEEDED', 'REJECTED'] as const;
export type DeviceSettableStatus = (typeof DEVICE_SETTABLE_STATUSES)[number];

export function isTerminalExecutionStatus(status: JobExecutionStatus): boolean {
  return TERMINAL_EXECUTION_STATUSES.includes(status);
}

/** A job's own status (AWS "Job states"; DELETION_IN_PROGRESS has no counterpart: a deletion here is immediate). */
export const JOB_STATUSES = ['IN_PROGRESS', 'CANCELED', 'COMPLETED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

// ---------------------------------------------------------------------------------------------------------------
// Topics

/** The requests of the device API, by AWS's operation names. */
export type JobsOperation =
  | 'GetPendingJobExecutions'
  | 'StartNextPendingJobExecution'
  | 'DescribeJobExecution'
  | 'UpdateJobExecution';

export type JobsRequestTopic =
  | { thingName: string; operation: 'GetPendingJobExecutions' | 'StartNextPendingJobExecution' }
  /** `jobId` may be `$next`. */
  | { thingName: string; operation: 'DescribeJobExecution'; jobId: string }
  | { thingName: string; operation: 'UpdateJobExecution'; jobId: string };

export const jobsTopics = {
  /** Everything of one thing's jobs lives under this (the default policy's `.../jobs/*`). */
  prefix(thingName: string): string {
    return `$aws/things/${thingName}/jobs`;
  },
  getPending(thingName: string): string {
    return `${jobsTopics.prefix(thingName)}/get`;
  },
  startNext(thingName: string): string {
    return `${jobsTopics.prefix(thingName)}/start-next`;
  },
  describe(thingName: string, jobId: string): string {
    return `${jobsTopics.prefix(thingName)}/${jobId}/get`;
  },
  update(thingName: string, jobId: string): string {
    return `${jobsTopics.prefix(thingName)}/${jobId}/update`;
  },
  /** "The topic is formed by appending accepted or rejected to the topic used to make the request". */
  accepted(requestTopic: string): string {
    return `${requestTopic}/accepted`;
  },
  rejected(requestTopic: string): string {
    return `${requestTopic}/rejected`;
  },
  /** ListNotification (JobExecutionsChanged). */
  notify(thingName: string): string {
    return `${jobsTopics.prefix(thingName)}/notify`;
  },
  /** NextNotification (NextJobExecutionChanged). */
  notifyNext(thingName: string): string {
    return `${jobsTopics.prefix(thingName)}/notify-next`;
  },
};

function jobsLevels(topic: string): string[] | undefined {
  if (!topic.startsWith('$aws/things/')) return undefined;
  const parts = topic.split('/');
  return parts[3] === 'jobs' ? parts : undefined;
}

/**
 * What a topic under `$aws/things/{thing}/jobs` is: `reply` for what the service publishes (`.../accepted`,
 * `.../rejected`, `notify`, `notify-next`: reserved, no client may publish there), `request` for everything else
 * (well-formed requests and topics that map to no API, which the service answers with `InvalidTopic`), `undefined`
 * for a topic that is not a jobs topic at all.
 */
export function classifyJobsTopic(topic: string): 'request' | 'reply' | undefined {
  const parts = jobsLevels(topic);
  if (!parts) return undefined;
  const last = parts[parts.length - 1];
  if (parts.length >= 5 && (last === 'accepted' || last === 'rejected')) return 'reply';
  if (parts.length === 5 && (last === 'notify' || last === 'notify-next')) return 'reply';
  return 'request';
}

/**
 * Parses a request topic; `undefined` for a jobs topic that maps to no API (AWS: `InvalidTopic`), a thing name or
 * job id that breaks AWS's rules included, and for anything else. `$next` is a job id for DescribeJobExecution only.
 */
export function parseJobsRequestTopic(topic: string): JobsRequestTopic | undefined {
  const parts = jobsLevels(topic);
  if (!parts || !THING_NAME_PATTERN.test(parts[2] ?? '')) return undefined;
  const thingName = parts[2] as string;
  if (parts.length === 5) {
    if (parts[4] === 'get') return { thingName, operation: 'GetPendingJobExecutions' };
    if (parts[4] === 'start-next') return { thingName, operation: 'StartNextPendingJobExecution' };
    return undefined;
  }
  if (parts.length !== 6) return undefined;
  const jobId = parts[4] as string;
  if (parts[5] === 'get' && (jobId === NEXT_JOB_ID || JOB_ID_PATTERN.test(jobId)))
    return { thingName, operation: 'DescribeJobExecution', jobId };
  if (parts[5] === 'update' && JOB_ID_PATTERN.test(jobId)) return { thingName, operation: 'UpdateJobExecution', jobId };
  return undefined;
}

/** The thing a notification topic (`notify`, `notify-next`) is for; `undefined` for any other topic. */
export function parseJobsNotificationTopic(topic: string): { thingName: string; next: boolean } | undefined {
  const parts = jobsLevels(topic);
  if (parts?.length !== 5 || !THING_NAME_PATTERN.test(parts[2] ?? '')) return undefined;
  if (parts[4] !== 'notify' && parts[4] !== 'notify-next') return undefined;
  return { thingName: parts[2] as string, next: parts[4] === 'notify-next' };
}

// ---------------------------------------------------------------------------------------------------------------
// Wire shapes (named as the SDK's iotjobs model names them)

export type StatusDetails = Record<string, string>;

/** AWS `JobExecution`. Optional fields are left out, not null: `startedAt` before the execution started. */
export interface JobExecutionData {
  jobId: string;
  thingName: string;
  jobDocument?: unknown;
  status: JobExecutionStatus;
  statusDetails?: StatusDetails;
  queuedAt: number;
  startedAt?: number;
  lastUpdatedAt: number;
  versionNumber: number;
  executionNumber: number;
}

/** AWS `JobExecutionState`: in UpdateJobExecution's answer, and in VersionMismatch and InvalidStateTransition. */
export interface JobExecutionState {
  status: JobExecutionStatus;
  statusDetails?: StatusDetails;
  versionNumber: number;
}

/** AWS `JobExecutionSummary`: the pending lists. */
export interface JobExecutionSummary {
  jobId: string;
  queuedAt: number;
  startedAt?: number;
  lastUpdatedAt: number;
  versionNumber: number;
  executionNumber: number;
}

/** `.../jobs/get/accepted`. */
export interface GetPendingJobExecutionsResponse {
  inProgressJobs: JobExecutionSummary[];
  queuedJobs: JobExecutionSummary[];
  timestamp: number;
  clientToken?: string;
}

/** `.../jobs/start-next/accepted`: no `execution` when nothing is pending. */
export interface StartNextJobExecutionResponse {
  execution?: JobExecutionData;
  timestamp: number;
  clientToken?: string;
}

/** `.../jobs/{jobId}/get/accepted`: no `execution` for `$next` when nothing is pending. */
export interface DescribeJobExecutionResponse {
  execution?: JobExecutionData;
  timestamp: number;
  clientToken?: string;
}

/** `.../jobs/{jobId}/update/accepted`. */
export interface UpdateJobExecutionResponse {
  executionState?: JobExecutionState;
  jobDocument?: unknown;
  timestamp: number;
  clientToken?: string;
}

/** `.../jobs/notify` (JobExecutionsChanged): pending executions by status; `{}` when none is left. */
export interface JobExecutionsChangedEvent {
  jobs: { IN_PROGRESS?: JobExecutionSummary[]; QUEUED?: JobExecutionSummary[] };
  timestamp: number;
}

/** `.../jobs/notify-next` (NextJobExecutionChanged): no `execution` when nothing is pending any more. */
export interface NextJobExecutionChangedEvent {
  execution?: JobExecutionData;
  timestamp: number;
}

/** The `code` of an ErrorResponse on `.../rejected`, as AWS lists them. */
export const JOBS_ERROR_CODES = [
  'InvalidTopic',
  'InvalidJson',
  'InvalidRequest',
  'InvalidStateTransition',
  'ResourceNotFound',
  'VersionMismatch',
  'InternalError',
  'RequestThrottled',
  'TerminalStateReached',
] as const;
export type JobsErrorCode = (typeof JOBS_ERROR_CODES)[number];

/**
 * AWS's ErrorResponse. `executionState` "is included only when the code field has the value InvalidStateTransition
 * or VersionMismatch".
 */
export interface JobsErrorResponse {
  code: JobsErrorCode;
  message: string;
  clientToken?: string;
  timestamp: number;
  executionState?: JobExecutionState;
}
