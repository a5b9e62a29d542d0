import {
  epochMs,
  type FromSchema,
  integer,
  nullable,
  nullableEpochMs,
  object,
  oneOfValues,
} from '../api/json-schema.ts';
import { idString } from '../api/parameters.ts';
import { BasketLineInputSchema, lineIdString } from './basket.ts';
import { SOLD_BY, skuString } from './catalog.ts';
import { fen, grams, points, signedFen } from './money.ts';
import { PROMOTION_KINDS } from './promotions.ts';
import { LocalizedTextSchema } from './text.ts';

/**
 * An order's life: `open` (recorded, holds taken) → `awaiting_payment` (a payment was created) → `paid` →
 * `exit_verified` (an attendant checked the receipt at the exit); or `cancelled` (by the cart, or when payment did
 * not come in time: the holds are released); after payment `refunded` or `partially_refunded` (a store manager,
 * per line or whole). The allowed moves are in `fleet/orders/order-states.ts`.
 */
export const ORDER_STATES = [
  'open',
  'awaiting_payment',
  'paid',
  'exit_verified',
  'cancelled',
  'refunded',
  'partially_refunded',
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

/**
 * `qr`: the shopper pays on their phone through the payment provider (the cart shows the pay QR). `attendant`:
 * offline checkout (plan decision 11): an attendant takes the payment at the desk.
 */
export const PAYMENT_METHODS = ['qr', 'attendant'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export const PAYMENT_STATES = ['pending', 'paid', 'expired', 'refunded', 'partially_refunded'] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

/** A cart's idempotency key: made once when checkout starts, sent again with every retry of the same order. */
export const idempotencyKeyString = { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$' } as const;
/** Order ids are made by the fleet (`ord_` + 20 base32 characters); short enough for a QR on a receipt. */
export const orderIdString = { type: 'string', pattern: '^ord_[a-z2-7]{20}$' } as const;
/** An attendant's staff code: this many digits (the cart screen's keypad takes no more). */
export const STAFF_CODE_DIGITS = 6;
export const staffCodeString = { type: 'string', pattern: `^\\d{${STAFF_CODE_DIGITS}}$` } as const;
const sessionIdString = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;
const couponIdString = { type: 'string', pattern: '^[A-Z0-9]{6,24}$' } as const;

/** A basket line as the cart submits it: the line the cart priced, and the net it showed the shopper. */
export const SubmittedLineSchema = object(
  {
    ...BasketLineInputSchema.properties,
    cartNetFen: fen,
  },
  { optional: ['barcode', 'labelPriceFen'] },
);
export type SubmittedLine = FromSchema<typeof SubmittedLineSchema>;

/**
 * What a cart submits at checkout (`order-submit`). The fleet recomputes it with the pricing engine and decides
 * differences by the price policy (`commerce/price-policy.ts`, plan decision 7). `member.code` is the member code
 * the cart verified at login (`CFM1....`), or null when the cart logged the member in offline.
 */
export const OrderSubmissionSchema = object({
  idempotencyKey: idempotencyKeyString,
  storeId: idString,
  sessionId: nullable(sessionIdString),
  member: nullable(
    object({
      memberNumber: { type: 'string', pattern: '^\\d{6,12}$' },
      code: nullable({ type: 'string', maxLength: 64 }),
    }),
  ),
  lines: { type: 'array', items: SubmittedLineSchema, minItems: 1, maxItems: 200 },
  couponIds: { type: 'array', items: couponIdString, maxItems: 10, uniqueItems: true },
  pointsToRedeem: points,
  snapshotVersion: integer({ minimum: 0 }),
  cartTotalFen: fen,
  cartPayableFen: fen,
  payment: object(
    {
      method: oneOfValues(PAYMENT_METHODS),
      /** Offline checkout: the staff code the attendant typed on the cart when they took the payment. */
      staffCode: staffCodeString,
    },
    { optional: ['staffCode'] },
  ),
  createdAt: epochMs,
});
export type OrderSubmission = FromSchema<typeof OrderSubmissionSchema>;

/**
 * The order price policy's decisions and audit reasons (plan decision 7). The policy itself is
 * `commerce/price-policy.ts` (`decideOrderPrice`); its outcome is kept on the order as its `priceAudit`.
 * - `as-shown`: the fleet's price of now equals what the cart showed;
 * - `current-lower`: the rules of now give less than shown: the shopper pays the lower;
 * - `honoured-snapshot`: now gives more, and the snapshot the cart priced with was valid at every scan: its rules
 *   are charged;
 * - `current-stale-snapshot`: now gives more, and the cart's snapshot was unknown or superseded before a scan.
 */
export const PRICE_DECISIONS = ['as-shown', 'current-lower', 'honoured-snapshot', 'current-stale-snapshot'] as const;
export type PriceDecision = (typeof PRICE_DECISIONS)[number];

export const PRICE_AUDIT_REASONS = [
  'current-lower-than-shown',
  'current-higher-than-shown',
  'claimed-snapshot-unknown',
  'claimed-snapshot-not-valid-at-scan',
  'shown-above-claimed-rules',
  'line-nets-differ',
] as const;
export type PriceAuditReason = (typeof PRICE_AUDIT_REASONS)[number];

/**
 * An order's price audit, present when the policy flagged it (any reason): the decision, its reasons, the totals
 * the cart showed, the rules of now gave and the order charges, and the lines whose cart net differs from the
 * rules of now or from what is charged.
 */
export const PriceAuditSchema = object({
  decision: oneOfValues(PRICE_DECISIONS),
  reasons: { type: 'array', items: oneOfValues(PRICE_AUDIT_REASONS) },
  shownTotalFen: fen,
  currentTotalFen: fen,
  chargedTotalFen: fen,
  lines: {
    type: 'array',
    items: object({
      lineId: lineIdString,
      cartNetFen: fen,
      fleetNetFen: fen,
      chargedNetFen: fen,
    }),
  },
  /** charged − the fleet's total now (negative when the shopper paid less than the rules of now). */
  differenceFen: signedFen,
});
export type PriceAudit = FromSchema<typeof PriceAuditSchema>;

export const OrderLineSchema = object({
  lineId: lineIdString,
  sku: skuString,
  /** The product's name when the order was made (for the receipt). */
  name: nullable(LocalizedTextSchema),
  soldBy: oneOfValues(SOLD_BY),
  quantity: integer({ minimum: 1, maximum: 999 }),
  weightG: nullable(grams),
  unitPriceFen: fen,
  grossFen: fen,
  discounts: {
    type: 'array',
    items: object({ promotionId: idString, amountFen: fen, promotionName: nullable(LocalizedTextSchema) }),
  },
  /** The fleet's net of now, the cart's, and what the order charges (decision 7). */
  netFen: fen,
  cartNetFen: fen,
  chargedNetFen: fen,
  refundedFen: fen,
});
export type OrderLine = FromSchema<typeof OrderLineSchema>;

export const OrderPaymentSchema = object({
  paymentId: { type: 'string' },
  provider: { type: 'string' },
  state: oneOfValues(PAYMENT_STATES),
  amountFen: fen,
  payUrl: nullable({ type: 'string' }),
  expiresAt: epochMs,
  paidAt: nullableEpochMs,
});
export type OrderPayment = FromSchema<typeof OrderPaymentSchema>;

/** An order as the fleet keeps it (`GET /api/orders/:id`, the `order` live event). */
export const OrderSchema = object({
  id: orderIdString,
  storeId: idString,
  thingName: { type: 'string' },
  sessionId: nullable({ type: 'string' }),
  idempotencyKey: idempotencyKeyString,
  memberId: nullable({ type: 'string' }),
  memberNumber: nullable({ type: 'string' }),
  state: oneOfValues(ORDER_STATES),
  paymentMethod: oneOfValues(PAYMENT_METHODS),
  snapshotVersion: integer({ minimum: 0 }),
  lines: { type: 'array', items: OrderLineSchema },
  promotions: {
    type: 'array',
    items: object({ promotionId: idString, kind: oneOfValues(PROMOTION_KINDS), amountFen: fen }),
  },
  couponIds: { type: 'array', items: { type: 'string' } },
  subtotalFen: fen,
  discountFen: fen,
  /** What the lines charge (the sum of `chargedNetFen`). */
  totalFen: fen,
  pointsRedeemed: points,
  pointsRedeemedValueFen: fen,
  /** What the shopper pays with money: totalFen − pointsRedeemedValueFen. */
  payableFen: fen,
  /** Points credited when paid (0 until then, and for non-members). */
  pointsEarned: points,
  cartTotalFen: fen,
  cartPayableFen: fen,
  priceAudit: nullable(PriceAuditSchema),
  payment: nullable(OrderPaymentSchema),
  refundedFen: fen,
  createdAt: epochMs,
  updatedAt: epochMs,
});
export type Order = FromSchema<typeof OrderSchema>;

/** Who moved an order: a cart (`thing`), a person (`user`), the payment provider or the fleet itself (expiry). */
export const ORDER_ACTOR_KINDS = ['thing', 'user', 'provider', 'fleet'] as const;

/** One transition of an order, kept for good (`order_events`). */
export const OrderEventSchema = object({
  id: integer({ minimum: 1 }),
  orderId: orderIdString,
  from: nullable(oneOfValues(ORDER_STATES)),
  to: oneOfValues(ORDER_STATES),
  actorKind: oneOfValues(ORDER_ACTOR_KINDS),
  actor: { type: 'string' },
  at: epochMs,
  reason: nullable({ type: 'string' }),
  details: { type: 'object', additionalProperties: true },
});
export type OrderEvent = FromSchema<typeof OrderEventSchema>;

/**
 * What the cart learns of its order: the `order-submit` / `order-cancel` answers and the `notify/order-status`
 * push. `payUrl` is the pay page the cart shows as a QR; `receiptUrl` the e-receipt (shown once paid).
 */
export const OrderStatusSchema = object({
  orderId: orderIdString,
  idempotencyKey: idempotencyKeyString,
  state: oneOfValues(ORDER_STATES),
  totalFen: fen,
  payableFen: fen,
  pointsRedeemed: points,
  pointsEarned: points,
  priceAudited: { type: 'boolean' },
  payUrl: nullable({ type: 'string' }),
  paymentExpiresAt: nullableEpochMs,
  receiptUrl: { type: 'string' },
  at: epochMs,
});
export type OrderStatus = FromSchema<typeof OrderStatusSchema>;
