import {
  epochMs,
  type FromSchema,
  integer,
  nullable,
  nullableEpochMs,
  object,
  oneOfValues,
} from '../api/json-schema.ts';
import { idString } from '../api/parameters.ts';
import { BROADCAST_LAYERS, PLAY_OUTCOMES, PLAY_TRIGGERS } from './layers.ts';
import { sha256String } from './manifest.ts';

/** The `dt/cartfleet/{thing}/{stream}` stream a speaker's plays travel on (through its outbox). */
export const PLAYS_STREAM = 'plays';

/**
 * One play, logged by the speaker when it ends and sent through the outbox (nothing lost offline). `playId` is the
 * speaker's own UUID: the fleet stores each once, so a resend after a lost PUBACK counts once. `scheduledAt` is null
 * for what the speaker triggered itself (presence). `levelDbSpl`: the output level it aimed at, where calibrated.
 */
export const PlayRecordSchema = object({
  playId: { type: 'string', pattern: '^[0-9a-f-]{36}$' },
  sha256: sha256String,
  campaignId: nullable(idString),
  itemId: nullable({ type: 'string', maxLength: 96 }),
  layer: oneOfValues(BROADCAST_LAYERS),
  trigger: oneOfValues(PLAY_TRIGGERS),
  scheduledAt: nullableEpochMs,
  startedAt: epochMs,
  endedAt: epochMs,
  outcome: oneOfValues(PLAY_OUTCOMES),
  volume: integer({ minimum: 0, maximum: 100 }),
  levelDbSpl: nullable({ type: 'number', minimum: 0, maximum: 140 }),
  manifestVersion: nullable(integer({ minimum: 1 })),
});
export type PlayRecord = FromSchema<typeof PlayRecordSchema>;

/** A batch of plays in one message (the outbox sends what piled up offline in as few messages as it can). */
export const PlayBatchSchema = object({
  plays: { type: 'array', items: PlayRecordSchema, minItems: 1, maxItems: 200 },
});
export type PlayBatch = FromSchema<typeof PlayBatchSchema>;
