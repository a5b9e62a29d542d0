import { ENTRY_MODES } from '../broadcast/layers.ts';
import { sha256String } from '../broadcast/manifest.ts';
import { epochMs, type FromSchema, integer, nullable, nullableEpochMs, object, oneOfValues } from './json-schema.ts';
import { idString, thingNameString } from './parameters.ts';

const targets = {
  type: 'array',
  items: thingNameString,
  minItems: 1,
  maxItems: 200,
  uniqueItems: true,
  description: 'speakers of the store to play it on; absent or null: every speaker of the store',
} as const;

/** `POST /api/stores/:storeId/broadcast/inserts`: an announcement now (no `at`) or at a time. */
export const InsertBody = object(
  {
    sha256: sha256String,
    at: nullable({ ...epochMs, description: 'when to play it; null or absent: now' }),
    thingNames: nullable(targets),
    entry: oneOfValues(ENTRY_MODES, { default: 'interrupt' }),
    /** Minutes after `at` a speaker that was offline may still play it (default 10). */
    graceMinutes: integer({ minimum: 1, maximum: 240, default: 10 }),
  },
  { optional: ['at', 'thingNames', 'entry', 'graceMinutes'] },
);
export type InsertBody = FromSchema<typeof InsertBody>;

/** Where one speaker stands with an insert or an emergency (from its `broadcast-insert` shadow's reported state). */
export const DELIVERY_STATES = ['pending', 'handled', 'offline'] as const;

const delivery = object({
  thingName: { type: 'string' },
  state: oneOfValues(DELIVERY_STATES),
});

export const BroadcastInsertSchema = object({
  id: { type: 'string' },
  storeId: idString,
  sha256: sha256String,
  title: { type: 'string' },
  durationMs: integer({ minimum: 1 }),
  entry: oneOfValues(ENTRY_MODES),
  at: epochMs,
  expiresAt: epochMs,
  thingNames: nullable({ type: 'array', items: { type: 'string' } }),
  createdBy: { type: 'string' },
  createdAt: epochMs,
  cancelledBy: nullable({ type: 'string' }),
  cancelledAt: nullableEpochMs,
  deliveries: { type: 'array', items: delivery },
});
export type BroadcastInsert = FromSchema<typeof BroadcastInsertSchema>;

export const InsertListQuery = object(
  { active: { type: 'boolean', default: false, description: 'only those not cancelled and not yet expired' } },
  { optional: ['active'] },
);
export const InsertListSchema = object({ items: { type: 'array', items: BroadcastInsertSchema } });

export const InsertParams = object({
  storeId: { type: 'string', minLength: 1, maxLength: 64 },
  id: { type: 'string', minLength: 1, maxLength: 64 },
});

/** `POST /api/stores/:storeId/broadcast/emergency`. */
export const EmergencyBody = object(
  { sha256: sha256String, thingNames: nullable(targets) },
  { optional: ['thingNames'] },
);
export type EmergencyBody = FromSchema<typeof EmergencyBody>;

export const BroadcastEmergencySchema = object({
  id: { type: 'string' },
  storeId: idString,
  sha256: sha256String,
  title: { type: 'string' },
  durationMs: integer({ minimum: 1 }),
  thingNames: nullable({ type: 'array', items: { type: 'string' } }),
  startedBy: { type: 'string' },
  startedAt: epochMs,
  clearedBy: nullable({ type: 'string' }),
  clearedAt: nullableEpochMs,
  deliveries: { type: 'array', items: delivery },
});
export type BroadcastEmergency = FromSchema<typeof BroadcastEmergencySchema>;

export const EmergencyStateSchema = object({ emergency: nullable(BroadcastEmergencySchema) });
