import assert from 'node:assert/strict';
import {
  changePct,
  computeUplift,
  type DailySales,
  dayCount,
  isCalendarDay,
  LAST_MONTH_SHIFT_DAYS,
  LAST_YEAR_SHIFT_DAYS,
  shiftDay,
} from '../../broadcast/uplift/uplift-calculation.ts';

/** A reader over a fixed table of days, as the repository answers: only days with sales, in range. */
function reader(table: Record<string, number>, fenPerUnit = 100) {
  return (from: string, to: string): DailySales[] =>
    Object.entries(table)
      .filter(([day]) => day >= from && day <= to)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, units]) => ({ day, units, revenueFen: units * fenPerUnit }));
}

describe('promo uplift arithmetic (broadcast/uplift)', () => {
  it('shifts days by whole weeks, so every baseline day is the same weekday', () => {
    assert.equal(shiftDay('2026-12-05', -LAST_YEAR_SHIFT_DAYS), '2025-12-06');
    assert.equal(new Date('2026-12-05').getUTCDay(), new Date('2025-12-06').getUTCDay());
    assert.equal(shiftDay('2026-03-01', -LAST_MONTH_SHIFT_DAYS), '2026-02-01');
    assert.equal(shiftDay('2024-02-28', 1), '2024-02-29');
    assert.equal(dayCount('2026-12-01', '2026-12-07'), 7);
    assert.equal(dayCount('2026-12-07', '2026-12-01'), 0);
  });

  it('knows a calendar date from a string that only looks like one', () => {
    assert.equal(isCalendarDay('2026-02-28'), true);
    assert.equal(isCalendarDay('2026-02-30'), false);
    assert.equal(isCalendarDay('2026-2-3'), false);
    assert.throws(() => shiftDay('2026-13-01', 1), RangeError);
  });

  it('gives the change in percent with one decimal, and none without a baseline', () => {
    assert.equal(changePct(150, 100), 50);
    assert.equal(changePct(2, 3), -33.3);
    assert.equal(changePct(5, 0), null);
  });

  it('compares the period with the same weekdays last year and last month, net of the control group', () => {
    // Period 2026-12-01..03: the product sells 10, 12, 8 (30); last year (2025-12-02..04): 5, 5, 10 (20);
    // last month (2026-11-03..05): 6, 6, 3 (15). The category's other products: 100 a day now, 80 last year, 100
    // last month. Last year: +50 % against a control +25 % → net +25 points; last month: +100 % against 0 % → +100.
    const product = reader({
      '2026-12-01': 10,
      '2026-12-02': 12,
      '2026-12-03': 8,
      '2025-12-02': 5,
      '2025-12-03': 5,
      '2025-12-04': 10,
      '2026-11-03': 6,
      '2026-11-04': 6,
      '2026-11-05': 3,
      // outside every window: must not count
      '2026-11-30': 99,
      '2026-12-04': 99,
    });
    const control = reader({
      '2026-12-01': 100,
      '2026-12-02': 100,
      '2026-12-03': 100,
      '2025-12-02': 80,
      '2025-12-03': 80,
      '2025-12-04': 80,
      '2026-11-03': 100,
      '2026-11-04': 100,
      '2026-11-05': 100,
    });
    const u = computeUplift('2026-12-01', '2026-12-03', product, control);
    assert.equal(u.days, 3);
    assert.equal(u.units, 30);
    assert.equal(u.revenueFen, 3000);
    assert.deepEqual(
      [u.lastYear.fromDay, u.lastYear.toDay, u.lastYear.units, u.lastYear.unitsUpliftPct],
      ['2025-12-02', '2025-12-04', 20, 50],
    );
    assert.equal(u.lastYear.controlUnitsChangePct, 25);
    assert.equal(u.lastYear.netUnitsUpliftPts, 25);
    assert.deepEqual(
      [u.lastMonth.fromDay, u.lastMonth.units, u.lastMonth.unitsUpliftPct, u.lastMonth.netUnitsUpliftPts],
      ['2026-11-03', 15, 100, 100],
    );
    assert.deepEqual(u.series, [
      { day: '2026-12-01', units: 10, revenueFen: 1000, lastYearUnits: 5, lastMonthUnits: 6 },
      { day: '2026-12-02', units: 12, revenueFen: 1200, lastYearUnits: 5, lastMonthUnits: 6 },
      { day: '2026-12-03', units: 8, revenueFen: 800, lastYearUnits: 10, lastMonthUnits: 3 },
    ]);
  });

  it('fills days without sales with zeros and leaves the uplift open when the baseline sold nothing', () => {
    const u = computeUplift('2026-12-01', '2026-12-02', reader({ '2026-12-02': 4 }), null);
    assert.deepEqual(
      u.series.map((d) => [d.day, d.units]),
      [
        ['2026-12-01', 0],
        ['2026-12-02', 4],
      ],
    );
    assert.equal(u.lastYear.unitsUpliftPct, null);
    assert.equal(u.lastYear.controlUnitsChangePct, null);
    assert.equal(u.lastYear.netUnitsUpliftPts, null);
  });

  it('refuses a period that ends before it starts', () => {
    assert.throws(() => computeUplift('2026-12-02', '2026-12-01', reader({}), null), RangeError);
  });
});
