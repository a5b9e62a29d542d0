import { shiftDay } from '../broadcast/uplift/uplift-calculation.ts';
import type { SalesParts } from '../fleet/sales/sales-composition.ts';
import { gaussian, mulberry32 } from '../platform/seeded-random.ts';
import type { SalesHistoryRow } from '../protocol/api/sales.ts';
import type { Product } from '../protocol/commerce/catalog.ts';

/** A product a demo promo speaker promotes, and since when (the uplift report's period). */
export interface DemoPromo {
  storeId: string;
  sku: string;
  fromDay: string;
}

/** The demo's promoted products: the dairy promo speaker's milk in every store, promoted for the last two weeks. */
export function DEMO_PROMOS(stores: readonly { storeId: string; today: string }[]): DemoPromo[] {
  return stores.map((s) => ({ storeId: s.storeId, sku: 'DAIRY-MILK-1-1', fromDay: shiftDay(s.today, -13) }));
}

/**
 * How much more of a promoted product the store's lanes sell while its promo speaker plays: an ASSUMPTION of the
 * simulation (field reports of shelf-side audio put it between 10 and 40 %), not a measurement. The uplift report
 * computes what it finds in the data; with this model it finds about this much, give or take the noise.
 */
export const DEMO_PROMO_RESPONSE = 0.25;

/** How many days of point-of-sale history the demo imports: enough for "the same period last year". */
export const DEMO_HISTORY_DAYS = 400;

/**
 * Synthetic point-of-sale history for the demo stores (what a retailer would import from its lanes before and beside
 * the carts): per product a base daily demand, weekly rhythm (weekends sell more), a mild yearly season, slow growth
 * and day-to-day noise, all from a fixed seed; promoted products sell {@link DEMO_PROMO_RESPONSE} more from their
 * promo's first day. Up to yesterday: today's sales are the carts' own.
 */
export function demoSalesHistory(
  stores: { storeId: string; today: string }[],
  products: readonly Product[],
  promos: readonly DemoPromo[],
  seed = 20_261_205,
): SalesHistoryRow[] {
  const rows: SalesHistoryRow[] = [];
  for (const { storeId, today } of stores) {
    const random = mulberry32(seed + storeId.length * 7919 + storeId.charCodeAt(storeId.length - 1));
    const noise = gaussian(random);
    for (const product of products) {
      const promo = promos.find((p) => p.storeId === storeId && p.sku === product.sku);
      // 2 to 20 a day, most near the low end, as in real assortments; a promoted staple sells 30 (milk does): enough
      // that two weeks' noise (√420 ≈ 5 %) does not hide the response.
      const base = promo ? 30 : Math.exp(0.7 + random() * 2.3);
      for (let back = DEMO_HISTORY_DAYS; back >= 1; back--) {
        const day = shiftDay(today, -back);
        const date = new Date(`${day}T00:00:00Z`);
        const weekday = date.getUTCDay();
        const weekly = weekday === 6 || weekday === 0 ? 1.4 : weekday === 5 ? 1.15 : 1;
        const season = 1 + 0.1 * Math.cos(((date.getUTCMonth() - 1) / 12) * 2 * Math.PI);
        const growth = 1 + (0.05 * (DEMO_HISTORY_DAYS - back)) / 365;
        const promoted = promo && day >= promo.fromDay ? 1 + DEMO_PROMO_RESPONSE : 1;
        const mean = base * weekly * season * growth * promoted;
        const units = Math.max(0, Math.round(mean + noise() * Math.sqrt(mean)));
        if (units === 0) continue;
        const weighed = product.soldBy === 'weight';
        const weightG = weighed ? units * (product.nominalWeightG ?? 500) : 0;
        rows.push({
          storeId,
          sku: product.sku,
          day,
          units,
          weightG,
          revenueFen: weighed ? Math.round((weightG / 1000) * product.priceFen) : units * product.priceFen,
          orders: units,
        });
      }
    }
  }
  return rows;
}

/** Imports the demo's point-of-sale history once (a store that has any keeps what it has). */
export async function loadDemoSalesHistory(
  sales: SalesParts,
  stores: { storeId: string; today: string }[],
  products: readonly Product[],
  promos: readonly DemoPromo[],
): Promise<number> {
  const missing = stores.filter((s) => sales.repository.countBySource('pos', s.storeId) === 0);
  if (missing.length === 0) return 0;
  const rows = demoSalesHistory(missing, products, promos);
  const result = await sales.history.importJson(rows);
  return result.imported;
}
