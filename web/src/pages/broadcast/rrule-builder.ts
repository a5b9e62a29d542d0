/**
 * The campaign editor's friendly recurrence (daily at times, weekly on days at times, every N minutes between two
 * times) as an RFC 5545 RRULE value (§3.3.10) without DTSTART: the fleet anchors it at `validFrom` 00:00 in each
 * store's zone. BYHOUR and BYMINUTE combine as a cross product (§3.3.10 "BYxxx rule parts expand"), so "09:00 and
 * 15:30" cannot be one rule: such times are refused here with a hint rather than silently expanded.
 */

export const WEEKDAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type WeekdayCode = (typeof WEEKDAY_CODES)[number];
export const WEEKDAY_LABELS: Record<WeekdayCode, string> = {
  MO: 'Mon',
  TU: 'Tue',
  WE: 'Wed',
  TH: 'Thu',
  FR: 'Fri',
  SA: 'Sat',
  SU: 'Sun',
};
/** Steps that divide an hour or are whole hours: they give the same minutes every hour (BYMINUTE), see above. */
export const EVERY_MINUTES = [5, 10, 15, 20, 30, 60, 120, 180] as const;

export type RecurrenceDraft =
  | { mode: 'daily' | 'weekly'; days: WeekdayCode[]; times: string }
  | { mode: 'every'; days: WeekdayCode[]; everyMinutes: number; from: string; to: string }
  | { mode: 'custom'; rule: string };

const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

function parseTimes(text: string): { h: number; m: number }[] | null {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return null;
  const out: { h: number; m: number }[] = [];
  for (const p of parts) {
    const m = TIME.exec(p);
    if (!m) return null;
    out.push({ h: Number(m[1]), m: Number(m[2]) });
  }
  return out;
}

const uniqSorted = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);
const byDay = (days: WeekdayCode[]) =>
  days.length > 0 && days.length < 7 ? `;BYDAY=${WEEKDAY_CODES.filter((d) => days.includes(d)).join(',')}` : '';

/** The RRULE value, or why the draft cannot be one. */
export function buildRule(d: RecurrenceDraft): { rule: string } | { problem: string } {
  if (d.mode === 'custom') return d.rule.trim() ? { rule: d.rule.trim() } : { problem: 'Write an RRULE.' };
  if (d.mode === 'every') {
    const from = TIME.exec(d.from);
    const to = TIME.exec(d.to);
    if (!from || !to) return { problem: 'Times are HH:MM.' };
    const start = Number(from[1]) * 60 + Number(from[2]);
    const end = Number(to[1]) * 60 + Number(to[2]);
    if (end <= start) return { problem: 'The end comes before the start.' };
    if (start % 60 !== 0 || end % 60 !== 0) return { problem: 'Between whole hours (09:00 – 21:00).' };
    const step = d.everyMinutes;
    const hours: number[] = [];
    for (let h = start / 60; h < end / 60; h += step >= 60 ? step / 60 : 1) hours.push(h);
    const minutes: number[] = [];
    for (let m = 0; m < 60; m += Math.min(step, 60)) minutes.push(m);
    return { rule: `FREQ=DAILY${byDay(d.days)};BYHOUR=${hours.join(',')};BYMINUTE=${minutes.join(',')}` };
  }
  const times = parseTimes(d.times);
  if (!times) return { problem: 'Times are HH:MM, separated by commas.' };
  const hours = uniqSorted(times.map((t) => t.h));
  const minutes = uniqSorted(times.map((t) => t.m));
  if (hours.length * minutes.length !== new Set(times.map((t) => t.h * 60 + t.m)).size)
    return {
      problem:
        'These times do not share their minutes (RRULE would also play every other hour × minute): use two campaigns or the raw RRULE.',
    };
  if (d.mode === 'weekly' && d.days.length === 0) return { problem: 'Pick at least one day.' };
  return {
    rule: `FREQ=${d.mode === 'weekly' ? 'WEEKLY' : 'DAILY'}${byDay(d.days)};BYHOUR=${hours.join(',')};BYMINUTE=${minutes.join(',')}`,
  };
}

/** The builder's draft for a stored rule when it is one of its shapes; `custom` otherwise. */
export function parseRule(rule: string): RecurrenceDraft {
  const parts = new Map(
    rule
      .split(';')
      .map((p) => p.split('=') as [string, string])
      .map(([k, v]) => [k?.toUpperCase() ?? '', v ?? '']),
  );
  const known = new Set(['FREQ', 'BYDAY', 'BYHOUR', 'BYMINUTE']);
  const freq = parts.get('FREQ');
  const hours = parts.get('BYHOUR')?.split(',').map(Number);
  const minutes = parts.get('BYMINUTE')?.split(',').map(Number);
  const days = (parts.get('BYDAY')?.split(',') ?? []) as WeekdayCode[];
  if (
    [...parts.keys()].some((k) => !known.has(k)) ||
    !hours?.length ||
    !minutes?.length ||
    [...hours, ...minutes].some((n) => !Number.isInteger(n)) ||
    days.some((d) => !WEEKDAY_CODES.includes(d))
  )
    return { mode: 'custom', rule };
  const pad = (n: number) => String(n).padStart(2, '0');
  const times = hours.flatMap((h) => minutes.map((m) => `${pad(h)}:${pad(m)}`)).join(', ');
  if (freq === 'WEEKLY') return { mode: 'weekly', days, times };
  if (freq === 'DAILY') return { mode: 'daily', days, times };
  return { mode: 'custom', rule };
}
