/**
 * The promotion optimiser where the small random baskets of promotion-optimizer.test.ts do not reach: spend
 * thresholds left outside the components (the frontier merge) against brute force, the two heuristics (a component
 * beyond ENUMERATION_LIMIT combinations, a merged frontier beyond FRONTIER_LIMIT points) with a control just inside
 * each limit, and a pricing context's reused work arrays (the same answers as a fresh context, basket after basket).
 */
import assert from 'node:assert/strict';
import { buildBasketLines } from '../../commerce/basket-lines.ts';
import { STACK } from '../../commerce/lane-evaluation.ts';
import { createPricingContext, type PricingRequest, priceBasketDetailed } from '../../commerce/pricing-engine.ts';
import { ENUMERATION_LIMIT, FRONTIER_LIMIT, THRESHOLD_JOIN_LIMIT } from '../../commerce/promotion-optimizer.ts';
import type { BasketLineInput } from '../../protocol/commerce/basket.ts';
import type { Product } from '../../protocol/commerce/catalog.ts';
import type { Promotion } from '../../protocol/commerce/promotions.ts';
import { bruteForceBest, discountOf, laneOptions, rng } from './brute-force.ts';
import { line, member, PRODUCTS, promo, snapshot, WED_NOON } from './commerce-fixture.ts';

/** `count` products P0, P1, … of `categoryId`, priced by `price(i)`. */
function products(count: number, categoryId: string, price: (i: number) => number): Product[] {
  return Array.from({ length: count }, (_, i) => ({
    ...(PRODUCTS[0] as Product),
    sku: `P${i}`,
    gtins: [],
    categoryId,
    priceFen: price(i),
  }));
}

const request = (lines: BasketLineInput[], extra: Partial<PricingRequest> = {}): PricingRequest => ({
  lines,
  member: null,
  couponIds: [],
  pointsToRedeem: 0,
  at: WED_NOON,
  ...extra,
});

function priceAndBruteForce(items: Product[], promotions: Promotion[], lines: BasketLineInput[]) {
  const context = createPricingContext(snapshot({ products: [...PRODUCTS, ...items], promotions }));
  const outcome = priceBasketDetailed(context, request(lines));
  const basket = buildBasketLines(context, lines);
  return {
    outcome,
    ...bruteForceBest(basket, outcome.candidates),
    charged: discountOf(basket, outcome.candidates, outcome.lanes),
    allStack: discountOf(basket, outcome.candidates, new Int32Array(lines.length).fill(STACK)),
  };
}

describe('commerce/promotion-optimizer: beyond small baskets', () => {
  it('decides spend thresholds left outside the components exactly, on 120 mid-size random baskets', () => {
    // 5–7 lines, most with exclusive alternatives, and one or two basket-wide thresholds (each taking at most a third
    // of what it needs, as in promotion-optimizer.test.ts): with more than THRESHOLD_JOIN_LIMIT combinations such a
    // threshold stays outside and the frontier merge decides it.
    const random = rng(20251205);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    const catalog = [
      ...products(4, 'soda', (i) => 280 + 130 * i),
      ...products(4, 'dairy', (i) => 450 + 210 * i).map((p, i) => ({ ...p, sku: `D${i}` })),
    ];
    let outside = 0;
    for (let run = 0; run < 120; run++) {
      const promotions: Promotion[] = [];
      for (const p of catalog) {
        if (random() < 0.7) {
          const body =
            random() < 0.5
              ? ({ kind: 'percent_off', percentOff: pick([10, 20, 35]) } as const)
              : ({ kind: 'amount_off', amountOffFen: pick([50, 120, 300]) } as const);
          promotions.push(promo(`x${p.sku}`, body, { target: { skus: [p.sku] }, stacking: 'exclusive' }));
        }
      }
      if (random() < 0.6) {
        promotions.push(
          promo(
            'mb',
            { kind: 'multi_buy', quantity: 2, priceFen: pick([600, 900]) },
            { target: { categoryIds: ['soda'] } },
          ),
        );
      }
      for (let t = int(1, 2); t > 0; t--) {
        const minSpendFen = pick([1500, 3000, 5000]);
        promotions.push(
          promo(
            `t${t}`,
            {
              kind: 'spend_threshold',
              minSpendFen,
              amountOffFen: Math.floor(minSpendFen / pick([3, 5])),
              repeat: random() < 0.4,
            },
            { stacking: random() < 0.3 ? 'exclusive' : 'stackable', priority: int(0, 2) },
          ),
        );
      }
      const lines: BasketLineInput[] = [];
      for (const p of catalog) if (lines.length < 7 && random() < 0.8) lines.push(line(p.sku, int(1, 3)));
      const r = priceAndBruteForce(catalog, promotions, lines);
      const basket = buildBasketLines(createPricingContext(snapshot({ products: [...PRODUCTS, ...catalog] })), lines);
      const combinations = laneOptions(basket, r.outcome.candidates).reduce((n, o) => n * o.length, 1);
      if (combinations > THRESHOLD_JOIN_LIMIT && r.outcome.candidates.some((c) => c.threshold)) outside++;
      assert.ok(r.outcome.exact, `run ${run}: should be exact`);
      assert.equal(r.charged, r.outcome.basket.discountFen, `run ${run}: charged what it chose`);
      assert.equal(
        r.outcome.basket.discountFen,
        r.best,
        `run ${run}: engine ${r.outcome.basket.discountFen} vs brute force ${r.best}\n${JSON.stringify({ promotions, lines })}`,
      );
    }
    assert.ok(outside > 40, `only ${outside} runs had a threshold outside the components`);
  });

  // 12 or 13 lines grouped by one multi-buy (one component), each with an exclusive percent off: 2^12 = 4096
  // combinations are enumerated, 2^13 are not.
  const grouped = (count: number) => {
    const items = products(count, 'soda', (i) => 300 + 97 * i);
    const promotions = [
      ...items.map((p, i) =>
        promo(
          `x${i}`,
          { kind: 'percent_off', percentOff: [5, 40, 15, 30, 10][i % 5] as number },
          { target: { skus: [p.sku] }, stacking: 'exclusive' },
        ),
      ),
      promo('mb', { kind: 'multi_buy', quantity: 3, priceFen: 1500 }, { target: { categoryIds: ['soda'] } }),
    ];
    return priceAndBruteForce(
      items,
      promotions,
      items.map((p, i) => line(p.sku, 1 + (i % 2))),
    );
  };

  it(`enumerates a component of ${ENUMERATION_LIMIT} combinations: exact, the optimum (control)`, () => {
    const r = grouped(12);
    assert.equal(r.combinations, ENUMERATION_LIMIT);
    assert.ok(r.outcome.exact);
    assert.equal(r.outcome.basket.discountFen, r.best);
    assert.equal(r.best, 7286);
  });

  it('beyond that, climbs from the all-stack choice one line at a time and says the choice is not exact', () => {
    const r = grouped(13);
    assert.equal(r.combinations, 2 * ENUMERATION_LIMIT);
    assert.equal(r.outcome.exact, false);
    assert.equal(r.charged, r.outcome.basket.discountFen, 'charges what it chose');
    // Coordinate ascent improves on all-stack (7670) but stops short of the optimum here (8221): the heuristic is
    // reported, not hidden.
    assert.equal(r.allStack, 7670);
    assert.equal(r.outcome.basket.discountFen, 8077);
    assert.equal(r.best, 8221);
  });

  // Lines on their own (no grouping), each with three lanes: the stack (counted by a stackable repeating threshold),
  // its own exclusive percent off, or an exclusive repeating threshold. Both thresholds stay outside, and every
  // split of the lines between them is a different point: the merged frontier grows as 3^n.
  const spread = (count: number) => {
    const items = products(count, 'food', (i) => Math.round(1000 * 1.37 ** i) + 7 * i);
    const promotions = [
      ...items.map((p, i) =>
        promo(
          `x${i}`,
          { kind: 'percent_off', percentOff: 10 + (i % 5) * 7 },
          { target: { skus: [p.sku] }, stacking: 'exclusive' },
        ),
      ),
      promo('tA', { kind: 'spend_threshold', minSpendFen: 20_000, amountOffFen: 3000, repeat: true }),
      promo(
        'tB',
        { kind: 'spend_threshold', minSpendFen: 15_000, amountOffFen: 2500, repeat: true },
        { stacking: 'exclusive' },
      ),
    ];
    return priceAndBruteForce(
      items,
      promotions,
      items.map((p) => line(p.sku)),
    );
  };

  it('merges frontiers exactly while they stay small (control)', () => {
    const r = spread(8);
    assert.ok(r.outcome.exact);
    assert.equal(r.outcome.basket.discountFen, r.best);
  });

  it(`keeps the ${FRONTIER_LIMIT} best-scoring points of a larger merged frontier and says the choice is not exact`, () => {
    const r = spread(9);
    // No component has more than 3 combinations, so only the frontier limit can have made it inexact.
    assert.equal(r.outcome.exact, false);
    assert.equal(r.charged, r.outcome.basket.discountFen, 'charges what it chose');
    assert.ok(r.outcome.basket.discountFen > r.allStack);
    // Here the truncated frontier still held the optimum.
    assert.equal(r.outcome.basket.discountFen, r.best);
  });
});

describe('commerce/pricing-engine: a context priced again and again', () => {
  it('answers every basket as a fresh context does, whatever was priced with it before', () => {
    // One snapshot whose baskets take every path: grouped lines (up to beyond ENUMERATION_LIMIT), outside thresholds
    // (up to beyond FRONTIER_LIMIT), coupons, members, windows at scan time; baskets of 1 to 14 lines, in random
    // order, each priced with the shared context and with a context of its own.
    const items = [
      ...products(13, 'soda', (i) => 300 + 97 * i),
      ...products(9, 'food', (i) => Math.round(1000 * 1.37 ** i) + 7 * i).map((p, i) => ({ ...p, sku: `F${i}` })),
    ];
    const promotions = [
      ...items.map((p, i) =>
        promo(
          `x${p.sku}`,
          { kind: 'percent_off', percentOff: 10 + (i % 5) * 7 },
          { target: { skus: [p.sku] }, stacking: 'exclusive' },
        ),
      ),
      promo('mb', { kind: 'multi_buy', quantity: 3, priceFen: 1500 }, { target: { categoryIds: ['soda'] } }),
      promo('tA', { kind: 'spend_threshold', minSpendFen: 20_000, amountOffFen: 3000, repeat: true }),
      promo(
        'tB',
        { kind: 'spend_threshold', minSpendFen: 15_000, amountOffFen: 2500, repeat: true },
        { stacking: 'exclusive', target: { categoryIds: ['food'] } },
      ),
      promo(
        'lunch',
        { kind: 'amount_off', amountOffFen: 100 },
        { window: { from: '2020-01-01', to: '2099-12-31', hours: [['11:00', '12:30']] } },
      ),
      promo(
        'cpn',
        { kind: 'amount_off', amountOffFen: 400 },
        { couponRequired: true, target: { categoryIds: ['food'] } },
      ),
    ];
    const data = snapshot({ products: [...PRODUCTS, ...items], promotions });
    const shared = createPricingContext(data);
    const random = rng(99);
    const shopper = member({
      tierId: 'gold',
      coupons: [
        {
          id: 'C1',
          memberId: 'm-1',
          promotionId: 'cpn',
          validFrom: 0,
          validTo: WED_NOON * 2,
          minSpendFen: 0,
          state: 'issued',
        },
      ],
    });
    const paths = new Set<string>();
    for (let run = 0; run < 60; run++) {
      // Every fourth basket takes every product (a heuristic path); the others a random few.
      const chosen = run % 4 === 0 ? items : items.filter(() => random() < 0.3).slice(0, 1 + Math.floor(random() * 14));
      const lines = chosen.map((p) =>
        line(p.sku, 1 + Math.floor(random() * 3), { scannedAt: WED_NOON - Math.floor(random() * 7_200_000) }),
      );
      if (lines.length === 0) continue;
      const req = request(lines, {
        member: random() < 0.5 ? shopper : null,
        couponIds: random() < 0.5 ? ['C1'] : [],
        windowsAt: random() < 0.5 ? 'scannedAt' : 'at',
      });
      const again = priceBasketDetailed(shared, req);
      const fresh = priceBasketDetailed(createPricingContext(data), req);
      assert.deepEqual(again.basket, fresh.basket, `run ${run}`);
      assert.deepEqual(again.lanes, fresh.lanes, `run ${run}`);
      assert.equal(again.exact, fresh.exact, `run ${run}`);
      paths.add(`${again.exact}`);
    }
    assert.deepEqual([...paths].sort(), ['false', 'true'], 'baskets on both the exact and the heuristic paths');
  });
});
