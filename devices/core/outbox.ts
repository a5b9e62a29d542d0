import { join } from 'node:path';
import { type Clock, type TimerHandle, withTimeout } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import { openSqlite, type SqliteDatabase } from '../../platform/sqlite.ts';

/** What the outbox sends through: the device connection, or a fake in unit tests. */
/**
 * Why a connection went offline, as far as the outbox cares: `closedByPeer` is true when the other end closed the
 * socket (the fleet closing a connection that published where its policy does not allow, or stopping), false for
 * a keep-alive timeout, a local close or anything else.
 */
export type OfflineListener = (reason?: string, closedByPeer?: boolean) => void;

export interface OutboxTransport {
  readonly online: boolean;
  publish(topic: string, payload: string): Promise<void>;
  on(event: 'online', listener: () => void): unknown;
  on(event: 'offline', listener: OfflineListener): unknown;
  off(event: 'online', listener: () => void): unknown;
  off(event: 'offline', listener: OfflineListener): unknown;
}

/**
 * How soon after a send the peer must close the connection for the close to count against the message: AWS IoT
 * Core and this fleet close a connection as soon as it publishes where its policy does not allow, within a round
 * trip. A close later than this (a fleet restart while the message waited for its PUBACK, a network that failed
 * meanwhile) blames nothing.
 */
export const REFUSAL_CLOSE_WINDOW_MS = 2_000;

export interface OutboxOptions {
  maxMessages: number;
  batchSize: number;
  ackTimeoutMs: number;
  /**
   * A message is given up (deleted, logged, counted as undeliverable) once this many of its sends ended with the
   * fleet closing the connection within {@link REFUSAL_CLOSE_WINDOW_MS} while it was unacknowledged: the fleet closes
   * a connection that publishes where its policy does not allow, so such a message would otherwise be sent, and the
   * connection closed, forever. A keep-alive timeout or a later close never counts.
   */
  maxAttempts: number;
}

/** A message the outbox gave up on (see `OutboxOptions.maxAttempts`). */
export interface UndeliverableMessage {
  topic: string;
  attempts: number;
}

interface Row {
  id: number;
  topic: string;
  payload: string;
  attempts: number;
}

/**
 * Wait after a message went unacknowledged before sending again from the oldest: resending at once would only time
 * out again while the connection is down or the broker is slow.
 */
export const OUTBOX_RETRY_MS = 1000;

const MIGRATIONS = [
  {
    version: 1,
    name: 'outbox',
    sql: `CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload TEXT NOT NULL,
            created_at INTEGER NOT NULL)`,
  },
  {
    version: 2,
    name: 'sends of a message that ended with the connection closing',
    sql: 'ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0',
  },
];

/**
 * Store-and-forward for everything a device must not lose (telemetry, events): each message is written to a local
 * SQLite file first, then published at QoS 1 in order, and deleted only once the broker acknowledged it. A message
 * may therefore be sent twice (acknowledgement lost in a disconnect): every payload carries a unique msgId and the
 * fleet stores it once. Survives process restarts, broker restarts and long offline periods (bounded by
 * `maxMessages`; the oldest are dropped, counted and logged beyond it).
 *
 * `hold()` stops sending while the transport is online, without stopping the outbox: messages keep being written to
 * disk, and `release()` sends them, in order. The device runtime holds it from each (re)connect until the fleet has
 * shown it lets the device act (a subscription granted), so that a thing pending approval never publishes (a refused
 * PUBLISH closes the connection).
 *
 * A message the fleet refuses (its policy does not allow the topic) closes the connection each time it is sent. Each
 * send of a message that ends with the peer closing the connection within {@link REFUSAL_CLOSE_WINDOW_MS} is counted
 * on its row (a network failure, a keep-alive timeout or a later close is not: such drops say nothing about the
 * message); a message with such a count is sent alone, so that only the message that closes the connection is
 * blamed, and after `maxAttempts` it is given up and reported to `onUndeliverable` listeners. An acknowledgement that arrives after its send timed out still
 * counts: the message is delivered.
 */
export class Outbox {
  private db: SqliteDatabase | undefined;
  /** The running drain, awaited by stop(). */
  private draining: Promise<void> | undefined;
  /** Set when a drain was asked for while one was finishing: it may already have found the queue empty. */
  private drainAgain = false;
  private running = false;
  private held = false;
  private retryTimer: TimerHandle | undefined;
  private readonly kick = () => this.drain();
  /** Times the transport went offline; a send during which this moved ended with the connection closing. */
  private connectionDrops = 0;
  /** The first drop since the latest send began: whether it can be blamed on what that send published. */
  private firstDrop: { at: number; closedByPeer: boolean } | undefined;
  private readonly countDrop: OfflineListener = (_reason, closedByPeer = false) => {
    this.connectionDrops++;
    this.firstDrop ??= { at: this.clock.now(), closedByPeer };
  };
  private readonly undeliverableListeners: ((message: UndeliverableMessage) => void)[] = [];
  private counters = { enqueued: 0, sent: 0, dropped: 0, failedAttempts: 0, undeliverable: 0 };

  constructor(
    private readonly dataDir: string,
    private readonly transport: OutboxTransport,
    private readonly options: OutboxOptions,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  start(): void {
    this.db = openSqlite(join(this.dataDir, 'outbox.sqlite'), MIGRATIONS, this.log);
    this.running = true;
    this.transport.on('online', this.kick);
    this.transport.on('offline', this.countDrop);
    this.drain();
  }

  /** Stops sending; what is still queued stays on disk for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimeout(this.retryTimer);
    this.transport.off('online', this.kick);
    this.transport.off('offline', this.countDrop);
    // A publish in flight ends with its acknowledgement or its ackTimeoutMs; its row stays until it is acknowledged.
    await this.draining;
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.db?.close();
    this.db = undefined;
  }

  /** Sends nothing until release(); enqueue() goes on writing to disk. May be called before start(). */
  hold(): void {
    this.held = true;
  }

  /** Sends what is queued, oldest first, and what comes next. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    this.drain();
  }

  /** Calls `listener` with every message given up as undeliverable. */
  onUndeliverable(listener: (message: UndeliverableMessage) => void): void {
    this.undeliverableListeners.push(listener);
  }

  /** True between hold() and release(). */
  get holding(): boolean {
    return this.held;
  }

  enqueue(topic: string, payload: string): void {
    const db = this.requireDb();
    db.prepare('INSERT INTO outbox (topic, payload, created_at) VALUES (?, ?, ?)').run(topic, payload, Date.now());
    this.counters.enqueued++;
    const excess = this.size() - this.options.maxMessages;
    if (excess > 0) {
      db.prepare('DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT ?)').run(excess);
      this.counters.dropped += excess;
      this.log.error(
        { dropped: excess, maxMessages: this.options.maxMessages },
        'outbox full: oldest messages dropped',
      );
    }
    this.drain();
  }

  size(): number {
    return (this.requireDb().prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
  }

  stats(): {
    enqueued: number;
    sent: number;
    dropped: number;
    failedAttempts: number;
    undeliverable: number;
    queued: number;
  } {
    return { ...this.counters, queued: this.db ? this.size() : 0 };
  }

  private drain(): void {
    if (!this.running || this.held || !this.transport.online) return;
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.drainAgain = false;
    this.draining = this.drainLoop()
      .catch((err) => this.log.error({ err }, 'outbox drain failed'))
      .finally(() => {
        this.draining = undefined;
        if (this.drainAgain) this.drain();
      });
  }

  private async drainLoop(): Promise<void> {
    while (this.running && !this.held && this.transport.online && this.db) {
      const rows = this.nextRows(this.db);
      if (rows.length === 0) return;
      const drops = this.connectionDrops;
      const sentAt = this.clock.now();
      this.firstDrop = undefined;
      const results = await Promise.allSettled(
        rows.map((row) => withTimeout(this.send(row), this.options.ackTimeoutMs, this.clock)),
      );
      const failed = rows.filter((_, i) => results[i]?.status !== 'fulfilled');
      if (failed.length > 0) {
        this.counters.failedAttempts += failed.length;
        if (this.closedBecauseOf(drops, sentAt)) this.countAttempts(failed);
        // Not acknowledged (connection lost or slow broker): wait, then resend from the oldest.
        if (this.running) {
          this.clock.clearTimeout(this.retryTimer);
          this.retryTimer = this.clock.setTimeout(() => this.drain(), OUTBOX_RETRY_MS);
        }
        return;
      }
    }
  }

  /** The connection dropped during the send that began at `sentAt`, first by the peer closing it soon after. */
  private closedBecauseOf(drops: number, sentAt: number): boolean {
    const first = this.firstDrop;
    if (this.connectionDrops === drops || !first) return false;
    return first.closedByPeer && first.at - sentAt <= REFUSAL_CLOSE_WINDOW_MS;
  }

  /** The oldest message alone when an earlier send of it ended with the connection closing, else a batch of fresh ones. */
  private nextRows(db: SqliteDatabase): Row[] {
    const rows = db
      .prepare('SELECT id, topic, payload, attempts FROM outbox ORDER BY id LIMIT ?')
      .all(this.options.batchSize) as Row[];
    if (rows[0] && rows[0].attempts > 0) return [rows[0]];
    const suspect = rows.findIndex((row) => row.attempts > 0);
    return suspect < 0 ? rows : rows.slice(0, suspect);
  }

  /** Publishes a row; its acknowledgement deletes it whenever it comes, also after the send timed out. */
  private async send(row: Row): Promise<void> {
    await this.transport.publish(row.topic, row.payload);
    const deleted = this.db?.prepare('DELETE FROM outbox WHERE id = ?').run(row.id);
    if (deleted && deleted.changes > 0) this.counters.sent++;
  }

  /** One more send ended with the connection closing for each of `rows`; gives up those at `maxAttempts`. */
  private countAttempts(rows: Row[]): void {
    const db = this.requireDb();
    for (const row of rows) {
      const attempts = row.attempts + 1;
      if (attempts < this.options.maxAttempts) {
        db.prepare('UPDATE outbox SET attempts = ? WHERE id = ?').run(attempts, row.id);
        continue;
      }
      if (db.prepare('DELETE FROM outbox WHERE id = ?').run(row.id).changes === 0) continue;
      this.counters.undeliverable++;
      this.log.error(
        { topic: row.topic, attempts },
        'outbox: message given up as undeliverable (each send ended with the connection closing)',
      );
      for (const listener of this.undeliverableListeners) listener({ topic: row.topic, attempts });
    }
  }

  private requireDb(): SqliteDatabase {
    if (!this.db) throw new Error('Outbox used before start()');
    return this.db;
  }
}
