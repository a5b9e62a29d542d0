/**
 * The calendar day an instant falls on in a store's IANA time zone, as [start, end) in epoch ms, computed with
 * `Intl.DateTimeFormat` (plan decision 3: no time-zone library). A store's daily limits reset at its own midnight.
 */
export function storeDay(at: number, timeZone: string): { day: string; start: number; end: number } {
  // The day is [start, end): an instant inside the last day computed for the zone needs no Intl call (five
  // formatToParts each, and every member checkout asks).
  const last = lastDays.get(timeZone);
  if (last && at >= last.start && at < last.end) return { ...last };
  const { year, month, day } = localDate(at, timeZone);
  const start = localMidnight(year, month, day, timeZone);
  const end = localMidnight(year, month, day + 1, timeZone);
  const result = { day: `${year}-${pad(month)}-${pad(day)}`, start, end };
  lastDays.set(timeZone, result);
  return { ...result };
}

const lastDays = new Map<string, { day: string; start: number; end: number }>();
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function localParts(at: number, timeZone: string): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return parts;
}

function localDate(at: number, timeZone: string): { year: number; month: number; day: number } {
  const p = localParts(at, timeZone);
  return { year: p.year as number, month: p.month as number, day: p.day as number };
}

/** The zone's offset from UTC at `at`, in ms (local wall time − UTC). */
function offsetAt(at: number, timeZone: string): number {
  const p = localParts(at, timeZone);
  const wall = Date.UTC(p.year as number, (p.month as number) - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(at / 1000) * 1000;
}

/** The instant of 00:00 local on that date (Date.UTC normalises day 32 into the next month). */
function localMidnight(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  // Two passes: the offset at the guess may differ from the offset at midnight across a DST change.
  let guess = wall - offsetAt(wall, timeZone);
  guess = wall - offsetAt(guess, timeZone);
  return guess;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
