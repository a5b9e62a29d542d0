import type { Logger } from '../../platform/log.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { PaymentProvider } from '../payments/payment-provider.ts';
import type { PaymentRepository } from '../payments/payment-repository.ts';
import type { Database } from '../storage/database.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';
import type { LoyaltyLedger } from './commerce-ports.ts';
import { newRefundId } from './order-ids.ts';
import type { OrderRepository } from './order-repository.ts';
import type { OrderService } from './order-service.ts';

export interface LatePaymentDeps {
  db: Database;
  orders: OrderRepository;
  payments: PaymentRepository;
  writer: DatabaseWriter;
  provider: PaymentProvider;
  loyalty: LoyaltyLedger;
  service: OrderService;
  now: () => number;
  log: Logger;
}

export const LATE_PAYMENT_ACCEPTED = 'late payment accepted';
export const LATE_PAYMENT_REFUNDED = 'late payment refunded';

/**
 * A valid payment whose order was already cancelled: the shopper paid on their phone as the payment window closed,
 * or the provider's notification arrived after the expiry sweep. The money was taken, so it must end either in a
 * paid order or back with the shopper, never kept without an order (docs/architecture.md, "Late payments"):
 *
 * - **accepted** (cancelled → paid, the one move out of `cancelled`) when the order *expired* (the fleet cancelled
 *   it, not the shopper or staff), redeemed no points (the ledger keeps one redemption hold per order, append-only,
 *   so a released hold cannot be taken again under the order; pricing the order without its points would charge
 *   other than what was paid) and every coupon it used can be held again for it;
 * - otherwise **refunded** in full through the provider, automatically, with an idempotent refund key (so a retry
 *   or a restart refunds once), recorded as a refund row (`by_user` = `fleet`), the payment `refunded` and an order
 *   event.
 *
 * The payment is first recorded as taken (`paid` on a cancelled order) in the notification's own transaction, so a
 * stop before the resolution is finished by `resolveAll()` at the next start.
 */
export class LatePayments {
  private started: Promise<number> = Promise.resolve(0);

  constructor(private readonly deps: LatePaymentDeps) {}

  /** Resolves what a stop left between a late payment's record and its resolution. */
  start(): void {
    this.started = this.resolveAll();
  }

  /** How many late payments `start()` resolved, once it has. */
  get ready(): Promise<number> {
    return this.started;
  }

  /** Finishes every late payment a stop left unresolved (at start). */
  async resolveAll(): Promise<number> {
    let resolved = 0;
    for (const orderId of this.deps.orders.latePaid()) {
      try {
        if (await this.resolve(orderId)) resolved++;
      } catch (err) {
        this.deps.log.error({ err, orderId }, 'late payment not resolved; retried at the next start');
      }
    }
    return resolved;
  }

  /** Accepts or refunds the late payment of a cancelled order; undefined when there is none to resolve. */
  async resolve(orderId: string): Promise<'paid' | 'refunded' | undefined> {
    const { deps } = this;
    const record = deps.orders.get(orderId);
    const payment = deps.payments.ofOrder(orderId);
    if (record?.state !== 'cancelled' || payment?.state !== 'paid') return undefined;
    const cancel = [...deps.orders.events(orderId)].reverse().find((e) => e.to === 'cancelled');
    const expired = cancel?.actorKind === 'fleet';
    let why = expired ? null : 'the order was cancelled on the cart or by staff';
    if (!why && record.pointsRedeemed > 0) why = 'its redeemed points were released and cannot be held again';
    if (!why && record.memberId !== null && record.couponIds.length > 0) {
      try {
        await deps.loyalty.hold({
          orderId,
          memberId: record.memberId,
          storeId: record.storeId,
          points: 0,
          couponIds: record.couponIds,
          spendFen: record.subtotalFen,
          at: deps.now(),
        });
      } catch (err) {
        if (!(err instanceof FleetError)) throw err;
        why = `a coupon cannot be held again (${err.code})`;
      }
    }
    const at = deps.now();
    const details = {
      paymentId: payment.paymentId,
      transactionId: payment.transactionId,
      amountFen: payment.amountFen,
    };
    if (!why) {
      const moved = await deps.writer.write('late payment accepted', () => {
        const current = deps.orders.get(orderId)!;
        if (current.state !== 'cancelled') return false;
        // The one move out of `cancelled` (order-states.ts): the money for this very order was taken.
        deps.orders.move({
          orderId,
          from: 'cancelled',
          to: 'paid',
          actorKind: 'provider',
          actor: deps.provider.name,
          at,
          reason: LATE_PAYMENT_ACCEPTED,
          details,
        });
        return true;
      });
      if (!moved) return undefined;
      deps.service.announce(deps.service.get(orderId), 'cancelled');
      await deps.service.settleLoyalty(orderId);
      return 'paid';
    }
    const refundKey = `late-${payment.paymentId}`;
    const { refundId: providerRefundId } = await deps.provider.refund(payment.paymentId, payment.amountFen, refundKey);
    const booked = await deps.writer.write('late payment refunded', () => {
      if (deps.payments.get(payment.paymentId)?.state !== 'paid') return false;
      deps.payments.setState(payment.paymentId, 'refunded', payment.amountFen);
      deps.db
        .prepare(
          `INSERT INTO order_refunds (id, order_id, amount_fen, lines, points_reversed, provider_refund_id, by_user, at)
           VALUES (?, ?, ?, '[]', 0, ?, 'fleet', ?)`,
        )
        .run(newRefundId(), orderId, payment.amountFen, providerRefundId, at);
      deps.orders.addEvent({
        orderId,
        from: 'cancelled',
        to: 'cancelled',
        actorKind: 'fleet',
        actor: 'payments',
        at,
        reason: LATE_PAYMENT_REFUNDED,
        details: { ...details, providerRefundId, why },
      });
      return true;
    });
    if (!booked) return undefined;
    deps.log.warn(
      { orderId, paymentId: payment.paymentId, why },
      'a payment arrived after its order was cancelled: refunded',
    );
    deps.service.announce(deps.service.get(orderId), 'cancelled');
    return 'refunded';
  }
}
