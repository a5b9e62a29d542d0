import { JobsService } from '../../../fleet/jobs/jobs-service.ts';
import type { JobExecution, JobExecutionStatus } from '../../../fleet/jobs/ports.ts';
import { type Database, openDatabase } from '../../../fleet/storage/database.ts';
import { DatabaseWriter } from '../../../fleet/storage/database-writer.ts';
import { silentLogger } from '../../../platform/log.ts';
import { jobsTopics } from '../../../protocol/jobs.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';
import { type Body, FakeJobsBroker, type Sent } from '../../mocks/fake-jobs-broker.ts';

export const MINUTE = 60_000;

/** An OTA-like job document (the service treats any JSON object alike). */
export const DOCUMENT = { operation: 'test', release: { version: '1.2.3' } };

export interface Change {
  execution: JobExecution;
  previousStatus: JobExecutionStatus | null;
}

/**
 * A `JobsService` on a real SQLite file in a temp dir (opened as the fleet opens it: no busy wait), a fake clock and
 * a fake broker (no sockets). `restart()` stops it and starts a new one on the same database and clock, as a fleet
 * restart does.
 */
export class JobsFixture {
  readonly dir = tempDir('cartfleet-jobs-');
  readonly clock = new FakeClock();
  readonly broker = new FakeJobsBroker();
  readonly changes: Change[] = [];
  db: Database;
  writer: DatabaseWriter;
  service: JobsService;

  constructor() {
    this.db = openDatabase(this.dir.path, silentLogger(), { busyTimeoutMs: 0 });
    this.writer = new DatabaseWriter(this.db, { retryMinMs: 5, retryMaxMs: 50 }, silentLogger(), this.clock);
    this.service = this.startService();
  }

  restart(): JobsService {
    this.service.stop();
    this.writer.stop();
    this.db.close();
    this.db = openDatabase(this.dir.path, silentLogger(), { busyTimeoutMs: 0 });
    this.writer = new DatabaseWriter(this.db, { retryMinMs: 5, retryMaxMs: 50 }, silentLogger(), this.clock);
    this.service = this.startService();
    return this.service;
  }

  close(): void {
    this.service.stop();
    this.writer.stop();
    this.db.close();
    this.dir.cleanup();
  }

  /** A job with the test document; `minutes` is its in-progress timeout. */
  job(jobId: string, minutes: number | null = null): string {
    this.service.createJob({ jobId, document: DOCUMENT, inProgressTimeoutMinutes: minutes });
    return jobId;
  }

  device(thingName: string): TestDevice {
    return new TestDevice(this.broker, thingName);
  }

  private startService(): JobsService {
    const service = new JobsService(
      this.db,
      this.writer,
      this.broker,
      { writeDeadlineMs: 1000 },
      silentLogger(),
      this.clock,
    );
    service.onExecutionChange((execution, previousStatus) => this.changes.push({ execution, previousStatus }));
    service.start();
    return service;
  }
}

/** One device's side of the MQTT API, through the fake broker. */
export class TestDevice {
  constructor(
    private readonly broker: FakeJobsBroker,
    readonly thingName: string,
  ) {}

  getPending(body: Body = {}): Promise<Sent> {
    return this.broker.request(jobsTopics.getPending(this.thingName), body, this.thingName);
  }

  startNext(body: Body = {}): Promise<Sent> {
    return this.broker.request(jobsTopics.startNext(this.thingName), body, this.thingName);
  }

  describe(jobId: string, body: Body = {}): Promise<Sent> {
    return this.broker.request(jobsTopics.describe(this.thingName, jobId), body, this.thingName);
  }

  update(jobId: string, body: Body | string): Promise<Sent> {
    return this.broker.request(jobsTopics.update(this.thingName, jobId), body, this.thingName);
  }

  /** The notify messages published for this thing so far. */
  get notify(): Body[] {
    return this.broker.on(jobsTopics.notify(this.thingName));
  }

  /** The notify-next messages published for this thing so far. */
  get notifyNext(): Body[] {
    return this.broker.on(jobsTopics.notifyNext(this.thingName));
  }

  /** The job ids of a notify message, by status, as AWS lists them. */
  static listed(notify: Body | undefined): { IN_PROGRESS?: string[]; QUEUED?: string[] } {
    const jobs = (notify?.jobs ?? {}) as Record<string, { jobId: string }[]>;
    return Object.fromEntries(Object.entries(jobs).map(([status, list]) => [status, list.map((s) => s.jobId)]));
  }

  /** The job id of a notify-next message (`undefined` when it announces that nothing is pending). */
  static next(notifyNext: Body | undefined): string | undefined {
    return (notifyNext?.execution as { jobId?: string } | undefined)?.jobId;
  }
}
