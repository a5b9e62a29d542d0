/**
 * A small pricing snapshot for the engine's unit tests: a category tree, a dozen products with round prices, and
 * builders for promotions, lines and members. Every test builds what it needs on top of it.
 */
import type { BasketLineInput } from '../../protocol/commerce/basket.ts';
import type { Category, Product, VariableMeasureLayout } from '../../protocol/commerce/catalog.ts';
import type { Coupon, EarnRule, MemberContext } from '../../protocol/commerce/loyalty.ts';
import type { Promotion } from '../../protocol/commerce/promotions.ts';
import type { PricingSnapshot } from '../../protocol/commerce/snapshot.ts';

/** Wednesday 2025-05-14 12:00 in Asia/Shanghai (04:00 UTC). */
export const WED_NOON = Date.UTC(2025, 4, 14, 4, 0);
/** Saturday 2025-05-17 12:00 in Asia/Shanghai. */
export const SAT_NOON = Date.UTC(2025, 4, 17, 4, 0);

const cat = (id: string, parentId: string | null, en: string): Category => ({ id, parentId, name: { zh: en, en } });
export const CATEGORIES: Category[] = [
  cat('food', null, 'Food'),
  cat('dairy', 'food', 'Dairy'),
  cat('yoghurt', 'dairy', 'Yoghurt'),
  cat('drinks', null, 'Drinks'),
  cat('soda', 'drinks', 'Soda'),
  cat('produce', 'food', 'Produce'),
  cat('fruit', 'produce', 'Fruit'),
  cat('deli', 'food', 'Deli'),
  cat('dining', null, 'Dining'),
  cat('alcohol', 'drinks', 'Alcohol'),
];

function product(sku: string, categoryId: string, priceFen: number, extra: Partial<Product> = {}): Product {
  return {
    sku,
    gtins: [],
    plu: null,
    name: { zh: sku, en: sku },
    categoryId,
    soldBy: 'each',
    priceFen,
    nominalWeightG: null,
    weightToleranceG: null,
    tareG: null,
    minAge: null,
    needsAttendant: false,
    available: true,
    ...extra,
  };
}

export const PRODUCTS: Product[] = [
  product('COLA', 'soda', 350, { gtins: ['6901234567892'] }),
  product('SPRITE', 'soda', 300, { gtins: ['012345678905'] }),
  product('JUICE', 'soda', 1299, { gtins: ['96385074'] }),
  product('MILK', 'dairy', 1250),
  product('YOG', 'yoghurt', 333),
  product('CANDY', 'food', 35),
  product('BENTO', 'dining', 2500),
  product('BEER', 'alcohol', 800, { minAge: 18 }),
  product('APPLE', 'fruit', 1598, { soldBy: 'weight', plu: '4131', name: { zh: '富士苹果', en: 'Fuji apple' } }),
  product('BANANA', 'fruit', 699, { soldBy: 'weight', plu: '4011', name: { zh: '香蕉', en: 'Banana' } }),
  product('HAM', 'deli', 5980, { soldBy: 'weight', plu: '20123', name: { zh: '火腿', en: 'Ham' } }),
  product('GONE', 'food', 100, { available: false, gtins: ['4006381333931'] }),
];

/** Prefix 21: price label; 22: weight label with a price check digit; item reference = digits 2–6, value 8–11. */
export const LAYOUTS: VariableMeasureLayout[] = [
  {
    id: 'price-label',
    prefixes: ['21'],
    itemRef: { start: 2, length: 5 },
    value: { start: 8, length: 4 },
    valueKind: 'price',
    valueCheckDigit: 7,
  },
  {
    id: 'weight-label',
    prefixes: ['22', '23'],
    itemRef: { start: 2, length: 5 },
    value: { start: 7, length: 5 },
    valueKind: 'weight',
    valueCheckDigit: null,
  },
];

export const ALWAYS = { from: '2020-01-01', to: '2099-12-31' };

type PromotionBody = {
  [K in Promotion['kind']]: Omit<Extract<Promotion, { kind: K }>, keyof CommonPart>;
}[Promotion['kind']];
type CommonPart = Omit<Extract<Promotion, { kind: 'percent_off' }>, 'kind' | 'percentOff'>;

/** A promotion with neutral defaults: everywhere, always, stackable, priority 0, anyone, no coupon. */
export function promo(id: string, body: PromotionBody, common: Partial<CommonPart> = {}): Promotion {
  return {
    id,
    name: { zh: id, en: id },
    target: {},
    window: ALWAYS,
    scope: { storeIds: [], regions: [] },
    stacking: 'stackable',
    priority: 0,
    memberOnly: false,
    memberTiers: [],
    couponRequired: false,
    ...common,
    ...body,
  } as Promotion;
}

export function snapshot(overrides: Partial<PricingSnapshot> = {}): PricingSnapshot {
  return {
    version: 7,
    storeId: 'store-1',
    builtAt: WED_NOON - 3_600_000,
    store: { id: 'store-1', region: 'east', timeZone: 'Asia/Shanghai' },
    categories: CATEGORIES,
    products: PRODUCTS,
    promotions: [],
    earnRules: [],
    tiers: [
      { id: 'silver', name: { zh: '银卡', en: 'Silver' }, earnMultiplierPercent: 100 },
      { id: 'gold', name: { zh: '金卡', en: 'Gold' }, earnMultiplierPercent: 150 },
    ],
    redemption: { fenPer100Points: 100, maxPercentOfTotal: 50, minPoints: 100, perStoreDailyLimitPoints: null },
    variableMeasureLayouts: LAYOUTS,
    ...overrides,
  };
}

let lineSeq = 0;
/** A line: `sku×quantity`, or a weighed line with `weightG`, or a label price. */
export function line(sku: string, quantity = 1, extra: Partial<BasketLineInput> = {}): BasketLineInput {
  lineSeq += 1;
  return { lineId: `L${lineSeq}`, sku, quantity, weightG: null, scannedAt: WED_NOON, ...extra };
}

export function coupon(id: string, promotionId: string, extra: Partial<Coupon> = {}): Coupon {
  return {
    id,
    memberId: 'm-1',
    promotionId,
    validFrom: WED_NOON - 86_400_000,
    validTo: WED_NOON + 86_400_000,
    minSpendFen: 0,
    state: 'issued',
    ...extra,
  };
}

export function member(extra: Partial<MemberContext> = {}): MemberContext {
  return {
    memberId: 'm-1',
    memberNumber: '10000001',
    displayName: 'Li',
    tierId: 'silver',
    familyId: null,
    balancePoints: 5_000,
    storeRedeemablePoints: null,
    coupons: [],
    verified: true,
    ...extra,
  };
}

export function earnRule(id: string, extra: Partial<EarnRule>): EarnRule {
  return {
    id,
    kind: 'base',
    name: { zh: id, en: id },
    categoryIds: [],
    scope: { storeIds: [], regions: [] },
    priority: 0,
    ...extra,
  };
}
