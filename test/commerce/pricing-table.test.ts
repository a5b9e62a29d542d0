/**
 * The pricing engine against baskets whose totals were worked out by hand. Each row's comment is the arithmetic;
 * prices: COLA 350, SPRITE 300, JUICE 1299 (soda), MILK 1250 (dairy), YOG 333 (dairy › yoghurt), CANDY 35, BENTO
 * 2500 (dining), APPLE 1598/kg, BANANA 699/kg, HAM 5980/kg. At: Wednesday 2025-05-14 12:00 Shanghai unless said.
 */
import assert from 'node:assert/strict';
import { createPricingContext, priceBasket } from '../../commerce/pricing-engine.ts';
import type { BasketLineInput } from '../../protocol/commerce/basket.ts';
import type { MemberContext } from '../../protocol/commerce/loyalty.ts';
import type { Promotion } from '../../protocol/commerce/promotions.ts';
import type { PricingSnapshot } from '../../protocol/commerce/snapshot.ts';
import { ALWAYS, coupon, line, member, promo, SAT_NOON, snapshot, WED_NOON } from './commerce-fixture.ts';

const ALWAYS_W = ALWAYS;

interface Row {
  name: string;
  promotions?: Promotion[];
  lines: BasketLineInput[];
  member?: MemberContext | null;
  couponIds?: string[];
  at?: number;
  snapshot?: Partial<PricingSnapshot>;
  total: number;
  /** Expected net of each line, in order (when the split matters). */
  nets?: number[];
  /** Expected discount per promotion id. */
  byPromotion?: Record<string, number>;
}

const excl = { stacking: 'exclusive' as const };
const soda = { target: { categoryIds: ['soda'] } };
const milk = { target: { skus: ['MILK'] } };
const gold = member({ tierId: 'gold' });
const WORKED = [
  promo('x20', { kind: 'percent_off', percentOff: 20 }, { target: { skus: ['COLA'] }, stacking: 'exclusive' }),
  promo('mb', { kind: 'multi_buy', quantity: 3, priceFen: 800 }, { target: { categoryIds: ['soda'] } }),
  promo('t50', { kind: 'spend_threshold', minSpendFen: 5000, amountOffFen: 500, repeat: false }),
];

const ROWS: Row[] = [
  // 2 × 350 + 1250 = 1950
  { name: 'no promotion', lines: [line('COLA', 2), line('MILK')], total: 1950 },
  // 1250 × 10 % = 125 → 1125; + 350 = 1475
  {
    name: 'percent off one SKU',
    promotions: [promo('p10', { kind: 'percent_off', percentOff: 10 }, milk)],
    lines: [line('COLA'), line('MILK')],
    total: 1475,
    nets: [350, 1125],
  },
  // 15 % of 333 = 49.95 → 50 (half away from zero): 283
  {
    name: 'percent rounds 49.95 up',
    promotions: [promo('p15', { kind: 'percent_off', percentOff: 15 }, { target: { skus: ['YOG'] } })],
    lines: [line('YOG')],
    total: 283,
  },
  // once per line: 3 × 333 = 999 × 15 % = 149.85 → 150; 849 (per unit would be 3 × 50 = 150 too, 3 × 49.95 = 149.85)
  {
    name: 'percent rounds once per line',
    promotions: [promo('p15', { kind: 'percent_off', percentOff: 15 }, { target: { skus: ['YOG'] } })],
    lines: [line('YOG', 3)],
    total: 849,
  },
  // x.5 fen: 10 % of 35 = 3.5 → 4; 31
  {
    name: 'percent of 35 fen: 3.5 rounds to 4',
    promotions: [promo('p10', { kind: 'percent_off', percentOff: 10 }, { target: { skus: ['CANDY'] } })],
    lines: [line('CANDY')],
    total: 31,
  },
  // 3 × (350 − 100) = 750
  {
    name: 'amount off per unit',
    promotions: [promo('a100', { kind: 'amount_off', amountOffFen: 100 }, { target: { skus: ['COLA'] } })],
    lines: [line('COLA', 3)],
    total: 750,
  },
  // 500 off a 350 unit: never below 0 → 0; + MILK 1250
  {
    name: 'amount off larger than the price stops at 0',
    promotions: [promo('a500', { kind: 'amount_off', amountOffFen: 500 }, { target: { skus: ['COLA'] } })],
    lines: [line('COLA'), line('MILK')],
    total: 1250,
    nets: [0, 1250],
  },
  // member pays 300 per COLA: 2 × 300 = 600
  {
    name: 'member price for a member',
    promotions: [promo('mp', { kind: 'member_price', priceFen: 300 }, { target: { skus: ['COLA'] } })],
    lines: [line('COLA', 2)],
    member: member(),
    total: 600,
  },
  // no member: shelf price 2 × 350 = 700
  {
    name: 'member price without a member',
    promotions: [promo('mp', { kind: 'member_price', priceFen: 300 }, { target: { skus: ['COLA'] } })],
    lines: [line('COLA', 2)],
    total: 700,
  },
  // exclusive member price 1100 (saves 150) vs exclusive 20 % (saves 250): the 20 % wins → 1000
  {
    name: 'member price vs percent off, both exclusive: the larger saving',
    promotions: [
      promo('mp', { kind: 'member_price', priceFen: 1100 }, { ...milk, ...excl, priority: 9 }),
      promo('p20', { kind: 'percent_off', percentOff: 20 }, { ...milk, ...excl }),
    ],
    lines: [line('MILK')],
    member: member(),
    total: 1000,
    byPromotion: { p20: 250 },
  },
  // stackable, priority order: 10 % first (1250 → 1125, −125), then member price 1100 (−25) → 1100
  {
    name: 'member price stacked after percent off (priority order)',
    promotions: [
      promo('p10', { kind: 'percent_off', percentOff: 10 }, { ...milk, priority: 10 }),
      promo('mp', { kind: 'member_price', priceFen: 1100 }, { ...milk, priority: 5 }),
    ],
    lines: [line('MILK')],
    member: member(),
    total: 1100,
    byPromotion: { p10: 125, mp: 25 },
  },
  // 3 for 1000 on COLA × 4: one group 1050 → 1000 (−50), one left at 350 → 1350
  {
    name: 'multi-buy with a leftover',
    promotions: [promo('mb', { kind: 'multi_buy', quantity: 3, priceFen: 1000 }, { target: { skus: ['COLA'] } })],
    lines: [line('COLA', 4)],
    total: 1350,
  },
  // 3 for 900 on COLA × 7: two groups of 1050 → 900 (−150 each), one left: 2450 − 300 = 2150
  {
    name: 'multi-buy twice with a leftover',
    promotions: [promo('mb', { kind: 'multi_buy', quantity: 3, priceFen: 900 }, { target: { skus: ['COLA'] } })],
    lines: [line('COLA', 7)],
    total: 2150,
  },
  // 3 for 900 across soda: dearest first 350 + 350 + 300 = 1000 → 900 (−100); SPRITE 300 left: 1300 − 100 = 1200
  {
    name: 'multi-buy across SKUs of a category groups the dearest',
    promotions: [promo('mb', { kind: 'multi_buy', quantity: 3, priceFen: 900 }, soda)],
    lines: [line('COLA', 2), line('SPRITE', 2)],
    total: 1200,
  },
  // buy 1 get 1 free on soda: 1299, 350 | 300, 300 → 350 and 300 free: 2249 − 650 = 1599
  {
    name: 'buy one get one: each pair’s cheaper one free',
    promotions: [promo('b1g1', { kind: 'buy_x_get_y', buy: 1, get: 1, getPercentOff: 100 }, soda)],
    lines: [line('JUICE'), line('COLA'), line('SPRITE', 2)],
    total: 1599,
    nets: [1299, 0, 300],
  },
  // buy 2 get 1 free across prices: 1299, 350, 300 → SPRITE 300 free: 1649
  {
    name: 'buy 2 get 1: the cheapest free across different prices',
    promotions: [promo('b2g1', { kind: 'buy_x_get_y', buy: 2, get: 1, getPercentOff: 100 }, soda)],
    lines: [line('JUICE'), line('SPRITE'), line('COLA')],
    total: 1649,
    nets: [1299, 0, 350],
  },
  // buy 2 get 1 half price: COLA × 3 → 350 × 50 % = 175 off: 875
  {
    name: 'buy 2 get 1 at half price',
    promotions: [promo('b2g1h', { kind: 'buy_x_get_y', buy: 2, get: 1, getPercentOff: 50 }, soda)],
    lines: [line('COLA', 3)],
    total: 875,
  },
  // spend 10000 get 2000 off: MILK × 8 = 10000 → 8000
  {
    name: 'spend threshold reached exactly',
    promotions: [promo('t100', { kind: 'spend_threshold', minSpendFen: 10000, amountOffFen: 2000, repeat: false })],
    lines: [line('MILK', 8)],
    total: 8000,
  },
  // threshold after item discounts: 10000 − 10 % = 9000 < 10000 → no threshold: 9000
  {
    name: 'spend threshold counts the item-discounted net',
    promotions: [
      promo('t100', { kind: 'spend_threshold', minSpendFen: 10000, amountOffFen: 2000, repeat: false }),
      promo('p10', { kind: 'percent_off', percentOff: 10 }, milk),
    ],
    lines: [line('MILK', 8)],
    total: 9000,
  },
  // repeat: MILK × 9 = 11250 → floor(11250 / 5000) = 2 × 500 = 1000 off → 10250
  {
    name: 'spend threshold with repeat',
    promotions: [promo('t50', { kind: 'spend_threshold', minSpendFen: 5000, amountOffFen: 500, repeat: true })],
    lines: [line('MILK', 9)],
    total: 10250,
  },
  // dairy threshold 2000 − 300: MILK × 2 = 2500 counts, COLA does not; the 300 goes to the MILK line: 2200 + 350
  {
    name: 'spend threshold on its target only',
    promotions: [
      promo(
        'tdairy',
        { kind: 'spend_threshold', minSpendFen: 2000, amountOffFen: 300, repeat: false },
        { target: { categoryIds: ['dairy'] } },
      ),
    ],
    lines: [line('MILK', 2), line('COLA')],
    total: 2550,
    nets: [2200, 350],
  },
  // threshold allocation by net, largest remainder: 1000 off over 6250 (MILK × 5) and 3750 (BENTO × 1.5 → use
  // BENTO 2500 + YOG... ) — MILK × 4 = 5000 and BENTO × 2 = 5000: 500 / 500
  {
    name: 'spend threshold spread over lines in proportion',
    promotions: [promo('t100', { kind: 'spend_threshold', minSpendFen: 10000, amountOffFen: 1000, repeat: false })],
    lines: [line('MILK', 4), line('BENTO', 2)],
    total: 9000,
    nets: [4500, 4500],
  },
  // 1 fen off over three equal lines: 1 × 333/999 = 0.33 each; the remainder goes to the first line (ties by index)
  {
    name: 'allocation remainder goes to the first of equal lines',
    promotions: [promo('t1', { kind: 'spend_threshold', minSpendFen: 999, amountOffFen: 1, repeat: false })],
    lines: [line('YOG'), line('YOG'), line('YOG')],
    total: 998,
    nets: [332, 333, 333],
  },
  // exclusive 30 % (−375) vs stackable 10 % (−125) then 100 off (−100) = −225: the exclusive wins → 875
  {
    name: 'exclusive beats the stack when it saves more',
    promotions: [
      promo('x30', { kind: 'percent_off', percentOff: 30 }, { ...milk, ...excl }),
      promo('s10', { kind: 'percent_off', percentOff: 10 }, { ...milk, priority: 2 }),
      promo('s100', { kind: 'amount_off', amountOffFen: 100 }, milk),
    ],
    lines: [line('MILK')],
    total: 875,
    byPromotion: { x30: 375 },
  },
  // exclusive 10 % (−125) vs stackable 20 % (1250 → 1000) then 50 off (→ 950) = −300: the stack wins → 950
  {
    name: 'the stack beats the exclusive when it saves more',
    promotions: [
      promo('x10', { kind: 'percent_off', percentOff: 10 }, { ...milk, ...excl, priority: 50 }),
      promo('s20', { kind: 'percent_off', percentOff: 20 }, { ...milk, priority: 2 }),
      promo('s50', { kind: 'amount_off', amountOffFen: 50 }, milk),
    ],
    lines: [line('MILK')],
    total: 950,
    byPromotion: { s20: 250, s50: 50 },
  },
  // MILK × 8 = 10000: exclusive 10 % (−1000) vs the stackable threshold 10000 − 2000 on the undiscounted lines:
  // the threshold wins → 8000
  {
    name: 'exclusive item discount loses to a threshold it would break',
    promotions: [
      promo('x10', { kind: 'percent_off', percentOff: 10 }, { ...milk, ...excl }),
      promo('t100', { kind: 'spend_threshold', minSpendFen: 10000, amountOffFen: 2000, repeat: false }),
    ],
    lines: [line('MILK', 8)],
    total: 8000,
    byPromotion: { t100: 2000 },
  },
  // exclusive threshold 10000 − 1500 on gross vs stackable 10 % (−1000): the threshold wins → 8500
  {
    name: 'exclusive threshold vs stackable item discount',
    promotions: [
      promo('tx', { kind: 'spend_threshold', minSpendFen: 10000, amountOffFen: 1500, repeat: false }, excl),
      promo('p10', { kind: 'percent_off', percentOff: 10 }, milk),
    ],
    lines: [line('MILK', 8)],
    total: 8500,
  },
  // COLA 350 + SPRITE 2 × 300 = 950. COLA can be in one lane only: exclusive 20 % on COLA (−70 → 880), or the
  // soda 3 for 800 group COLA + SPRITE + SPRITE (950 → 800, −150): the group wins → 800
  {
    name: 'exclusive item vs a multi-buy that needs the same line',
    promotions: [
      promo('x20', { kind: 'percent_off', percentOff: 20 }, { target: { skus: ['COLA'] }, ...excl }),
      promo('mb', { kind: 'multi_buy', quantity: 3, priceFen: 800 }, soda),
    ],
    lines: [line('COLA'), line('SPRITE', 2)],
    total: 800,
    byPromotion: { mb: 150 },
  },
  // the same with 3 for 900 (−50): now the exclusive 20 % (−70) is better → 880
  {
    name: 'exclusive item beats a multi-buy that saves less',
    promotions: [
      promo('x20', { kind: 'percent_off', percentOff: 20 }, { target: { skus: ['COLA'] }, ...excl }),
      promo('mb', { kind: 'multi_buy', quantity: 3, priceFen: 900 }, soda),
    ],
    lines: [line('COLA'), line('SPRITE', 2)],
    total: 880,
    byPromotion: { x20: 70 },
  },
  // commerce/README.md's worked example: COLA + SPRITE × 2 + MILK × 3 = 4700. Stack: soda 3 for 800 groups
  // 350 + 300 + 300 = 950 (−150 → 55 / 48 / 47 by largest remainder); net 4550 < 5000, no threshold. Exclusive 20 %
  // on COLA instead: −70. Best: the stack → 4550 (COLA 295, SPRITE 505, MILK 3750)
  {
    name: 'worked example of the README',
    promotions: WORKED,
    lines: [line('COLA'), line('SPRITE', 2), line('MILK', 3)],
    total: 4550,
    nets: [295, 505, 3750],
  },
  // with MILK × 4: stack net 5800 ≥ 5000 → t50 −500 spread by net 295 : 505 : 5000 → 25 / 44 / 431 → 5300
  {
    name: 'worked example of the README, threshold reached',
    promotions: WORKED,
    lines: [line('COLA'), line('SPRITE', 2), line('MILK', 4)],
    total: 5300,
    nets: [270, 461, 4569],
    byPromotion: { mb: 150, t50: 500 },
  },
  // coupon-gated 500 off one MILK, min spend 2000: 2 × 1250 = 2500 ≥ 2000 → one unit −500 → 2000
  {
    name: 'coupon-gated amount off, once',
    promotions: [promo('c500', { kind: 'amount_off', amountOffFen: 500 }, { ...milk, couponRequired: true })],
    lines: [line('MILK', 2)],
    member: member({ coupons: [coupon('CPN500A', 'c500', { minSpendFen: 2000 })] }),
    couponIds: ['CPN500A'],
    total: 2000,
  },
  // same coupon, 1250 < 2000 → not applied: 1250
  {
    name: 'coupon below its minimum spend',
    promotions: [promo('c500', { kind: 'amount_off', amountOffFen: 500 }, { ...milk, couponRequired: true })],
    lines: [line('MILK')],
    member: member({ coupons: [coupon('CPN500A', 'c500', { minSpendFen: 2000 })] }),
    couponIds: ['CPN500A'],
    total: 1250,
  },
  // opens 2025-05-15: closed on Wednesday 14th → 1250
  {
    name: 'window: before its first date',
    promotions: [
      promo(
        'p10',
        { kind: 'percent_off', percentOff: 10 },
        { ...milk, window: { from: '2025-05-15', to: '2025-05-31' } },
      ),
    ],
    lines: [line('MILK')],
    total: 1250,
  },
  // 2025-05-15 00:30 in Shanghai is 2025-05-14 16:30 UTC: open → 1125
  {
    name: 'window: first minute of its first date in Shanghai',
    promotions: [
      promo(
        'p10',
        { kind: 'percent_off', percentOff: 10 },
        { ...milk, window: { from: '2025-05-15', to: '2025-05-31' } },
      ),
    ],
    lines: [line('MILK')],
    at: Date.UTC(2025, 4, 14, 16, 30),
    total: 1125,
  },
  // weekends only: Wednesday → 1250; Saturday → 1125
  {
    name: 'window: weekend promotion on a Wednesday',
    promotions: [
      promo('p10', { kind: 'percent_off', percentOff: 10 }, { ...milk, window: { ...ALWAYS_W, weekdays: [6, 7] } }),
    ],
    lines: [line('MILK')],
    total: 1250,
  },
  {
    name: 'window: weekend promotion on a Saturday',
    promotions: [
      promo('p10', { kind: 'percent_off', percentOff: 10 }, { ...milk, window: { ...ALWAYS_W, weekdays: [6, 7] } }),
    ],
    lines: [line('MILK')],
    at: SAT_NOON,
    total: 1125,
  },
  // 11:00–14:00: open at 12:00 → 1125; closed at 14:00 sharp (end exclusive) → 1250
  {
    name: 'window: lunch hours at noon',
    promotions: [
      promo(
        'p10',
        { kind: 'percent_off', percentOff: 10 },
        { ...milk, window: { ...ALWAYS_W, hours: [['11:00', '14:00']] } },
      ),
    ],
    lines: [line('MILK')],
    total: 1125,
  },
  {
    name: 'window: lunch hours end at 14:00 exclusive',
    promotions: [
      promo(
        'p10',
        { kind: 'percent_off', percentOff: 10 },
        { ...milk, window: { ...ALWAYS_W, hours: [['11:00', '14:00']] } },
      ),
    ],
    lines: [line('MILK')],
    at: WED_NOON + 2 * 3_600_000,
    total: 1250,
  },
  // 20:00–24:00 at 23:59 Shanghai (15:59 UTC): open → 1125
  {
    name: 'window: 24:00 ends the day',
    promotions: [
      promo(
        'p10',
        { kind: 'percent_off', percentOff: 10 },
        { ...milk, window: { ...ALWAYS_W, hours: [['20:00', '24:00']] } },
      ),
    ],
    lines: [line('MILK')],
    at: Date.UTC(2025, 4, 14, 15, 59),
    total: 1125,
  },
  // only on 2025-05-14; at 02:00 UTC it is the 14th in Shanghai (10:00) but the 13th in New York (22:00)
  {
    name: 'window: one day, Shanghai store',
    promotions: [
      promo(
        'p10',
        { kind: 'percent_off', percentOff: 10 },
        { ...milk, window: { from: '2025-05-14', to: '2025-05-14' } },
      ),
    ],
    lines: [line('MILK')],
    at: Date.UTC(2025, 4, 14, 2, 0),
    total: 1125,
  },
  {
    name: 'window: the same day, New York store',
    promotions: [
      promo(
        'p10',
        { kind: 'percent_off', percentOff: 10 },
        { ...milk, window: { from: '2025-05-14', to: '2025-05-14' } },
      ),
    ],
    lines: [line('MILK')],
    at: Date.UTC(2025, 4, 14, 2, 0),
    snapshot: { store: { id: 'store-1', region: 'east', timeZone: 'America/New_York' } },
    total: 1250,
  },
  // scope: another store → 1250; our region → 1125
  {
    name: 'scope: another store only',
    promotions: [
      promo('p10', { kind: 'percent_off', percentOff: 10 }, { ...milk, scope: { storeIds: ['store-2'], regions: [] } }),
    ],
    lines: [line('MILK')],
    total: 1250,
  },
  {
    name: 'scope: our region',
    promotions: [
      promo(
        'p10',
        { kind: 'percent_off', percentOff: 10 },
        { ...milk, scope: { storeIds: ['store-2'], regions: ['east'] } },
      ),
    ],
    lines: [line('MILK')],
    total: 1125,
  },
  // tiers: gold only; a silver member pays 1250, a gold member 1125
  {
    name: 'member tiers: silver member, gold-only offer',
    promotions: [
      promo('p10', { kind: 'percent_off', percentOff: 10 }, { ...milk, memberOnly: true, memberTiers: ['gold'] }),
    ],
    lines: [line('MILK')],
    member: member(),
    total: 1250,
  },
  {
    name: 'member tiers: gold member',
    promotions: [
      promo('p10', { kind: 'percent_off', percentOff: 10 }, { ...milk, memberOnly: true, memberTiers: ['gold'] }),
    ],
    lines: [line('MILK')],
    member: gold,
    total: 1125,
  },
  // weighed: 755 g APPLE at 1598/kg = 1206.49 → 1206
  { name: 'weighed produce', lines: [line('APPLE', 1, { weightG: 755 })], total: 1206 },
  // 500 g BANANA at 699/kg = 349.5 → 350 (half away from zero)
  { name: 'weighed produce: 349.5 rounds to 350', lines: [line('BANANA', 1, { weightG: 500 })], total: 350 },
  // HAM price label 1234 (wins over weight × price); 10 % → 123.4 → 123: 1111
  {
    name: 'variable-measure price label with percent off',
    promotions: [promo('p10', { kind: 'percent_off', percentOff: 10 }, { target: { categoryIds: ['deli'] } })],
    lines: [line('HAM', 1, { labelPriceFen: 1234, barcode: '2120123912344' })],
    total: 1111,
  },
  // weighed member price: BANANA 1 kg 699 → member 599/kg × 1000 g = 599 (−100)
  {
    name: 'member price per kg on a weighed line',
    promotions: [promo('mpk', { kind: 'member_price', priceFen: 599 }, { target: { skus: ['BANANA'] } })],
    lines: [line('BANANA', 1, { weightG: 1000 })],
    member: member(),
    total: 599,
  },
];

describe('commerce/pricing-engine: hand-worked baskets', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const context = createPricingContext(snapshot({ promotions: row.promotions ?? [], ...row.snapshot }));
      const priced = priceBasket(context, {
        lines: row.lines,
        member: row.member ?? null,
        couponIds: row.couponIds ?? [],
        pointsToRedeem: 0,
        at: row.at ?? WED_NOON,
      });
      assert.equal(priced.totalFen, row.total);
      assert.equal(priced.subtotalFen - priced.discountFen, priced.totalFen);
      assert.equal(
        priced.lines.reduce((s, l) => s + l.netFen, 0),
        priced.totalFen,
        'line nets sum to the total',
      );
      for (const l of priced.lines) {
        assert.equal(l.grossFen - l.discounts.reduce((s, d) => s + d.amountFen, 0), l.netFen);
        assert.ok(l.netFen >= 0);
      }
      if (row.nets)
        assert.deepEqual(
          priced.lines.map((l) => l.netFen),
          row.nets,
        );
      if (row.byPromotion) {
        assert.deepEqual(
          Object.fromEntries(priced.promotions.map((p) => [p.promotionId, p.amountFen])),
          row.byPromotion,
        );
      }
    });
  }
});
