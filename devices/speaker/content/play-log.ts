import { join } from 'node:path';
import type { Clock, TimerHandle } from '../../../platform/clock.ts';
import type { Logger } from '../../../platform/log.ts';
import { SchemaValidator } from '../../../platform/schema-validator.ts';
import { openSqlite, type SqliteDatabase } from '../../../platform/sqlite.ts';
import { playTopics } from '../../../protocol/broadcast/device-content.ts';
import { type PlayBatch, type PlayRecord, PlayRecordSchema } from '../../../protocol/broadcast/proof-of-play.ts';
import { FleetError } from '../../../protocol/errors.ts';
import type { Outbox } from '../../core/outbox.ts';
import type { Reachability } from './content-cache.ts';

/** Plays per message: a full batch stays far below the broker's 128 KiB payload limit (~450 bytes a play). */
export const PLAYS_PER_BATCH = 100;

export interface PlayLogOptions {
  /** Plays logged within this long of each other (online) go out in one batch. */
  batchDelayMs: number;
}

const MIGRATIONS = [
  {
    version: 1,
    name: 'plays waiting to be batched into the outbox',
    sql: 'CREATE TABLE plays (seq INTEGER PRIMARY KEY AUTOINCREMENT, play_id TEXT NOT NULL, record TEXT NOT NULL)',
  },
];

const recordSchema = new SchemaValidator<PlayRecord>(PlayRecordSchema);

/**
 * Proof of play on the speaker (issue 9 item 8): every play is written to `plays.sqlite` when it is logged, then
 * moved in batches (PlayBatch, up to {@link PLAYS_PER_BATCH}) into the device outbox on `dt/cartfleet/{thing}/plays`,
 * which sends them at QoS 1 and deletes them only once the fleet has stored them. Offline, plays pile up here and
 * leave as a few full batches on reconnect instead of one message each. A batch is written to the outbox before its
 * plays are deleted here: a crash in between sends them twice, and the fleet stores each playId once.
 */
export class PlayLog {
  private db: SqliteDatabase | undefined;
  private timer: TimerHandle | undefined;
  private readonly kick = () => this.flush();

  constructor(
    private readonly thingName: string,
    private readonly dataDir: string,
    private readonly outbox: Outbox,
    private readonly network: Reachability,
    private readonly options: PlayLogOptions,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  start(): void {
    this.db = openSqlite(join(this.dataDir, 'plays.sqlite'), MIGRATIONS, this.log);
    this.network.on('online', this.kick);
    if (this.network.online) this.flush();
  }

  stop(): void {
    this.network.off('online', this.kick);
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.db?.close();
    this.db = undefined;
  }

  /** Logs a play (the player calls this when a play ends); it reaches the fleet whenever the speaker is online. */
  record(play: PlayRecord): void {
    const checked = recordSchema.check(play);
    if (!checked.ok) throw new FleetError('PAYLOAD_SCHEMA', `play record: ${checked.reason}`);
    this.requireDb()
      .prepare('INSERT INTO plays (play_id, record) VALUES (?, ?)')
      .run(play.playId, JSON.stringify(checked.value));
    if (!this.network.online || this.timer) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.options.batchDelayMs);
  }

  /** Plays logged and not yet handed to the outbox. */
  waiting(): number {
    return (this.requireDb().prepare('SELECT count(*) AS n FROM plays').get() as { n: number }).n;
  }

  /** Moves every waiting play into the outbox, in batches. */
  flush(): void {
    const db = this.db;
    if (!db) return;
    for (;;) {
      const rows = db.prepare('SELECT seq, record FROM plays ORDER BY seq LIMIT ?').all(PLAYS_PER_BATCH) as {
        seq: number;
        record: string;
      }[];
      const last = rows.at(-1);
      if (!last) return;
      const batch: PlayBatch = { plays: rows.map((r) => JSON.parse(r.record) as PlayRecord) };
      this.outbox.enqueue(playTopics.publish(this.thingName), JSON.stringify(batch));
      db.prepare('DELETE FROM plays WHERE seq <= ?').run(last.seq);
      this.log.debug({ plays: rows.length }, 'plays handed to the outbox');
    }
  }

  private requireDb(): SqliteDatabase {
    if (!this.db) throw new FleetError('INTERNAL', 'PlayLog used before start()');
    return this.db;
  }
}
