import assert from 'node:assert/strict';
import { storeDay } from '../../../fleet/loyalty/store-day.ts';

const H = 3_600_000;

describe("storeDay (a store's calendar day in its zone, remembered per zone)", () => {
  it('Shanghai (UTC+8): the day runs from 16:00 UTC to 16:00 UTC, and the next instant after it is the next day', () => {
    const start = Date.UTC(2025, 4, 13, 16);
    const inside = storeDay(start + 5 * H, 'Asia/Shanghai');
    assert.deepEqual(inside, { day: '2025-05-14', start, end: start + 24 * H });
    assert.deepEqual(storeDay(start, 'Asia/Shanghai'), inside, 'the first instant of the day');
    assert.deepEqual(storeDay(start + 24 * H - 1, 'Asia/Shanghai'), inside, 'the last instant of the day');
    assert.deepEqual(storeDay(start + 24 * H, 'Asia/Shanghai'), {
      day: '2025-05-15',
      start: start + 24 * H,
      end: start + 48 * H,
    });
    assert.deepEqual(storeDay(start - 1, 'Asia/Shanghai'), { day: '2025-05-13', start: start - 24 * H, end: start });
  });

  it('New York across the spring DST change: a 23-hour day, and the zones do not mix', () => {
    // 2025-03-09: clocks go from 02:00 EST to 03:00 EDT; midnight is 05:00 UTC, the next midnight 04:00 UTC.
    const dst = { day: '2025-03-09', start: Date.UTC(2025, 2, 9, 5), end: Date.UTC(2025, 2, 10, 4) };
    assert.deepEqual(storeDay(Date.UTC(2025, 2, 9, 12), 'America/New_York'), dst);
    assert.deepEqual(storeDay(Date.UTC(2025, 2, 9, 12), 'Asia/Shanghai'), {
      day: '2025-03-09',
      start: Date.UTC(2025, 2, 8, 16),
      end: Date.UTC(2025, 2, 9, 16),
    });
    assert.deepEqual(storeDay(Date.UTC(2025, 2, 10, 3, 59), 'America/New_York'), dst, 'still the 9th in New York');
    assert.deepEqual(storeDay(Date.UTC(2025, 2, 10, 4), 'America/New_York'), {
      day: '2025-03-10',
      start: Date.UTC(2025, 2, 10, 4),
      end: Date.UTC(2025, 2, 11, 4),
    });
  });

  it("an answer is the caller's own: changing it changes no later answer", () => {
    const at = Date.UTC(2025, 4, 14, 4);
    for (let i = 0; i < 2; i++) storeDay(at, 'Asia/Shanghai').day = 'changed'; // computed, then remembered
    assert.equal(storeDay(at, 'Asia/Shanghai').day, '2025-05-14');
  });
});
