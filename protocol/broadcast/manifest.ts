import { epochMs, type FromSchema, integer, nullable, object, oneOfValues } from '../api/json-schema.ts';
import { idString, thingNameString } from '../api/parameters.ts';
import { ASSET_KINDS, BROADCAST_LAYERS, ENTRY_MODES } from './layers.ts';

/** Lowercase hex sha256: an asset's id everywhere (content-addressed, deduplicated). */
export const SHA256_PATTERN = '^[0-9a-f]{64}$';
export const sha256String = { type: 'string', pattern: SHA256_PATTERN } as const;

/** The shortest horizon the fleet compiles: a speaker plays this long with the fleet unreachable. */
export const MIN_HORIZON_DAYS = 7;

/** Named shadow that announces a speaker's manifest (`desired.manifest`) and carries its cache report (`reported`). */
export const BROADCAST_SHADOW = 'broadcast';

const span = { from: epochMs, to: epochMs } as const;

/** One asset the manifest uses: the speaker fetches it by sha256 and pins it for the horizon. */
export const ManifestAssetSchema = object({
  sha256: sha256String,
  bytes: integer({ minimum: 1 }),
  durationMs: integer({ minimum: 1 }),
  title: { type: 'string', maxLength: 200 },
  kind: oneOfValues(ASSET_KINDS),
});
export type ManifestAsset = FromSchema<typeof ManifestAssetSchema>;

/**
 * Why an entry is where it is: the layer that won the moment and what it came from, for the console's calendar and
 * for proof of play. `source` is a campaign or programme id; `note` says what was overridden or capped, if anything.
 */
export const ScheduleReasonSchema = object(
  {
    layer: oneOfValues(BROADCAST_LAYERS),
    source: { type: 'string', maxLength: 64 },
    note: { type: 'string', maxLength: 300 },
  },
  { optional: ['note'] },
);
export type ScheduleReason = FromSchema<typeof ScheduleReasonSchema>;

/**
 * A stretch of music: from `from` to `to` the speaker plays `playlist` (sha256s of music assets) track after track,
 * in order or shuffled with `shuffleSeed` (the same seed gives the same order on the speaker and in the calendar). A
 * track still playing at `to` fades out over the ducking ramp. Windows do not overlap; a gap is silence.
 */
export const MusicWindowSchema = object({
  id: { type: 'string', maxLength: 96 },
  ...span,
  playlist: { type: 'array', items: sha256String, minItems: 1, maxItems: 2000 },
  shuffleSeed: nullable(integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
  reason: ScheduleReasonSchema,
});
export type MusicWindow = FromSchema<typeof MusicWindowSchema>;

/**
 * One announcement at a time: the compiler has already applied layers, frequency caps and the global minimum gap,
 * so every entry here is meant to play. `between_tracks` items may start later than `at` (after the current track),
 * at most `maxDelayMs`; past that they are skipped and logged as such.
 */
export const ScheduledItemSchema = object({
  id: { type: 'string', maxLength: 96 },
  at: epochMs,
  sha256: sha256String,
  durationMs: integer({ minimum: 1 }),
  entry: oneOfValues(ENTRY_MODES),
  maxDelayMs: integer({ minimum: 0, maximum: 3_600_000 }),
  campaignId: nullable(idString),
  reason: ScheduleReasonSchema,
});
export type ScheduledItem = FromSchema<typeof ScheduledItemSchema>;

/** Output level 0-100 from `from` to `to`; outside every span the speaker is quiet (outside opening hours). */
export const VolumeSpanSchema = object({ ...span, volume: integer({ minimum: 0, maximum: 100 }) });
export type VolumeSpan = FromSchema<typeof VolumeSpanSchema>;

/**
 * A promo speaker's presence-triggered promo: while one of `windows` is open, someone near (its PIR, or a cart
 * entering its zone) plays the next of `assets` — unless the last play ended less than `cooldownMs` ago, the hour
 * already had `maxPerHour` plays, or the battery is under `minBatteryPercent`. Output is held at `targetSplDb`
 * through the speaker's own calibration (dBFS → dB SPL), raised over ambient noise up to `maxSplDb` where it has a
 * microphone.
 */
export const PresencePromoSchema = object({
  campaignId: idString,
  assets: { type: 'array', items: sha256String, minItems: 1, maxItems: 20 },
  windows: { type: 'array', items: object(span), maxItems: 500 },
  cooldownMs: integer({ minimum: 0, maximum: 3_600_000 }),
  maxPerHour: integer({ minimum: 1, maximum: 120 }),
  minBatteryPercent: integer({ minimum: 0, maximum: 100 }),
  targetSplDb: { type: 'number', minimum: 40, maximum: 90 },
  maxSplDb: { type: 'number', minimum: 40, maximum: 95 },
});
export type PresencePromo = FromSchema<typeof PresencePromoSchema>;

/**
 * Everything one speaker plays from `from` to `to` (at least {@link MIN_HORIZON_DAYS} days), compiled by the fleet.
 * The speaker needs nothing else to play the whole horizon offline. `version` grows with every compilation for the
 * thing; `assets` lists every sha256 the rest refers to (the speaker pins them in its cache).
 */
export const BroadcastManifestSchema = object({
  version: integer({ minimum: 1 }),
  thingName: thingNameString,
  storeId: idString,
  timeZone: { type: 'string', maxLength: 64 },
  compiledAt: epochMs,
  ...span,
  assets: { type: 'array', items: ManifestAssetSchema, maxItems: 5000 },
  music: { type: 'array', items: MusicWindowSchema, maxItems: 5000 },
  items: { type: 'array', items: ScheduledItemSchema, maxItems: 50_000 },
  volume: { type: 'array', items: VolumeSpanSchema, maxItems: 5000 },
  promo: nullable(PresencePromoSchema),
  /** The global minimum gap between two announcements, also for what the speaker triggers itself. */
  minGapMs: integer({ minimum: 0, maximum: 3_600_000 }),
});
export type BroadcastManifest = FromSchema<typeof BroadcastManifestSchema>;

/** How the fleet announces a manifest: named shadow {@link BROADCAST_SHADOW}, `desired.manifest`. */
export const ManifestAnnouncementSchema = object({
  version: integer({ minimum: 1 }),
  sha256: sha256String,
  bytes: integer({ minimum: 1 }),
});
export type ManifestAnnouncement = FromSchema<typeof ManifestAnnouncementSchema>;

/** What a speaker reports in the named shadow {@link BROADCAST_SHADOW} (`reported`). */
export const BroadcastReportSchema = object(
  {
    /** The announcement of the manifest in use, as desired had it: once it equals desired, the delta is empty. */
    manifest: nullable(ManifestAnnouncementSchema),
    manifestVersion: nullable(integer({ minimum: 1 })),
    /** The last manifest refused, with the code (`MANIFEST_HASH_MISMATCH`, `MANIFEST_INVALID`, `CACHE_BUDGET_EXCEEDED`). */
    manifestError: nullable(object({ version: integer({ minimum: 1 }), code: { type: 'string' } })),
    cache: object({
      budgetBytes: integer({ minimum: 0 }),
      usedBytes: integer({ minimum: 0 }),
      assets: integer({ minimum: 0 }),
      /** sha256s the current manifest needs that are not (yet) in the cache. */
      missing: integer({ minimum: 0 }),
    }),
  },
  { optional: ['manifest', 'manifestError'] },
);
export type BroadcastReport = FromSchema<typeof BroadcastReportSchema>;
