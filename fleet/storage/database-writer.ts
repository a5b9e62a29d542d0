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

/** The most writes one transaction takes; a longer queue is made in several, one after the other. */
export const MAX_GROUP_WRITES = 500;

export interface WriteOptions {
  /**
   * Give up when the write has not landed after this long: the promise rejects with `STORAGE_BUSY` and the write
   * is taken out of the queue, so it never lands later. Without it the write waits as long as the lock is held.
   */
  deadlineMs?: number;
  /**
   * Joins the other writes made in this event-loop turn: they are made together, each in its own savepoint of one
   * transaction, once the turn's I/O callbacks have run (`setImmediate`), instead of one transaction (one commit)
   * each. The promise still resolves only once committed, one turn later. A write that throws rolls back its own
   * savepoint and rejects alone. For bursts of small writes (orders and their payments at checkout), where the
   * commit, not the statements, is what costs (docs/benchmarks.md, Checkout burst).
   */
  groupCommit?: boolean;
}

export interface WriterStats {
  /** Writes committed. */
  written: number;
  /** Transactions committed: fewer than `written` where writes were made together. */
  transactions: number;
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

/** The options of a write that joins its turn's group commit (checkout's orders, payments, points and coupons). */
export const GROUP_COMMIT: Readonly<WriteOptions> = Object.freeze({ groupCommit: true });

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };

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
 *
 * What waits is made together: the writes queued when the lock lets go, or the `groupCommit` writes of one
 * event-loop turn, run in one `BEGIN IMMEDIATE` transaction (up to {@link MAX_GROUP_WRITES}), each in its own
 * savepoint, so that one that throws is rolled back and rejected alone and the others commit.
 */
export class DatabaseWriter {
  private readonly queue: QueuedWrite[] = [];
  private retryTimer: TimerHandle | undefined;
  /** Set while the queue waits for another connection's lock (the retry timer runs it). */
  private locked = false;
  /** The turn's group commit, when `groupCommit` writes wait for it. */
  private groupFlush: NodeJS.Immediate | undefined;
  private retryDelayMs: number;
  private stopped = false;
  private readonly counters = { written: 0, transactions: 0, busyAttempts: 0, expired: 0 };

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
      if (this.locked) {
        // Waits with the others for the lock: the retry timer makes it.
      } else if (options.groupCommit) {
        this.groupFlush ??= setImmediate(() => {
          this.groupFlush = undefined;
          if (!this.locked) this.drain();
        });
      } else {
        // Made now, with the turn's group-commit writes queued before it (writes land in the order they were made).
        this.drain();
        if (!this.queue.includes(entry)) return;
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
    return this.locked;
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
    if (this.groupFlush) clearImmediate(this.groupFlush);
    this.groupFlush = undefined;
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
      const group = this.queue.slice(0, MAX_GROUP_WRITES);
      let outcomes: Outcome[];
      try {
        outcomes = this.db.transaction(() => this.runGroup(group)).immediate();
      } catch (err) {
        if (isSqliteBusy(err)) {
          this.waitForLock(group[0] as QueuedWrite);
          return;
        }
        // The transaction itself failed (a write alone in it threw, or the commit failed): nothing of it landed.
        outcomes = group.map(() => ({ ok: false, err }));
      }
      if (outcomes.some((o) => o.ok)) this.counters.transactions++;
      this.queue.splice(0, group.length);
      group.forEach((entry, i) => {
        this.clock.clearTimeout(entry.deadline);
        const outcome = outcomes[i] as Outcome;
        if (outcome.ok) {
          this.counters.written++;
          entry.resolve(outcome.value);
        } else entry.reject(outcome.err);
      });
    }
    this.locked = false;
    if (this.retryDelayMs > this.options.retryMinMs) this.log.info('database lock released: queued writes made');
    this.retryDelayMs = this.options.retryMinMs;
  }

  /**
   * Inside the group's transaction: a write alone runs as it is (what it throws ends the transaction); several each
   * run in a savepoint (better-sqlite3's nested transaction), so one that throws is rolled back alone. SQLITE_BUSY
   * is never caught here: the whole group is rolled back and waits for the lock.
   */
  private runGroup(group: readonly QueuedWrite[]): Outcome[] {
    if (group.length === 1) return [{ ok: true, value: (group[0] as QueuedWrite).run() }];
    return group.map((entry) => {
      try {
        return { ok: true, value: this.db.transaction(entry.run)() };
      } catch (err) {
        if (isSqliteBusy(err)) throw err;
        return { ok: false, err };
      }
    });
  }

  private waitForLock(head: QueuedWrite): void {
    this.locked = true;
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
      this.locked = false;
      this.retryDelayMs = this.options.retryMinMs;
    }
  }
}
