/** Calendar days in a store's time zone, as the broadcast APIs take them (`YYYY-MM-DD`, the store's local date). */

export function storeToday(timeZone: string, now = Date.now()): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(now),
  );
}

export function shiftDay(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Seconds since the epoch at UTC midnight of `day`: the x value of a per-day chart (uPlot's time axis). */
export function dayToSeconds(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / 1000;
}

/** A signed percentage (`+12.5%`, `−3.0%`), `—` when there is no baseline. */
export function signedPct(value: number | null | undefined, unit = '%'): string {
  if (value === null || value === undefined) return '—';
  const sign = value > 0 ? '+' : value < 0 ? '−' : '±';
  return `${sign}${Math.abs(value).toFixed(1)}${unit}`;
}

export function toneOf(value: number | null | undefined): string {
  if (value === null || value === undefined) return 'muted';
  return value > 0 ? 'trend-up' : value < 0 ? 'trend-down' : '';
}
