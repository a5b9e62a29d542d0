import {
  type DescribeJobExecutionResponse,
  type GetPendingJobExecutionsResponse,
  isTerminalExecutionStatus,
  type JobsErrorCode,
  type JobsErrorResponse,
  NEXT_JOB_ID,
  type StartNextJobExecutionResponse,
  type UpdateJobExecutionResponse,
} from '../../protocol/jobs.ts';
import type {
  DescribeJobExecutionRequest,
  GetPendingJobExecutionsRequest,
  StartNextPendingJobExecutionRequest,
  UpdateJobExecutionRequest,
} from '../../protocol/jobs-requests.ts';
import { applyDeviceUpdate, startExecution } from './execution-rules.ts';
import { epochSeconds, executionData, executionState, executionSummary } from './execution-wire.ts';
import type { ChangeSet } from './job-changes.ts';
import type { JobDocuments } from './job-documents.ts';
import type { JobRepository, StoredExecution } from './job-repository.ts';

export type Answer<T> = { ok: true; body: T } | { ok: false; error: JobsErrorResponse };

/**
 * The four operations of AWS IoT Jobs' device MQTT API on the stored executions of one thing (the thing of the
 * request topic: the device policy lets a device publish only under its own `$aws/things/{thing}/jobs/`). Reads go
 * to the repository; writes go through the caller's `ChangeSet`, inside the caller's transaction.
 */
export class DeviceJobRequests {
  constructor(
    private readonly repository: JobRepository,
    private readonly documents: JobDocuments,
  ) {}

  /** GetPendingJobExecutions: the IN_PROGRESS and QUEUED executions, each list in queue order. */
  getPending(thingName: string, request: GetPendingJobExecutionsRequest, now: number): GetPendingJobExecutionsResponse {
    const pending = this.repository.pendingOf(thingName);
    return {
      inProgressJobs: pending.filter((e) => e.status === 'IN_PROGRESS').map(executionSummary),
      queuedJobs: pending.filter((e) => e.status === 'QUEUED').map(executionSummary),
      timestamp: epochSeconds(now),
      ...token(request.clientToken),
    };
  }

  /**
   * DescribeJobExecution. `$next`: the next pending execution, or an answer without `execution` when none is
   * pending. A job id: that execution (the latest, or `executionNumber`); `ResourceNotFound` when the thing has no
   * such execution; `TerminalStateReached` when it is terminal (AWS: "Occurs when a command to describe a job is
   * performed on a job that is in a terminal state").
   */
  describe(
    thingName: string,
    jobId: string,
    request: DescribeJobExecutionRequest,
    now: number,
  ): Answer<DescribeJobExecutionResponse> {
    const execution =
      jobId === NEXT_JOB_ID
        ? this.repository.pendingOf(thingName)[0]
        : this.repository.execution(jobId, thingName, request.executionNumber);
    if (!execution) {
      if (jobId === NEXT_JOB_ID)
        return { ok: true, body: { timestamp: epochSeconds(now), ...token(request.clientToken) } };
      return notFound(jobId, thingName, request, now);
    }
    if (isTerminalExecutionStatus(execution.status))
      return refuse(
        'TerminalStateReached',
        `The execution ${execution.executionNumber} of job ${jobId} is ${execution.status}, a terminal status`,
        request.clientToken,
        now,
      );
    const document = request.includeJobDocument === false ? undefined : this.documents.of(execution.jobId);
    return {
      ok: true,
      body: {
        execution: executionData(execution, document),
        timestamp: epochSeconds(now),
        ...token(request.clientToken),
      },
    };
  }

  /**
   * StartNextPendingJobExecution: the next pending execution, started (QUEUED → IN_PROGRESS with the request's
   * status details and step timer) unless it already was; an answer without `execution` when nothing is pending.
   */
  startNext(
    thingName: string,
    request: StartNextPendingJobExecutionRequest,
    now: number,
    changes: ChangeSet,
  ): Answer<StartNextJobExecutionResponse> {
    const next = this.repository.pendingOf(thingName)[0];
    if (!next) return { ok: true, body: { timestamp: epochSeconds(now), ...token(request.clientToken) } };
    const started = startExecution(next, request, this.jobOf(next), now);
    if (started !== next) changes.save(next, started);
    return {
      ok: true,
      body: {
        execution: executionData(started, this.documents.of(started.jobId)),
        timestamp: epochSeconds(now),
        ...token(request.clientToken),
      },
    };
  }

  /** UpdateJobExecution on the execution the topic and `executionNumber` name. */
  update(
    thingName: string,
    jobId: string,
    request: UpdateJobExecutionRequest,
    now: number,
    changes: ChangeSet,
  ): Answer<UpdateJobExecutionResponse> {
    const current = this.repository.execution(jobId, thingName, request.executionNumber);
    if (!current) return notFound(jobId, thingName, request, now);
    // The job's in-progress timeout matters only to an update that starts the execution.
    const timeout = current.status === 'QUEUED' ? this.jobOf(current).inProgressTimeoutMinutes : null;
    const decision = applyDeviceUpdate(current, request, timeout, now);
    if (!decision.ok) {
      return {
        ok: false,
        error: {
          code: decision.code,
          message: decision.message,
          ...token(request.clientToken),
          timestamp: epochSeconds(now),
          executionState: executionState(current),
        },
      };
    }
    changes.save(current, decision.next);
    const body: UpdateJobExecutionResponse = { timestamp: epochSeconds(now), ...token(request.clientToken) };
    if (request.includeJobExecutionState === true) body.executionState = executionState(decision.next);
    if (request.includeJobDocument === true) body.jobDocument = this.documents.of(jobId);
    return { ok: true, body };
  }

  private jobOf(execution: StoredExecution) {
    const job = this.repository.jobHead(execution.jobId);
    // The foreign key keeps every execution's job: a missing one is a broken database, not a device's mistake.
    if (!job) throw new Error(`job ${execution.jobId} of an execution is missing`);
    return job;
  }
}

function token(clientToken: string | undefined): { clientToken?: string } {
  return clientToken === undefined ? {} : { clientToken };
}

function refuse(code: JobsErrorCode, message: string, clientToken: string | undefined, now: number) {
  return { ok: false, error: { code, message, ...token(clientToken), timestamp: epochSeconds(now) } } as const;
}

function notFound(
  jobId: string,
  thingName: string,
  request: { executionNumber?: number; clientToken?: string },
  now: number,
) {
  const which = request.executionNumber === undefined ? 'no execution' : `no execution ${request.executionNumber}`;
  return refuse('ResourceNotFound', `Thing ${thingName} has ${which} of job ${jobId}`, request.clientToken, now);
}
