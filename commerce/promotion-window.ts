/**
 * Promotion windows are wall-clock rules of one store ("weekends 11:00–14:00 until 31 May"), so they are evaluated in
 * the store's IANA time zone (plan decision 3) with `Intl.DateTimeFormat`; `at` is an epoch-ms parameter, never a
 * clock read. Formatters are costly to build, so one is kept per zone.
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
        weekday: 'short',
      });
    } catch {
      throw fleetError('PRICING_INPUT_INVALID', `unknown time zone ${timeZone}`, { timeZone });
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall clock of zone `timeZone` at epoch ms `at`. */
export function localTime(at: number, timeZone: string): LocalTime {
  if (!Number.isSafeInteger(at)) throw fleetError('PRICING_INPUT_INVALID', 'at must be epoch milliseconds', { at });
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(at)) parts[part.type] = part.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: WEEKDAYS[parts.weekday as string] ?? 0,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/**
 * Whether `window` is open at a local time: `from` ≤ date ≤ `to` (whole days), the weekday listed (absent: every
 * day), and the minute inside one of the hour ranges, start inclusive, end exclusive (`24:00`: end of the day). A
 * range whose end is not after its start runs past midnight (22:00–02:00). Every test uses the instant's own local
 * date and weekday, so the 00:00–02:00 part of a Friday-only 22:00–02:00 range would need Saturday listed too.
 */
export function isWindowOpenAt(window: PromotionWindow, local: LocalTime): boolean {
  if (local.date < window.from || local.date > window.to) return false;
  if (window.weekdays && !window.weekdays.includes(local.weekday)) return false;
  if (!window.hours) return true;
  for (const [start, end] of window.hours) {
    const s = minutesOf(start);
    const e = minutesOf(end);
    if (s < e ? local.minute >= s && local.minute < e : local.minute >= s || local.minute < e) return true;
  }
  return false;
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
