import type { JobExecutionStatus } from '../../protocol/jobs-status.ts';

/** A job execution as the Jobs API describes it (`JobExecutionData`). */
export interface JobExecution {
  jobId: string;
  status: JobExecutionStatus;
  /** +1 on every update; what `expectedVersion` must name. */
  versionNumber: number;
  executionNumber: number;
  jobDocument?: unknown;
  statusDetails?: Record<string, string>;
}

/** The statuses a device may set (AWS: IN_PROGRESS, SUCCEEDED, FAILED, REJECTED). */
export type DeviceSetStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'REJECTED';

export interface JobUpdate {
  jobId: string;
  executionNumber?: number;
  status: DeviceSetStatus;
  statusDetails: Record<string, string>;
  expectedVersion?: number;
  /** Resets the step timer (AWS: the execution becomes TIMED_OUT if no update comes within it). */
  stepTimeoutInMinutes?: number;
}

/** AWS's `RejectedErrorResponse.code`s the agent acts on. */
export type JobsRejectionCode =
  | 'InvalidTopic'
  | 'InvalidStateTransition'
  | 'ResourceNotFound'
  | 'InvalidRequest'
  | 'RequestThrottled'
  | 'InternalError'
  | 'TerminalStateReached'
  | 'InvalidJson'
  | 'VersionMismatch'
  | 'Timeout';

/** A request the Jobs service refused (its `rejected` topic), or one it did not answer in time (`Timeout`). */
export class JobsRequestError extends Error {
  constructor(
    readonly code: JobsRejectionCode,
    message: string,
    /** What the service says the execution is now (VersionMismatch, TerminalStateReached). */
    readonly executionState?: { status?: JobExecutionStatus; versionNumber?: number },
  ) {
    super(`${code}: ${message}`);
    this.name = 'JobsRequestError';
  }
}

/**
 * The agent's view of AWS IoT Jobs' device MQTT API (notify-next, start-next, describe, update): one port, so the
 * agent runs over the SDK's IotJobsClient on the device's connection (iot-jobs-channel.ts) and over a fake in unit
 * tests. Requests reject with JobsRequestError; none is retried here (the agent decides).
 */
export interface JobsChannel {
  /** Subscribes on every (re)connect; `onReady` listeners run once the subscriptions are granted. */
  start(): void;
  stop(): void;
  /** Online and subscribed: requests can be answered. */
  readonly ready: boolean;
  /** The subscriptions were (re)made: the agent asks where its job stands. Returns the unsubscriber. */
  onReady(listener: () => void): () => void;
  /** notify-next: the thing's next pending execution changed (`null`: none is pending). */
  onNextChanged(listener: (execution: JobExecution | null) => void): () => void;
  /** StartNextPendingJobExecution: the next pending execution, now IN_PROGRESS (an IN_PROGRESS one first), or null. */
  startNext(statusDetails: Record<string, string>, stepTimeoutInMinutes?: number): Promise<JobExecution | null>;
  /** DescribeJobExecution, with the job document. */
  describe(jobId: string, executionNumber?: number): Promise<JobExecution>;
  /** UpdateJobExecution; resolves with the execution's new state. */
  update(update: JobUpdate): Promise<{ status: JobExecutionStatus; versionNumber: number }>;
}
