/** Rule checks (RRULE_INVALID for each bad rule) and wall-time placement in a zone (RFC 5545 §3.3.5 at DST). */
import assert from 'node:assert/strict';
import rr from 'rrule';
import { checkRule, RecurrenceExpander } from '../../../broadcast/schedule/recurrence.ts';
import { ZoneOffsets } from '../../../broadcast/schedule/zoned-time.ts';
import { isFleetError } from '../../../protocol/errors.ts';
import { recurrence } from './schedule-fixture.ts';

describe('broadcast/schedule recurrence', () => {
  const BAD: [string, RegExp][] = [
    ['garbage', /Unknown RRULE property/],
    ['BYHOUR=8', /FREQ is required/],
    ['FREQ=SECONDLY', /SECONDLY/],
    ['FREQ=MINUTELY', /more than 288 occurrences a day/],
    ['FREQ=MINUTELY;INTERVAL=2;BYHOUR=9,10,11,12,13,14,15,16,17,18', /more than 288/],
    ['FREQ=DAILY;BYHOUR=25', /BYHOUR must be within 0..23/],
    ['FREQ=DAILY;INTERVAL=0', /INTERVAL must be within/],
    ['FREQ=WEEKLY;BYDAY=XX', /RRULE_INVALID|reading/],
    ['DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY', /RRULE value only/],
    ['FREQ=DAILY;TZID=Asia/Shanghai', /RRULE value only|Unknown/],
    ['FREQ=MINUTELY;INTERVAL=30;COUNT=10', /COUNT .* not supported with FREQ=MINUTELY/],
    ['FREQ=HOURLY;BYSETPOS=1', /BYSETPOS is not supported/],
  ];
  for (const [rule, message] of BAD) {
    it(`refuses ${JSON.stringify(rule)} with RRULE_INVALID`, () => {
      assert.throws(
        () => checkRule(rule),
        (e) => isFleetError(e, 'RRULE_INVALID') && message.test((e as Error).message),
      );
    });
  }

  const GOOD = [
    'FREQ=DAILY;BYHOUR=8;BYMINUTE=0',
    'RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9,10,11,12,13,14,15,16,17,18,19,20;BYMINUTE=0,30',
    'FREQ=MINUTELY;INTERVAL=5',
    'FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=12',
    'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24;UNTIL=20301224T000000',
  ];
  for (const rule of GOOD) it(`accepts ${rule}`, () => checkRule(rule));

  it('places a local time skipped by spring-forward with the offset before the gap (02:30 → 03:30 EDT)', () => {
    const zones = new ZoneOffsets();
    const wall = Date.UTC(2026, 2, 8, 2, 30);
    assert.equal(new Date(zones.toInstant('America/New_York', wall)).toISOString(), '2026-03-08T07:30:00.000Z');
    // Fall back: 01:30 on 2026-11-01 exists twice; the first (EDT) is meant.
    const twice = Date.UTC(2026, 10, 1, 1, 30);
    assert.equal(new Date(zones.toInstant('America/New_York', twice)).toISOString(), '2026-11-01T05:30:00.000Z');
    // Positive control: an ordinary time round-trips.
    const plain = Date.UTC(2026, 2, 9, 2, 30);
    assert.equal(zones.toWall('America/New_York', zones.toInstant('America/New_York', plain)), plain);
  });

  it('expands in the zone whatever the window, counting each day from its first occurrence', () => {
    const expander = new RecurrenceExpander(new ZoneOffsets());
    const rec = recurrence('FREQ=DAILY;BYHOUR=9,12,15;BYMINUTE=0');
    const from = Date.UTC(2026, 2, 5, 3); // 11:00 Shanghai
    const got = expander.expand(rec, 'Asia/Shanghai', from, from + 86_400_000, new Map());
    assert.deepEqual(
      got.map((o) => [new Date(o.wall).toISOString().slice(5, 16), o.ordinal]),
      [
        ['03-05T12:00', 1],
        ['03-05T15:00', 2],
        ['03-06T09:00', 0],
      ],
    );
  });

  /** RFC 5545 by brute force: DTSTART + k × INTERVAL (minutes), kept where every limit holds. */
  function bruteMinutely(start: number, stepMin: number, to: number, keep: (d: Date) => boolean): number[] {
    const out: number[] = [];
    for (let t = start; t < to; t += stepMin * 60_000) if (keep(new Date(t))) out.push(t);
    return out;
  }

  it('expands MINUTELY and HOURLY rules by RFC 5545 (phase from DTSTART), fast, where rrule 2.8 erred or hung', () => {
    const from = Date.UTC(2026, 2, 5, 13, 17);
    const to = from + 7 * 86_400_000;
    const validFrom = '2025-06-01';
    const start = Date.parse(`${validFrom}T00:00:00Z`);
    const cases: [string, number, (d: Date) => boolean][] = [
      ['FREQ=MINUTELY;INTERVAL=7;BYHOUR=9,10', 7, (d) => [9, 10].includes(d.getUTCHours())],
      [
        // rrule 2.8 ran for minutes on this one (from a DTSTART months back) and found nothing from others.
        'FREQ=MINUTELY;INTERVAL=15;BYHOUR=9,10,17;BYDAY=MO,WE',
        15,
        (d) => [9, 10, 17].includes(d.getUTCHours()) && [1, 3].includes(d.getUTCDay()),
      ],
      [
        'FREQ=HOURLY;INTERVAL=5;BYMINUTE=10,40',
        5,
        // HOURLY expands BYMINUTE: every 5th hour from DTSTART's hour, at :10 and :40 of it.
        () => true,
      ],
    ];
    for (const [rule, step, keep] of cases) {
      const expander = new RecurrenceExpander(new ZoneOffsets());
      const got = expander.expand(recurrence(rule, { validFrom }), 'UTC', from, to, new Map()).map((o) => o.at);
      const expected = rule.startsWith('FREQ=HOURLY')
        ? bruteMinutely(start, step * 60, to, keep)
            .flatMap((t) => [t + 10 * 60_000, t + 40 * 60_000])
            .filter((t) => t >= from && t < to)
        : bruteMinutely(start, step, to, keep).filter((t) => t >= from);
      assert.ok(expected.length > 0, rule);
      assert.deepEqual(got, expected, rule);
    }
  });

  it('expands DAILY and coarser rules as rrule does from the real DTSTART', () => {
    const { RRule } = rr;
    const from = Date.UTC(2026, 2, 5, 13, 17);
    const to = from + 30 * 86_400_000;
    for (const rule of [
      'FREQ=DAILY;INTERVAL=3;BYHOUR=9;BYMINUTE=0',
      'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;BYHOUR=8,18;BYMINUTE=0',
      'FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=12',
      'FREQ=DAILY;COUNT=400;BYHOUR=7',
    ]) {
      const expected = new RRule({ ...RRule.parseString(rule), dtstart: new Date(Date.UTC(2025, 5, 1)) })
        .between(new Date(from), new Date(to), true)
        .map((d) => d.getTime())
        .filter((t) => t < to);
      const got = new RecurrenceExpander(new ZoneOffsets())
        .expand(recurrence(rule, { validFrom: '2025-06-01' }), 'UTC', from, to, new Map())
        .map((o) => o.at);
      assert.ok(expected.length > 0, rule);
      assert.deepEqual(got, expected, rule);
    }
  });
});
