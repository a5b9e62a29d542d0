import assert from 'node:assert/strict';
import { windowProblems, windowState } from '../../../ota/rollout/maintenance-windows.ts';
import type { MaintenanceWindow } from '../../../protocol/api/rollouts.ts';
import { rng } from '../../commerce/brute-force.ts';

const NY = 'America/New_York';
const MINUTE = 60_000;
const at = (iso: string) => Date.parse(iso);
const w = (cron: string, durationMinutes: number, timeZone = ''): MaintenanceWindow => ({
  cron,
  durationMinutes,
  timeZone,
});

/** Local wall-clock fields of an instant in a zone, as Intl reads them (the brute force's own reading). */
function localFields(zone: string) {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    weekday: 'short',
  });
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const cache = new Map<number, LocalFields>();
  return (t: number): LocalFields => {
    const known = cache.get(t);
    if (known) return known;
    const parts = Object.fromEntries(format.formatToParts(t).map((p) => [p.type, p.value]));
    const fields = {
      minute: Number(parts.minute),
      hour: Number(parts.hour),
      day: Number(parts.day),
      month: Number(parts.month),
      weekday: days.indexOf(parts.weekday ?? ''),
    };
    cache.set(t, fields);
    return fields;
  };
}

interface LocalFields {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
}

/** A 5-field cron of lists, ranges and steps (no names), matched field by field. */
function cronMatcher(cron: string) {
  const field = (text: string, min: number, max: number) => {
    const values = new Set<number>();
    for (const part of text.split(',')) {
      const [range, stepText] = part.split('/');
      const step = Number(stepText ?? 1);
      const [lo, hi] = range === '*' ? [min, max] : (range ?? '').split('-').map(Number);
      for (let v = lo ?? min; v <= (hi ?? lo ?? max); v += step) values.add(v);
    }
    return values;
  };
  const [mi, ho, dm, mo, dw] = cron.split(' ');
  const sets = {
    minute: field(mi ?? '*', 0, 59),
    hour: field(ho ?? '*', 0, 23),
    day: field(dm ?? '*', 1, 31),
    month: field(mo ?? '*', 1, 12),
    weekday: field(dw ?? '*', 0, 6),
  };
  return (f: LocalFields) =>
    sets.minute.has(f.minute) &&
    sets.hour.has(f.hour) &&
    sets.day.has(f.day) &&
    sets.month.has(f.month) &&
    sets.weekday.has(f.weekday);
}

describe('maintenance windows', () => {
  it('open at the opening minute, closed at its end, next opening after', () => {
    const nightly = [w('0 2 * * *', 60, 'UTC')];
    assert.deepEqual(windowState(nightly, 'Asia/Shanghai', at('2027-01-01T01:59:59Z')), {
      open: false,
      nextOpenAt: at('2027-01-01T02:00:00Z'),
    });
    assert.deepEqual(windowState(nightly, 'Asia/Shanghai', at('2027-01-01T02:00:00Z')), {
      open: true,
      nextOpenAt: at('2027-01-02T02:00:00Z'),
    });
    assert.equal(windowState(nightly, 'Asia/Shanghai', at('2027-01-01T02:59:59.999Z')).open, true);
    assert.equal(windowState(nightly, 'Asia/Shanghai', at('2027-01-01T03:00:00Z')).open, false);
  });

  it("a window without a zone is read in the store's", () => {
    const state = windowState([w('0 2 * * *', 60)], 'Asia/Shanghai', at('2027-01-01T18:30:00Z'));
    assert.equal(state.open, true, '02:30 in Shanghai');
  });

  it('across DST in New York: a skipped local time opens after the gap, a repeated one opens once', () => {
    // 2027-03-14 02:00 EST → 03:00 EDT: 02:30 does not exist; the window opens at 03:30 EDT (07:30Z).
    const spring = [w('30 2 * * *', 30)];
    assert.equal(windowState(spring, NY, at('2027-03-14T07:29:00Z')).open, false);
    assert.equal(windowState(spring, NY, at('2027-03-14T07:30:00Z')).open, true);
    assert.equal(windowState(spring, NY, at('2027-03-14T07:59:59Z')).open, true);
    assert.equal(windowState(spring, NY, at('2027-03-14T08:00:00Z')).open, false);
    // Asked from inside the hour after the gap too (cron-parser alone skips the opening from there).
    assert.equal(windowState(spring, NY, at('2027-03-14T07:00:00Z')).nextOpenAt, at('2027-03-14T07:30:00Z'));
    assert.equal(windowState(spring, NY, at('2027-03-14T07:15:00Z')).nextOpenAt, at('2027-03-14T07:30:00Z'));
    assert.equal(windowState(spring, NY, at('2027-03-13T12:00:00Z')).nextOpenAt, at('2027-03-14T07:30:00Z'));
    assert.equal(windowState(spring, NY, at('2027-03-14T12:00:00Z')).nextOpenAt, at('2027-03-15T06:30:00Z'));
    // 2027-11-07 02:00 EDT → 01:00 EST: 01:30 happens twice; the window opens at the first (05:30Z) only.
    const fall = [w('30 1 * * *', 30)];
    assert.equal(windowState(fall, NY, at('2027-11-07T05:45:00Z')).open, true);
    assert.equal(windowState(fall, NY, at('2027-11-07T06:45:00Z')).open, false, 'not again at 01:45 EST');
    // Durations are elapsed time: 2 h from 01:00 EDT ends at 02:00 EST, three wall-clock hours later.
    const long = [w('0 1 * * *', 120)];
    assert.equal(windowState(long, NY, at('2027-11-07T06:59:00Z')).open, true);
    assert.equal(windowState(long, NY, at('2027-11-07T07:00:00Z')).open, false);
  });

  it('brute force across both 2027 DST changes in New York: open exactly when an opening minute lies within the duration', () => {
    const rand = rng(42);
    const match = localFields(NY);
    const cases = [w('0 3 * * *', 120), w('30 22 * * 1-5', 180), w('*/20 4-5 * * 0,6', 15), w('15 0,12 * * *', 45)];
    const spans = [
      [at('2027-03-12T00:00:00Z'), at('2027-03-17T00:00:00Z')],
      [at('2027-11-05T00:00:00Z'), at('2027-11-10T00:00:00Z')],
    ] as const;
    for (const window of cases) {
      const matches = cronMatcher(window.cron);
      const opensAt = (m: number) => matches(match(m));
      for (let i = 0; i < 300; i++) {
        const [from, to] = spans[i % 2] ?? spans[0];
        const t = from + Math.floor(rand() * ((to - from) / MINUTE)) * MINUTE + Math.floor(rand() * MINUTE);
        const minuteStart = t - (t % MINUTE);
        let open = false;
        for (let m = minuteStart; m > t - window.durationMinutes * MINUTE; m -= MINUTE) {
          if (opensAt(m)) {
            open = true;
            break;
          }
        }
        let next = minuteStart + MINUTE;
        while (!opensAt(next)) next += MINUTE;
        const state = windowState([window], NY, t);
        const context = `${window.cron} ${window.durationMinutes} min at ${new Date(t).toISOString()}`;
        assert.equal(state.open, open, context);
        assert.equal(state.nextOpenAt, next, context);
      }
    }
  });

  it('several windows: open if any is, next is the earliest', () => {
    const windows = [w('0 2 * * *', 60, 'UTC'), w('0 14 * * *', 30, 'UTC')];
    assert.equal(windowState(windows, 'UTC', at('2027-01-01T14:10:00Z')).open, true);
    assert.equal(windowState(windows, 'UTC', at('2027-01-01T12:00:00Z')).nextOpenAt, at('2027-01-01T14:00:00Z'));
    assert.deepEqual(windowState([], 'UTC', 0), { open: false, nextOpenAt: null });
  });

  it('problems: fields, ranges, zones, a window that never opens — all at once per window', () => {
    assert.deepEqual(windowProblems(w('0 2 * * *', 60), 'Asia/Shanghai', 'w1'), []);
    assert.deepEqual(windowProblems(w('0 2 * *', 60, 'Mars/Olympus'), 'Asia/Shanghai', 'w1'), [
      'w1: the cron has 4 fields; give 5 (minute hour day month weekday)',
      "w1: 'Mars/Olympus' is not an IANA time zone",
    ]);
    assert.match(windowProblems(w('0 25 * * *', 60), 'UTC', 'w2')[0] ?? '', /^w2: the cron is not valid: .*0-23/);
    assert.match(windowProblems(w('0 0 30 2 *', 60), 'UTC', 'w3')[0] ?? '', /^w3: the cron/);
    assert.deepEqual(windowProblems(w('0 2 * * *', 60), null, 'w4'), [
      'w4: no time zone (the store has none; give timeZone)',
    ]);
  });
});
