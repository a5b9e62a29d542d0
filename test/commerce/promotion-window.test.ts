/**
 * Promotion windows as the pricing context keeps them (parsed once) and the store's wall clock cached by minute:
 * the same answers as judging the window and formatting the instant afresh, at the edges that matter (weekday lists,
 * hour ranges past midnight, 24:00, DST changes, half-hour zones, and a zone whose offset had seconds).
 */
import assert from 'node:assert/strict';
import {
  compileWindow,
  isOpenAt,
  isWindowOpen,
  type LocalTime,
  LocalTimeCache,
  localTime,
} from '../../commerce/promotion-window.ts';
import type { PromotionWindow } from '../../protocol/commerce/promotions.ts';
import { isFleetError } from '../../protocol/errors.ts';
import { rng } from './brute-force.ts';

const at = (date: string, weekday: number, hhmm: string): LocalTime => ({
  date,
  weekday,
  minute: Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3)),
});
const MAY = { from: '2025-05-01', to: '2025-05-31' };

describe('commerce/promotion-window: windows parsed once', () => {
  const cases: [string, PromotionWindow, LocalTime, boolean][] = [
    ['inside the dates, all day', MAY, at('2025-05-14', 3, '00:00'), true],
    ['the last date, last minute', MAY, at('2025-05-31', 6, '23:59'), true],
    ['the day after', MAY, at('2025-06-01', 7, '00:00'), false],
    ['the day before', MAY, at('2025-04-30', 3, '23:59'), false],
    ['a listed weekday', { ...MAY, weekdays: [6, 7] }, at('2025-05-17', 6, '12:00'), true],
    ['an unlisted weekday', { ...MAY, weekdays: [6, 7] }, at('2025-05-14', 3, '12:00'), false],
    ['an empty weekday list', { ...MAY, weekdays: [] }, at('2025-05-14', 3, '12:00'), false],
    ['hours: start inclusive', { ...MAY, hours: [['11:00', '14:00']] }, at('2025-05-14', 3, '11:00'), true],
    ['hours: end exclusive', { ...MAY, hours: [['11:00', '14:00']] }, at('2025-05-14', 3, '14:00'), false],
    ['hours: 24:00 ends the day', { ...MAY, hours: [['20:00', '24:00']] }, at('2025-05-14', 3, '23:59'), true],
    ['hours: past midnight, late', { ...MAY, hours: [['22:00', '02:00']] }, at('2025-05-14', 3, '23:30'), true],
    ['hours: past midnight, early', { ...MAY, hours: [['22:00', '02:00']] }, at('2025-05-14', 3, '01:59'), true],
    ['hours: past midnight, midday', { ...MAY, hours: [['22:00', '02:00']] }, at('2025-05-14', 3, '12:00'), false],
    [
      'hours: the second of two ranges',
      {
        ...MAY,
        hours: [
          ['07:00', '09:00'],
          ['17:00', '19:30'],
        ],
      },
      at('2025-05-14', 3, '19:29'),
      true,
    ],
    ['an empty hour list', { ...MAY, hours: [] }, at('2025-05-14', 3, '12:00'), false],
  ];
  for (const [name, window, local, open] of cases) {
    it(`${name}: ${open ? 'open' : 'closed'}`, () => {
      assert.equal(isOpenAt(compileWindow(window), local), open);
    });
  }
});

describe('commerce/promotion-window: the wall clock by minute', () => {
  const zones = [
    'Asia/Shanghai',
    'America/New_York', // DST
    'Australia/Lord_Howe', // 30-minute DST
    'Asia/Kathmandu', // +05:45
    'Pacific/Chatham', // +12:45 / +13:45
  ];
  // Around the 2025 DST changes of New York (9 March, 2 November) and Lord Howe (6 April, 5 October), and a year.
  const instants = (random: () => number) => {
    const anchors = [
      Date.UTC(2025, 2, 9, 7),
      Date.UTC(2025, 10, 2, 6),
      Date.UTC(2025, 3, 5, 15),
      Date.UTC(2025, 9, 4, 15, 30),
    ];
    const list: number[] = [];
    for (const a of anchors) for (let i = 0; i < 200; i++) list.push(a + Math.floor((random() - 0.5) * 7_200_000));
    for (let i = 0; i < 400; i++) list.push(Date.UTC(2025, 0, 1) + Math.floor(random() * 365 * 86_400_000));
    return list;
  };

  it('gives what formatting the instant gives, in zones with DST, half-hour DST and quarter-hour offsets', () => {
    const random = rng(21);
    for (const zone of zones) {
      const cache = new LocalTimeCache(zone);
      for (const t of instants(random)) {
        assert.deepEqual(cache.at(t), localTime(t, zone), `${zone} at ${new Date(t).toISOString()}`);
        const minute = Math.floor(t / 60_000);
        assert.deepEqual(cache.ofMinute(minute), localTime(minute * 60_000, zone));
      }
    }
  });

  it('formats the instant itself where the offset has seconds (Monrovia, −0:44:30 until 1972)', () => {
    const zone = 'Africa/Monrovia';
    const cache = new LocalTimeCache(zone);
    let differs = 0;
    for (let t = Date.UTC(1971, 5, 1, 0, 0); t < Date.UTC(1971, 5, 1, 3, 0); t += 15_000) {
      const minuteStart = localTime(Math.floor(t / 60_000) * 60_000, zone);
      // Positive control: there, an instant's local minute is not always its UTC minute's.
      if (minuteStart.minute !== localTime(t, zone).minute) differs++;
      assert.deepEqual(cache.at(t), localTime(t, zone), new Date(t).toISOString());
    }
    assert.ok(differs > 100, `only ${differs} instants differed from their minute's start`);
  });

  it(`stays right past ${LocalTimeCache.LIMIT} minutes (it starts over) and refuses what localTime refuses`, () => {
    const zone = 'America/New_York';
    const cache = new LocalTimeCache(zone);
    const start = Date.UTC(2025, 2, 8);
    for (let m = 0; m < LocalTimeCache.LIMIT + 100; m += 1) {
      const t = start + m * 60_000 + 59_999;
      if (m % 97 === 0 || m >= LocalTimeCache.LIMIT) assert.deepEqual(cache.at(t), localTime(t, zone));
      else cache.at(t);
    }
    assert.throws(
      () => cache.at(1.5),
      (e) => isFleetError(e, 'PRICING_INPUT_INVALID'),
    );
    assert.throws(
      () => new LocalTimeCache('Mars/Olympus').at(0),
      (e) => isFleetError(e, 'PRICING_INPUT_INVALID'),
    );
  });

  it('isWindowOpen (the fleet’s check) agrees with the cached path', () => {
    const window: PromotionWindow = { from: '2025-03-09', to: '2025-03-09', hours: [['03:00', '04:00']] };
    const cache = new LocalTimeCache('America/New_York');
    // 07:30 UTC on 9 March 2025 is 03:30 EDT, the first hour after the change.
    const t = Date.UTC(2025, 2, 9, 7, 30);
    assert.equal(isWindowOpen(window, t, 'America/New_York'), true);
    assert.equal(isOpenAt(compileWindow(window), cache.at(t)), true);
  });
});
