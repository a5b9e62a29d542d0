import assert from 'node:assert/strict';
import { shiftDay } from '../../broadcast/uplift/uplift-calculation.ts';
import type { Product } from '../../protocol/commerce/catalog.ts';
import { DEMO_HISTORY_DAYS, DEMO_PROMO_RESPONSE, demoSalesHistory } from '../../sim/demo-sales-history.ts';

const product = (sku: string): Product =>
  ({ sku, soldBy: 'each', priceFen: 500, nominalWeightG: null }) as unknown as Product;

describe('the demo point-of-sale history (sim/demo-sales-history.ts)', () => {
  const today = '2026-12-05';
  const stores = [{ storeId: 'store-a', today }];
  const promo = { storeId: 'store-a', sku: 'MILK', fromDay: shiftDay(today, -13) };

  it('is the same for the same seed and ends yesterday', () => {
    const a = demoSalesHistory(stores, [product('MILK'), product('TEA')], [promo]);
    const b = demoSalesHistory(stores, [product('MILK'), product('TEA')], [promo]);
    assert.deepEqual(a, b);
    const days = a.map((r) => r.day).sort();
    assert.equal(days.at(-1), shiftDay(today, -1));
    assert.ok((days[0] as string) >= shiftDay(today, -DEMO_HISTORY_DAYS));
    assert.ok(a.every((r) => r.revenueFen === r.units * 500));
  });

  it('sells the promoted product about the modelled response more from the promo’s first day', () => {
    // The same product promoted from a day that has not come yet draws the same demand and noise: the control.
    const later = { ...promo, fromDay: shiftDay(today, 100) };
    const promoted = demoSalesHistory(stores, [product('MILK')], [promo]);
    const control = demoSalesHistory(stores, [product('MILK')], [later]);
    const sum = (rows: typeof promoted, from: string, to: string) =>
      rows.filter((r) => r.day >= from && r.day <= to).reduce((s, r) => s + r.units, 0);
    const yesterday = shiftDay(today, -1);
    const ratio = sum(promoted, promo.fromDay, yesterday) / sum(control, promo.fromDay, yesterday);
    assert.ok(Math.abs(ratio - (1 + DEMO_PROMO_RESPONSE)) < 0.05, `ratio ${ratio.toFixed(3)}`);
    const before = shiftDay(promo.fromDay, -1);
    assert.equal(sum(promoted, shiftDay(today, -60), before), sum(control, shiftDay(today, -60), before));
  });
});
