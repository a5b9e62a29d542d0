/**
 * The promo uplift arithmetic (issue 9 item 9), pure: the promoted product's sales over the promo period against the
 * same stretch of days last year and last month — the seed's 环比 comparison — and against a control group (the
 * category's other products in the same store, which no speaker promoted), so that a store-wide rise (a holiday, a
 * new residential block) is not credited to the speaker: net uplift = product change − control change (a
 * difference in differences).
 *
 * "Last year" is 364 days back and "last month" 28 days back, not the calendar date: retail sales follow the weekday
 * (a Saturday sells twice a Tuesday), so a baseline is only fair when every day is compared with the same weekday.
 */

export const LAST_YEAR_SHIFT_DAYS = 364;
export const LAST_MONTH_SHIFT_DAYS = 28;

export interface DailySales {
  /** `YYYY-MM-DD`, the store's local date. */
  day: string;
  units: number;
  revenueFen: number;
}

export interface Totals {
  units: number;
  revenueFen: number;
}

export interface Comparison {
  fromDay: string;
  toDay: string;
  units: number;
  revenueFen: number;
  unitsUpliftPct: number | null;
  revenueUpliftPct: number | null;
  controlUnitsChangePct: number | null;
  netUnitsUpliftPts: number | null;
}

export interface UpliftDay {
  day: string;
  units: number;
  revenueFen: number;
  lastYearUnits: number;
  lastMonthUnits: number;
}

export interface Uplift {
  fromDay: string;
  toDay: string;
  days: number;
  units: number;
  revenueFen: number;
  lastYear: Comparison;
  lastMonth: Comparison;
  series: UpliftDay[];
}

/** Reads a series of daily sales (days without sales may be missing) over [fromDay, toDay]. */
export type SalesReader = (fromDay: string, toDay: string) => readonly DailySales[];

const DAY_MS = 86_400_000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

function dayNumber(day: string): number {
  const m = DAY_PATTERN.exec(day);
  if (!m) throw new RangeError(`'${day}' is not a YYYY-MM-DD date`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 2026-02-30 over to March: a date that does not exist is not a day.
  if (new Date(ms).toISOString().slice(0, 10) !== day) throw new RangeError(`'${day}' is not a calendar date`);
  return ms / DAY_MS;
}

function dayString(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

export function isCalendarDay(day: string): boolean {
  try {
    dayNumber(day);
    return true;
  } catch {
    return false;
  }
}

/** `day` moved by `delta` days (negative: back). */
export function shiftDay(day: string, delta: number): string {
  return dayString(dayNumber(day) + delta);
}

/** Days from `fromDay` to `toDay`, both included (0 when `toDay` is before `fromDay`). */
export function dayCount(fromDay: string, toDay: string): number {
  return Math.max(0, dayNumber(toDay) - dayNumber(fromDay) + 1);
}

function sum(series: readonly DailySales[]): Totals {
  let units = 0;
  let revenueFen = 0;
  for (const d of series) {
    units += d.units;
    revenueFen += d.revenueFen;
  }
  return { units, revenueFen };
}

/** (now − before) / before in percent, one decimal; null when there is no baseline to compare with. */
export function changePct(now: number, before: number): number | null {
  if (before <= 0) return null;
  return Math.round(((now - before) / before) * 1000) / 10;
}

function compare(
  period: Totals,
  controlPeriod: Totals | null,
  shift: number,
  fromDay: string,
  toDay: string,
  product: SalesReader,
  control: SalesReader | null,
): Comparison {
  const baseFrom = shiftDay(fromDay, -shift);
  const baseTo = shiftDay(toDay, -shift);
  const base = sum(product(baseFrom, baseTo));
  const unitsUpliftPct = changePct(period.units, base.units);
  const controlUnitsChangePct =
    control && controlPeriod ? changePct(controlPeriod.units, sum(control(baseFrom, baseTo)).units) : null;
  return {
    fromDay: baseFrom,
    toDay: baseTo,
    units: base.units,
    revenueFen: base.revenueFen,
    unitsUpliftPct,
    revenueUpliftPct: changePct(period.revenueFen, base.revenueFen),
    controlUnitsChangePct,
    netUnitsUpliftPts:
      unitsUpliftPct === null || controlUnitsChangePct === null
        ? null
        : Math.round((unitsUpliftPct - controlUnitsChangePct) * 10) / 10,
  };
}

/** The uplift of a product over [fromDay, toDay], with `control` the category's other products (or null). */
export function computeUplift(
  fromDay: string,
  toDay: string,
  product: SalesReader,
  control: SalesReader | null,
): Uplift {
  const days = dayCount(fromDay, toDay);
  if (days === 0) throw new RangeError(`the period ends (${toDay}) before it starts (${fromDay})`);
  const periodSeries = product(fromDay, toDay);
  const period = sum(periodSeries);
  const controlPeriod = control ? sum(control(fromDay, toDay)) : null;
  const byDay = (series: readonly DailySales[]) => new Map(series.map((d) => [d.day, d]));
  const now = byDay(periodSeries);
  const lastYear = byDay(product(shiftDay(fromDay, -LAST_YEAR_SHIFT_DAYS), shiftDay(toDay, -LAST_YEAR_SHIFT_DAYS)));
  const lastMonth = byDay(product(shiftDay(fromDay, -LAST_MONTH_SHIFT_DAYS), shiftDay(toDay, -LAST_MONTH_SHIFT_DAYS)));
  const series: UpliftDay[] = [];
  for (let i = 0; i < days; i++) {
    const day = shiftDay(fromDay, i);
    series.push({
      day,
      units: now.get(day)?.units ?? 0,
      revenueFen: now.get(day)?.revenueFen ?? 0,
      lastYearUnits: lastYear.get(shiftDay(day, -LAST_YEAR_SHIFT_DAYS))?.units ?? 0,
      lastMonthUnits: lastMonth.get(shiftDay(day, -LAST_MONTH_SHIFT_DAYS))?.units ?? 0,
    });
  }
  return {
    fromDay,
    toDay,
    days,
    units: period.units,
    revenueFen: period.revenueFen,
    lastYear: compare(period, controlPeriod, LAST_YEAR_SHIFT_DAYS, fromDay, toDay, product, control),
    lastMonth: compare(period, controlPeriod, LAST_MONTH_SHIFT_DAYS, fromDay, toDay, product, control),
    series,
  };
}
