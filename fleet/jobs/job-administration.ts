import { FleetError } from '../../protocol/errors.ts';
import { isTerminalExecutionStatus, JOB_ID_PATTERN, JOBS_LIMITS } from '../../protocol/jobs.ts';
import { statusDetailsProblem } from '../../protocol/jobs-requests.ts';
import { MAX_JOB_DOCUMENT_BYTES } from '../../protocol/ota/job-document.ts';
import { THING_NAME_PATTERN } from '../../protocol/thing-names.ts';
import { canceled, publicExecution, queuedExecution } from './execution-rules.ts';
import type { ChangeSet } from './job-changes.ts';
import type { JobHead, JobRepository } from './job-repository.ts';
import type { JobExecution } from './ports.ts';

/** AWS CancelJob's `reasonCode`: "[\p{Upper}\p{Digit}_]+", at most 128 characters. */
const REASON_CODE_PATTERN = /^[\p{Lu}\p{Nd}_]{1,128}$/u;

/**
 * The fleet's side of jobs (AWS's control plane: CreateJob, CancelJob, CancelJobExecution, DeleteJob, and queueing
 * executions on things), inside the caller's transaction. Input is checked first: a bad one throws `BAD_REQUEST`
 * and changes nothing.
 */
export class JobAdministration {
  constructor(private readonly repository: JobRepository) {}

  create(
    input: { jobId: string; document: unknown; description?: string; inProgressTimeoutMinutes?: number | null },
    now: number,
  ): void {
    const { jobId, document, description } = input;
    const timeout = input.inProgressTimeoutMinutes ?? null;
    if (typeof jobId !== 'string' || !JOB_ID_PATTERN.test(jobId))
      throw new FleetError('BAD_REQUEST', 'jobId must be 1 to 64 characters of [a-zA-Z0-9_-]');
    if (typeof document !== 'object' || document === null || Array.isArray(document))
      throw new FleetError('BAD_REQUEST', 'a job document is a JSON object');
    const bytes = Buffer.byteLength(JSON.stringify(document));
    if (bytes > MAX_JOB_DOCUMENT_BYTES)
      throw new FleetError('BAD_REQUEST', `the job document is ${bytes} bytes, over ${MAX_JOB_DOCUMENT_BYTES}`);
    if (description !== undefined && description.length > JOBS_LIMITS.maxDescriptionLength)
      throw new FleetError('BAD_REQUEST', `a description is at most ${JOBS_LIMITS.maxDescriptionLength} characters`);
    if (
      timeout !== null &&
      !(
        Number.isInteger(timeout) &&
        timeout >= JOBS_LIMITS.minInProgressTimeoutMinutes &&
        timeout <= JOBS_LIMITS.maxInProgressTimeoutMinutes
      )
    )
      throw new FleetError('BAD_REQUEST', 'inProgressTimeoutMinutes is an integer from 1 to 10080, or null');
    if (this.repository.jobHead(jobId)) throw new FleetError('CONFLICT', `job ${jobId} exists`);
    this.repository.insertJob({
      jobId,
      document,
      description: description ?? null,
      status: 'IN_PROGRESS',
      inProgressTimeoutMinutes: timeout,
      forceCanceled: false,
      reasonCode: null,
      comment: null,
      createdAt: now,
      lastUpdatedAt: now,
      completedAt: null,
    });
  }

  queue(jobId: string, thingNames: string[], changes: ChangeSet, now: number): JobExecution[] {
    const invalid = thingNames.find((name) => typeof name !== 'string' || !THING_NAME_PATTERN.test(name));
    if (invalid !== undefined) throw new FleetError('BAD_REQUEST', `"${String(invalid)}" is no thing name`);
    const job = this.job(jobId);
    if (job.status !== 'IN_PROGRESS')
      throw new FleetError('CONFLICT', `job ${jobId} is ${job.status}: no execution can be queued`);
    const queued: JobExecution[] = [];
    for (const thingName of new Set(thingNames)) {
      const latest = this.repository.execution(jobId, thingName);
      if (latest && !isTerminalExecutionStatus(latest.status)) continue;
      const next = queuedExecution(jobId, thingName, (latest?.executionNumber ?? 0) + 1, now);
      changes.insert(next);
      queued.push(publicExecution(next));
    }
    return queued;
  }

  cancelExecution(
    jobId: string,
    thingName: string,
    options: { force: boolean; statusDetails?: Record<string, string> },
    changes: ChangeSet,
    now: number,
  ): JobExecution | undefined {
    if (options.statusDetails !== undefined) {
      const problem = statusDetailsProblem(options.statusDetails, JOBS_LIMITS.maxCancelStatusDetails);
      if (problem) throw new FleetError('BAD_REQUEST', problem);
    }
    const latest = this.repository.execution(jobId, thingName);
    if (!latest) return undefined;
    if (isTerminalExecutionStatus(latest.status)) return publicExecution(latest);
    if (latest.status === 'IN_PROGRESS' && !options.force)
      throw new FleetError(
        'CONFLICT',
        `the execution of job ${jobId} on ${thingName} is IN_PROGRESS: cancel it with force`,
      );
    const next = canceled(latest, now, options.statusDetails);
    changes.save(latest, next);
    return publicExecution(next);
  }

  cancelJob(
    jobId: string,
    options: { force: boolean; reasonCode?: string; comment?: string },
    changes: ChangeSet,
    now: number,
  ): number {
    if (options.reasonCode !== undefined && !REASON_CODE_PATTERN.test(options.reasonCode))
      throw new FleetError('BAD_REQUEST', 'reasonCode is 1 to 128 upper-case letters, digits and _');
    if (options.comment !== undefined && options.comment.length > JOBS_LIMITS.maxDescriptionLength)
      throw new FleetError('BAD_REQUEST', `a comment is at most ${JOBS_LIMITS.maxDescriptionLength} characters`);
    const job = this.job(jobId);
    if (job.status === 'COMPLETED') return 0;
    let count = 0;
    for (const execution of this.repository.pendingOfJob(jobId)) {
      if (execution.status === 'IN_PROGRESS' && !options.force) continue;
      changes.save(execution, canceled(execution, now));
      count++;
    }
    this.repository.updateJob({
      ...job,
      status: 'CANCELED',
      forceCanceled: job.forceCanceled || options.force,
      reasonCode: options.reasonCode ?? job.reasonCode,
      comment: options.comment ?? job.comment,
      lastUpdatedAt: now,
    });
    return count;
  }

  complete(jobId: string, now: number): void {
    const job = this.job(jobId);
    if (job.status === 'COMPLETED') return;
    if (job.status === 'CANCELED') throw new FleetError('CONFLICT', `job ${jobId} is CANCELED`);
    const pending = this.repository.pendingOfJob(jobId).length;
    if (pending > 0) throw new FleetError('CONFLICT', `job ${jobId} has ${pending} executions still pending`);
    this.repository.updateJob({ ...job, status: 'COMPLETED', lastUpdatedAt: now, completedAt: now });
  }

  delete(jobId: string, options: { force: boolean }, changes: ChangeSet): void {
    this.job(jobId);
    const pending = this.repository.pendingOfJob(jobId);
    if (pending.length > 0 && !options.force)
      throw new FleetError(
        'CONFLICT',
        `job ${jobId} has ${pending.length} executions still pending: delete it with force`,
      );
    for (const execution of pending) changes.touch(execution.thingName);
    this.repository.deleteJob(jobId);
  }

  private job(jobId: string): JobHead {
    const job = this.repository.jobHead(jobId);
    if (!job) throw new FleetError('NOT_FOUND', `no job ${jobId}`);
    return job;
  }
}
