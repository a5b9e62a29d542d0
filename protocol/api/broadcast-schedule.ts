import { BROADCAST_LAYERS, ENTRY_MODES } from '../broadcast/layers.ts';
import { BroadcastManifestSchema, ScheduleReasonSchema, sha256String } from '../broadcast/manifest.ts';
import { epochMs, type FromSchema, integer, nullable, object, oneOfValues } from './json-schema.ts';
import { idString, thingNameString } from './parameters.ts';

/**
 * Programmes (ambient music), campaigns (announcements and presence promos), the chain's holiday calendar, store
 * opt-ins and overrides, volume schedules: what the fleet's schedule compiler (broadcast/schedule/) turns into each
 * speaker's manifest. One contract for the server, the CLI and the console.
 *
 * Dates (`YYYY-MM-DD`) and times (`HH:MM`) are local to the store they apply in: "every day 08:00" is 08:00 in every
 * store's own zone, across DST changes.
 */

const localDate = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
const localTime = { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$|^24:00$' } as const;
/** An exception: a whole local day (`YYYY-MM-DD`) or one occurrence (`YYYY-MM-DDTHH:MM`, RFC 5545 EXDATE). */
const exceptionString = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2})?$' } as const;

export const SPEAKER_ROLES = ['broadcast', 'promo'] as const;
export type SpeakerRole = (typeof SPEAKER_ROLES)[number];

export const PROGRAMME_LAYERS = ['ambient', 'holiday'] as const;
export const CAMPAIGN_LAYERS = ['hq_campaign', 'store_campaign', 'holiday'] as const;
export const CAMPAIGN_KINDS = ['announcement', 'promo'] as const;
export type CampaignKind = (typeof CAMPAIGN_KINDS)[number];
/**
 * HQ's policy for a campaign (Rockbot's store opt-in): `mandatory` plays in every targeted store, `opt_out` plays
 * unless a store leaves, `opt_in` plays only where a store joined.
 */
export const OPT_POLICIES = ['mandatory', 'opt_out', 'opt_in'] as const;
export type OptPolicy = (typeof OPT_POLICIES)[number];
export const OPT_DECISIONS = ['in', 'out'] as const;
export type OptDecision = (typeof OPT_DECISIONS)[number];

/**
 * When something recurs: an RFC 5545 RRULE value (`FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0`, no
 * DTSTART or TZID: the compiler anchors DTSTART at `validFrom` 00:00 in the store's zone), the dates it is valid
 * (inclusive; `validUntil` null: open), exceptions (EXDATE, or a whole day), and the chain's holidays it skips
 * (`exceptHolidays`) or is restricted to (`onlyOnHolidays`; empty: every day).
 */
export const RecurrenceSchema = object(
  {
    rule: { type: 'string', minLength: 6, maxLength: 500 },
    validFrom: localDate,
    validUntil: nullable(localDate),
    exceptions: { type: 'array', items: exceptionString, maxItems: 500, default: [] },
    exceptHolidays: { type: 'array', items: idString, maxItems: 100, default: [] },
    onlyOnHolidays: { type: 'array', items: idString, maxItems: 100, default: [] },
  },
  { optional: ['exceptions', 'exceptHolidays', 'onlyOnHolidays'] },
);
export type Recurrence = FromSchema<typeof RecurrenceSchema, 'checked'>;
export type RecurrenceBody = FromSchema<typeof RecurrenceSchema>;

/** Which stores: all of the chain's, or those of the regions, those with one of the tags, and those listed. */
export const StoreTargetSchema = object({
  all: { type: 'boolean' },
  regions: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 100 },
  tags: { type: 'array', items: idString, maxItems: 100 },
  storeIds: { type: 'array', items: idString, maxItems: 5000 },
});
export type StoreTarget = FromSchema<typeof StoreTargetSchema>;

/**
 * Which speakers of a targeted store: those of the roles (broadcast boxes, promo speakers; further narrowed to
 * `zoneIds` when any are named), and those listed by name whatever their role.
 */
export const SpeakerTargetSchema = object({
  roles: { type: 'array', items: oneOfValues(SPEAKER_ROLES), maxItems: 2 },
  zoneIds: { type: 'array', items: idString, maxItems: 200 },
  thingNames: { type: 'array', items: thingNameString, maxItems: 500 },
});
export type SpeakerTarget = FromSchema<typeof SpeakerTargetSchema>;

/** A programme slot: music for `durationMinutes` from each occurrence, from `playlist` in order or shuffled. */
export const ProgrammeSlotSchema = object({
  id: idString,
  recurrence: RecurrenceSchema,
  durationMinutes: integer({ minimum: 1, maximum: 24 * 60 }),
  playlist: { type: 'array', items: sha256String, minItems: 1, maxItems: 2000 },
  shuffle: { type: 'boolean' },
});
export type ProgrammeSlot = FromSchema<typeof ProgrammeSlotSchema, 'checked'>;

/** Ambient music (or a holiday programme that replaces it for its time), HQ's, for the stores it targets. */
export const ProgrammeSchema = object(
  {
    id: idString,
    name: { type: 'string', minLength: 1, maxLength: 120 },
    layer: oneOfValues(PROGRAMME_LAYERS),
    /** Between two programmes of one layer wanting a moment, the higher priority wins. */
    priority: integer({ minimum: 0, maximum: 100, default: 50 }),
    stores: StoreTargetSchema,
    speakers: SpeakerTargetSchema,
    slots: { type: 'array', items: ProgrammeSlotSchema, minItems: 1, maxItems: 50 },
  },
  { optional: ['priority'] },
);
export type Programme = FromSchema<typeof ProgrammeSchema, 'checked'>;
export type ProgrammeBody = FromSchema<typeof ProgrammeSchema>;

/** Frequency caps of one campaign (null: no cap). `maxPerHour` counts plays in a local clock hour. */
export const CampaignCapsSchema = object({
  maxPerHour: nullable(integer({ minimum: 1, maximum: 60 })),
  minGapMinutes: nullable(integer({ minimum: 1, maximum: 24 * 60 })),
});

/** A promo campaign's presence settings (→ the manifest's `promo`); its windows are the recurrence's occurrences. */
export const CampaignPromoSchema = object({
  productId: { type: 'string', minLength: 1, maxLength: 64 },
  windowMinutes: integer({ minimum: 1, maximum: 24 * 60 }),
  cooldownMs: integer({ minimum: 0, maximum: 3_600_000 }),
  maxPerHour: integer({ minimum: 1, maximum: 120 }),
  minBatteryPercent: integer({ minimum: 0, maximum: 100 }),
  targetSplDb: { type: 'number', minimum: 40, maximum: 90 },
  maxSplDb: { type: 'number', minimum: 40, maximum: 95 },
});

/**
 * A campaign: announcements at the recurrence's occurrences (`kind: 'announcement'`) or a presence-triggered promo
 * for promo speakers (`kind: 'promo'`, `promo` set). `assets` rotate, one per occurrence. Store campaigns
 * (`store_campaign`) target their own store only and are always `mandatory` there.
 */
export const CampaignSchema = object(
  {
    id: idString,
    name: { type: 'string', minLength: 1, maxLength: 120 },
    kind: oneOfValues(CAMPAIGN_KINDS),
    layer: oneOfValues(CAMPAIGN_LAYERS),
    priority: integer({ minimum: 0, maximum: 100, default: 50 }),
    assets: { type: 'array', items: sha256String, minItems: 1, maxItems: 20 },
    recurrence: RecurrenceSchema,
    entry: oneOfValues(ENTRY_MODES),
    /** How much later than its occurrence an announcement may still start (waiting for a track's end, a gap). */
    maxDelayMs: integer({ minimum: 0, maximum: 3_600_000 }),
    caps: CampaignCapsSchema,
    stores: StoreTargetSchema,
    speakers: SpeakerTargetSchema,
    optPolicy: oneOfValues(OPT_POLICIES),
    promo: nullable(CampaignPromoSchema),
  },
  { optional: ['priority'] },
);
export type Campaign = FromSchema<typeof CampaignSchema, 'checked'>;
export type CampaignBody = FromSchema<typeof CampaignSchema>;

/** A named holiday of the chain's calendar (HQ's): its local dates. */
export const HolidaySchema = object({
  id: idString,
  name: { type: 'string', minLength: 1, maxLength: 120 },
  dates: { type: 'array', items: localDate, minItems: 1, maxItems: 366 },
});
export type Holiday = FromSchema<typeof HolidaySchema>;

/**
 * A store's override of a programme slot for local dates `fromDate`..`untilDate` (inclusive): another playlist, or
 * `playlist: null` for silence.
 */
export const SlotOverrideSchema = object(
  {
    id: idString,
    programmeId: idString,
    slotId: idString,
    storeId: idString,
    fromDate: localDate,
    untilDate: localDate,
    playlist: nullable({ type: 'array', items: sha256String, minItems: 1, maxItems: 2000 }),
    shuffle: { type: 'boolean', default: false },
  },
  { optional: ['shuffle'] },
);
export type SlotOverride = FromSchema<typeof SlotOverrideSchema, 'checked'>;
export type SlotOverrideBody = FromSchema<typeof SlotOverrideSchema>;

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
/** A time-of-day span at a volume, on the weekdays listed (empty: every day). `to` may be `24:00`. */
export const VolumeRuleSchema = object({
  days: { type: 'array', items: oneOfValues(WEEKDAYS), maxItems: 7 },
  from: localTime,
  to: localTime,
  volume: integer({ minimum: 0, maximum: 100 }),
});
export type VolumeRule = FromSchema<typeof VolumeRuleSchema>;

/**
 * A store's volume schedule: within opening hours `rules` (a later rule wins where two overlap), `defaultVolume`
 * where none applies; quiet outside opening hours whatever the rules say. `speakers` replaces the rules for a speaker.
 */
export const VolumeScheduleSchema = object({
  defaultVolume: integer({ minimum: 0, maximum: 100 }),
  rules: { type: 'array', items: VolumeRuleSchema, maxItems: 100 },
  speakers: {
    type: 'object',
    additionalProperties: { type: 'array', items: VolumeRuleSchema, maxItems: 100 },
  },
});
export type VolumeSchedule = FromSchema<typeof VolumeScheduleSchema>;

/** A store's broadcast settings: its volume schedule, and its own global minimum gap (null: the chain's). */
export const StoreBroadcastSettingsSchema = object({
  storeId: idString,
  volume: nullable(VolumeScheduleSchema),
  minGapMs: nullable(integer({ minimum: 0, maximum: 3_600_000 })),
  tags: { type: 'array', items: idString, maxItems: 50 },
});
export type StoreBroadcastSettings = FromSchema<typeof StoreBroadcastSettingsSchema>;

/** The chain's defaults: the global minimum gap between two announcements, the volume when a store has none. */
export const ChainBroadcastSettingsSchema = object({
  minGapMs: integer({ minimum: 0, maximum: 3_600_000 }),
  defaultVolume: integer({ minimum: 0, maximum: 100 }),
});
export type ChainBroadcastSettings = FromSchema<typeof ChainBroadcastSettingsSchema>;

/** Something the compiler left out, and why ("capped: 4/h", "gap 5 min after X", "overridden by holiday layer"). */
export const DroppedEntrySchema = object({
  kind: oneOfValues(['music', 'item', 'promo'] as const),
  at: epochMs,
  until: epochMs,
  source: { type: 'string', maxLength: 64 },
  layer: oneOfValues(BROADCAST_LAYERS),
  sha256: nullable(sha256String),
  why: { type: 'string', maxLength: 300 },
});
export type DroppedEntry = FromSchema<typeof DroppedEntrySchema>;

/** A compiled manifest before delivery gives it a version. */
const { version: _version, ...draftProperties } = BroadcastManifestSchema.properties;
export const ManifestDraftSchema = object(draftProperties);
export type ManifestDraft = FromSchema<typeof ManifestDraftSchema>;

/** One speaker's compiled horizon with what was left out: `GET .../manifest-draft` and each calendar column. */
export const CompiledScheduleSchema = object({
  manifest: ManifestDraftSchema,
  dropped: { type: 'array', items: DroppedEntrySchema },
});
export type CompiledSchedule = FromSchema<typeof CompiledScheduleSchema>;

export { ScheduleReasonSchema };

// Requests and records.

export const BroadcastIdParams = object({ id: idString });
export const StoreCampaignParams = object({ storeId: idString, id: idString });
export const BroadcastStoreParams = object({ storeId: idString });
export const BroadcastThingParams = object({ thingName: thingNameString });

const bookkeeping = {
  createdAt: epochMs,
  createdBy: { type: 'string' },
  updatedAt: epochMs,
  updatedBy: { type: 'string' },
} as const;

export const ProgrammeRecordSchema = object({ programme: ProgrammeSchema, ...bookkeeping });
export type ProgrammeRecord = FromSchema<typeof ProgrammeRecordSchema, 'checked'>;
export const CampaignRecordSchema = object({
  campaign: CampaignSchema,
  /** The store a store campaign belongs to; null for HQ's. */
  ownerStoreId: nullable(idString),
  ...bookkeeping,
});
export type CampaignRecord = FromSchema<typeof CampaignRecordSchema, 'checked'>;

export const CampaignListQuery = object(
  {
    /** Campaigns that target this store (and that store's own). */
    storeId: idString,
    layer: oneOfValues(CAMPAIGN_LAYERS),
  },
  { optional: ['storeId', 'layer'] },
);
export type CampaignListQuery = FromSchema<typeof CampaignListQuery>;

export const OptBody = object({ decision: nullable(oneOfValues(OPT_DECISIONS)) });
export const OptRecordSchema = object({
  campaignId: idString,
  storeId: idString,
  decision: oneOfValues(OPT_DECISIONS),
  at: epochMs,
  by: { type: 'string' },
});
export type OptRecord = FromSchema<typeof OptRecordSchema>;

export const StoreBroadcastBody = object(
  {
    volume: nullable(VolumeScheduleSchema),
    minGapMs: nullable(integer({ minimum: 0, maximum: 3_600_000 })),
    tags: { type: 'array', items: idString, maxItems: 50 },
  },
  { optional: ['volume', 'minGapMs', 'tags'] },
);

/** `GET /api/broadcast/stores/:storeId/calendar?from=&days=&thingName=` */
export const CalendarQuery = object(
  {
    from: epochMs,
    days: integer({ minimum: 1, maximum: 31, default: 7 }),
    thingName: thingNameString,
  },
  { optional: ['from', 'days', 'thingName'] },
);
export type CalendarQuery = FromSchema<typeof CalendarQuery, 'checked'>;

export const CalendarSchema = object({
  storeId: idString,
  timeZone: { type: 'string' },
  from: epochMs,
  to: epochMs,
  speakers: {
    type: 'array',
    items: object({
      thingName: thingNameString,
      role: oneOfValues(SPEAKER_ROLES),
      /** The assets the entries below name (titles, durations). */
      assets: CompiledScheduleSchema.properties.manifest.properties.assets,
      music: CompiledScheduleSchema.properties.manifest.properties.music,
      items: CompiledScheduleSchema.properties.manifest.properties.items,
      volume: CompiledScheduleSchema.properties.manifest.properties.volume,
      promo: CompiledScheduleSchema.properties.manifest.properties.promo,
      dropped: CompiledScheduleSchema.properties.dropped,
    }),
  },
});
export type Calendar = FromSchema<typeof CalendarSchema>;

export const ManifestDraftQuery = object({ from: epochMs }, { optional: ['from'] });
