import type { Clock, TimerHandle } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import { SchemaValidator } from '../../platform/schema-validator.ts';
import type { ErrorCode } from '../../protocol/errors.ts';
import {
  parseRecognitionsTopic,
  type RecognitionBatch,
  RecognitionBatchSchema,
  recognitionTopics,
} from '../../protocol/vision/device-vision.ts';
import { recognitionRecordProblems } from '../../protocol/vision/recognition.ts';
import type { DeviceBroker } from '../broker/device-broker.ts';
import { type DatabaseWriter, GROUP_COMMIT } from '../storage/database-writer.ts';
import type { RecognitionRepository, RecognitionRow } from './recognition-repository.ts';

/** The largest recognitions message taken: 50 records with 10 candidates and scores each are about 120 KB. */
export const MAX_RECOGNITIONS_PAYLOAD_BYTES = 256 * 1024;

export interface RecognitionIngestStats {
  received: number;
  stored: number;
  rejected: number;
  rejectedByCode: Partial<Record<ErrorCode, number>>;
}

/**
 * Recognition records from `dt/cartfleet/{thing}/recognitions` (issue 11 items 6 and 8), as proof of play is taken
 * (`fleet/broadcast/plays/`): through the broker's publish gate, acknowledged once the transaction has committed (the
 * cart's outbox deletes the batch only then); a malformed batch (not JSON, not the schema, a record that does not
 * hold together) is acknowledged and refused with a code, logged and counted, and stores nothing. The topic's thing
 * is the connection's own (the broker's policy), and the store is the registry's for it, not the record's word. One
 * row per cart and record id, the latest outcome (`RecognitionRepository.upsertMany`). Records older than the
 * retention are deleted hourly.
 */
export class RecognitionIngest {
  private unsubscribe: (() => void) | undefined;
  private sweep: TimerHandle | undefined;
  private readonly validator = new SchemaValidator<RecognitionBatch>(RecognitionBatchSchema);
  private readonly counters = { received: 0, stored: 0, rejected: 0 };
  private readonly rejectedByCode: Partial<Record<ErrorCode, number>> = {};

  constructor(
    private readonly deps: {
      repository: RecognitionRepository;
      writer: DatabaseWriter;
      broker: DeviceBroker;
      storeOf: (thingName: string) => string | null;
      /** Records stored: their contributions (if any) join the truth's product. */
      onStored?: (rows: RecognitionRow[]) => void;
      log: Logger;
      clock: Clock;
    },
    private readonly options: { retentionDays: number; sweepMs?: number },
  ) {}

  start(): void {
    this.unsubscribe = this.deps.broker.gateFilter(recognitionTopics.filter(), (topic, payload, ack, withhold) => {
      void this.accept(topic, payload, ack, withhold);
    });
    this.sweep = this.deps.clock.setInterval(() => void this.prune(), this.options.sweepMs ?? 3_600_000);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.deps.clock.clearInterval(this.sweep);
    this.sweep = undefined;
  }

  stats(): RecognitionIngestStats {
    return { ...this.counters, rejectedByCode: { ...this.rejectedByCode } };
  }

  /** Deletes records older than the retention; how many. */
  async prune(): Promise<number> {
    const before = this.deps.clock.now() - this.options.retentionDays * 86_400_000;
    try {
      return await this.deps.writer.write('vision.records.prune', () => this.deps.repository.deleteBefore(before));
    } catch (err) {
      this.deps.log.warn({ err }, 'recognition records not pruned; the next sweep tries again');
      return 0;
    }
  }

  /** Checks and stores one message; resolves once stored (or refused). Exposed for tests without a broker. */
  accept(topic: string, payload: Buffer, ack: () => void, withhold: () => void = () => {}): Promise<void> {
    this.counters.received++;
    const thingName = parseRecognitionsTopic(topic);
    if (!thingName) return this.reject(ack, topic, 'TOPIC_UNKNOWN', 'not a recognitions topic');
    if (payload.length > MAX_RECOGNITIONS_PAYLOAD_BYTES)
      return this.reject(ack, topic, 'PAYLOAD_TOO_LARGE', `${payload.length} bytes`);
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return this.reject(ack, topic, 'PAYLOAD_INVALID_JSON', 'payload is not JSON');
    }
    const checked = this.validator.check(json);
    if (!checked.ok) return this.reject(ack, topic, 'PAYLOAD_SCHEMA', checked.reason);
    for (const record of checked.value.records) {
      const problems = recognitionRecordProblems(record);
      if (record.thingName !== undefined && record.thingName !== thingName)
        problems.push(`thingName: ${record.thingName} is not the topic's ${thingName}`);
      if (problems.length > 0) return this.reject(ack, topic, 'PAYLOAD_SCHEMA', `record ${record.id}: ${problems[0]}`);
    }
    const receivedAt = this.deps.clock.now();
    const storeId = this.deps.storeOf(thingName);
    const rows: RecognitionRow[] = checked.value.records.map((record) => ({ thingName, storeId, receivedAt, record }));
    return this.deps.writer
      .write('vision.records', () => this.deps.repository.upsertMany(rows), GROUP_COMMIT)
      .then(
        (stored) => {
          this.counters.stored += stored.length;
          ack();
          if (stored.length > 0) this.deps.onStored?.(stored);
        },
        (err: unknown) => {
          // Not stored: withheld (no PUBACK), so the cart's outbox sends it again.
          withhold();
          this.deps.log.error(
            { err, thingName, records: rows.length },
            'recognition records not stored; the cart will resend',
          );
        },
      );
  }

  private reject(ack: () => void, topic: string, code: ErrorCode, reason: string): Promise<void> {
    this.counters.rejected++;
    this.rejectedByCode[code] = (this.rejectedByCode[code] ?? 0) + 1;
    this.deps.log.warn({ topic, code, reason }, 'recognition records refused');
    ack();
    return Promise.resolve();
  }
}
