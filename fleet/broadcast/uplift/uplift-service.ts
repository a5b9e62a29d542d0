import {
  computeUplift,
  type DailySales,
  dayCount,
  isCalendarDay,
  shiftDay,
} from '../../../broadcast/uplift/uplift-calculation.ts';
import type { UpliftReport } from '../../../protocol/api/sales.ts';
import { FleetError } from '../../../protocol/errors.ts';
import type { SalesDayRepository } from '../../sales/sales-day-repository.ts';

/** A product a campaign promoted at promo speakers of one store over some days (from the broadcast schedule). */
export interface PromoPlacement {
  campaignId: string | null;
  storeId: string;
  sku: string;
  thingNames: string[];
  fromDay: string;
  toDay: string;
}

/** What the uplift report needs from the rest of the fleet (ports: the schedule, proof of play, the catalog). */
export interface UpliftSources {
  /** Promo campaigns of the store whose days overlap [fromDay, toDay]. */
  placements(storeId: string, fromDay: string, toDay: string): PromoPlacement[];
  /** Completed plays and presence-triggered plays of these speakers for the campaign over [fromDay, toDay]. */
  plays(
    storeId: string,
    thingNames: readonly string[],
    campaignId: string | null,
    fromDay: string,
    toDay: string,
  ): { plays: number; presenceTriggers: number };
  /** The product's name (Chinese first, the seed's stores are Chinese) and its category's other products. */
  product(sku: string): { name: string | null; peers: string[] } | undefined;
  /** The store's local date now. */
  today(storeId: string): string;
}

/** Longest period one report covers (a year and a bit: a whole season's campaign). */
export const MAX_UPLIFT_DAYS = 400;

/**
 * Promo uplift per promoted product and speaker (issue 9 item 9): the sales of `product_sales_daily` (cart orders
 * rolled up, plus point-of-sale history) over each promo placement, against last year and last month and against the
 * category's other products as control (`broadcast/uplift/uplift-calculation.ts` says why those baselines).
 */
export class UpliftService {
  constructor(
    private readonly sales: SalesDayRepository,
    private readonly sources: UpliftSources,
  ) {}

  /**
   * One report per promoted product in the store over [from, to] (default: the last 28 days up to today), or one for
   * `sku` alone (a product no campaign promoted gets its report too, with no speakers: the same numbers, no plays).
   */
  reports(storeId: string, query: { sku?: string; from?: string; to?: string }): UpliftReport[] {
    const today = this.sources.today(storeId);
    const toDay = query.to ?? today;
    const fromDay = query.from ?? shiftDay(toDay, -27);
    for (const [name, day] of [
      ['from', fromDay],
      ['to', toDay],
    ] as const)
      if (!isCalendarDay(day)) throw new FleetError('BAD_REQUEST', `'${name}' is not a YYYY-MM-DD date: '${day}'`);
    const days = toDay < fromDay ? 0 : dayCount(fromDay, toDay);
    if (days === 0) throw new FleetError('BAD_REQUEST', `the period ends (${toDay}) before it starts (${fromDay})`);
    if (days > MAX_UPLIFT_DAYS) throw new FleetError('BAD_REQUEST', `a report covers at most ${MAX_UPLIFT_DAYS} days`);
    let placements = this.sources.placements(storeId, fromDay, toDay).map((p) => ({
      ...p,
      fromDay: [p.fromDay, fromDay].sort()[1] as string,
      toDay: [p.toDay, toDay].sort()[0] as string,
    }));
    if (query.sku) {
      placements = placements.filter((p) => p.sku === query.sku);
      if (placements.length === 0)
        placements = [{ campaignId: null, storeId, sku: query.sku, thingNames: [], fromDay, toDay }];
    }
    return placements.map((p) => this.report(p));
  }

  private report(p: PromoPlacement): UpliftReport {
    const product = this.sources.product(p.sku);
    const read =
      (skus: readonly string[] | string) =>
      (from: string, to: string): DailySales[] =>
        (typeof skus === 'string'
          ? this.sales.series(p.storeId, skus, from, to)
          : this.sales.seriesOf(p.storeId, skus, from, to)
        ).map((d) => ({ day: d.day, units: d.units, revenueFen: d.revenueFen }));
    const peers = product?.peers.filter((s) => s !== p.sku) ?? [];
    const uplift = computeUplift(p.fromDay, p.toDay, read(p.sku), peers.length > 0 ? read(peers) : null);
    const played = this.sources.plays(p.storeId, p.thingNames, p.campaignId, p.fromDay, p.toDay);
    return {
      storeId: p.storeId,
      sku: p.sku,
      productName: product?.name ?? null,
      campaignId: p.campaignId,
      thingNames: p.thingNames,
      ...uplift,
      plays: played.plays,
      presenceTriggers: played.presenceTriggers,
    };
  }
}

/** The reports as CSV: one line per report and baseline, the columns a category manager pastes into a sheet. */
export function upliftCsv(reports: readonly UpliftReport[]): string {
  const header = [
    'store_id',
    'sku',
    'product',
    'campaign_id',
    'speakers',
    'from',
    'to',
    'units',
    'revenue',
    'plays',
    'presence_triggers',
    'baseline',
    'baseline_from',
    'baseline_to',
    'baseline_units',
    'units_uplift_pct',
    'revenue_uplift_pct',
    'control_change_pct',
    'net_uplift_pts',
  ];
  const cell = (v: unknown) => {
    let s = v === null || v === undefined ? '' : String(v);
    // A product name starting with = + - @ would run as a formula in a spreadsheet (CSV injection): quote it as text.
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = [header.join(',')];
  for (const r of reports)
    for (const [name, c] of [
      ['last_year', r.lastYear],
      ['last_month', r.lastMonth],
    ] as const)
      lines.push(
        [
          r.storeId,
          r.sku,
          r.productName,
          r.campaignId,
          r.thingNames.join(' '),
          r.fromDay,
          r.toDay,
          r.units,
          (r.revenueFen / 100).toFixed(2),
          r.plays,
          r.presenceTriggers,
          name,
          c.fromDay,
          c.toDay,
          c.units,
          c.unitsUpliftPct,
          c.revenueUpliftPct,
          c.controlUnitsChangePct,
          c.netUnitsUpliftPts,
        ]
          .map(cell)
          .join(','),
      );
  return `${lines.join('\r\n')}\r\n`;
}
