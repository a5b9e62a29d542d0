/**
 * Promotion windows are wall-clock rules of one store ("weekends 11:00–14:00 until 31 May"), so they are evaluated in
 * the store's IANA time zone (plan decision 3) with `Intl.DateTimeFormat`; `at` is an epoch-ms parameter, never a
 * clock read. Formatters are costly to build, so one is kept per zone; formatting is costly too (~10 µs), so a pricing
 * context keeps a {@link LocalTimeCache} of its zone's wall clock by minute.
 */
import type { PromotionScope, PromotionWindow } from '../protocol/commerce/promotions.ts';
import { fleetError } from '../protocol/errors.ts';

/** The store's wall clock at one instant. */
export interface LocalTime {
  /** YYYY-MM-DD, comparable as a string. */
  date: string;
  /** ISO weekday, 1 = Monday ... 7 = Sunday. */
  weekday: number;
  /** Minutes since local midnight, 0..1439. */
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        weekday: 'short',
      });
    } catch {
      throw fleetError('PRICING_INPUT_INVALID', `unknown time zone ${timeZone}`, { timeZone });
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall clock of zone `timeZone` at epoch ms `at`, and whether its seconds read 0. */
function wallClock(at: number, timeZone: string): { local: LocalTime; secondZero: boolean } {
  if (!Number.isSafeInteger(at)) throw fleetError('PRICING_INPUT_INVALID', 'at must be epoch milliseconds', { at });
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(at)) parts[part.type] = part.value;
  const local = {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: WEEKDAYS[parts.weekday as string] ?? 0,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
  return { local, secondZero: Number(parts.second) === 0 };
}

/** The wall clock of zone `timeZone` at epoch ms `at`. */
export function localTime(at: number, timeZone: string): LocalTime {
  return wallClock(at, timeZone).local;
}

/**
 * One zone's wall clock by epoch minute, for a pricing context: a basket is priced at `at`, and at each line's scan
 * minute when windows are judged at `scannedAt`; a cart prices on every scan, within the same few minutes. Bounded
 * (cleared at {@link LocalTimeCache.LIMIT} minutes); the times it returns are shared and never modified.
 */
export class LocalTimeCache {
  static readonly LIMIT = 4096;
  private readonly minutes = new Map<number, { local: LocalTime; secondZero: boolean }>();

  constructor(readonly timeZone: string) {}

  /** The wall clock at the start of epoch minute `minute` (= `localTime(minute × 60,000)`). */
  ofMinute(minute: number): LocalTime {
    return this.entry(minute).local;
  }

  /**
   * `localTime(at)`: its minute's wall clock, unless the zone's offset then has seconds (Africa/Monrovia until 1972,
   * LMT before 1900): every IANA zone since 1972 changes offset at a whole UTC minute, so within a minute the local
   * date, weekday and minute move only when the offset is not whole minutes.
   */
  at(at: number): LocalTime {
    if (!Number.isSafeInteger(at)) throw fleetError('PRICING_INPUT_INVALID', 'at must be epoch milliseconds', { at });
    const entry = this.entry(Math.floor(at / 60_000));
    return entry.secondZero ? entry.local : localTime(at, this.timeZone);
  }

  private entry(minute: number): { local: LocalTime; secondZero: boolean } {
    let entry = this.minutes.get(minute);
    if (!entry) {
      if (this.minutes.size >= LocalTimeCache.LIMIT) this.minutes.clear();
      entry = wallClock(minute * 60_000, this.timeZone);
      this.minutes.set(minute, entry);
    }
    return entry;
  }
}

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** A window with its parts parsed once (the pricing context keeps one per promotion), for {@link isOpenAt}. */
export interface CompiledWindow {
  from: string;
  to: string;
  /** Bit d set: ISO weekday d listed; every bit set when the window lists none. */
  weekdays: number;
  /** No hour ranges: open all day. */
  allDay: boolean;
  /** Start and end minute of each hour range, flattened. */
  minutes: readonly number[];
}

export function compileWindow(window: PromotionWindow): CompiledWindow {
  let weekdays = 0xff;
  if (window.weekdays) {
    weekdays = 0;
    for (const d of window.weekdays) if (Number.isInteger(d) && d >= 0 && d <= 7) weekdays |= 1 << d;
  }
  const minutes: number[] = [];
  for (const [start, end] of window.hours ?? []) minutes.push(minutesOf(start), minutesOf(end));
  return { from: window.from, to: window.to, weekdays, allDay: !window.hours, minutes };
}

/**
 * Whether `window` is open at a local time: `from` ≤ date ≤ `to` (whole days), the weekday listed (absent: every
 * day), and the minute inside one of the hour ranges, start inclusive, end exclusive (`24:00`: end of the day). A
 * range whose end is not after its start runs past midnight (22:00–02:00). Every test uses the instant's own local
 * date and weekday, so the 00:00–02:00 part of a Friday-only 22:00–02:00 range would need Saturday listed too.
 */
export function isOpenAt(window: CompiledWindow, local: LocalTime): boolean {
  if (local.date < window.from || local.date > window.to) return false;
  if ((window.weekdays & (1 << local.weekday)) === 0) return false;
  if (window.allDay) return true;
  const m = window.minutes;
  for (let i = 0; i < m.length; i += 2) {
    const s = m[i] as number;
    const e = m[i + 1] as number;
    if (s < e ? local.minute >= s && local.minute < e : local.minute >= s || local.minute < e) return true;
  }
  return false;
}

/** {@link isOpenAt} for a window not compiled in advance. */
export function isWindowOpenAt(window: PromotionWindow, local: LocalTime): boolean {
  return isOpenAt(compileWindow(window), local);
}

/** Whether `window` is open at epoch ms `at` in zone `timeZone`. */
export function isWindowOpen(window: PromotionWindow, at: number, timeZone: string): boolean {
  return isWindowOpenAt(window, localTime(at, timeZone));
}

/** Whether a promotion or rule with `scope` runs in a store: listed, or in a listed region, or both lists empty. */
export function inScope(scope: PromotionScope, store: { id: string; region: string | null }): boolean {
  if (scope.storeIds.length === 0 && scope.regions.length === 0) return true;
  if (scope.storeIds.includes(store.id)) return true;
  return store.region !== null && scope.regions.includes(store.region);
}
