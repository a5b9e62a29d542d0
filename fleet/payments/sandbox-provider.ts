import { randomBytes } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import { SchemaValidator } from '../../platform/schema-validator.ts';
import { PaymentNotificationSchema } from '../../protocol/api/payments.ts';
import { FleetError } from '../../protocol/errors.ts';
import { randomId } from '../orders/order-ids.ts';
import type { CreatedPayment, PaymentNotification, PaymentOrder, PaymentProvider } from './payment-provider.ts';
import type { PaymentRecord } from './payment-repository.ts';
import { SANDBOX_HEADERS, signSandboxNotification, verifySandboxNotification } from './sandbox-signature.ts';

const notificationCheck = new SchemaValidator<PaymentNotification>(PaymentNotificationSchema);

export interface SandboxOptions {
  /** The shared HMAC key (`secrets/payment-sandbox-key`). */
  key: Buffer;
  /** Where phones reach the fleet: pay links are `{publicUrl}/pay/{paymentId}`. */
  publicUrl: () => string;
  /** Where the sandbox posts its notifications: the fleet's own `/api/payments/sandbox/notify`. */
  notifyUrl: () => string;
  timestampWindowMs: number;
}

/**
 * The embedded payment provider: stands in for WeChat Pay / Alipay in development, demos, tests and benchmarks.
 * Its pay page (`/pay/{paymentId}`, served by the fleet) "charges" when the shopper presses Pay and then calls the
 * fleet back exactly as a real provider would: an HTTP POST of a signed notification (plan decision 10). Payment
 * ids carry 130 random bits: knowing one is what lets a phone pay it.
 */
export class SandboxPaymentProvider implements PaymentProvider {
  readonly name = 'sandbox';
  /** Refunds by refund key (in memory: the sandbox is the fleet's own stand-in for a provider's account). */
  private readonly refunds = new Map<string, { refundId: string; paymentId: string; amountFen: number }>();

  constructor(
    private readonly options: SandboxOptions,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly log: Logger,
    private readonly post: typeof fetch = fetch,
  ) {}

  async createPayment(_order: PaymentOrder, expiresAt: number): Promise<CreatedPayment> {
    const paymentId = randomId('pay_', 26);
    return { paymentId, payUrl: `${this.options.publicUrl()}/pay/${paymentId}`, expiresAt };
  }

  async refund(paymentId: string, amountFen: number, refundKey: string): Promise<{ refundId: string }> {
    const known = this.refunds.get(refundKey);
    if (known) return { refundId: known.refundId };
    const refundId = randomId('sbr_', 20);
    this.refunds.set(refundKey, { refundId, paymentId, amountFen });
    return { refundId };
  }

  /** The sandbox account's refunds of a payment (what a real provider's refund query answers). */
  refundsOf(paymentId: string): { refundId: string; amountFen: number }[] {
    return [...this.refunds.values()]
      .filter((r) => r.paymentId === paymentId)
      .map(({ refundId, amountFen }) => ({ refundId, amountFen }));
  }

  verifyNotification(
    headers: Record<string, string | string[] | undefined>,
    rawBody: string,
    nowMs: number,
  ): { nonce: string; notification: PaymentNotification } {
    const one = (name: string) => {
      const value = headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const { nonce } = verifySandboxNotification(
      this.options.key,
      {
        timestamp: one(SANDBOX_HEADERS.timestamp),
        nonce: one(SANDBOX_HEADERS.nonce),
        signature: one(SANDBOX_HEADERS.signature),
      },
      rawBody,
      nowMs,
      this.options.timestampWindowMs,
    );
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawBody);
    } catch {
      throw new FleetError('PAYLOAD_INVALID_JSON', 'the notification body is not JSON');
    }
    const checked = notificationCheck.check(parsed);
    if (!checked.ok) throw new FleetError('PAYLOAD_SCHEMA', `the notification: ${checked.reason}`);
    return { nonce, notification: checked.value };
  }

  /**
   * The pay page's button: the sandbox takes the money and notifies the fleet. Answers the fleet's HTTP status and
   * body (200 `{code: SUCCESS}` when taken).
   */
  async charge(payment: PaymentRecord): Promise<{ status: number; body: unknown }> {
    if (payment.provider !== this.name) throw new FleetError('PAYMENT_NOT_FOUND', 'not a sandbox payment');
    const now = this.clock.now();
    const notification: PaymentNotification = {
      paymentId: payment.paymentId,
      orderId: payment.orderId,
      amountFen: payment.amountFen,
      status: 'SUCCESS',
      transactionId: randomId('sbx_', 24),
      paidAt: now,
    };
    return this.notify(JSON.stringify(notification), now);
  }

  /** Signs and posts one notification body (tests use it to send exactly what they mean to). */
  async notify(body: string, nowMs: number, nonce = randomBytes(16).toString('base64url')) {
    const timestamp = String(Math.floor(nowMs / 1000));
    const response = await this.post(this.options.notifyUrl(), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SANDBOX_HEADERS.timestamp]: timestamp,
        [SANDBOX_HEADERS.nonce]: nonce,
        [SANDBOX_HEADERS.signature]: signSandboxNotification(this.options.key, timestamp, nonce, body),
      },
      body,
    });
    const answer = await response.json().catch(() => null);
    if (response.status !== 200) this.log.warn({ status: response.status, answer }, 'sandbox notification refused');
    return { status: response.status, body: answer };
  }
}
