import { type FromSchema, integer, nullable, object } from './json-schema.ts';
import { idString } from './parameters.ts';

/** Columns of a point-of-sale history CSV (`POST /api/sales/history`, text/csv); `revenue` in yuan or `revenue_fen`. */
export const SALES_HISTORY_CSV_COLUMNS = [
  'store_id',
  'sku',
  'day',
  'units',
  'weight_g',
  'revenue',
  'revenue_fen',
  'orders',
] as const;
export const SALES_HISTORY_CSV_REQUIRED = ['store_id', 'sku', 'day', 'units'] as const;
/** Rows one import takes: a year of a 300-product store, twice over. */
export const SALES_HISTORY_MAX_ROWS = 250_000;

const dayString = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'the store’s local date' } as const;

export const SalesHistoryRowSchema = object(
  {
    storeId: idString,
    sku: { type: 'string', minLength: 1, maxLength: 64 },
    day: dayString,
    units: integer({ minimum: 0, maximum: 10_000_000 }),
    weightG: integer({ minimum: 0, maximum: 1_000_000_000 }),
    revenueFen: integer({ minimum: 0, maximum: 100_000_000_000 }),
    orders: integer({ minimum: 0, maximum: 10_000_000 }),
  },
  { optional: ['weightG', 'orders'] },
);
export type SalesHistoryRow = FromSchema<typeof SalesHistoryRowSchema>;

/** The import's body: JSON `{ rows: SalesHistoryRow[] }`, or a CSV with the columns above. */
export const SalesHistoryBody = {
  anyOf: [
    {
      type: 'object',
      description: 'application/json: { rows: [{ storeId, sku, day, units, weightG?, revenueFen, orders? }] }',
    },
    {
      type: 'string',
      description: 'text/csv: store_id, sku, day, units, weight_g?, revenue (yuan) or revenue_fen, orders?',
    },
  ],
} as const;

export const SalesHistoryProblemSchema = object({
  row: nullable(integer({ minimum: 0 })),
  field: nullable({ type: 'string' }),
  message: { type: 'string' },
});
export type SalesHistoryProblem = FromSchema<typeof SalesHistoryProblemSchema>;

export const SalesHistoryResultSchema = object({
  imported: integer({ minimum: 0 }),
  stores: { type: 'array', items: { type: 'string' } },
  firstDay: nullable(dayString),
  lastDay: nullable(dayString),
});
export type SalesHistoryResult = FromSchema<typeof SalesHistoryResultSchema>;

/** One day of the uplift chart: the promoted product's sales and its two baselines, shifted to the same weekday. */
export const UpliftDaySchema = object({
  day: dayString,
  units: integer({ minimum: 0 }),
  revenueFen: integer({ minimum: 0 }),
  lastYearUnits: integer({ minimum: 0 }),
  lastMonthUnits: integer({ minimum: 0 }),
});

const comparison = object({
  /** The same stretch of days shifted back (364 days: last year; 28 days: last month), so weekdays line up. */
  fromDay: dayString,
  toDay: dayString,
  units: integer({ minimum: 0 }),
  revenueFen: integer({ minimum: 0 }),
  /** (period − baseline) / baseline, in percent; null when the baseline sold nothing. */
  unitsUpliftPct: nullable({ type: 'number' }),
  revenueUpliftPct: nullable({ type: 'number' }),
  /** The same change for the control group (the category's other products, no speaker): null without history. */
  controlUnitsChangePct: nullable({ type: 'number' }),
  /** Uplift net of the control group's change (difference in differences), percentage points. */
  netUnitsUpliftPts: nullable({ type: 'number' }),
});
export type UpliftComparison = FromSchema<typeof comparison>;

export const UPLIFT_BASELINES = ['lastYear', 'lastMonth'] as const;

/** The uplift of one promoted product at one promo speaker over the promo period (the seed's 环比 report). */
export const UpliftReportSchema = object({
  storeId: idString,
  sku: { type: 'string' },
  productName: nullable({ type: 'string' }),
  campaignId: nullable({ type: 'string' }),
  thingNames: { type: 'array', items: { type: 'string' } },
  fromDay: dayString,
  toDay: dayString,
  days: integer({ minimum: 1 }),
  units: integer({ minimum: 0 }),
  revenueFen: integer({ minimum: 0 }),
  /** Completed plays and presence triggers of the speakers in the period (proof of play). */
  plays: integer({ minimum: 0 }),
  presenceTriggers: integer({ minimum: 0 }),
  lastYear: comparison,
  lastMonth: comparison,
  series: { type: 'array', items: UpliftDaySchema },
});
export type UpliftReport = FromSchema<typeof UpliftReportSchema>;

export const UpliftQuery = object(
  {
    sku: { type: 'string', minLength: 1, maxLength: 64 },
    from: dayString,
    to: dayString,
  },
  { optional: ['sku', 'from', 'to'] },
);
export type UpliftQuery = FromSchema<typeof UpliftQuery>;

export const UpliftListSchema = object({ reports: { type: 'array', items: UpliftReportSchema } });
