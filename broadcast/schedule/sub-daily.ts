import rr from 'rrule';
import { FleetError } from '../../protocol/errors.ts';

const { RRule } = rr;
type RuleOptions = ReturnType<typeof RRule.parseString>;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * FREQ=MINUTELY and FREQ=HOURLY expanded here, not by rrule: rrule 2.8 iterates every period from DTSTART, and with
 * BYHOUR and BYDAY it restarted its count at the next allowed hour (another phase than RFC 5545's DTSTART + k ×
 * INTERVAL), returned nothing for some windows, and ran for minutes on `FREQ=MINUTELY;INTERVAL=15;BYHOUR=9,10,17;
 * BYDAY=MO,WE` from a DTSTART a year back (checked here). Periods here are computed, not iterated to: the first in the
 * window is found by division.
 *
 * RFC 5545 §3.3.10 (the BYxxx table): for MINUTELY, BYSECOND expands and every other BYxxx limits; for HOURLY,
 * BYMINUTE and BYSECOND expand. BYDAY with a number, BYWEEKNO, BYSETPOS and COUNT are refused for these
 * frequencies ({@link checkSubDaily}).
 */
export function isSubDaily(options: RuleOptions): boolean {
  return options.freq === RRule.MINUTELY || options.freq === RRule.HOURLY;
}

/** RRULE_INVALID for what the sub-daily expansion does not do. */
export function checkSubDaily(rule: string, options: RuleOptions): void {
  const refuse = (what: string) => {
    throw new FleetError('RRULE_INVALID', `'${rule}': ${what} is not supported with FREQ=MINUTELY or HOURLY`);
  };
  if (options.count !== undefined && options.count !== null) refuse('COUNT (use UNTIL or validUntil)');
  if (list(options.bysetpos).length > 0) refuse('BYSETPOS');
  if (list(options.byweekno).length > 0) refuse('BYWEEKNO');
  if (list(options.byweekday).some((d) => typeof d === 'object' && d !== null && (d as { n?: number }).n)) {
    refuse('BYDAY with an ordinal (+1MO)');
  }
}

/** Floating wall times of the rule in [a, b) from `dtstart`, at most `limit`. */
export function subDailyTimes(options: RuleOptions, dtstart: number, a: number, b: number, limit: number): number[] {
  const hourly = options.freq === RRule.HOURLY;
  const unit = hourly ? HOUR_MS : MINUTE_MS;
  const period = unit * (options.interval ?? 1);
  const first = dtstart - (dtstart % unit);
  const start = new Date(dtstart);
  const offsets: number[] = [];
  const seconds = list(options.bysecond);
  const secondsOf = seconds.length > 0 ? seconds : [start.getUTCSeconds()];
  if (hourly) {
    const minutes = list(options.byminute);
    for (const m of minutes.length > 0 ? minutes : [start.getUTCMinutes()]) {
      for (const s of secondsOf) offsets.push(m * MINUTE_MS + s * 1000);
    }
  } else {
    for (const s of secondsOf) offsets.push(s * 1000);
  }
  offsets.sort((x, y) => x - y);
  const hours = new Set(list(options.byhour));
  const minutesLimit = hourly ? new Set<number>() : new Set(list(options.byminute));
  const months = new Set(list(options.bymonth));
  const monthDays = list(options.bymonthday);
  const yearDays = list(options.byyearday);
  const weekdays = new Set(
    list(options.byweekday).map((d) => (typeof d === 'number' ? d : (d as { weekday: number }).weekday)),
  );
  const until = options.until ? options.until.getTime() : Infinity;
  const end = Math.min(b, until + 1);
  const out: number[] = [];
  let k = Math.max(0, Math.floor((a - first) / period) - 1);
  for (let p = first + k * period; p < end && out.length < limit; k++, p = first + k * period) {
    const d = new Date(p);
    if (hours.size > 0 && !hours.has(d.getUTCHours())) continue;
    if (minutesLimit.size > 0 && !minutesLimit.has(d.getUTCMinutes())) continue;
    if (months.size > 0 && !months.has(d.getUTCMonth() + 1)) continue;
    // rrule's weekday numbers: 0 is Monday.
    if (weekdays.size > 0 && !weekdays.has((d.getUTCDay() + 6) % 7)) continue;
    if (monthDays.length > 0 && !matchesDay(monthDays, d.getUTCDate(), daysInMonth(d))) continue;
    if (yearDays.length > 0 && !matchesDay(yearDays, dayOfYear(d), daysInYear(d))) continue;
    for (const offset of offsets) {
      const t = p + offset;
      if (t >= dtstart && t >= a && t < end && out.length < limit) out.push(t);
    }
  }
  return out;
}

function list<T>(value: T | T[] | null | undefined): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** A day number matches a positive value, or a negative one counted from the end (RFC 5545: -1 is the last). */
function matchesDay(values: number[], day: number, length: number): boolean {
  return values.some((v) => (v > 0 ? v === day : length + v + 1 === day));
}

function daysInMonth(d: Date): number {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
}

function dayOfYear(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS) + 1;
}

function daysInYear(d: Date): number {
  const y = d.getUTCFullYear();
  return (Date.UTC(y + 1, 0, 1) - Date.UTC(y, 0, 1)) / DAY_MS;
}
