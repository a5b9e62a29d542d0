/**
 * The optimiser against brute force: on hundreds of small random baskets and promotion sets (seeded, so a failure
 * replays), every combination of lanes is priced with the same evaluation the engine charges with, and the engine's
 * discount must equal the best one. Then determinism: the same input gives a deep-equal answer, whatever the order
 * of the snapshot's promotions.
 */
import assert from 'node:assert/strict';
import { buildBasketLines } from '../../commerce/basket-lines.ts';
import { createPricingContext, priceBasket, priceBasketDetailed } from '../../commerce/pricing-engine.ts';
import type { BasketLineInput } from '../../protocol/commerce/basket.ts';
import type { Promotion } from '../../protocol/commerce/promotions.ts';
import { bruteForceBest, laneOptions, rng } from './brute-force.ts';
import { line, member, promo, snapshot, WED_NOON } from './commerce-fixture.ts';

const SKUS = ['COLA', 'SPRITE', 'JUICE', 'MILK', 'YOG', 'BANANA'];
const TARGETS = [
  {},
  { skus: ['COLA'] },
  { skus: ['MILK', 'YOG'] },
  { categoryIds: ['soda'] },
  { categoryIds: ['food'] },
];

function randomCase(random: () => number): { promotions: Promotion[]; lines: BasketLineInput[] } {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const lines: BasketLineInput[] = [];
  const used = new Set<string>();
  for (let i = int(1, 4); i > 0; i--) {
    const sku = pick(SKUS);
    if (used.has(sku)) continue;
    used.add(sku);
    lines.push(sku === 'BANANA' ? line(sku, 1, { weightG: int(300, 1500) }) : line(sku, int(1, 3)));
  }
  const promotions: Promotion[] = [];
  let thresholds = 0;
  for (let i = int(1, 4); i > 0; i--) {
    const common = {
      target: pick(TARGETS),
      stacking: random() < 0.5 ? ('exclusive' as const) : ('stackable' as const),
      priority: int(0, 3),
    };
    const id = `p${promotions.length}`;
    switch (int(0, 5)) {
      case 0:
        promotions.push(promo(id, { kind: 'percent_off', percentOff: pick([5, 10, 15, 25, 50]) }, common));
        break;
      case 1:
        promotions.push(promo(id, { kind: 'amount_off', amountOffFen: pick([50, 100, 200]) }, common));
        break;
      case 2:
        promotions.push(promo(id, { kind: 'member_price', priceFen: pick([250, 300, 600, 1000]) }, common));
        break;
      case 3:
        promotions.push(
          promo(id, { kind: 'multi_buy', quantity: int(2, 3), priceFen: pick([500, 800, 1500]) }, common),
        );
        break;
      case 4:
        promotions.push(
          promo(id, { kind: 'buy_x_get_y', buy: int(1, 2), get: 1, getPercentOff: pick([50, 100]) }, common),
        );
        break;
      default: {
        // Realistic thresholds: at most two, each taking at most a third of what it needs (see the README's
        // exactness statement for thresholds that could together exhaust a line).
        if (thresholds >= 2) break;
        thresholds++;
        const minSpendFen = pick([1000, 2000, 3000]);
        const amountOffFen = Math.floor(minSpendFen / pick([3, 5, 10]));
        promotions.push(
          promo(id, { kind: 'spend_threshold', minSpendFen, amountOffFen, repeat: random() < 0.3 }, common),
        );
      }
    }
  }
  return { promotions, lines };
}

describe('commerce/promotion-optimizer', () => {
  it('finds the largest discount brute force finds, on 400 random baskets', () => {
    const random = rng(20250514);
    let nonTrivial = 0;
    for (let run = 0; run < 400; run++) {
      const { promotions, lines } = randomCase(random);
      const context = createPricingContext(snapshot({ promotions }));
      const request = { lines, member: member(), couponIds: [], pointsToRedeem: 0, at: WED_NOON };
      const outcome = priceBasketDetailed(context, request);
      assert.ok(outcome.exact, `run ${run}: the optimiser should be exact on small baskets`);

      const basket = buildBasketLines(context, lines);
      const { best } = bruteForceBest(basket, outcome.candidates);
      if (laneOptions(basket, outcome.candidates).some((o) => o.length > 1)) nonTrivial++;
      assert.equal(
        outcome.basket.discountFen,
        best,
        `run ${run}: engine ${outcome.basket.discountFen} vs brute force ${best}\n${JSON.stringify({ promotions, lines })}`,
      );
    }
    assert.ok(nonTrivial > 150, `only ${nonTrivial} runs had a choice to make`);
  });

  it('same input, same answer; shuffled promotions, same answer', () => {
    const random = rng(7);
    for (let run = 0; run < 100; run++) {
      const { promotions, lines } = randomCase(random);
      const request = { lines, member: member(), couponIds: [], pointsToRedeem: 0, at: WED_NOON };
      const first = priceBasket(createPricingContext(snapshot({ promotions })), request);
      assert.deepEqual(priceBasket(createPricingContext(snapshot({ promotions })), request), first);
      const shuffled = [...promotions].reverse();
      shuffled.push(...shuffled.splice(0, Math.floor(random() * shuffled.length)));
      assert.deepEqual(priceBasket(createPricingContext(snapshot({ promotions: shuffled })), request), first);
    }
  });

  it('equal savings go to the higher priority, then the smaller id', () => {
    const milk = { target: { skus: ['MILK'] }, stacking: 'exclusive' as const };
    const lines = [line('MILK')];
    const request = { lines, member: null, couponIds: [], pointsToRedeem: 0, at: WED_NOON };
    const byPriority = priceBasket(
      createPricingContext(
        snapshot({
          promotions: [
            promo('a', { kind: 'amount_off', amountOffFen: 125 }, { ...milk, priority: 1 }),
            promo('b', { kind: 'percent_off', percentOff: 10 }, { ...milk, priority: 2 }),
          ],
        }),
      ),
      request,
    );
    assert.deepEqual(
      byPriority.promotions.map((p) => p.promotionId),
      ['b'],
    );
    const byId = priceBasket(
      createPricingContext(
        snapshot({
          promotions: [
            promo('b', { kind: 'percent_off', percentOff: 10 }, milk),
            promo('a', { kind: 'amount_off', amountOffFen: 125 }, milk),
          ],
        }),
      ),
      request,
    );
    assert.deepEqual(
      byId.promotions.map((p) => p.promotionId),
      ['a'],
    );
  });
});
