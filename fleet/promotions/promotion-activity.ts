import type { PromotionWindow } from '../../protocol/commerce/promotions.ts';

const ISO_WEEKDAY: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formats = new Map<string, Intl.DateTimeFormat>();

/** The local date, ISO weekday and time of day of an instant in an IANA zone (decision 3: Intl, no library). */
function localParts(at: number, timeZone: string): { date: string; weekday: number; time: string } {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: ISO_WEEKDAY[parts.weekday ?? ''] ?? 0,
    time: `${parts.hour}:${parts.minute}`,
  };
}

/**
 * Whether a promotion's window is open at `at` in a store's zone: from the start of `from` to the end of `to`, on its
 * weekdays, within its hours (an hour range includes its start and excludes its end). The list filter of the API
 * (`activeAt`); the pricing engine's own evaluation is `commerce/promotion-window.ts` (issue 8, part A), which this
 * is to be replaced by once it lands.
 */
export function windowOpenAt(window: PromotionWindow, at: number, timeZone: string): boolean {
  const local = localParts(at, timeZone);
  if (local.date < window.from || local.date > window.to) return false;
  if (window.weekdays && !window.weekdays.includes(local.weekday)) return false;
  if (window.hours && !window.hours.some(([from, to]) => local.time >= from && local.time < to)) return false;
  return true;
}
