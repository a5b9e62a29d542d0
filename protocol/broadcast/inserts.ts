import { epochMs, type FromSchema, integer, nullable, object, oneOfValues } from '../api/json-schema.ts';
import { ENTRY_MODES } from './layers.ts';
import { sha256String } from './manifest.ts';

/**
 * Named shadow that carries a speaker's live announcements: ad-hoc inserts a store manager made (layer `adhoc`) and
 * the store's emergency announcement (layer `emergency`). Apart from the manifest's shadow on purpose: an insert
 * must reach the speaker in seconds without a recompilation, and an offline speaker gets the current state (the
 * delta) the moment it reconnects — an insert whose `expiresAt` has passed by then is skipped, not played late.
 */
export const INSERT_SHADOW = 'broadcast-insert';

/** Most inserts waiting at once on one speaker (the shadow's desired state stays far below AWS's 8 KB). */
export const MAX_ACTIVE_INSERTS = 20;

/** How long after its time an insert may still start (a speaker that was briefly offline) before it is skipped. */
export const DEFAULT_INSERT_GRACE_MS = 10 * 60_000;

/** Silence between two plays of an emergency announcement, which repeats until cleared. */
export const EMERGENCY_REPEAT_GAP_MS = 2_000;

const insertAsset = {
  sha256: sha256String,
  bytes: integer({ minimum: 1 }),
  durationMs: integer({ minimum: 1 }),
  title: { type: 'string', maxLength: 200 },
} as const;

export const AdhocInsertSchema = object({
  id: { type: 'string', pattern: '^[0-9a-f-]{36}$' },
  ...insertAsset,
  /** When to start: the fleet's time when it was made for "now". */
  at: epochMs,
  /** After this the speaker skips it (and logs it as skipped). */
  expiresAt: epochMs,
  entry: oneOfValues(ENTRY_MODES),
});
export type AdhocInsert = FromSchema<typeof AdhocInsertSchema>;

export const EmergencySchema = object({
  id: { type: 'string', pattern: '^[0-9a-f-]{36}$' },
  ...insertAsset,
  since: epochMs,
  repeatGapMs: integer({ minimum: 0, maximum: 600_000 }),
});
export type Emergency = FromSchema<typeof EmergencySchema>;

/**
 * `desired` of {@link INSERT_SHADOW}: what the speaker should play now or soon, besides its manifest. The fleet writes
 * `emergency: null` to clear it, which the shadow stores as no `emergency` key at all (AWS: null deletes a key):
 * absent means none.
 */
export const InsertDesiredSchema = object(
  {
    inserts: { type: 'array', items: AdhocInsertSchema, maxItems: MAX_ACTIVE_INSERTS },
    emergency: nullable(EmergencySchema),
  },
  { optional: ['emergency'] },
);
export type InsertDesired = FromSchema<typeof InsertDesiredSchema>;

/** `reported` of {@link INSERT_SHADOW}: which inserts the speaker took (played, playing or skipped) and its emergency. */
export const InsertReportedSchema = object({
  /** Ids of the desired inserts it has handled, newest last (at most {@link MAX_ACTIVE_INSERTS}). */
  handled: { type: 'array', items: { type: 'string' }, maxItems: MAX_ACTIVE_INSERTS },
  /** The id of the emergency it is repeating, or null. */
  emergency: nullable({ type: 'string' }),
});
export type InsertReported = FromSchema<typeof InsertReportedSchema>;
