import type { Clock, TimerHandle } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import { SchemaValidator } from '../../platform/schema-validator.ts';
import type { Stats } from '../../protocol/api/system.ts';
import {
  type DataMessage,
  DataMessageJsonSchema,
  type DataRefusalCode,
  MAX_DATA_PAYLOAD_BYTES,
  type MetricValue,
} from '../../protocol/telemetry.ts';
import { DATA_STREAMS, type DataStream, dataTopics, parseDataTopic } from '../../protocol/topics.ts';
import type { DeviceBroker } from '../broker/device-broker.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';
import type {
  HistoryPoint,
  HistoryQuery,
  SeriesPoint,
  SeriesQuery,
  TelemetryRecord,
  TelemetryRepository,
} from './telemetry-repository.ts';
import { observedAt, timestampRefusal } from './trusted-time.ts';

export interface TelemetryIngestOptions {
  batchSize: number;
  flushIntervalMs: number;
  retentionDays: number;
  retentionSweepMs: number;
  /** Most messages accepted and not yet stored; beyond it new ones are withheld (not acknowledged). */
  maxPending: number;
  /** The accepted window of `ts` around the receive time (trusted-time.ts). */
  maxTsAheadMs: number;
  maxTsAgeDays: number;
}

export interface LatestValues {
  ts: number;
  receivedAt: number;
  metrics: Record<string, MetricValue>;
}

/** Ingest counters since start, as `GET /api/stats` answers them (the contract in protocol/api/system.ts). */
export type IngestStats = Stats['telemetry'];

/**
 * Device data from `dt/cartfleet/{thing}/{stream}`: validated where it enters, buffered, and written in batched
 * transactions through the fleet's `DatabaseWriter` (group commit: what arrives while a batch is written forms the
 * next one). The latest values per device and stream are kept in memory for the console; history comes from SQLite.
 *
 * A QoS 1 message is acknowledged only once the transaction holding it has committed, so "acknowledged" means
 * "stored". While the database is behind (locked by another process), accepted messages wait in memory, up to
 * `maxPending`; beyond that new messages are withheld (no PUBACK, the device sends them again) and nothing already
 * accepted is ever dropped.
 */
export class TelemetryIngest {
  private pending: TelemetryRecord[] = [];
  /** The PUBACKs of `pending`, index for index. */
  private acks: (() => void)[] = [];
  /** Messages of the batch being written (waiting for the database, or committing): acknowledged when it lands. */
  private writing = 0;
  /** Set while messages are withheld, so a full backlog is logged once per episode, not once per message. */
  private full = false;
  private flushTimer: TimerHandle | undefined;
  private sweepTimer: TimerHandle | undefined;
  private readonly latest = new Map<string, Map<DataStream, LatestValues>>();
  private readonly counters = { received: 0, stored: 0, duplicates: 0, rejected: 0, withheld: 0 };
  private readonly rejectedByCode: Partial<Record<DataRefusalCode, number>> = {};
  private running = false;
  private flushScheduled = false;
  private readonly validator = new SchemaValidator<DataMessage>(DataMessageJsonSchema);
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly repository: TelemetryRepository,
    private readonly writer: DatabaseWriter,
    private readonly broker: DeviceBroker,
    private readonly bus: EventBus<FleetEvents>,
    private readonly options: TelemetryIngestOptions,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  start(): void {
    this.running = true;
    // Device data is taken before the broker acknowledges it: PUBACK follows the transaction that stored it, so a
    // device's outbox deletes a message only once it is on disk, and a slow database slows the devices down
    // (their in-flight windows fill) instead of filling memory.
    this.unsubscribe = this.broker.gatePublishes(dataTopics.prefix(), (topic, payload, ack, withhold) =>
      this.accept(topic, payload, ack, withhold),
    );
    this.flushTimer = this.clock.setInterval(() => this.flush(), this.options.flushIntervalMs);
    this.sweepRetention();
    this.sweepTimer = this.clock.setInterval(() => this.sweepRetention(), this.options.retentionSweepMs);
  }

  stop(): void {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.clock.clearInterval(this.flushTimer);
    this.clock.clearInterval(this.sweepTimer);
    this.flush();
  }

  stats(): IngestStats {
    return { ...this.counters, rejectedByCode: { ...this.rejectedByCode }, pending: this.backlog() };
  }

  /** The latest values of one stream as held, without a copy: read-only (the device list reads 10,000 of these). */
  peekLatest(thingName: string, stream: DataStream): Readonly<LatestValues> | undefined {
    return this.latest.get(thingName)?.get(stream);
  }

  /** When anything was last received from a thing, over all streams. */
  lastReceivedAt(thingName: string): number | null {
    let at: number | null = null;
    for (const values of this.latest.get(thingName)?.values() ?? []) at = Math.max(at ?? 0, values.receivedAt);
    return at;
  }

  latestOf(thingName: string): Partial<Record<DataStream, LatestValues>> {
    const streams = [...(this.latest.get(thingName) ?? [])];
    return Object.fromEntries(streams.map(([stream, v]) => [stream, { ...v, metrics: { ...v.metrics } }]));
  }

  series(query: SeriesQuery): SeriesPoint[] {
    this.flush();
    return this.repository.series(query);
  }

  history(query: HistoryQuery): HistoryPoint[] {
    this.flush(); // a query sees what was received (up to one batch behind under load, or what a lock holds back)
    return this.repository.history(query);
  }

  /**
   * Fills the in-memory latest values from the database (after a restart), one indexed lookup per device and
   * stream, so the console shows the last known readings of devices that have not reported since.
   */
  warmLatest(thingNames: string[]): void {
    for (const thingName of thingNames) {
      for (const stream of DATA_STREAMS) {
        const newest = this.repository.newest(thingName, stream, this.options.maxTsAheadMs);
        if (newest) this.updateLatest(thingName, stream, newest.ts, newest.receivedAt, newest.metrics);
      }
    }
  }

  /**
   * Writes what is buffered, up to `batchSize` messages in one transaction, then acknowledges them to the devices;
   * the rest follows on the next event-loop turns (a backlog built up during a lock is written without holding the
   * loop for long). When the database is free the batch is committed before this returns; while it is locked the
   * batch waits in the writer, one batch at a time.
   */
  flush(): void {
    if (this.pending.length === 0 || this.writing > 0) return;
    const whole = this.pending.length <= this.options.batchSize;
    const batch = whole ? this.pending : this.pending.splice(0, this.options.batchSize);
    const acks = whole ? this.acks : this.acks.splice(0, this.options.batchSize);
    if (whole) {
      this.pending = [];
      this.acks = [];
    }
    this.writing = batch.length;
    let failed = false;
    this.writer
      .write('telemetry batch', () => this.repository.insertMany(batch))
      .then(
        (stored) => {
          this.counters.stored += stored;
          this.counters.duplicates += batch.length - stored;
          for (const ack of acks) ack();
          // Ingest lag: from receipt of the oldest message of the batch to its commit.
          const now = this.clock.now();
          this.lastLagMs = now - (batch[0]?.receivedAt ?? now);
          this.onFlush?.(this.lastLagMs / 1000, batch.length);
        },
        (err: unknown) => {
          // Not written and not acknowledged: kept, first in line, for the next flush (or, if the fleet stops
          // now, sent again by the devices, whose PUBACKs never came).
          this.log.error({ err, size: batch.length }, 'telemetry batch not written; will retry');
          failed = true;
          this.pending = batch.concat(this.pending);
          this.acks = acks.concat(this.acks);
        },
      )
      .finally(() => {
        this.writing = 0;
        if (this.full && this.backlog() < this.options.maxPending) {
          this.full = false;
          this.log.info({ withheld: this.counters.withheld }, 'telemetry backlog has room again');
        }
        // The writer waits out another connection's lock itself; a batch that failed for another reason (a full or
        // failing disk) is tried again on the flush interval, not on every turn of the event loop.
        if (this.running && this.pending.length > 0 && !failed) this.scheduleFlush();
      });
  }

  /** Called after every committed batch with the ingest lag (seconds) of its oldest message; for metrics. */
  onFlush: ((lagSeconds: number, size: number) => void) | undefined;
  private lastLagMs = 0;

  private accept(topic: string, payload: Buffer, ack: () => void, withhold: () => void): void {
    this.counters.received++;
    const parsed = parseDataTopic(topic);
    if (!parsed) {
      this.reject(ack, topic, 'TOPIC_UNKNOWN', 'not a known data stream');
      return;
    }
    if (payload.length > MAX_DATA_PAYLOAD_BYTES) {
      this.reject(ack, topic, 'PAYLOAD_TOO_LARGE', `${payload.length} bytes exceeds ${MAX_DATA_PAYLOAD_BYTES}`);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      this.reject(ack, topic, 'PAYLOAD_INVALID_JSON', 'payload is not JSON');
      return;
    }
    const result = this.validator.check(json);
    if (!result.ok) {
      this.reject(ack, topic, 'PAYLOAD_SCHEMA', result.reason);
      return;
    }
    const message = result.value;
    const receivedAt = this.clock.now();
    const refusal = timestampRefusal(message.ts, receivedAt, {
      maxAheadMs: this.options.maxTsAheadMs,
      maxAgeMs: this.options.maxTsAgeDays * 86_400_000,
    });
    if (refusal) {
      this.reject(ack, topic, 'TELEMETRY_TS_OUT_OF_RANGE', refusal);
      return;
    }
    if (this.backlog() >= this.options.maxPending) {
      this.withhold(withhold, topic);
      return;
    }
    this.acks.push(ack);
    this.pending.push({
      thingName: parsed.thingName,
      stream: parsed.stream,
      // A last will is configured once per device process, so its msgId repeats: each receipt is its own event.
      msgId: parsed.stream === 'status' ? `${message.msgId}@${receivedAt}` : message.msgId,
      ts: message.ts,
      receivedAt,
      metrics: message.metrics,
    });
    this.updateLatest(parsed.thingName, parsed.stream, message.ts, receivedAt, message.metrics);
    // Most fleets have no in-process listener yet; building the event for nobody would cost every message.
    if (this.bus.listenerCount('telemetry.received') > 0) {
      this.bus.emit('telemetry.received', {
        thingName: parsed.thingName,
        stream: parsed.stream,
        msgId: message.msgId,
        ts: message.ts,
        observedAt: observedAt(message.ts, receivedAt),
        metrics: message.metrics,
      });
    }
    if (this.pending.length >= this.options.batchSize && this.running) this.flush();
    else if (this.running) this.scheduleFlush();
  }

  /** Group commit: everything that arrives before the event loop comes round again shares one transaction. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    // Devices wait for their PUBACK until the commit, so waiting for a timer here would cap each device's rate.
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Accepted and not yet stored: what waits to be written and what is being written. */
  private backlog(): number {
    return this.pending.length + this.writing;
  }

  private updateLatest(
    thingName: string,
    stream: DataStream,
    ts: number,
    receivedAt: number,
    metrics: Record<string, MetricValue>,
  ): void {
    let streams = this.latest.get(thingName);
    if (!streams) {
      streams = new Map();
      this.latest.set(thingName, streams);
    }
    const current = streams.get(stream);
    if (!current) {
      streams.set(stream, { ts, receivedAt, metrics: { ...metrics } });
      return;
    }
    // An outbox replay delivers old messages after new ones: only newer readings replace the latest, newer by the
    // time the fleet trusts (trusted-time.ts), so a device clock running ahead cannot hold a reading in place.
    if (observedAt(current.ts, current.receivedAt) > observedAt(ts, receivedAt)) return;
    current.ts = ts;
    current.receivedAt = receivedAt;
    Object.assign(current.metrics, metrics);
  }

  /**
   * The backlog is full: the message is refused without a PUBACK, so the device keeps it and sends it again (its
   * outbox after `ackTimeoutMs`, any MQTT client after a reconnect), and the fleet stores it then, once (msgId).
   */
  private withhold(withhold: () => void, topic: string): void {
    withhold();
    this.counters.withheld++;
    if (!this.full) {
      this.full = true;
      this.log.warn(
        { topic, maxPending: this.options.maxPending },
        'telemetry backlog full: new messages withheld (not acknowledged) until the database catches up',
      );
    }
  }

  /**
   * A bad message is acknowledged (MQTT has no negative PUBACK; unacknowledged, a device's outbox would send it
   * forever), not stored, logged with its code and counted by code.
   */
  private reject(ack: () => void, topic: string, code: DataRefusalCode, reason: string): void {
    ack();
    this.counters.rejected++;
    this.rejectedByCode[code] = (this.rejectedByCode[code] ?? 0) + 1;
    this.log.warn({ topic, code }, `telemetry refused: ${reason}`);
  }

  /** Deletes expired rows a slice at a time, yielding to the event loop between slices (the broker shares it). */
  private sweepRetention(): void {
    const cutoff = this.clock.now() - this.options.retentionDays * 86_400_000;
    const slice = 5000;
    let total = 0;
    const step = () => {
      try {
        const deleted = this.repository.deleteReceivedBefore(cutoff, slice, 1);
        total += deleted;
        if (deleted === slice && this.running) {
          setImmediate(step);
          return;
        }
        if (total > 0) this.log.info({ deleted: total }, 'telemetry retention sweep');
      } catch (err) {
        this.log.error({ err }, 'telemetry retention sweep failed');
      }
    };
    step();
  }
}
