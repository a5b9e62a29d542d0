import type { Statement } from 'better-sqlite3';
import type { Database } from '../storage/database.ts';
import type { JobExecution, JobExecutionStatus, JobRecord, JobStatus } from './ports.ts';

/** An execution with the deadlines its timers wait for (epoch ms; `null` when the timer is not running). */
export interface StoredExecution extends JobExecution {
  stepDeadline: number | null;
  inProgressDeadline: number | null;
}

interface ExecutionRow {
  job_id: string;
  thing_name: string;
  execution_number: number;
  status: JobExecutionStatus;
  status_details: string;
  version_number: number;
  queued_at: number;
  started_at: number | null;
  last_updated_at: number;
  step_deadline: number | null;
  in_progress_deadline: number | null;
}

interface JobRow {
  job_id: string;
  document: string;
  description: string | null;
  status: JobStatus;
  in_progress_timeout_minutes: number | null;
  force_canceled: number;
  reason_code: string | null;
  comment: string | null;
  created_at: number;
  last_updated_at: number;
  completed_at: number | null;
}

/** The job without its document: what every execution change needs (the document is parsed apart, once). */
export type JobHead = Omit<JobRecord, 'document'>;

const PENDING = "status IN ('QUEUED', 'IN_PROGRESS')";
/** AWS's order of a pending list: "IN_PROGRESS job executions before QUEUED", then "the times when they were queued". */
const PENDING_ORDER = "status = 'IN_PROGRESS' DESC, queued_at, rowid";
/** The latest execution of each (job, thing). */
const LATEST = `execution_number = (SELECT MAX(l.execution_number) FROM job_executions l
  WHERE l.job_id = job_executions.job_id AND l.thing_name = job_executions.thing_name)`;

/**
 * Jobs and their executions in SQLite (migration 32). Reads and writes only: the rules are in execution-rules.ts and
 * transactions are the caller's. Statements are prepared once, on first use.
 */
export class JobRepository {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Database) {}

  insertJob(job: JobRecord): void {
    this.statement(
      `INSERT INTO jobs (job_id, document, description, status, in_progress_timeout_minutes, force_canceled,
         reason_code, comment, created_at, last_updated_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      job.jobId,
      JSON.stringify(job.document),
      job.description,
      job.status,
      job.inProgressTimeoutMinutes,
      job.forceCanceled ? 1 : 0,
      job.reasonCode,
      job.comment,
      job.createdAt,
      job.lastUpdatedAt,
      job.completedAt,
    );
  }

  jobHead(jobId: string): JobHead | undefined {
    const row = this.statement(
      `SELECT job_id, description, status, in_progress_timeout_minutes, force_canceled, reason_code, comment,
         created_at, last_updated_at, completed_at FROM jobs WHERE job_id = ?`,
    ).get(jobId) as Omit<JobRow, 'document'> | undefined;
    return row && toJobHead(row);
  }

  /** The job document as stored (JSON text). */
  documentText(jobId: string): string | undefined {
    return (this.statement('SELECT document FROM jobs WHERE job_id = ?').get(jobId) as { document: string } | undefined)
      ?.document;
  }

  updateJob(job: JobHead): void {
    this.statement(
      `UPDATE jobs SET status = ?, force_canceled = ?, reason_code = ?, comment = ?, last_updated_at = ?,
         completed_at = ? WHERE job_id = ?`,
    ).run(
      job.status,
      job.forceCanceled ? 1 : 0,
      job.reasonCode,
      job.comment,
      job.lastUpdatedAt,
      job.completedAt,
      job.jobId,
    );
  }

  deleteJob(jobId: string): void {
    this.statement('DELETE FROM jobs WHERE job_id = ?').run(jobId);
  }

  insertExecution(execution: StoredExecution): void {
    this.statement(
      `INSERT INTO job_executions (job_id, thing_name, execution_number, status, status_details, version_number,
         queued_at, started_at, last_updated_at, step_deadline, in_progress_deadline)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(...executionValues(execution));
  }

  saveExecution(execution: StoredExecution): void {
    const [jobId, thingName, executionNumber, ...rest] = executionValues(execution);
    this.statement(
      `UPDATE job_executions SET status = ?, status_details = ?, version_number = ?, queued_at = ?, started_at = ?,
         last_updated_at = ?, step_deadline = ?, in_progress_deadline = ?
         WHERE job_id = ? AND thing_name = ? AND execution_number = ?`,
    ).run(...rest, jobId, thingName, executionNumber);
  }

  /** Execution `executionNumber` of the job on the thing, or the latest when it is not given. */
  execution(jobId: string, thingName: string, executionNumber?: number): StoredExecution | undefined {
    const row = (
      executionNumber === undefined
        ? this.statement(
            `SELECT * FROM job_executions WHERE job_id = ? AND thing_name = ?
               ORDER BY execution_number DESC LIMIT 1`,
          ).get(jobId, thingName)
        : this.statement(
            'SELECT * FROM job_executions WHERE job_id = ? AND thing_name = ? AND execution_number = ?',
          ).get(jobId, thingName, executionNumber)
    ) as ExecutionRow | undefined;
    return row && toExecution(row);
  }

  /** The thing's pending executions (QUEUED, IN_PROGRESS) in AWS's order: the first is "next". */
  pendingOf(thingName: string): StoredExecution[] {
    return (
      this.statement(`SELECT * FROM job_executions WHERE thing_name = ? AND ${PENDING} ORDER BY ${PENDING_ORDER}`).all(
        thingName,
      ) as ExecutionRow[]
    ).map(toExecution);
  }

  /** Each thing's latest execution of the job, by thing name. */
  latestOfJob(jobId: string): StoredExecution[] {
    return (
      this.statement(`SELECT * FROM job_executions WHERE job_id = ? AND ${LATEST} ORDER BY thing_name`).all(
        jobId,
      ) as ExecutionRow[]
    ).map(toExecution);
  }

  /** The job's executions still QUEUED or IN_PROGRESS. */
  pendingOfJob(jobId: string): StoredExecution[] {
    return (
      this.statement(`SELECT * FROM job_executions WHERE job_id = ? AND ${PENDING} ORDER BY thing_name`).all(
        jobId,
      ) as ExecutionRow[]
    ).map(toExecution);
  }

  /** The earliest deadline of any running timer, or `null`. */
  earliestDeadline(): number | null {
    const row = this.statement(
      `SELECT MIN(at) AS at FROM (
         SELECT MIN(step_deadline) AS at FROM job_executions WHERE step_deadline IS NOT NULL
         UNION ALL SELECT MIN(in_progress_deadline) FROM job_executions WHERE in_progress_deadline IS NOT NULL)`,
    ).get() as { at: number | null };
    return row.at;
  }

  /** Executions whose step or in-progress deadline is at or before `now`. */
  due(now: number): StoredExecution[] {
    return (
      this.statement(
        `SELECT * FROM job_executions WHERE step_deadline <= ?
         UNION SELECT * FROM job_executions WHERE in_progress_deadline <= ?`,
      ).all(now, now) as ExecutionRow[]
    ).map(toExecution);
  }

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

function executionValues(e: StoredExecution): (string | number | null)[] {
  return [
    e.jobId,
    e.thingName,
    e.executionNumber,
    e.status,
    JSON.stringify(e.statusDetails),
    e.versionNumber,
    e.queuedAt,
    e.startedAt,
    e.lastUpdatedAt,
    e.stepDeadline,
    e.inProgressDeadline,
  ];
}

function toExecution(row: ExecutionRow): StoredExecution {
  return {
    jobId: row.job_id,
    thingName: row.thing_name,
    executionNumber: row.execution_number,
    status: row.status,
    statusDetails: JSON.parse(row.status_details) as Record<string, string>,
    versionNumber: row.version_number,
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    lastUpdatedAt: row.last_updated_at,
    stepDeadline: row.step_deadline,
    inProgressDeadline: row.in_progress_deadline,
  };
}

function toJobHead(row: Omit<JobRow, 'document'>): JobHead {
  return {
    jobId: row.job_id,
    description: row.description,
    status: row.status,
    inProgressTimeoutMinutes: row.in_progress_timeout_minutes,
    forceCanceled: row.force_canceled === 1,
    reasonCode: row.reason_code,
    comment: row.comment,
    createdAt: row.created_at,
    lastUpdatedAt: row.last_updated_at,
    completedAt: row.completed_at,
  };
}
