import {
  COUPON_STATES,
  CouponSchema,
  EarnRuleSchema,
  RedemptionPolicySchema,
  TierSchema,
} from '../commerce/loyalty.ts';
import { fen } from '../commerce/money.ts';
import { epochMs, type FromSchema, nullable, object, oneOfValues } from './json-schema.ts';
import { idString, page, paging } from './parameters.ts';

/**
 * Coupons and the loyalty program's configuration (`/api/coupons`, `/api/loyalty/*`). The shapes of a tier, an earn
 * rule, the redemption policy and a coupon are the commerce contract's (protocol/commerce/loyalty.ts): the pricing
 * snapshot carries the same ones to the carts.
 */

/** A coupon as the fleet keeps it: what a cart sees, plus which order holds or used it and who issued it. */
export const CouponRecordSchema = object({
  ...CouponSchema.properties,
  orderId: nullable({ type: 'string' }),
  issuedAt: epochMs,
  issuedBy: nullable({ type: 'string' }),
});
export type CouponRecord = FromSchema<typeof CouponRecordSchema>;

/** `POST /api/coupons` (coupons:issue): one coupon for one member, for a coupon-gated promotion. */
export const IssueCouponBody = object(
  { memberId: idString, promotionId: idString, validFrom: epochMs, validTo: epochMs, minSpendFen: fen },
  { optional: ['minSpendFen'] },
);
export type IssueCouponBody = FromSchema<typeof IssueCouponBody>;

export const CouponListQuery = object(
  { memberId: idString, promotionId: idString, state: oneOfValues(COUPON_STATES), ...paging },
  { optional: ['memberId', 'promotionId', 'state', 'limit', 'offset'] },
);
export type CouponListQuery = FromSchema<typeof CouponListQuery, 'checked'>;
export const CouponPageSchema = page(CouponRecordSchema);
export type CouponPage = FromSchema<typeof CouponPageSchema>;
export const CouponParams = object({ id: CouponSchema.properties.id });

/** `GET|PUT /api/loyalty/tiers`: the whole list, in display order. A tier members still hold cannot be removed. */
export const TiersSchema = { type: 'array', items: TierSchema, minItems: 1, maxItems: 20 } as const;
/** `GET|PUT /api/loyalty/earn-rules`: the whole set. */
export const EarnRulesSchema = { type: 'array', items: EarnRuleSchema, maxItems: 200 } as const;
export { RedemptionPolicySchema };

/** The whole configuration at once (`fleetctl loyalty get|put --file`). */
export const LoyaltyConfigSchema = object({
  tiers: TiersSchema,
  earnRules: EarnRulesSchema,
  redemptionPolicy: RedemptionPolicySchema,
});
export type LoyaltyConfig = FromSchema<typeof LoyaltyConfigSchema>;
