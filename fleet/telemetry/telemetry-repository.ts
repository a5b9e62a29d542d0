import type { MetricValue } from '../../protocol/telemetry.ts';
import type { DataStream } from '../../protocol/topics.ts';
import type { Database } from '../storage/database.ts';

export interface TelemetryRecord {
  thingName: string;
  stream: DataStream;
  msgId: string;
  ts: number;
  receivedAt: number;
  metrics: Record<string, MetricValue>;
}

export interface HistoryQuery {
  thingName: string;
  stream?: DataStream;
  metric?: string;
  from: number;
  to: number;
  limit: number;
}

export interface SeriesQuery {
  thingName: string;
  metric: string;
  from: number;
  to: number;
  bucketMs: number;
}

/** `[bucket start, average, minimum, maximum]` */
export type SeriesPoint = [number, number, number, number];

export interface HistoryPoint {
  ts: number;
  msgId: string;
  metrics: Record<string, MetricValue>;
}

/**
 * Telemetry messages, one row each, deduplicated on (thing, msgId): a device's outbox may send a message twice
 * (QoS 1 redelivery, resend after reconnect) and it is stored once.
 */
export class TelemetryRepository {
  private readonly insertOne;
  private readonly insertBatch;

  constructor(private readonly db: Database) {
    this.insertOne = db.prepare(
      `INSERT OR IGNORE INTO telemetry (thing_name, stream, msg_id, ts, received_at, metrics)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.insertBatch = db.transaction((records: TelemetryRecord[]) => {
      let stored = 0;
      for (const r of records) {
        stored += this.insertOne.run(
          r.thingName,
          r.stream,
          r.msgId,
          r.ts,
          r.receivedAt,
          JSON.stringify(r.metrics),
        ).changes;
      }
      return stored;
    });
  }

  /** Writes the batch in one transaction; returns how many were new (the rest were duplicates). */
  insertMany(records: TelemetryRecord[]): number {
    return this.insertBatch(records) as number;
  }

  /**
   * One numeric metric over a time range in fixed buckets (average, minimum, maximum), aggregated by SQLite so a
   * week of readings never crosses into JavaScript row by row. Reads the telemetry and health streams.
   */
  series(query: SeriesQuery): SeriesPoint[] {
    const rows = this.db
      .prepare(
        // better-sqlite3 binds a JS number as REAL: cast, or the division keeps the fraction and nothing groups.
        // Buckets start at `from`, so a chart's first point is the start of its range.
        `SELECT CAST(@from AS INTEGER) + ((ts - CAST(@from AS INTEGER)) / CAST(@bucketMs AS INTEGER)) * CAST(@bucketMs AS INTEGER) AS t,
           AVG(v) AS avg, MIN(v) AS min, MAX(v) AS max FROM (
           SELECT ts, json_extract(metrics, '$."' || @metric || '"') AS v FROM telemetry
           WHERE thing_name = @thingName AND stream IN ('telemetry', 'health') AND ts >= @from AND ts <= @to
         ) WHERE typeof(v) IN ('integer', 'real') GROUP BY t ORDER BY t`,
      )
      .all(query) as { t: number; avg: number; min: number; max: number }[];
    return rows.map((r) => [r.t, round(r.avg), r.min, r.max]);
  }

  history(query: HistoryQuery): HistoryPoint[] {
    const where = ['thing_name = @thingName', 'ts >= @from', 'ts <= @to'];
    if (query.stream) where.push('stream = @stream');
    // Metric names are [a-zA-Z][a-zA-Z0-9_.]* (validated at ingest and in the API), so quoting them is safe.
    if (query.metric !== undefined) where.push(`json_type(metrics, '$."' || @metric || '"') IS NOT NULL`);
    const rows = this.db
      .prepare(
        `SELECT ts, msg_id, metrics FROM telemetry WHERE ${where.join(' AND ')} ORDER BY ts DESC, id DESC LIMIT @limit`,
      )
      .all({ ...query, stream: query.stream ?? null, metric: query.metric ?? null }) as {
      ts: number;
      msg_id: string;
      metrics: string;
    }[];
    const points: HistoryPoint[] = [];
    for (const row of rows.reverse()) {
      const metrics = JSON.parse(row.metrics) as Record<string, MetricValue>;
      if (query.metric !== undefined) {
        if (!(query.metric in metrics)) continue;
        points.push({ ts: row.ts, msgId: row.msg_id, metrics: { [query.metric]: metrics[query.metric] ?? null } });
      } else {
        points.push({ ts: row.ts, msgId: row.msg_id, metrics });
      }
    }
    return points;
  }

  /**
   * The newest message of a device's stream by the time the fleet trusts, `min(ts, received_at)`
   * (trusted-time.ts), ties to the later arrival. Every stored `ts` is at most `maxTsAheadMs` ahead of its
   * `received_at`, so the newest lies within `maxTsAheadMs` below the largest `ts`: the (thing, stream, ts) index
   * finds that range, and only its few rows are compared.
   */
  newest(thingName: string, stream: DataStream, maxTsAheadMs: number): TelemetryRecord | undefined {
    const row = this.db
      .prepare(
        `SELECT msg_id, ts, received_at, metrics FROM telemetry
         WHERE thing_name = @thingName AND stream = @stream
           AND ts >= (SELECT max(ts) FROM telemetry WHERE thing_name = @thingName AND stream = @stream) - @maxTsAheadMs
         ORDER BY min(ts, received_at) DESC, id DESC LIMIT 1`,
      )
      .get({ thingName, stream, maxTsAheadMs }) as
      | { msg_id: string; ts: number; received_at: number; metrics: string }
      | undefined;
    if (!row) return undefined;
    return {
      thingName,
      stream,
      msgId: row.msg_id,
      ts: row.ts,
      receivedAt: row.received_at,
      metrics: JSON.parse(row.metrics),
    };
  }

  count(thingName?: string): number {
    const row = (
      thingName === undefined
        ? this.db.prepare('SELECT count(*) AS n FROM telemetry').get()
        : this.db.prepare('SELECT count(*) AS n FROM telemetry WHERE thing_name = ?').get(thingName)
    ) as { n: number };
    return row.n;
  }

  /**
   * Deletes messages received before `cutoff`, in slices so the writer is never blocked for long. Rows are inserted
   * in order of receipt, so `received_at` never decreases with the rowid: a binary search over the rowid finds the
   * boundary in O(log n) lookups without an index on `received_at` (which would cost every ingested row).
   */
  deleteReceivedBefore(cutoff: number, slice = 5000, maxSlices = Number.POSITIVE_INFINITY): number {
    const boundary = this.firstIdReceivedAtOrAfter(cutoff);
    const stmt = this.db.prepare('DELETE FROM telemetry WHERE id IN (SELECT id FROM telemetry WHERE id < ? LIMIT ?)');
    let total = 0;
    for (let slices = 0; slices < maxSlices; slices++) {
      const n = stmt.run(boundary, slice).changes;
      total += n;
      if (n < slice) break;
    }
    return total;
  }

  private firstIdReceivedAtOrAfter(cutoff: number): number {
    const bounds = this.db.prepare('SELECT min(id) AS lo, max(id) AS hi FROM telemetry').get() as {
      lo: number | null;
      hi: number | null;
    };
    if (bounds.lo === null || bounds.hi === null) return 0;
    const at = this.db.prepare('SELECT id, received_at FROM telemetry WHERE id >= ? ORDER BY id LIMIT 1');
    let lo = bounds.lo;
    let hi = bounds.hi + 1; // the answer is in [lo, hi]; hi means "every row is older"
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const row = at.get(mid) as { id: number; received_at: number } | undefined;
      if (!row) {
        hi = mid;
      } else if (row.received_at >= cutoff) {
        hi = Math.min(mid, row.id);
      } else {
        lo = row.id + 1;
      }
    }
    return lo;
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
