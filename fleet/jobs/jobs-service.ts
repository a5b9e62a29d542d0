import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import { isSqliteBusy } from '../../platform/sqlite.ts';
import { FleetError, isFleetError } from '../../protocol/errors.ts';
import { jobsTopics } from '../../protocol/jobs.ts';
import type { Database } from '../storage/database.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';
import { DeviceJobRequests } from './device-requests.ts';
import { isDue, publicExecution, sameExecution, samePendingSet, timedOut } from './execution-rules.ts';
import { ExecutionTimeouts } from './execution-timeouts.ts';
import { listNotification, nextNotification } from './execution-wire.ts';
import { JobAdministration } from './job-administration.ts';
import { ChangeSet, type Committed } from './job-changes.ts';
import { JobDocuments } from './job-documents.ts';
import { JobRepository } from './job-repository.ts';
import { type JobsBroker, JobsMqttApi } from './jobs-mqtt-api.ts';
import type { JobExecution, JobExecutionStatus, JobRecord, JobsPort } from './ports.ts';

export type { JobsBroker };

export interface JobsServiceOptions {
  /** A device's request waits this long for a locked database, then is answered `InternalError`. */
  writeDeadlineMs: number;
  /** After a timeout sweep found the database locked, it tries again this much later. */
  timeoutRetryMs?: number;
}

type ExecutionListener = (execution: JobExecution, previousStatus: JobExecutionStatus | null) => void;

/**
 * AWS IoT Jobs, served by the fleet for every thing: the device MQTT API (`JobsMqttApi`: get, start-next, describe,
 * update, with AWS's answers and error codes), the notifications (`notify` when a thing's pending list gains or
 * loses an execution, `notify-next` when its first execution changes, exactly the cases AWS's "Jobs notifications"
 * lists), the step and in-progress timers (`ExecutionTimeouts`, on the injected clock, re-armed from the database
 * at start), and the fleet-side `JobsPort` the rollout engine drives. Backed by SQLite (migration 32).
 *
 * Devices' changes go through the fleet's `DatabaseWriter` (they wait out another connection's lock, as shadow
 * updates do); the port's calls and the timers write at once and refuse with `STORAGE_BUSY` while the database is
 * locked. Notifications and listeners run after the transaction committed.
 */
export class JobsService implements JobsPort {
  private readonly repository: JobRepository;
  private readonly documents: JobDocuments;
  private readonly administration: JobAdministration;
  private readonly mqtt: JobsMqttApi;
  private readonly timeouts: ExecutionTimeouts;
  private readonly listeners = new Set<ExecutionListener>();

  constructor(
    private readonly db: Database,
    private readonly writer: DatabaseWriter,
    private readonly broker: JobsBroker,
    private readonly options: JobsServiceOptions,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {
    this.repository = new JobRepository(db);
    this.documents = new JobDocuments(this.repository);
    this.administration = new JobAdministration(this.repository);
    this.mqtt = new JobsMqttApi(
      broker,
      new DeviceJobRequests(this.repository, this.documents),
      (label, run) => this.queuedWrite(label, run),
      () => clock.now(),
      log,
    );
    this.timeouts = new ExecutionTimeouts(clock, () => this.expireDue());
  }

  start(): void {
    this.mqtt.start();
    // Deadlines that fell due while the fleet was down time out now.
    this.timeouts.reset(this.repository.earliestDeadline());
  }

  stop(): void {
    this.mqtt.stop();
    this.timeouts.stop();
  }

  createJob(input: {
    jobId: string;
    document: unknown;
    description?: string;
    inProgressTimeoutMinutes?: number | null;
  }): void {
    this.transact('jobs create', (_changes, now) => this.administration.create(input, now));
  }

  queueExecutions(jobId: string, thingNames: string[]): JobExecution[] {
    return this.transact('jobs queue', (changes, now) => this.administration.queue(jobId, thingNames, changes, now));
  }

  cancelExecution(
    jobId: string,
    thingName: string,
    options: { force: boolean; statusDetails?: Record<string, string> },
  ): JobExecution | undefined {
    return this.transact('jobs cancel execution', (changes, now) =>
      this.administration.cancelExecution(jobId, thingName, options, changes, now),
    );
  }

  cancelJob(jobId: string, options: { force: boolean; reasonCode?: string; comment?: string }): number {
    return this.transact('jobs cancel', (changes, now) => this.administration.cancelJob(jobId, options, changes, now));
  }

  /** COMPLETED, once every execution is terminal (`CONFLICT` before, or for a canceled job); `NOT_FOUND`. */
  completeJob(jobId: string): void {
    this.transact('jobs complete', (_changes, now) => this.administration.complete(jobId, now));
  }

  /**
   * Deletes the job and its executions (AWS DeleteJob). With executions still pending only with `force`
   * (`CONFLICT` without); their things are notified as AWS does after a forced deletion. Deleted executions are no
   * change the listeners hear of.
   */
  deleteJob(jobId: string, options: { force: boolean }): void {
    this.transact('jobs delete', (changes) => this.administration.delete(jobId, options, changes));
    this.documents.forget(jobId);
  }

  getJob(jobId: string): JobRecord | undefined {
    const head = this.repository.jobHead(jobId);
    return head && { ...head, document: this.documents.of(jobId) };
  }

  getExecution(jobId: string, thingName: string): JobExecution | undefined {
    const execution = this.repository.execution(jobId, thingName);
    return execution && publicExecution(execution);
  }

  listExecutions(jobId: string): JobExecution[] {
    return this.repository.latestOfJob(jobId).map(publicExecution);
  }

  /**
   * The documents of the jobs the thing has a QUEUED or IN_PROGRESS execution of: what a device may download while
   * it works on them (the OTA download routes' check).
   */
  pendingJobDocuments(thingName: string): { jobId: string; executionNumber: number; document: unknown }[] {
    return this.repository.pendingOf(thingName).map((e) => ({
      jobId: e.jobId,
      executionNumber: e.executionNumber,
      document: this.documents.of(e.jobId),
    }));
  }

  onExecutionChange(listener: ExecutionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs a change now, in its own transaction. Never behind the write queue: while the queue waits for another
   * connection's lock, or when SQLite finds one, nothing is written and `STORAGE_BUSY` is thrown.
   */
  private transact<T>(label: string, run: (changes: ChangeSet, now: number) => T): T {
    if (this.writer.blocked) throw new FleetError('STORAGE_BUSY', `${label}: the database is locked, try again`);
    let outcome: { result: T; committed: Committed };
    try {
      outcome = this.db
        .transaction(() => {
          const changes = new ChangeSet(this.repository);
          const result = run(changes, this.clock.now());
          return { result, committed: changes.finish() };
        })
        .immediate();
    } catch (err) {
      if (isSqliteBusy(err)) throw new FleetError('STORAGE_BUSY', `${label}: the database is locked, try again`);
      throw err;
    }
    this.afterCommit(outcome.committed);
    return outcome.result;
  }

  /** A device's change, in the fleet's write queue (it waits out a lock up to `writeDeadlineMs`). */
  private async queuedWrite<T>(label: string, run: (changes: ChangeSet, now: number) => T): Promise<T> {
    const outcome = await this.writer.write(
      label,
      () => {
        const changes = new ChangeSet(this.repository);
        const result = run(changes, this.clock.now());
        return { result, committed: changes.finish() };
      },
      // Devices' updates arrive in bursts (a wave of a rollout): those of one event-loop turn share one commit.
      { deadlineMs: this.options.writeDeadlineMs, groupCommit: true },
    );
    this.afterCommit(outcome.committed);
    return outcome.result;
  }

  /** The timer woke: every execution whose step or in-progress timer ran out becomes TIMED_OUT. */
  private expireDue(): void {
    try {
      this.transact('jobs timeouts', (changes, now) => {
        for (const execution of this.repository.due(now))
          if (isDue(execution, now)) changes.save(execution, timedOut(execution, now));
      });
      this.timeouts.reset(this.repository.earliestDeadline());
    } catch (err) {
      const retryMs = this.options.timeoutRetryMs ?? 1_000;
      if (isFleetError(err, 'STORAGE_BUSY')) this.log.warn({ retryMs }, `jobs timeouts not applied: ${err.message}`);
      else this.log.error({ err, retryMs }, 'jobs timeouts not applied: trying again');
      this.timeouts.reset(this.clock.now() + retryMs);
    }
  }

  private afterCommit(committed: Committed): void {
    const now = this.clock.now();
    for (const { thingName, before, after } of committed.pending) {
      // AWS: a ListNotification when an execution joins or leaves the pending list; a NextNotification when the
      // first one changes. A status change that leaves both alone (QUEUED → IN_PROGRESS of the first) sends nothing.
      if (!samePendingSet(before, after)) this.notify(jobsTopics.notify(thingName), listNotification(after, now));
      const next = after[0];
      if (!sameExecution(before[0], next))
        this.notify(
          jobsTopics.notifyNext(thingName),
          nextNotification(next, next && this.documents.of(next.jobId), now),
        );
    }
    this.timeouts.consider(committed.earliestDeadline);
    for (const { execution, previousStatus } of committed.changes) {
      for (const listener of this.listeners) {
        try {
          listener(execution, previousStatus);
        } catch (err) {
          this.log.error({ err, jobId: execution.jobId, thingName: execution.thingName }, 'execution listener failed');
        }
      }
    }
  }

  private notify(topic: string, body: object): void {
    this.broker
      .publish(topic, JSON.stringify(body), 1)
      .catch((err: Error) => this.log.warn({ err: err.message, topic }, 'jobs notification not published'));
  }
}
