import type { Clock } from '../../../platform/clock.ts';
import type { Logger } from '../../../platform/log.ts';
import { SchemaValidator } from '../../../platform/schema-validator.ts';
import { parsePlaysTopic, playTopics } from '../../../protocol/broadcast/device-content.ts';
import { type PlayBatch, PlayBatchSchema } from '../../../protocol/broadcast/proof-of-play.ts';
import type { ErrorCode } from '../../../protocol/errors.ts';
import type { DeviceBroker } from '../../broker/device-broker.ts';
import type { DeviceRegistry } from '../../registry/device-registry.ts';
import { type DatabaseWriter, GROUP_COMMIT } from '../../storage/database-writer.ts';
import type { PlayRepository, StoredPlay } from './play-repository.ts';

/** The largest plays message taken: a full PlayBatch (200 plays) is about 90 KB. */
export const MAX_PLAYS_PAYLOAD_BYTES = 128 * 1024;

export interface PlayIngestStats {
  received: number;
  stored: number;
  duplicates: number;
  rejected: number;
  rejectedByCode: Partial<Record<ErrorCode, number>>;
}

/**
 * Proof of play from `dt/cartfleet/{thing}/plays` (issue 9 item 8). The broker's policy has already made sure the
 * topic's thing is the connection's own (a speaker publishing on another's topic has its connection closed and
 * nothing stored), so each play is stored for the topic's thing. Taken through the broker's publish gate before any
 * PUBACK: a valid batch is acknowledged once its transaction has committed (the speaker's outbox deletes it only
 * then); a malformed one is acknowledged and refused with a code, logged and counted (sent again it would be refused
 * again), and stores nothing. Plays are stored once per playId; the writes of one event-loop turn share one
 * transaction (the writer's group commit).
 */
export class PlayIngest {
  private unsubscribe: (() => void) | undefined;
  private readonly validator = new SchemaValidator<PlayBatch>(PlayBatchSchema);
  private readonly counters = { received: 0, stored: 0, duplicates: 0, rejected: 0 };
  private readonly rejectedByCode: Partial<Record<ErrorCode, number>> = {};

  constructor(
    private readonly repository: PlayRepository,
    private readonly writer: DatabaseWriter,
    private readonly broker: DeviceBroker,
    private readonly registry: DeviceRegistry,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  start(): void {
    this.unsubscribe = this.broker.gateFilter(playTopics.filter(), (topic, payload, ack, withhold) =>
      this.accept(topic, payload, ack, withhold),
    );
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  stats(): PlayIngestStats {
    return { ...this.counters, rejectedByCode: { ...this.rejectedByCode } };
  }

  /** Checks and stores one message; resolves once stored (or refused). Exposed for tests without a broker. */
  accept(topic: string, payload: Buffer, ack: () => void, withhold: () => void = () => {}): Promise<void> {
    this.counters.received++;
    const thingName = parsePlaysTopic(topic);
    if (!thingName) return this.reject(ack, topic, 'TOPIC_UNKNOWN', 'not a plays topic');
    if (payload.length > MAX_PLAYS_PAYLOAD_BYTES)
      return this.reject(ack, topic, 'PAYLOAD_TOO_LARGE', `${payload.length} bytes`);
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return this.reject(ack, topic, 'PAYLOAD_INVALID_JSON', 'payload is not JSON');
    }
    const checked = this.validator.check(json);
    if (!checked.ok) return this.reject(ack, topic, 'PAYLOAD_SCHEMA', checked.reason);
    const backwards = checked.value.plays.find((p) => p.endedAt < p.startedAt);
    if (backwards) return this.reject(ack, topic, 'PAYLOAD_SCHEMA', `play ${backwards.playId} ends before it starts`);
    const receivedAt = this.clock.now();
    const storeId = this.registry.getThing(thingName)?.storeId ?? null;
    const plays: StoredPlay[] = checked.value.plays.map((p) => ({ ...p, thingName, storeId, receivedAt }));
    return this.writer
      .write('proof of play', () => this.repository.insertMany(plays), GROUP_COMMIT)
      .then(
        (stored) => {
          this.counters.stored += stored;
          this.counters.duplicates += plays.length - stored;
          ack();
        },
        (err: unknown) => {
          // Not stored: withheld (no PUBACK), so the speaker's outbox sends it again.
          withhold();
          this.log.error({ err, thingName, plays: plays.length }, 'proof of play not stored; the speaker will resend');
        },
      );
  }

  private reject(ack: () => void, topic: string, code: ErrorCode, reason: string): Promise<void> {
    this.counters.rejected++;
    this.rejectedByCode[code] = (this.rejectedByCode[code] ?? 0) + 1;
    this.log.warn({ topic, code, reason }, 'proof of play refused');
    ack();
    return Promise.resolve();
  }
}
