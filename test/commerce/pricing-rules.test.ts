/** Coupons, points and bad input of the pricing engine: each refusal's code, each with a positive control. */
import assert from 'node:assert/strict';
import { CategoryTree } from '../../commerce/category-tree.ts';
import { maxRedeemablePoints, pointsEarned } from '../../commerce/points-rules.ts';
import { createPricingContext, type PricingRequest, priceBasket } from '../../commerce/pricing-engine.ts';
import { localTime } from '../../commerce/promotion-window.ts';
import type { BasketLineInput } from '../../protocol/commerce/basket.ts';
import type { EarnRule } from '../../protocol/commerce/loyalty.ts';
import { type ErrorCode, isFleetError } from '../../protocol/errors.ts';
import {
  ALWAYS,
  CATEGORIES,
  coupon,
  earnRule,
  line,
  member,
  promo,
  SAT_NOON,
  snapshot,
  WED_NOON,
} from './commerce-fixture.ts';

const fails = (code: ErrorCode) => (e: unknown) => isFleetError(e, code);
const request = (lines: BasketLineInput[], extra: Partial<PricingRequest> = {}): PricingRequest => ({
  lines,
  member: null,
  couponIds: [],
  pointsToRedeem: 0,
  at: WED_NOON,
  ...extra,
});

describe('commerce/pricing-engine: coupons', () => {
  const context = createPricingContext(
    snapshot({
      promotions: [
        promo('c500', { kind: 'amount_off', amountOffFen: 500 }, { target: { skus: ['MILK'] }, couponRequired: true }),
      ],
    }),
  );
  const coupons = [
    coupon('CPNOK1', 'c500'),
    coupon('CPNOK2', 'c500'),
    coupon('CPNUSED', 'c500', { state: 'used' }),
    coupon('CPNHELD', 'c500', { state: 'held' }),
    coupon('CPNEXPIRED', 'c500', { validTo: WED_NOON - 1 }),
    coupon('CPNEARLY', 'c500', { validFrom: WED_NOON + 1 }),
    coupon('CPNREVOKED', 'c500', { state: 'revoked' }),
    coupon('CPNOTHER', 'c500', { memberId: 'm-2' }),
    coupon('CPNMIN', 'c500', { minSpendFen: 99_999 }),
    coupon('CPNGONE', 'no-such-offer'),
  ];

  it('applies a valid coupon once and reports every other one with its code', () => {
    const priced = priceBasket(
      context,
      request([line('MILK', 2)], {
        member: member({ coupons }),
        couponIds: [
          'CPNOK1',
          'CPNOK2',
          'CPNOK1',
          'CPNUSED',
          'CPNHELD',
          'CPNEXPIRED',
          'CPNEARLY',
          'CPNREVOKED',
          'CPNOTHER',
          'CPNMIN',
          'CPNGONE',
          'CPNNONE',
        ],
      }),
    );
    assert.equal(priced.totalFen, 2000); // 2 × 1250 − 500 on one unit
    assert.deepEqual(priced.couponsUsed, ['CPNOK1']);
    assert.deepEqual(
      priced.couponsNotApplied.map((r) => [r.couponId, r.code]),
      [
        ['CPNOK2', 'COUPON_USED'],
        ['CPNOK1', 'COUPON_USED'],
        ['CPNUSED', 'COUPON_USED'],
        ['CPNHELD', 'COUPON_USED'],
        ['CPNEXPIRED', 'COUPON_EXPIRED'],
        ['CPNEARLY', 'COUPON_EXPIRED'],
        ['CPNREVOKED', 'COUPON_EXPIRED'],
        ['CPNOTHER', 'COUPON_NOT_OWNED'],
        ['CPNMIN', 'COUPON_MIN_SPEND'],
        ['CPNGONE', 'COUPON_EXPIRED'],
        ['CPNNONE', 'COUPON_NOT_FOUND'],
      ],
    );
  });

  it('without a member every coupon is not found, and the offer does not apply', () => {
    const priced = priceBasket(context, request([line('MILK', 2)], { couponIds: ['CPNOK1'] }));
    assert.equal(priced.totalFen, 2500);
    assert.deepEqual(
      priced.couponsNotApplied.map((r) => r.code),
      ['COUPON_NOT_FOUND'],
    );
  });
});

describe('commerce/points-rules', () => {
  // Base: 1 point per ¥1 everywhere, 2 per ¥1 on dining (more specific); bonus: weekend dining +20 %.
  const context = createPricingContext(
    snapshot({
      earnRules: [
        earnRule('base-all', { spendFenPerStep: 100, pointsPerStep: 1 }),
        earnRule('base-dining', { categoryIds: ['dining'], spendFenPerStep: 100, pointsPerStep: 2 }),
        earnRule('weekend-dining', {
          kind: 'bonus',
          categoryIds: ['dining'],
          bonusPercent: 20,
          window: { ...ALWAYS, weekdays: [6, 7] },
        }),
      ],
    }),
  );
  const lines = () => [line('BENTO'), line('MILK')];

  it('earns with the most specific base rule, the weekend bonus and the tier multiplier, floored at the end', () => {
    // Saturday, gold (150 %): BENTO 2500 × 2/100 = 50 × 1.2 = 60; MILK 1250 / 100 = 12.5; 72.5 × 1.5 = 108.75 → 108
    assert.equal(
      priceBasket(context, request(lines(), { member: member({ tierId: 'gold' }), at: SAT_NOON })).points.earned,
      108,
    );
    // Wednesday, gold: (50 + 12.5) × 1.5 = 93.75 → 93
    assert.equal(priceBasket(context, request(lines(), { member: member({ tierId: 'gold' }) })).points.earned, 93);
    // Saturday, silver (100 %): 72.5 → 72
    assert.equal(priceBasket(context, request(lines(), { member: member(), at: SAT_NOON })).points.earned, 72);
    // no member: nothing
    assert.equal(priceBasket(context, request(lines(), { at: SAT_NOON })).points.earned, 0);
  });

  it('earns on what is paid with money after a points part-payment', () => {
    // 1000 points = 1000 fen over nets 2500 / 1250 → 667 / 333 (largest remainder); paid 1833 / 917:
    // 1833 × 2/100 × 1.2 = 43.992; 917 / 100 = 9.17; 53.162 × 1.5 = 79.743 → 79
    const priced = priceBasket(
      context,
      request(lines(), { member: member({ tierId: 'gold' }), at: SAT_NOON, pointsToRedeem: 1000 }),
    );
    assert.deepEqual(priced.points, { earned: 79, redeemed: 1000, redeemedValueFen: 1000 });
    assert.equal(priced.payableFen, 2750);
  });

  it('adds fractions of rules with different steps exactly, and stays exact beyond 2^53', () => {
    // 1 point per ¥1 (step 100) on food, 2 points per ¥3 (step 300) on dining; silver (100 %).
    const setting = {
      rules: [
        earnRule('food', { categoryIds: ['food'], spendFenPerStep: 100, pointsPerStep: 1 }),
        earnRule('dining', { categoryIds: ['dining'], spendFenPerStep: 300, pointsPerStep: 2 }),
      ],
      categories: new CategoryTree(CATEGORIES),
      local: localTime(WED_NOON, 'Asia/Shanghai'),
      multiplierPercent: 100,
    };
    // 999 / 100 = 9.99; 1499 × 2 / 300 = 9.99333…; 19.98333… → 19 (each floored alone: 9 + 9 = 18)
    assert.equal(
      pointsEarned(
        [
          { categoryId: 'dairy', paidFen: 999 },
          { categoryId: 'dining', paidFen: 1499 },
        ],
        setting,
      ),
      19,
    );
    // 10^11 fen × 1000 points per ¥1 × 300 %: 3 × 10^12 points (its numerator, 3 × 10^18, is beyond 2^53);
    // + 999 × 1000 / 100 × 3 = 29,970 + 1499 × 2 / 300 × 3 = 29.98 → 3,000,000,029,999
    assert.equal(
      pointsEarned(
        [
          { categoryId: 'dairy', paidFen: 100_000_000_000 },
          { categoryId: 'dairy', paidFen: 999 },
          { categoryId: 'dining', paidFen: 1499 },
        ],
        {
          ...setting,
          rules: [
            earnRule('food', { categoryIds: ['food'], spendFenPerStep: 100, pointsPerStep: 1000 }),
            setting.rules[1] as EarnRule,
          ],
          multiplierPercent: 300,
        },
      ),
      3_000_000_000_000 + Math.floor((999 * 1000 * 3) / 100 + (1499 * 2 * 3) / 300),
    );
  });

  // Total 3750; policy: 100 points = 100 fen, multiples of 100, at most 50 % (1875 fen).
  const REFUSED: [string, Partial<PricingRequest>, ErrorCode][] = [
    ['not a multiple of 100', { member: member(), pointsToRedeem: 150 }, 'POINTS_REDEMPTION_INVALID'],
    [
      'member not verified online',
      { member: member({ verified: false }), pointsToRedeem: 100 },
      'POINTS_REDEMPTION_INVALID',
    ],
    ['no member', { pointsToRedeem: 100 }, 'POINTS_REDEMPTION_INVALID'],
    ['more than the balance', { member: member({ balancePoints: 500 }), pointsToRedeem: 600 }, 'POINTS_INSUFFICIENT'],
    [
      'beyond the store’s daily limit',
      { member: member({ storeRedeemablePoints: 300 }), pointsToRedeem: 400 },
      'POINTS_LIMIT_EXCEEDED',
    ],
    ['worth more than 50 % of the total', { member: member(), pointsToRedeem: 1900 }, 'POINTS_LIMIT_EXCEEDED'],
    ['negative', { member: member(), pointsToRedeem: -100 }, 'PRICING_INPUT_INVALID'],
  ];
  for (const [why, extra, code] of REFUSED) {
    it(`refuses a redemption ${why} with ${code}`, () => {
      assert.throws(() => priceBasket(context, request(lines(), extra)), fails(code));
    });
  }

  it('accepts the largest redemption maxRedeemablePoints offers, and refuses one step more', () => {
    const policy = context.snapshot.redemption;
    assert.equal(maxRedeemablePoints(policy, member(), 3750), 1800); // 1875 fen → 1875 points → multiple of 100
    assert.equal(maxRedeemablePoints(policy, member({ storeRedeemablePoints: 300 }), 3750), 300);
    assert.equal(maxRedeemablePoints(policy, member({ balancePoints: 950 }), 3750), 900);
    assert.equal(maxRedeemablePoints(policy, member({ verified: false }), 3750), 0);
    assert.equal(maxRedeemablePoints(policy, null, 3750), 0);
    assert.equal(priceBasket(context, request(lines(), { member: member(), pointsToRedeem: 1800 })).payableFen, 1950);
    assert.throws(
      () => priceBasket(context, request(lines(), { member: member(), pointsToRedeem: 1900 })),
      fails('POINTS_LIMIT_EXCEEDED'),
    );
  });
});

describe('commerce/pricing-engine: bad input', () => {
  const context = createPricingContext(snapshot());
  const BAD: [string, PricingRequest, ErrorCode][] = [
    ['an unknown SKU', request([line('NOPE')]), 'PRODUCT_NOT_FOUND'],
    ['an unavailable product', request([line('GONE')]), 'PRODUCT_UNAVAILABLE'],
    ['a weighed line without weight', request([line('APPLE')]), 'PRICING_INPUT_INVALID'],
    ['a weighed line of zero grams', request([line('APPLE', 1, { weightG: 0 })]), 'PRICING_INPUT_INVALID'],
    ['a negative weight', request([line('APPLE', 1, { weightG: -5 })]), 'PRICING_INPUT_INVALID'],
    ['quantity 0', request([line('COLA', 0)]), 'PRICING_INPUT_INVALID'],
    ['a negative quantity', request([line('COLA', -1)]), 'PRICING_INPUT_INVALID'],
    ['a fractional quantity', request([line('COLA', 1.5)]), 'PRICING_INPUT_INVALID'],
    ['a weighed line of quantity 2', request([line('APPLE', 2, { weightG: 500 })]), 'PRICING_INPUT_INVALID'],
    ['a negative label price', request([line('HAM', 1, { labelPriceFen: -1 })]), 'PRICING_INPUT_INVALID'],
    [
      'a line id twice',
      request([line('COLA', 1, { lineId: 'A' }), line('MILK', 1, { lineId: 'A' })]),
      'PRICING_INPUT_INVALID',
    ],
    ['a time that is not epoch ms', request([line('COLA')], { at: Number.NaN }), 'PRICING_INPUT_INVALID'],
    [
      'coupon ids that are not strings',
      request([line('COLA')], { couponIds: [42 as unknown as string] }),
      'PRICING_INPUT_INVALID',
    ],
  ];
  for (const [why, req, code] of BAD) {
    it(`refuses ${why} with ${code}`, () => assert.throws(() => priceBasket(context, req), fails(code)));
  }

  it('prices the same lines when they are valid (positive control)', () => {
    const priced = priceBasket(
      context,
      request([line('COLA', 2), line('APPLE', 1, { weightG: 500 }), line('HAM', 1, { labelPriceFen: 1 })]),
    );
    assert.equal(priced.totalFen, 700 + 799 + 1);
  });
});

describe('commerce/pricing-engine: windows judged at scan time', () => {
  const context = createPricingContext(
    snapshot({
      promotions: [
        promo(
          'lunch',
          { kind: 'percent_off', percentOff: 10 },
          { target: { skus: ['MILK'] }, window: { ...ALWAYS, hours: [['11:00', '14:00']] } },
        ),
      ],
    }),
  );
  it('a line scanned at 13:59 keeps a lunch offer when the fleet judges windows at scannedAt', () => {
    const scannedAt = WED_NOON + 119 * 60_000; // 13:59 Shanghai
    const at = WED_NOON + 125 * 60_000; // 14:05
    const lines = [line('MILK', 1, { scannedAt })];
    assert.equal(priceBasket(context, request(lines, { at })).totalFen, 1250);
    assert.equal(priceBasket(context, request(lines, { at, windowsAt: 'scannedAt' })).totalFen, 1125);
  });
});
