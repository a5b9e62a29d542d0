import { fen } from '../commerce/money.ts';
import { orderIdString } from '../commerce/orders.ts';
import { epochMs, type FromSchema, object } from './json-schema.ts';

export const paymentIdString = { type: 'string', pattern: '^pay_[a-z2-7]{26}$' } as const;

/**
 * The body the sandbox provider POSTs to `/api/payments/sandbox/notify` when a payment succeeded, signed with the
 * headers of plan decision 10 (X-Sandbox-Timestamp, -Nonce, -Signature over `timestamp\nnonce\nbody\n`).
 */
export const PaymentNotificationSchema = object({
  paymentId: paymentIdString,
  orderId: orderIdString,
  amountFen: fen,
  status: { const: 'SUCCESS' },
  transactionId: { type: 'string', minLength: 1, maxLength: 64 },
  paidAt: epochMs,
});
export type PaymentNotification = FromSchema<typeof PaymentNotificationSchema>;

/**
 * The fleet's answer to a notification it took (or had already taken: a provider's retry of a notification it
 * delivered is answered the same, as WeChat Pay v3 and Alipay expect, so they stop retrying). Failures answer with
 * the error body and its code (PAYMENT_SIGNATURE_INVALID 401, PAYMENT_TIMESTAMP_INVALID 401, PAYMENT_REPLAYED 409,
 * PAYMENT_AMOUNT_MISMATCH 409, PAYMENT_NOT_FOUND 404).
 */
export const PaymentNotifyAnswerSchema = object({
  code: { const: 'SUCCESS' },
  message: { type: 'string' },
});
export type PaymentNotifyAnswer = FromSchema<typeof PaymentNotifyAnswerSchema>;

export const PaymentParams = object({ paymentId: paymentIdString });
export const ReceiptParams = object({ orderId: orderIdString });
export const ReceiptQuery = object(
  { t: { type: 'string', pattern: '^[A-Za-z0-9_-]{16,64}$' }, lang: { type: 'string', enum: ['zh', 'en'] } },
  { optional: ['lang'] },
);
export const PayPageQuery = object({ lang: { type: 'string', enum: ['zh', 'en'] } }, { optional: ['lang'] });
