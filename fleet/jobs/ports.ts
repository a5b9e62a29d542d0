import type { JobExecutionStatus, JobStatus } from '../../protocol/jobs.ts';

export type { JobExecutionStatus, JobStatus };

/** One execution of a job on one thing, as the fleet sees it (times: epoch ms of the fleet's clock). */
export interface JobExecution {
  jobId: string;
  thingName: string;
  /** 1 for the first execution of a job on a thing; a retry is the next number. */
  executionNumber: number;
  status: JobExecutionStatus;
  statusDetails: Record<string, string>;
  /** Goes up with every change (a device's update, a start, a timeout, a cancel); what `expectedVersion` checks. */
  versionNumber: number;
  queuedAt: number;
  startedAt: number | null;
  lastUpdatedAt: number;
}

/** A job (AWS `Job`, the fields this fleet keeps). */
export interface JobRecord {
  jobId: string;
  document: unknown;
  description: string | null;
  /** IN_PROGRESS until canceled (`cancelJob`) or completed (`completeJob`, once every execution is terminal). */
  status: JobStatus;
  /** `timeoutConfig.inProgressTimeoutInMinutes`; `null`: no in-progress timer. */
  inProgressTimeoutMinutes: number | null;
  /** Set when the job was canceled with `force` (in-progress executions were canceled too). */
  forceCanceled: boolean;
  reasonCode: string | null;
  comment: string | null;
  createdAt: number;
  lastUpdatedAt: number;
  completedAt: number | null;
}

/**
 * What the rollout engine (and anything else on the fleet) asks of the jobs service. Every call is synchronous: it
 * has landed in the database when it returns, and the devices' notifications are on their way. A call while another
 * connection holds the database's write lock throws `STORAGE_BUSY` and changes nothing.
 */
export interface JobsPort {
  /**
   * Creates a job (IN_PROGRESS, no executions yet). `CONFLICT` if the id exists (deleted jobs included while their
   * row is there), `BAD_REQUEST` for an id that breaks AWS's rule, a document that is not a JSON object or is over
   * 32 KiB, or a timeout outside 1-10080 minutes.
   */
  createJob(input: {
    jobId: string;
    document: unknown;
    description?: string;
    inProgressTimeoutMinutes?: number | null;
  }): void;
  /**
   * Queue executions (one transaction), notify each thing. A thing whose previous execution of this job is terminal
   * gets a new execution with executionNumber + 1 (a retry); one still non-terminal is left alone. Returns the
   * executions it queued (not those left alone). `NOT_FOUND` for an unknown job, `CONFLICT` for a job that is
   * canceled or completed, `BAD_REQUEST` for a thing name that breaks AWS's rule (nothing is queued then).
   */
  queueExecutions(jobId: string, thingNames: string[]): JobExecution[];
  /**
   * QUEUED → CANCELED; IN_PROGRESS → CANCELED only with force (AWS CancelJobExecution), `CONFLICT` without. The
   * thing's latest execution of the job; `undefined` when it has none; a terminal one is returned unchanged.
   * `statusDetails` (at most 10 pairs, AWS's DetailsMap rules, else `BAD_REQUEST`) replaces the execution's.
   */
  cancelExecution(
    jobId: string,
    thingName: string,
    options: { force: boolean; statusDetails?: Record<string, string> },
  ): JobExecution | undefined;
  /** Every non-terminal execution (IN_PROGRESS only with force); the job becomes CANCELED. Returns how many. */
  cancelJob(jobId: string, options: { force: boolean; reasonCode?: string; comment?: string }): number;
  /** The thing's latest execution of the job. */
  getExecution(jobId: string, thingName: string): JobExecution | undefined;
  /** Each thing's latest execution of the job, by thing name. */
  listExecutions(jobId: string): JobExecution[];
  /**
   * Every status or statusDetails change, from a device, a timeout or a cancel; a newly queued execution comes with
   * `previousStatus` null. Called after the change is stored; a listener's throw is logged, not passed on.
   * Returns the function that removes the listener.
   */
  onExecutionChange(listener: (execution: JobExecution, previousStatus: JobExecutionStatus | null) => void): () => void;
}
