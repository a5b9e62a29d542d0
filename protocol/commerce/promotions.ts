import { type FromSchema, integer, object, oneOfValues } from '../api/json-schema.ts';
import { idString } from '../api/parameters.ts';
import { skuString } from './catalog.ts';
import { fen } from './money.ts';
import { LocalizedTextSchema } from './text.ts';

export const PROMOTION_KINDS = [
  'percent_off',
  'amount_off',
  'multi_buy',
  'buy_x_get_y',
  'spend_threshold',
  'member_price',
] as const;
export type PromotionKind = (typeof PROMOTION_KINDS)[number];

export const STACKING = ['exclusive', 'stackable'] as const;
export type Stacking = (typeof STACKING)[number];

/** Which items a promotion applies to: any listed SKU or any product under a listed category (an empty target: all). */
export const PromotionTargetSchema = object(
  {
    skus: { type: 'array', items: skuString, maxItems: 1000 },
    categoryIds: { type: 'array', items: idString, maxItems: 200 },
  },
  { optional: ['skus', 'categoryIds'] },
);
export type PromotionTarget = FromSchema<typeof PromotionTargetSchema>;

const localDate = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'YYYY-MM-DD in the store’s zone',
} as const;
const localTime = { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$|^24:00$' } as const;

/**
 * When a promotion runs, in each store's own time zone: from the start of `from` to the end of `to`, on the listed
 * ISO weekdays (1 = Monday ... 7 = Sunday; absent: every day), within the listed hours (absent: all day).
 */
export const PromotionWindowSchema = object(
  {
    from: localDate,
    to: localDate,
    weekdays: { type: 'array', items: integer({ minimum: 1, maximum: 7 }), minItems: 1, maxItems: 7 },
    hours: {
      type: 'array',
      items: { type: 'array', items: [localTime, localTime], minItems: 2, maxItems: 2, additionalItems: false },
      minItems: 1,
      maxItems: 6,
    },
  },
  { optional: ['weekdays', 'hours'] },
);
export type PromotionWindow = FromSchema<typeof PromotionWindowSchema>;

/** Where a promotion runs: listed stores, stores of listed regions (both empty: the whole chain). */
export const PromotionScopeSchema = object({
  storeIds: { type: 'array', items: idString, maxItems: 1000 },
  regions: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 100 },
});
export type PromotionScope = FromSchema<typeof PromotionScopeSchema>;

/** What every promotion has, whatever its kind. */
const common = {
  id: idString,
  name: LocalizedTextSchema,
  target: PromotionTargetSchema,
  window: PromotionWindowSchema,
  scope: PromotionScopeSchema,
  /** `exclusive`: combines with no other promotion on the same items; `stackable`: with other stackable ones. */
  stacking: oneOfValues(STACKING),
  /** Higher first when the engine must order promotions (equal value, stacking sequence). */
  priority: integer({ minimum: 0, maximum: 1000 }),
  /** Only for logged-in members (of these tiers, if listed). */
  memberOnly: { type: 'boolean' },
  memberTiers: { type: 'array', items: idString, maxItems: 10 },
  /** Applies only when the shopper presents one of their coupons for this promotion (coupon-gated). */
  couponRequired: { type: 'boolean' },
} as const;

export const PercentOffSchema = object({
  ...common,
  kind: { const: 'percent_off' },
  percentOff: integer({ minimum: 1, maximum: 100 }),
});
export const AmountOffSchema = object({
  ...common,
  kind: { const: 'amount_off' },
  /** Off each unit (each) or each line (weight). */
  amountOffFen: fen,
});
export const MultiBuySchema = object({
  ...common,
  kind: { const: 'multi_buy' },
  /** `quantity` items of the target together cost `priceFen` (3 for ¥10). */
  quantity: integer({ minimum: 2, maximum: 100 }),
  priceFen: fen,
});
export const BuyXGetYSchema = object({
  ...common,
  kind: { const: 'buy_x_get_y' },
  /** For every `buy` + `get` items of the target, the `get` cheapest are `getPercentOff` % off (100: free). */
  buy: integer({ minimum: 1, maximum: 100 }),
  get: integer({ minimum: 1, maximum: 100 }),
  getPercentOff: integer({ minimum: 1, maximum: 100 }),
});
export const SpendThresholdSchema = object({
  ...common,
  kind: { const: 'spend_threshold' },
  /** Spend `minSpendFen` on the target (after item discounts), get `amountOffFen` off; `repeat`: per multiple. */
  minSpendFen: fen,
  amountOffFen: fen,
  repeat: { type: 'boolean' },
});
export const MemberPriceSchema = object({
  ...common,
  kind: { const: 'member_price' },
  /** Members pay this per unit (per kg for weighed items) instead of the shelf price. */
  priceFen: fen,
});

export const PromotionSchema = {
  oneOf: [PercentOffSchema, AmountOffSchema, MultiBuySchema, BuyXGetYSchema, SpendThresholdSchema, MemberPriceSchema],
} as const;
export type Promotion = FromSchema<typeof PromotionSchema>;

/** Ensures a promotion's fields make sense together beyond the schema (window order, member price target...). */
export type PromotionProblem = { field: string; message: string };
