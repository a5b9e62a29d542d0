import { StatementCache } from '../../../platform/statement-cache.ts';
import type { PlayRecord } from '../../../protocol/broadcast/proof-of-play.ts';
import type { Database } from '../../storage/database.ts';

/** A play as stored: the record the speaker sent, who sent it, its store then, and when it arrived. */
export interface StoredPlay extends PlayRecord {
  thingName: string;
  storeId: string | null;
  receivedAt: number;
}

interface Row {
  play_id: string;
  thing_name: string;
  store_id: string | null;
  sha256: string;
  campaign_id: string | null;
  item_id: string | null;
  layer: string;
  trigger: string;
  scheduled_at: number | null;
  started_at: number;
  ended_at: number;
  outcome: string;
  volume: number;
  level_db_spl: number | null;
  manifest_version: number | null;
  received_at: number;
}

export interface PlayFilter {
  /** Plays that started in [from, to). */
  from?: number;
  to?: number;
  /** Only these stores (a scoped caller's, or the one asked for); undefined: every store. */
  storeIds?: readonly string[];
  thingName?: string;
  campaignId?: string;
  outcome?: string;
  trigger?: string;
}

export const PLAY_GROUPINGS = { campaign: 'campaign_id', store: 'store_id', thing: 'thing_name' } as const;
export type PlayGrouping = keyof typeof PLAY_GROUPINGS;

/** One group's totals (a campaign, a store or a speaker; `key` null for plays without a campaign). */
export interface PlayTotalsRow {
  key: string | null;
  plays: number;
  airtimeMs: number;
  completed: number;
  interrupted: number;
  skipped: number;
  pir: number;
  cart: number;
}

/** One group's plays on one day (UTC date of the start; the console charts these). */
export interface PlayDayRow {
  key: string | null;
  day: string;
  plays: number;
  airtimeMs: number;
}

/** Proof of play (migration 28): one row per playId, written in batches, read by the reports API. */
export class PlayRepository {
  private readonly statements: StatementCache;

  constructor(private readonly db: Database) {
    this.statements = new StatementCache(db);
  }

  /** Stores the plays not stored yet (a resend after a lost PUBACK changes nothing); returns how many were new. */
  insertMany(plays: readonly StoredPlay[]): number {
    const insert = this.statements.prepare(
      `INSERT OR IGNORE INTO broadcast_plays (play_id, thing_name, store_id, sha256, campaign_id, item_id, layer,
         trigger, scheduled_at, started_at, ended_at, outcome, volume, level_db_spl, manifest_version, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let stored = 0;
    for (const p of plays) {
      stored += insert.run(
        p.playId,
        p.thingName,
        p.storeId,
        p.sha256,
        p.campaignId,
        p.itemId,
        p.layer,
        p.trigger,
        p.scheduledAt,
        p.startedAt,
        p.endedAt,
        p.outcome,
        p.volume,
        p.levelDbSpl,
        p.manifestVersion,
        p.receivedAt,
      ).changes;
    }
    return stored;
  }

  /** Plays matching the filter, newest first, with the total count for paging. */
  list(filter: PlayFilter, limit: number, offset: number): { total: number; items: StoredPlay[] } {
    const { where, args } = whereClause(filter);
    const total = (this.db.prepare(`SELECT count(*) AS n FROM broadcast_plays ${where}`).get(...args) as { n: number })
      .n;
    const rows = this.db
      .prepare(`SELECT * FROM broadcast_plays ${where} ORDER BY started_at DESC, play_id LIMIT ? OFFSET ?`)
      .all(...args, limit, offset) as Row[];
    return { total, items: rows.map(toPlay) };
  }

  /** Totals per group. Airtime counts what was heard: a skipped play has none. */
  totals(groupBy: PlayGrouping, filter: PlayFilter): PlayTotalsRow[] {
    const column = PLAY_GROUPINGS[groupBy];
    const { where, args } = whereClause(filter);
    return this.db
      .prepare(
        `SELECT ${column} AS key, count(*) AS plays,
            sum(CASE WHEN outcome = 'skipped' THEN 0 ELSE max(ended_at - started_at, 0) END) AS airtimeMs,
            sum(outcome = 'completed') AS completed, sum(outcome = 'interrupted') AS interrupted,
            sum(outcome = 'skipped') AS skipped, sum(trigger = 'pir') AS pir, sum(trigger = 'cart') AS cart
           FROM broadcast_plays ${where} GROUP BY ${column} ORDER BY plays DESC, key`,
      )
      .all(...args) as PlayTotalsRow[];
  }

  /** Plays and airtime per group and UTC day of the start. */
  perDay(groupBy: PlayGrouping, filter: PlayFilter): PlayDayRow[] {
    const column = PLAY_GROUPINGS[groupBy];
    const { where, args } = whereClause(filter);
    return this.db
      .prepare(
        `SELECT ${column} AS key, date(started_at / 1000, 'unixepoch') AS day, count(*) AS plays,
            sum(CASE WHEN outcome = 'skipped' THEN 0 ELSE max(ended_at - started_at, 0) END) AS airtimeMs
           FROM broadcast_plays ${where} GROUP BY ${column}, day ORDER BY day, key`,
      )
      .all(...args) as PlayDayRow[];
  }

  count(): number {
    return (this.statements.prepare('SELECT count(*) AS n FROM broadcast_plays').get() as { n: number }).n;
  }
}

function whereClause(filter: PlayFilter): { where: string; args: unknown[] } {
  const clauses: string[] = [];
  const args: unknown[] = [];
  if (filter.from !== undefined) {
    clauses.push('started_at >= ?');
    args.push(filter.from);
  }
  if (filter.to !== undefined) {
    clauses.push('started_at < ?');
    args.push(filter.to);
  }
  if (filter.storeIds !== undefined) {
    clauses.push(`store_id IN (${filter.storeIds.map(() => '?').join(', ') || 'NULL'})`);
    args.push(...filter.storeIds);
  }
  const equal: [keyof PlayFilter, string][] = [
    ['thingName', 'thing_name'],
    ['campaignId', 'campaign_id'],
    ['outcome', 'outcome'],
    ['trigger', 'trigger'],
  ];
  for (const [key, column] of equal) {
    const value = filter[key];
    if (value === undefined) continue;
    clauses.push(`${column} = ?`);
    args.push(value);
  }
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', args };
}

function toPlay(row: Row): StoredPlay {
  return {
    playId: row.play_id,
    thingName: row.thing_name,
    storeId: row.store_id,
    sha256: row.sha256,
    campaignId: row.campaign_id,
    itemId: row.item_id,
    layer: row.layer as StoredPlay['layer'],
    trigger: row.trigger as StoredPlay['trigger'],
    scheduledAt: row.scheduled_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    outcome: row.outcome as StoredPlay['outcome'],
    volume: row.volume,
    levelDbSpl: row.level_db_spl,
    manifestVersion: row.manifest_version,
    receivedAt: row.received_at,
  };
}
