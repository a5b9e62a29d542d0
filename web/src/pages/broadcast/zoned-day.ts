/** Local dates and minutes of the day in a store's zone, for laying a week of epoch-ms entries out on a grid. */

const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timeZone, f);
  }
  return f;
}

export function zoned(ts: number, timeZone: string): { day: string; minutes: number; hhmm: string } {
  const parts = Object.fromEntries(
    format(timeZone)
      .formatToParts(new Date(ts))
      .map((p) => [p.type, p.value]),
  );
  const minutes = Number(parts.hour) * 60 + Number(parts.minute) + Number(parts.second) / 60;
  return { day: `${parts.year}-${parts.month}-${parts.day}`, minutes, hhmm: `${parts.hour}:${parts.minute}` };
}

/**
 * The pieces of [from, to) per local day, as minutes from that day's midnight (a music window over midnight is two
 * pieces). Walks in steps no longer than a day, so DST days of 23 or 25 hours come out right.
 */
export function splitByDay(from: number, to: number, timeZone: string): { day: string; start: number; end: number }[] {
  const out: { day: string; start: number; end: number }[] = [];
  let t = from;
  while (t < to) {
    const here = zoned(t, timeZone);
    const toMidnight = Math.round((24 * 60 - here.minutes) * 60_000);
    const pieceEnd = Math.min(to, t + Math.max(60_000, toMidnight));
    const endMinutes = pieceEnd === to ? here.minutes + (to - t) / 60_000 : 24 * 60;
    out.push({ day: here.day, start: here.minutes, end: Math.min(24 * 60, endMinutes) });
    t = pieceEnd;
  }
  return out;
}

/**
 * `YYYY-MM-DDTHH:MM` read as the store's local time (a `datetime-local` input's value) as epoch ms, whatever the
 * browser's own zone: the UTC reading corrected by the zone's offset at that moment (twice, for a DST change between).
 */
export function localToEpoch(local: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const wanted = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  let t = wanted;
  for (let i = 0; i < 2; i++) {
    const z = zoned(t, timeZone);
    const seen = Date.parse(`${z.day}T00:00:00Z`) + Math.round(z.minutes) * 60_000;
    t += wanted - seen;
  }
  return t;
}
