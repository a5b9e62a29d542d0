import assert from 'node:assert/strict';
import { isWindowOpen } from '../../../commerce/promotion-window.ts';
import { promotionProblems } from '../../../fleet/promotions/promotion-checks.ts';
import { demoCatalog } from '../../../sim/demo-catalog.ts';

const everything = {
  productExists: () => true,
  categoryExists: () => true,
  storeExists: () => true,
  regionExists: () => true,
};
const demo = demoCatalog();
const byId = (id: string) => structuredClone(demo.promotions.find((p) => p.id === id)) as Record<string, unknown>;
const fields = (value: unknown, refs = everything) => promotionProblems(value, refs).map((p) => p.field);

describe('promotion checks', () => {
  it('accepts every demo promotion (one of each kind)', () => {
    for (const p of demo.promotions) assert.deepEqual(promotionProblems(p, everything), [], p.id);
  });

  it('checks the schema of the promotion’s own kind only', () => {
    const p = byId('soft-drinks-3-for-10');
    delete p.quantity;
    assert.deepEqual(fields(p), ['quantity']);
    assert.deepEqual(fields({ ...p, kind: 'half_price' }), ['kind']);
  });

  it('refuses a window that ends before it starts, a date that does not exist, and a backwards hour range', () => {
    const p = byId('xuhui-beer-happy-hour');
    p.window = { from: '2025-02-30', to: '2025-01-01', weekdays: [5, 5], hours: [['21:00', '17:00']] };
    assert.deepEqual(fields(p), ['window.from', 'window.to', 'window.weekdays', 'window.hours.0']);
  });

  it('needs a target for a member price and a multi-buy, a positive discount, and no more off than spent', () => {
    assert.deepEqual(fields({ ...byId('members-milk'), target: {} }), ['target']);
    assert.deepEqual(fields({ ...byId('soft-drinks-3-for-10'), target: { skus: [] } }), ['target']);
    assert.deepEqual(fields({ ...byId('spend-100-save-20'), amountOffFen: 20_000 }), ['amountOffFen']);
    assert.deepEqual(fields({ ...byId('butter-2-off'), amountOffFen: 0 }), ['amountOffFen']);
    assert.deepEqual(fields({ ...byId('butter-2-off'), memberTiers: ['gold'] }), ['memberTiers']);
  });

  it('names every SKU, category, store and region that does not exist', () => {
    const nothing = {
      productExists: () => false,
      categoryExists: () => false,
      storeExists: () => false,
      regionExists: () => false,
    };
    const p = {
      ...byId('butter-2-off'),
      target: { skus: ['A', 'B'], categoryIds: ['c'] },
      scope: { storeIds: ['s'], regions: ['r'] },
    };
    assert.deepEqual(fields(p, nothing), [
      'target.skus.0',
      'target.skus.1',
      'target.categoryIds.0',
      'scope.storeIds.0',
      'scope.regions.0',
    ]);
  });
});

describe('promotion windows in the store’s zone (activeAt filter)', () => {
  const window = {
    from: '2026-03-01',
    to: '2026-03-31',
    weekdays: [6, 7],
    hours: [['17:00', '21:00']] as [string, string][],
  };
  it('uses the local date, weekday and time of the zone', () => {
    // Saturday 7 March 2026, 18:00 in Shanghai is 10:00 UTC; in London it is 10:00 on Saturday: outside the hours.
    const at = Date.parse('2026-03-07T10:00:00Z');
    assert.equal(isWindowOpen(window, at, 'Asia/Shanghai'), true);
    assert.equal(isWindowOpen(window, at, 'Europe/London'), false);
    // 21:00 ends the range; 31 March is the last day, 1 April is out.
    assert.equal(isWindowOpen(window, Date.parse('2026-03-07T21:00:00+08:00'), 'Asia/Shanghai'), false);
    assert.equal(
      isWindowOpen({ from: '2026-03-01', to: '2026-03-31' }, Date.parse('2026-03-31T23:59:00+08:00'), 'Asia/Shanghai'),
      true,
    );
    assert.equal(
      isWindowOpen({ from: '2026-03-01', to: '2026-03-31' }, Date.parse('2026-04-01T00:00:00+08:00'), 'Asia/Shanghai'),
      false,
    );
  });
});
