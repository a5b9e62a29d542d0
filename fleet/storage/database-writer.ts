import type { Clock, TimerHandle } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import { isSqliteBusy } from '../../platform/sqlite.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { Database } from './database.ts';

export interface DatabaseWriterOptions {
  /** First wait after SQLITE_BUSY; each further attempt waits twice as long, up to `retryMaxMs`. */
  retryMinMs: number;
  retryMaxMs: number;
  /**
   * How long stop() waits for another process's lock before refusing what is still queued. A blocking wait: by then
   * the fleet serves nothing (HTTP and the broker stopped first), and a command answer or a lifecycle version still
   * queued would otherwise be lost. Default {@link STOP_LOCK_WAIT_MS}.
   */
  stopWaitMs?: number;
}

export const STOP_LOCK_WAIT_MS = 2_000;

export interface WriteOptions {
  /**
   * Give up when the write has not landed after this long: the promise rejects with `STORAGE_BUSY` and the write
   * is taken out of the queue, so it never lands later. Without it the write waits as long as the lock is held.
   */
  deadlineMs?: number;
}

export interface WriterStats {
  /** Writes committed. */
  written: number;
  /** Attempts that found the database locked by another connection. */
  busyAttempts: number;
  /** Writes given up at their deadline. */
  expired: number;
  /** Writes waiting now. */
  waiting: number;
}

interface QueuedWrite {
  label: string;
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  deadline: TimerHandle | undefined;
}

/**
 * The fleet's one way to write to its database without blocking the event loop.
 *
 * better-sqlite3 is synchronous: a statement that meets another connection's lock (a backup tool, an operator's
 * `sqlite3` shell in `BEGIN EXCLUSIVE`) waits inside SQLite for up to `busy_timeout`, and with it every MQTT
 * client, HTTP request and timer of the process. The fleet therefore opens its connection with a short
 * `busy_timeout` and writes through this queue: a write runs at once when nothing waits before it, in its own
 * `BEGIN IMMEDIATE` transaction (the lock is taken before any statement runs, so a busy attempt changes nothing);
 * when the database is locked it waits, with every write after it, and a timer tries the oldest again with
 * exponential backoff. Writes land in the order they were made. Reads are not queued: in WAL mode they go on while
 * another connection holds the write lock.
 */
export class DatabaseWriter {
  private readonly queue: QueuedWrite[] = [];
  private retryTimer: TimerHandle | undefined;
  private retryDelayMs: number;
  private stopped = false;
  private readonly counters = { written: 0, busyAttempts: 0, expired: 0 };

  constructor(
    private readonly db: Database,
    private readonly options: DatabaseWriterOptions,
    private readonly log: Logger,
    /** Times the retries after SQLITE_BUSY and the writes' deadlines. */
    private readonly clock: Clock,
  ) {
    this.retryDelayMs = options.retryMinMs;
  }

  /**
   * Runs `run` in a transaction, after every write queued before it; resolves with its result once committed.
   * `run` may be called more than once (each busy attempt is rolled back), so it must only touch the database.
   * A write that fails for another reason than a lock rejects alone; the writes after it go on.
   */
  write<T>(label: string, run: () => T, options: WriteOptions = {}): Promise<T> {
    if (this.stopped) return Promise.reject(new FleetError('STORAGE_BUSY', `${label}: the fleet is stopping`));
    return new Promise<T>((resolve, reject) => {
      const entry: QueuedWrite = {
        label,
        run,
        resolve: resolve as (value: unknown) => void,
        reject,
        deadline: undefined,
      };
      this.queue.push(entry);
      if (this.queue.length === 1) {
        this.drain();
        if (this.queue[0] !== entry) return;
      }
      if (options.deadlineMs !== undefined) {
        entry.deadline = this.clock.setTimeout(() => this.expire(entry), options.deadlineMs);
      }
    });
  }

  /** A write nobody waits for (presence, last-seen times): in order like the others; a failure is logged. */
  submit(label: string, run: () => void): void {
    this.write(label, run).catch((err: unknown) => this.log.error({ err, label }, 'write failed'));
  }

  /** True while writes wait for a lock held by another connection. */
  get blocked(): boolean {
    return this.queue.length > 0;
  }

  stats(): WriterStats {
    return { ...this.counters, waiting: this.queue.length };
  }

  /**
   * Makes what waits, blocking up to `stopWaitMs` for another process's lock, then refuses the rest with
   * `STORAGE_BUSY`. Refused at that point: telemetry that was never acknowledged (its device sends it again), presence
   * (rebuilt at start) and shadow updates (never answered) lose nothing; a command's status change (its device's
   * answer was already acknowledged: the command times out after the restart) and a lifecycle `versionNumber` (it
   * repeats) do, which is why stop() waits before refusing.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.queue.length > 0) {
      const busyTimeout = this.db.pragma('busy_timeout', { simple: true });
      this.db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(this.options.stopWaitMs ?? STOP_LOCK_WAIT_MS))}`);
      try {
        this.drain();
      } finally {
        this.db.pragma(`busy_timeout = ${Number(busyTimeout)}`);
      }
    }
    const left = this.queue.splice(0);
    if (left.length > 0) this.log.warn({ writes: left.length }, 'database still locked at stop: writes not made');
    for (const entry of left) {
      this.clock.clearTimeout(entry.deadline);
      entry.reject(new FleetError('STORAGE_BUSY', `${entry.label}: the database is locked and the fleet is stopping`));
    }
  }

  private drain(): void {
    this.retryTimer = undefined;
    while (this.queue.length > 0) {
      const head = this.queue[0] as QueuedWrite;
      let value: unknown;
      try {
        value = this.db.transaction(head.run).immediate();
      } catch (err) {
        if (isSqliteBusy(err)) {
          this.waitForLock(head);
          return;
        }
        this.settle(head);
        head.reject(err);
        continue;
      }
      this.counters.written++;
      this.settle(head);
      head.resolve(value);
    }
    if (this.retryDelayMs > this.options.retryMinMs) this.log.info('database lock released: queued writes made');
    this.retryDelayMs = this.options.retryMinMs;
  }

  private waitForLock(head: QueuedWrite): void {
    this.counters.busyAttempts++;
    if (this.retryDelayMs === this.options.retryMinMs) {
      this.log.warn({ label: head.label, waiting: this.queue.length }, 'database locked by another connection');
    }
    if (this.stopped) return;
    this.retryTimer = this.clock.setTimeout(() => this.drain(), this.retryDelayMs);
    this.retryDelayMs = Math.min(this.options.retryMaxMs, this.retryDelayMs * 2);
  }

  private expire(entry: QueuedWrite): void {
    const index = this.queue.indexOf(entry);
    if (index < 0) return;
    this.queue.splice(index, 1);
    this.counters.expired++;
    entry.reject(new FleetError('STORAGE_BUSY', `${entry.label}: the database stayed locked`));
    if (this.queue.length === 0) {
      this.clock.clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.retryDelayMs = this.options.retryMinMs;
    }
  }

  private settle(entry: QueuedWrite): void {
    this.queue.shift();
    this.clock.clearTimeout(entry.deadline);
  }
}
