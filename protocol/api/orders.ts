import { BasketLineInputSchema, lineIdString, PricedBasketSchema } from '../commerce/basket.ts';
import { fen } from '../commerce/money.ts';
import { ORDER_STATES, OrderEventSchema, OrderSchema, orderIdString } from '../commerce/orders.ts';
import { epochMs, type FromSchema, integer, object } from './json-schema.ts';
import { idString, paging } from './parameters.ts';

/** `GET /api/orders`: newest first, within the caller's stores. */
export const OrderListQuery = object(
  {
    storeId: idString,
    state: { type: 'string', enum: [...ORDER_STATES] },
    memberNumber: { type: 'string', pattern: '^\\d{6,12}$' },
    from: epochMs,
    to: epochMs,
    ...paging,
  },
  { optional: ['storeId', 'state', 'memberNumber', 'from', 'to', 'limit', 'offset'] },
);
export type OrderListQuery = FromSchema<typeof OrderListQuery, 'checked'>;

export const OrderListSchema = object({ items: { type: 'array', items: OrderSchema }, total: integer({ minimum: 0 }) });

/** `GET /api/orders/:orderId`: the order, its events, and the receipt link (an attendant may open it). */
export const OrderDetailSchema = object({
  order: OrderSchema,
  events: { type: 'array', items: OrderEventSchema },
  receiptUrl: { type: 'string' },
});
export type OrderDetail = FromSchema<typeof OrderDetailSchema>;

export const OrderParams = object({ orderId: orderIdString });

/** `POST /api/orders/:orderId/refund`: the whole order (no `lines`), or these lines (each up to what is left). */
export const RefundBody = object(
  {
    lines: {
      type: 'array',
      items: object({ lineId: lineIdString, amountFen: fen }, { optional: ['amountFen'] }),
      minItems: 1,
      maxItems: 200,
    },
    reason: { type: 'string', minLength: 1, maxLength: 500 },
  },
  { optional: ['lines'] },
);
export type RefundBody = FromSchema<typeof RefundBody>;

export const CancelOrderBody = object(
  { reason: { type: 'string', minLength: 1, maxLength: 500 } },
  { optional: ['reason'] },
);

/**
 * `POST /api/quote`: prices a basket for a store, a member (optional) and a time (default now) without creating
 * an order, with the same engine and rules the carts and checkout use. Needs `catalog:read` (support staff, other
 * sales channels' service tokens).
 */
export const QuoteBody = object(
  {
    storeId: idString,
    memberNumber: { type: 'string', pattern: '^\\d{6,12}$' },
    at: epochMs,
    lines: { type: 'array', items: BasketLineInputSchema, minItems: 1, maxItems: 200 },
    couponIds: { type: 'array', items: { type: 'string', pattern: '^[A-Z0-9]{6,24}$' }, maxItems: 10 },
    pointsToRedeem: integer({ minimum: 0, maximum: 1_000_000_000 }),
  },
  { optional: ['memberNumber', 'at', 'couponIds', 'pointsToRedeem'] },
);
export type QuoteBody = FromSchema<typeof QuoteBody>;
export const QuoteSchema = PricedBasketSchema;
