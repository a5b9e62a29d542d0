import { epochMs, type FromSchema, integer, nullable, object, oneOfValues } from '../api/json-schema.ts';
import { idString } from '../api/parameters.ts';
import { fen, points } from './money.ts';
import { PromotionScopeSchema, PromotionWindowSchema } from './promotions.ts';
import { LocalizedTextSchema } from './text.ts';

/** A member number: 6 to 12 digits (printed on the card, typed at a till). */
export const MEMBER_NUMBER_PATTERN = '^\\d{6,12}$';
export const memberNumberString = { type: 'string', pattern: MEMBER_NUMBER_PATTERN } as const;

/** A member tier (普卡, 银卡, 金卡...): tiers gate member prices and can multiply earning. */
export const TierSchema = object({
  id: idString,
  name: LocalizedTextSchema,
  /** Earned points × this / 100 (100: as the rules say). */
  earnMultiplierPercent: integer({ minimum: 0, maximum: 1000 }),
});
export type Tier = FromSchema<typeof TierSchema>;

/**
 * How points are earned. A `base` rule: `pointsPerStep` for every full `spendFenPerStep` spent (after discounts, on
 * what is paid with money) on its categories (empty: all) in its scope. A `bonus` rule adds `bonusPercent` % of the
 * base points of its categories while its window runs (the seed's "weekend dining +20 %").
 */
export const EarnRuleSchema = object(
  {
    id: idString,
    kind: oneOfValues(['base', 'bonus'] as const),
    name: LocalizedTextSchema,
    categoryIds: { type: 'array', items: idString, maxItems: 200 },
    scope: PromotionScopeSchema,
    spendFenPerStep: integer({ minimum: 1, maximum: 100_000_00 }),
    pointsPerStep: integer({ minimum: 0, maximum: 100_000 }),
    bonusPercent: integer({ minimum: 0, maximum: 1000 }),
    window: PromotionWindowSchema,
    priority: integer({ minimum: 0, maximum: 1000 }),
  },
  { optional: ['spendFenPerStep', 'pointsPerStep', 'bonusPercent', 'window'] },
);
export type EarnRule = FromSchema<typeof EarnRuleSchema>;

/** How points pay: their value, the cap per order, and per-store limits of the chain-wide pool. */
export const RedemptionPolicySchema = object({
  /** What 100 points are worth, in fen. */
  fenPer100Points: integer({ minimum: 1, maximum: 100_000 }),
  /** At most this share of an order's total may be paid with points. */
  maxPercentOfTotal: integer({ minimum: 0, maximum: 100 }),
  /** Points are redeemed in multiples of this. */
  minPoints: points,
  /** Points a store accepts per member pool per day (null: no limit). */
  perStoreDailyLimitPoints: nullable(points),
});
export type RedemptionPolicy = FromSchema<typeof RedemptionPolicySchema>;

export const COUPON_STATES = ['issued', 'held', 'used', 'expired', 'revoked'] as const;
export type CouponState = (typeof COUPON_STATES)[number];

/** A coupon issued to one member: it unlocks a coupon-gated promotion once, within its validity, above a spend. */
export const CouponSchema = object({
  id: { type: 'string', pattern: '^[A-Z0-9]{6,24}$', description: 'the code printed or shown to the member' },
  memberId: idString,
  promotionId: idString,
  validFrom: epochMs,
  validTo: epochMs,
  minSpendFen: fen,
  state: oneOfValues(COUPON_STATES),
});
export type Coupon = FromSchema<typeof CouponSchema>;

/**
 * What a cart knows of the logged-in member (the `member-login` answer, cached for the session): enough to price
 * member promotions, coupons and redemption offline. `verified` is false when the cart could not reach the fleet:
 * member prices and earning then apply, redemption does not.
 */
export const MemberContextSchema = object({
  memberId: idString,
  memberNumber: memberNumberString,
  displayName: { type: 'string', maxLength: 64 },
  tierId: idString,
  familyId: nullable(idString),
  /** The shared pool's balance (the family's, or the member's own). */
  balancePoints: points,
  /** What this store still accepts today from the pool (null: no limit). */
  storeRedeemablePoints: nullable(points),
  coupons: { type: 'array', items: CouponSchema, maxItems: 100 },
  verified: { type: 'boolean' },
});
export type MemberContext = FromSchema<typeof MemberContextSchema>;

/**
 * The code the member app shows as a QR and the cart's scanner reads: `CFM1.{memberNumber}.{totp6}`, where `totp6`
 * is the member's RFC 6238 TOTP (HMAC-SHA1, 30 s step, 6 digits) and the fleet accepts ±1 step. The prefix tells a
 * member code from a product barcode; `1` is the format's version.
 */
export const MEMBER_CODE_PREFIX = 'CFM1';
const MEMBER_CODE = /^CFM1\.(\d{6,12})\.(\d{6})$/;

export function formatMemberCode(memberNumber: string, otp: string): string {
  return `${MEMBER_CODE_PREFIX}.${memberNumber}.${otp}`;
}

/** The parts of a member code, or null when `text` is not one (a product barcode, a misread). */
export function parseMemberCode(text: string): { memberNumber: string; otp: string } | null {
  const match = MEMBER_CODE.exec(text.trim());
  return match ? { memberNumber: match[1] as string, otp: match[2] as string } : null;
}
