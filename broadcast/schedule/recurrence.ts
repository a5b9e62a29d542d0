import rr from 'rrule';
import type { Recurrence } from '../../protocol/api/broadcast-schedule.ts';
import { FleetError } from '../../protocol/errors.ts';
import { checkSubDaily, isSubDaily, subDailyTimes } from './sub-daily.ts';
import { DAY_MS, parseWallDate, wallDate, wallMinute, type ZoneOffsets } from './zoned-time.ts';

const { RRule } = rr;
type RRuleInstance = InstanceType<typeof RRule>;

/**
 * The most occurrences a rule may have in a day: one every 5 minutes. A denser rule (FREQ=SECONDLY, or MINUTELY
 * without a wide INTERVAL) would flood a speaker's manifest and the compiler; it is refused when written, and every
 * expansion is bounded by it besides.
 */
export const MAX_OCCURRENCES_PER_DAY = 288;

const RANGES: Record<string, [number, number]> = {
  byhour: [0, 23],
  byminute: [0, 59],
  bysecond: [0, 59],
  bymonth: [1, 12],
  bymonthday: [-31, 31],
  byyearday: [-366, 366],
  byweekno: [-53, 53],
  bysetpos: [-366, 366],
  interval: [1, 10_000],
  count: [1, 1_000_000],
};

/** The RRULE value without a `RRULE:` prefix; DTSTART and TZID belong to the compiler (RFC 5545 §3.8.5.3). */
function ruleText(rule: string): string {
  const text = rule.trim().replace(/^RRULE:/i, '');
  if (/DTSTART|TZID|\n/i.test(text)) {
    throw new FleetError('RRULE_INVALID', `'${rule}': give the RRULE value only (no DTSTART, TZID or other lines)`);
  }
  return text;
}

/**
 * Checks a rule: RFC 5545 syntax (as rrule parses it), values in range, and at most
 * {@link MAX_OCCURRENCES_PER_DAY} a day over a sample week. RRULE_INVALID says what is wrong.
 */
export function checkRule(rule: string): void {
  const text = ruleText(rule);
  let options: ReturnType<typeof RRule.parseString>;
  try {
    options = RRule.parseString(text);
  } catch (err) {
    throw new FleetError('RRULE_INVALID', `'${rule}': ${(err as Error).message}`);
  }
  if (options.freq === undefined || options.freq === null) {
    throw new FleetError('RRULE_INVALID', `'${rule}': FREQ is required`);
  }
  if (options.freq === RRule.SECONDLY) {
    throw new FleetError('RRULE_INVALID', `'${rule}': FREQ=SECONDLY is not supported (at most one every 5 minutes)`);
  }
  for (const [key, [min, max]] of Object.entries(RANGES)) {
    const value = (options as Record<string, unknown>)[key];
    if (value === undefined || value === null) continue;
    const values = Array.isArray(value) ? value : [value];
    if (
      values.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max || (v === 0 && min < 0))
    ) {
      throw new FleetError('RRULE_INVALID', `'${rule}': ${key.toUpperCase()} must be within ${min}..${max}`);
    }
  }
  if (isSubDaily(options)) checkSubDaily(rule, options);
  const sampleStart = Date.UTC(2026, 0, 5);
  let count = 0;
  const limit = 8 * MAX_OCCURRENCES_PER_DAY;
  try {
    if (isSubDaily(options)) {
      count = subDailyTimes(options, sampleStart, sampleStart, sampleStart + 8 * DAY_MS, limit + 1).length;
    } else {
      new RRule({ ...options, dtstart: new Date(sampleStart) }).between(
        new Date(sampleStart),
        new Date(sampleStart + 8 * DAY_MS - 1),
        true,
        () => ++count <= limit,
      );
    }
  } catch (err) {
    throw new FleetError('RRULE_INVALID', `'${rule}': ${(err as Error).message}`);
  }
  if (count > limit) {
    throw new FleetError(
      'RRULE_INVALID',
      `'${rule}': more than ${MAX_OCCURRENCES_PER_DAY} occurrences a day (at most one every 5 minutes)`,
    );
  }
}

/** One occurrence: its instant, its local wall time and date, and its place among the day's occurrences. */
export interface Occurrence {
  at: number;
  wall: number;
  localDate: string;
  /** 0 for the day's first occurrence of the rule, 1 for the second ... (asset rotation). */
  ordinal: number;
}

/** Holiday id → its local dates. */
export type HolidayDates = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * Expands recurrences in a store's zone. Wall-time expansions are shared by key (rule, DTSTART, wall range): HQ's
 * campaigns are the same rules in hundreds of stores of one zone, so a chain-wide compile expands each once. Pass
 * one expander to many compilations (it is a cache, dropped with the compile run).
 */
export class RecurrenceExpander {
  private readonly rules = new Map<string, RRuleInstance>();
  private readonly walls = new Map<string, number[]>();
  private readonly occurrences = new Map<string, readonly Occurrence[]>();
  private readonly dates = new Map<number, string>();

  constructor(readonly zones: ZoneOffsets) {}

  /**
   * Occurrences starting in [from - lookbackMs, to), in the zone, after the date range, exceptions and holidays.
   * `lookbackMs` catches what started before `from` and still runs (a music slot). Remembered: the stores of one
   * zone compiled for one window get the same array (read only).
   */
  expand(
    recurrence: Recurrence,
    zone: string,
    from: number,
    to: number,
    holidays: HolidayDates,
    lookbackMs = 0,
  ): readonly Occurrence[] {
    const holidayKey = [...(recurrence.exceptHolidays ?? []), '|', ...(recurrence.onlyOnHolidays ?? [])]
      .map((id) => (id === '|' ? id : `${id}:${[...(holidays.get(id) ?? [])].join(',')}`))
      .join(';');
    const key = [
      recurrence.rule,
      recurrence.validFrom,
      recurrence.validUntil,
      (recurrence.exceptions ?? []).join(','),
      holidayKey,
      zone,
      from,
      to,
      lookbackMs,
    ].join('|');
    let found = this.occurrences.get(key);
    if (!found) {
      found = this.place(recurrence, zone, from, to, holidays, lookbackMs);
      this.occurrences.set(key, found);
    }
    return found;
  }

  private place(
    recurrence: Recurrence,
    zone: string,
    from: number,
    to: number,
    holidays: HolidayDates,
    lookbackMs: number,
  ): Occurrence[] {
    const startWall = this.zones.toWall(zone, from - lookbackMs) - DAY_MS / 12;
    const endWall = this.zones.toWall(zone, to) + DAY_MS / 12;
    const validFrom = parseWallDate(recurrence.validFrom);
    const validEnd = recurrence.validUntil === null ? Infinity : parseWallDate(recurrence.validUntil) + DAY_MS;
    const a = Math.max(startWall, validFrom);
    const b = Math.min(endWall, validEnd);
    if (a >= b) return [];
    const walls = this.wallTimes(recurrence.rule, recurrence.validFrom, a, b);
    const exceptDays = new Set<string>();
    const exceptMinutes = new Set<string>();
    for (const e of recurrence.exceptions ?? []) (e.length === 10 ? exceptDays : exceptMinutes).add(e);
    for (const id of recurrence.exceptHolidays ?? []) for (const d of holidays.get(id) ?? []) exceptDays.add(d);
    let onlyDays: Set<string> | null = null;
    if ((recurrence.onlyOnHolidays ?? []).length > 0) {
      onlyDays = new Set();
      for (const id of recurrence.onlyOnHolidays ?? []) for (const d of holidays.get(id) ?? []) onlyDays.add(d);
    }
    const out: Occurrence[] = [];
    let day = '';
    let ordinal = 0;
    for (const wall of walls) {
      const dayNumber = Math.floor(wall / DAY_MS);
      let localDate = this.dates.get(dayNumber);
      if (localDate === undefined) {
        localDate = wallDate(wall);
        this.dates.set(dayNumber, localDate);
      }
      if (localDate !== day) {
        day = localDate;
        ordinal = 0;
      } else {
        ordinal++;
      }
      if (exceptDays.has(localDate) || (onlyDays && !onlyDays.has(localDate))) continue;
      if (exceptMinutes.size > 0 && exceptMinutes.has(wallMinute(wall))) continue;
      const at = this.zones.toInstant(zone, wall);
      if (at < from - lookbackMs || at >= to) continue;
      out.push({ at, wall, localDate, ordinal });
    }
    return out;
  }

  /** Floating wall times of the rule in [a, b), bounded by {@link MAX_OCCURRENCES_PER_DAY}. */
  private wallTimes(rule: string, validFrom: string, a: number, b: number): number[] {
    // Whole local days, so that `ordinal` counts from the day's first occurrence whatever the window.
    const dayA = Math.floor(a / DAY_MS) * DAY_MS;
    const dayB = Math.ceil(b / DAY_MS) * DAY_MS;
    const key = `${rule}|${validFrom}|${dayA}|${dayB}`;
    let walls = this.walls.get(key);
    if (!walls) {
      const options = RRule.parseString(ruleText(rule));
      const limit = Math.ceil((dayB - dayA) / DAY_MS) * MAX_OCCURRENCES_PER_DAY;
      let found: number[];
      if (isSubDaily(options)) {
        found = subDailyTimes(options, parseWallDate(validFrom), dayA, dayB, limit);
      } else {
        // DAILY and coarser: rrule iterates a day at a time at most, a few hundred steps a year.
        const ruleKey = `${rule}|${validFrom}`;
        let compiled = this.rules.get(ruleKey);
        if (!compiled) {
          compiled = new RRule({ ...options, dtstart: new Date(parseWallDate(validFrom)) });
          this.rules.set(ruleKey, compiled);
        }
        const collected: number[] = [];
        compiled.between(new Date(dayA), new Date(dayB), true, (d) => {
          if (d.getTime() < dayB) collected.push(d.getTime());
          return collected.length < limit;
        });
        found = collected;
      }
      walls = found;
      this.walls.set(key, walls);
    }
    return walls;
  }
}
