import { epochMs, type FromSchema, integer, nullable, object, oneOfValues } from '../api/json-schema.ts';
import { idString } from '../api/parameters.ts';
import { SOLD_BY, skuString } from './catalog.ts';
import { fen, grams, points } from './money.ts';
import { PROMOTION_KINDS } from './promotions.ts';

export const lineIdString = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;

/**
 * A line as the basket holds it, before pricing: a product and how much of it. `quantity` counts items (`each`);
 * `weightG` is the net weight of a weighed line; `labelPriceFen` is the price a variable-measure label printed
 * (it wins over price × weight); `scannedAt` says which pricing applied when the shopper saw the price.
 */
export const BasketLineInputSchema = object(
  {
    lineId: lineIdString,
    sku: skuString,
    quantity: integer({ minimum: 1, maximum: 999 }),
    weightG: nullable(grams),
    /** The code that was scanned (GTIN, a variable-measure label), or null when picked from a list (produce). */
    barcode: nullable({ type: 'string', maxLength: 64 }),
    labelPriceFen: nullable(fen),
    scannedAt: epochMs,
  },
  { optional: ['barcode', 'labelPriceFen'] },
);
export type BasketLineInput = FromSchema<typeof BasketLineInputSchema>;

/** One discount on one line, and the promotion that made it. */
export const LineDiscountSchema = object({
  promotionId: idString,
  amountFen: fen,
});

export const PricedLineSchema = object({
  lineId: lineIdString,
  sku: skuString,
  soldBy: oneOfValues(SOLD_BY),
  quantity: integer({ minimum: 1, maximum: 999 }),
  weightG: nullable(grams),
  /** Per item, or per kg for a weighed line. */
  unitPriceFen: fen,
  /** Before discounts. */
  grossFen: fen,
  discounts: { type: 'array', items: LineDiscountSchema },
  /** grossFen − the discounts. */
  netFen: fen,
  minAge: nullable(integer({ minimum: 1, maximum: 99 })),
  needsAttendant: { type: 'boolean' },
});
export type PricedLine = FromSchema<typeof PricedLineSchema>;

/** A promotion the engine applied, with what it saved in all and on which lines. */
export const AppliedPromotionSchema = object({
  promotionId: idString,
  kind: oneOfValues(PROMOTION_KINDS),
  amountFen: fen,
  lineIds: { type: 'array', items: lineIdString },
  couponId: nullable({ type: 'string' }),
});
export type AppliedPromotion = FromSchema<typeof AppliedPromotionSchema>;

export const COUPON_REJECTION_CODES = [
  'COUPON_NOT_FOUND',
  'COUPON_NOT_OWNED',
  'COUPON_EXPIRED',
  'COUPON_USED',
  'COUPON_MIN_SPEND',
] as const;

/** A coupon the shopper presented that the engine could not apply, and why (the fleet refuses an order on one). */
export const CouponRejectionSchema = object({
  couponId: { type: 'string', maxLength: 64 },
  code: oneOfValues(COUPON_REJECTION_CODES),
  reason: { type: 'string', maxLength: 200 },
});
export type CouponRejection = FromSchema<typeof CouponRejectionSchema>;

/**
 * A priced basket: the pricing engine's answer, the same on the cart and on the fleet for the same inputs.
 * totalFen = subtotalFen − discountFen; payableFen = totalFen − points.redeemedValueFen.
 */
export const PricedBasketSchema = object({
  snapshotVersion: integer({ minimum: 0 }),
  at: epochMs,
  lines: { type: 'array', items: PricedLineSchema },
  promotions: { type: 'array', items: AppliedPromotionSchema },
  subtotalFen: fen,
  discountFen: fen,
  totalFen: fen,
  points: object({
    earned: points,
    redeemed: points,
    redeemedValueFen: fen,
  }),
  payableFen: fen,
  /** Coupons whose promotion gave a discount in this basket: the order consumes them. */
  couponsUsed: { type: 'array', items: { type: 'string' } },
  /** Presented coupons that cannot apply; a valid coupon that only lost to a better offer is in neither list. */
  couponsNotApplied: { type: 'array', items: CouponRejectionSchema },
});
export type PricedBasket = FromSchema<typeof PricedBasketSchema>;
