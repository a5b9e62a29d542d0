import type { Migration } from '../../platform/sqlite.ts';

/**
 * AWS IoT Jobs served by the fleet (issue 10 item 5, migration 32): jobs and their executions, one row per execution
 * (a retry is a new row with the next `execution_number`). Times are epoch milliseconds of the fleet's clock; the
 * MQTT API turns them into AWS's epoch seconds. The two deadlines are what the step and in-progress timers wait
 * for: kept in the row, so a restarted fleet re-arms them (and times out what fell due while it was down).
 */
export const otaJobsMigrations: Migration[] = [
  {
    version: 32,
    name: 'jobs: AWS IoT Jobs and their executions, with step and in-progress deadlines',
    sql: `
      CREATE TABLE jobs (
        job_id TEXT PRIMARY KEY,
        -- the job document, JSON
        document TEXT NOT NULL,
        description TEXT,
        status TEXT NOT NULL CHECK (status IN ('IN_PROGRESS', 'CANCELED', 'COMPLETED')),
        -- timeoutConfig.inProgressTimeoutInMinutes; NULL = no in-progress timer
        in_progress_timeout_minutes INTEGER CHECK (in_progress_timeout_minutes BETWEEN 1 AND 10080),
        force_canceled INTEGER NOT NULL DEFAULT 0 CHECK (force_canceled IN (0, 1)),
        reason_code TEXT,
        comment TEXT,
        created_at INTEGER NOT NULL,
        last_updated_at INTEGER NOT NULL,
        completed_at INTEGER
      );
      CREATE TABLE job_executions (
        job_id TEXT NOT NULL REFERENCES jobs(job_id) ON DELETE CASCADE,
        thing_name TEXT NOT NULL,
        execution_number INTEGER NOT NULL CHECK (execution_number >= 1),
        status TEXT NOT NULL CHECK (status IN
          ('QUEUED', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'REJECTED', 'REMOVED', 'CANCELED')),
        -- JSON object of strings
        status_details TEXT NOT NULL DEFAULT '{}',
        version_number INTEGER NOT NULL,
        queued_at INTEGER NOT NULL,
        started_at INTEGER,
        last_updated_at INTEGER NOT NULL,
        -- the step timer (stepTimeoutInMinutes) and the in-progress timer; NULL when not running
        step_deadline INTEGER,
        in_progress_deadline INTEGER,
        PRIMARY KEY (job_id, thing_name, execution_number)
      );
      -- A thing's pending list (notify, notify-next, start-next, $next), in queue order.
      CREATE INDEX job_executions_pending ON job_executions(thing_name, queued_at)
        WHERE status IN ('QUEUED', 'IN_PROGRESS');
      CREATE INDEX job_executions_step_deadline ON job_executions(step_deadline) WHERE step_deadline IS NOT NULL;
      CREATE INDEX job_executions_in_progress_deadline ON job_executions(in_progress_deadline)
        WHERE in_progress_deadline IS NOT NULL;
    `,
  },
];
