import type { FromSchema } from '../../protocol/api/json-schema.ts';
import type { PaymentNotificationSchema } from '../../protocol/api/payments.ts';

/** What a provider needs to open a payment. */
export interface PaymentOrder {
  id: string;
  storeId: string;
  storeName: string;
  amountFen: number;
}

export interface CreatedPayment {
  paymentId: string;
  /** What the cart shows as a QR and a phone opens. */
  payUrl: string;
  expiresAt: number;
}

export type PaymentNotification = FromSchema<typeof PaymentNotificationSchema>;

/**
 * A payment provider (WeChat Pay, Alipay, UnionPay QR, or the embedded sandbox): opens a payment for an order,
 * refunds, and verifies the notification it sends when a payment succeeds. Verification throws
 * PAYMENT_SIGNATURE_INVALID or PAYMENT_TIMESTAMP_INVALID; nonce replay, amount and order are checked by the
 * PaymentService against stored state.
 */
export interface PaymentProvider {
  readonly name: string;
  createPayment(order: PaymentOrder, expiresAt: number): Promise<CreatedPayment>;
  /**
   * Refunds part or all of a taken payment. `refundKey` makes the call idempotent, as providers' refund APIs are
   * (WeChat Pay's `out_refund_no`): the same key refunds once and answers the same refund id.
   */
  refund(paymentId: string, amountFen: number, refundKey: string): Promise<{ refundId: string }>;
  verifyNotification(
    headers: Record<string, string | string[] | undefined>,
    rawBody: string,
    nowMs: number,
  ): { nonce: string; notification: PaymentNotification };
}
