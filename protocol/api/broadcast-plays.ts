import { PLAY_OUTCOMES, PLAY_TRIGGERS } from '../broadcast/layers.ts';
import { PlayRecordSchema } from '../broadcast/proof-of-play.ts';
import { epochMs, type FromSchema, integer, nullable, object, oneOfValues } from './json-schema.ts';
import { page, thingNameString } from './parameters.ts';

/** One stored play: the speaker's record, which speaker sent it, its store at the time, when it arrived. */
export const PlayItemSchema = object({
  ...PlayRecordSchema.properties,
  thingName: thingNameString,
  storeId: nullable({ type: 'string' }),
  receivedAt: epochMs,
});
export type PlayItem = FromSchema<typeof PlayItemSchema>;

/** `GET /api/broadcast/plays`: newest first; store-scoped callers see their stores' plays. */
export const PlayListQuery = object(
  {
    from: epochMs,
    to: epochMs,
    storeId: { type: 'string', minLength: 1, maxLength: 64 },
    thingName: thingNameString,
    campaignId: { type: 'string', minLength: 1, maxLength: 64 },
    outcome: oneOfValues(PLAY_OUTCOMES),
    trigger: oneOfValues(PLAY_TRIGGERS),
    limit: integer({ minimum: 1, maximum: 1000, default: 100 }),
    offset: integer({ minimum: 0, default: 0 }),
  },
  {
    optional: ['from', 'to', 'storeId', 'thingName', 'campaignId', 'outcome', 'trigger', 'limit', 'offset'],
  },
);
export type PlayListQuery = FromSchema<typeof PlayListQuery, 'checked'>;

export const PlayPageSchema = page(PlayItemSchema);
export type PlayPage = FromSchema<typeof PlayPageSchema>;

export const PLAY_REPORT_GROUPINGS = ['campaign', 'store', 'thing'] as const;
export type PlayReportGrouping = (typeof PLAY_REPORT_GROUPINGS)[number];

/** The window a report covers when `from` is not given: the 7 days before `to`. */
export const PLAY_REPORT_DEFAULT_DAYS = 7;

/**
 * `GET /api/broadcast/plays/report`: plays that started in [from, to) (default: the 7 days up to now), grouped
 * (default: per campaign). `format=csv` answers the rows as CSV (text/csv, one header line) instead of JSON.
 */
export const PlayReportQuery = object(
  {
    groupBy: oneOfValues(PLAY_REPORT_GROUPINGS, { default: 'campaign' }),
    from: epochMs,
    to: epochMs,
    storeId: { type: 'string', minLength: 1, maxLength: 64 },
    format: { type: 'string', enum: ['json', 'csv'], default: 'json' },
  },
  { optional: ['groupBy', 'from', 'to', 'storeId', 'format'] },
);
export type PlayReportQuery = FromSchema<typeof PlayReportQuery, 'checked'>;

const counts = {
  plays: integer({ minimum: 0 }),
  /** Milliseconds heard: from start to end of every play that was not skipped. */
  airtimeMs: integer({ minimum: 0 }),
} as const;

/** One group's totals: `key` is the campaign id, store id or thing name (null: plays without a campaign). */
export const PlayReportRowSchema = object({
  key: nullable({ type: 'string' }),
  ...counts,
  completed: integer({ minimum: 0 }),
  interrupted: integer({ minimum: 0 }),
  skipped: integer({ minimum: 0 }),
  /** Plays a presence sensor started: the promo speaker's PIR, or a cart entering its zone. */
  presence: object({ pir: integer({ minimum: 0 }), cart: integer({ minimum: 0 }) }),
});
export type PlayReportRow = FromSchema<typeof PlayReportRowSchema>;

/** One group's plays on one day (UTC date of the start), for the console's chart. */
export const PlayReportDaySchema = object({
  key: nullable({ type: 'string' }),
  day: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
  ...counts,
});
export type PlayReportDay = FromSchema<typeof PlayReportDaySchema>;

export const PlayReportSchema = object({
  groupBy: oneOfValues(PLAY_REPORT_GROUPINGS),
  from: epochMs,
  to: epochMs,
  rows: { type: 'array', items: PlayReportRowSchema },
  days: { type: 'array', items: PlayReportDaySchema },
});
export type PlayReport = FromSchema<typeof PlayReportSchema>;

/** The CSV export's columns, in order (the header line names them so). */
export const PLAY_REPORT_CSV_COLUMNS = [
  'key',
  'plays',
  'airtime_ms',
  'completed',
  'interrupted',
  'skipped',
  'presence_pir',
  'presence_cart',
] as const;
