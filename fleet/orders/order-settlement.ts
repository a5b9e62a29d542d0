import type { RefundBody } from '../../protocol/api/orders.ts';
import type { Order, OrderLine } from '../../protocol/commerce/orders.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { PaymentProvider } from '../payments/payment-provider.ts';
import type { PaymentRepository } from '../payments/payment-repository.ts';
import type { Database } from '../storage/database.ts';
import { type DatabaseWriter, GROUP_COMMIT } from '../storage/database-writer.ts';
import type { LoyaltyLedger } from './commerce-ports.ts';
import type { LatePayments } from './late-payments.ts';
import { newRefundId } from './order-ids.ts';
import type { OrderRepository } from './order-repository.ts';
import type { Actor, OrderService } from './order-service.ts';
import { isPaidState } from './order-states.ts';

export interface SettlementDeps {
  db: Database;
  orders: OrderRepository;
  payments: PaymentRepository;
  writer: DatabaseWriter;
  provider: PaymentProvider;
  loyalty: LoyaltyLedger;
  service: OrderService;
  late: LatePayments;
  now: () => number;
  nonceRetentionMs: number;
}

/**
 * What a notification did: `paid` the order (a late payment accepted included), `refunded` a late payment whose
 * order could not take it (late-payments.ts), or found it `alreadyPaid` (a provider's retry).
 */
export type NotificationOutcome = { order: Order; outcome: 'paid' | 'refunded' | 'alreadyPaid' };

/**
 * Money after checkout: the provider's payment notification (verified, then applied once), payments taken at the
 * attendant desk, exit verification and refunds. Each refusal is a coded error that changed nothing.
 */
export class OrderSettlement {
  constructor(private readonly deps: SettlementDeps) {}

  /**
   * A provider's notification (`/api/payments/{provider}/notify`): signature and timestamp (the provider's
   * verifyNotification), then in one transaction the nonce (PAYMENT_REPLAYED), the payment and its order
   * (PAYMENT_NOT_FOUND), the amount (PAYMENT_AMOUNT_MISMATCH), then the order is paid and the nonce remembered.
   * A valid notification for a payment already taken answers `alreadyPaid` and changes nothing else.
   */
  async notification(
    headers: Record<string, string | string[] | undefined>,
    rawBody: string,
  ): Promise<NotificationOutcome> {
    const { deps } = this;
    const now = deps.now();
    const { nonce, notification } = deps.provider.verifyNotification(headers, rawBody, now);
    const result = await deps.writer.write(
      'payment notification',
      () => {
        if (deps.payments.nonceSeen(nonce)) {
          throw new FleetError('PAYMENT_REPLAYED', 'this notification (its nonce) was already received');
        }
        const payment = deps.payments.get(notification.paymentId);
        if (!payment || payment.orderId !== notification.orderId || payment.provider !== deps.provider.name) {
          throw new FleetError('PAYMENT_NOT_FOUND', `no payment '${notification.paymentId}' for that order`);
        }
        if (payment.amountFen !== notification.amountFen) {
          throw new FleetError(
            'PAYMENT_AMOUNT_MISMATCH',
            `the payment is ${payment.amountFen} fen, the notification says ${notification.amountFen}`,
          );
        }
        // The order's id and state are all a notification decides by (no lines parsed).
        const record = { id: payment.orderId, state: deps.orders.state(payment.orderId)! };
        if (payment.state === 'expired' && record.state === 'cancelled') {
          // Paid after the order lapsed: recorded as taken now, accepted or refunded below (late-payments.ts).
          deps.payments.markPaid(payment.paymentId, notification.transactionId, now);
          deps.payments.rememberNonce(nonce, now);
          return { orderId: record.id, previous: null, outcome: 'late' as const };
        }
        if (payment.state !== 'pending') {
          if (payment.transactionId === notification.transactionId) {
            deps.payments.rememberNonce(nonce, now);
            // The provider's retry of a late payment whose resolution a stop interrupted: resolve it now.
            if (payment.state === 'paid' && record.state === 'cancelled') {
              return { orderId: record.id, previous: null, outcome: 'late' as const };
            }
            if (isPaidState(record.state) || payment.state === 'refunded') {
              return { orderId: record.id, previous: null, outcome: 'alreadyPaid' as const };
            }
          }
          // A second, different charge of the same payment: nothing here takes it.
          throw new FleetError('ORDER_STATE_INVALID', `payment '${payment.paymentId}' is ${payment.state}`);
        }
        deps.payments.markPaid(payment.paymentId, notification.transactionId, now);
        deps.payments.rememberNonce(nonce, now);
        deps.payments.forgetNoncesBefore(now - deps.nonceRetentionMs);
        deps.service.moveIn(record, 'paid', { kind: 'provider', id: deps.provider.name }, now, null, {
          paymentId: payment.paymentId,
          transactionId: notification.transactionId,
          amountFen: payment.amountFen,
        });
        return { orderId: record.id, previous: record.state, outcome: 'paid' as const };
      },
      GROUP_COMMIT,
    );
    if (result.outcome === 'late') {
      const resolved = await this.deps.late.resolve(result.orderId);
      return { order: this.deps.service.get(result.orderId), outcome: resolved ?? 'alreadyPaid' };
    }
    const order = this.deps.service.get(result.orderId);
    if (result.outcome === 'paid') {
      this.deps.service.announce(order, result.previous);
      // Settling the points changes the order (pointsEarned): then it is read again.
      if (await this.deps.service.settleLoyalty(result.orderId)) {
        return { order: this.deps.service.get(result.orderId), outcome: result.outcome };
      }
    }
    return { order, outcome: result.outcome };
  }

  /** An attendant confirms an offline order was paid at the desk (decision 11; the attendant queue). */
  async paidAtDesk(orderId: string, actor: Actor): Promise<Order> {
    const { deps } = this;
    const at = deps.now();
    const previous = await deps.writer.write('order paid at desk', () => {
      const record = deps.orders.get(orderId);
      if (!record) throw new FleetError('ORDER_NOT_FOUND', `no order '${orderId}'`);
      if (record.paymentMethod !== 'attendant') {
        throw new FleetError('ORDER_STATE_INVALID', `order '${orderId}' is paid by QR, not at the desk`);
      }
      deps.service.moveIn(record, 'paid', actor, at, 'paid at the attendant desk');
      return record.state;
    });
    deps.service.announce(deps.service.get(orderId), previous);
    await deps.service.settleLoyalty(orderId);
    return deps.service.get(orderId);
  }

  /** An attendant at the exit checked the receipt (orders:verify-exit); an unpaid order is ORDER_STATE_INVALID. */
  async verifyExit(orderId: string, actor: Actor): Promise<Order> {
    const { deps } = this;
    const at = deps.now();
    const previous = await deps.writer.write('order exit', () => {
      const record = deps.orders.get(orderId);
      if (!record) throw new FleetError('ORDER_NOT_FOUND', `no order '${orderId}'`);
      if (!isPaidState(record.state) || record.state === 'refunded') {
        throw new FleetError('ORDER_STATE_INVALID', `order '${orderId}' is ${record.state}: NOT PAID`, {
          state: record.state,
        });
      }
      deps.service.moveIn(record, 'exit_verified', actor, at, null);
      return record.state;
    });
    const order = deps.service.get(orderId);
    deps.service.announce(order, previous);
    return order;
  }

  /**
   * A store manager refunds the whole order or some lines (each at most what is left of it). The money goes back
   * through the provider (the desk's cash box for offline orders), the points through loyalty; REFUND_INVALID and
   * ORDER_STATE_INVALID change nothing.
   */
  async refund(orderId: string, body: RefundBody, actor: Actor): Promise<{ order: Order; refundId: string }> {
    const { deps } = this;
    const record = deps.orders.get(orderId);
    if (!record) throw new FleetError('ORDER_NOT_FOUND', `no order '${orderId}'`);
    if (!isPaidState(record.state) || record.state === 'refunded') {
      throw new FleetError('ORDER_STATE_INVALID', `order '${orderId}' is ${record.state}; only paid orders refund`);
    }
    const plan = refundPlan(record.lines, body);
    const whole = plan.lines.reduce((s, l) => s + l.amountFen, 0) === remaining(record.lines);
    const moneyLeft = record.payableFen - record.refundedFen;
    const moneyFen = whole
      ? moneyLeft
      : Math.min(moneyLeft, Math.round((plan.totalFen * record.payableFen) / Math.max(1, record.totalFen)));
    const payment = deps.payments.ofOrder(orderId);
    const refundId = newRefundId();
    const providerRefund =
      payment && payment.state !== 'pending' && moneyFen > 0
        ? (await deps.provider.refund(payment.paymentId, moneyFen, refundId)).refundId
        : 'desk';
    const at = deps.now();
    const lines = record.lines.map((l) => {
      const share = plan.lines.find((p) => p.lineId === l.lineId);
      return share ? { ...l, refundedFen: l.refundedFen + share.amountFen } : l;
    });
    const to = whole ? 'refunded' : 'partially_refunded';
    await deps.writer.write('order refund', () => {
      const current = deps.orders.get(orderId)!;
      if (current.state !== record.state || current.refundedFen !== record.refundedFen) {
        throw new FleetError('ORDER_STATE_INVALID', `order '${orderId}' changed meanwhile; try again`);
      }
      deps.db
        .prepare(
          `INSERT INTO order_refunds (id, order_id, amount_fen, lines, points_reversed, provider_refund_id, by_user, at)
           VALUES (?, ?, ?, ?, 0, ?, ?, ?)`,
        )
        .run(refundId, orderId, moneyFen, JSON.stringify(plan.lines), providerRefund, actor.id, at);
      if (payment && payment.state !== 'pending') {
        deps.payments.setState(payment.paymentId, to, payment.refundedFen + moneyFen);
      }
      deps.service.moveIn(
        current,
        to,
        actor,
        at,
        body.reason,
        { refundId, moneyFen, lines: plan.lines, providerRefundId: providerRefund },
        { refundedFen: current.refundedFen + moneyFen, lines },
      );
    });
    if (record.memberId !== null && record.totalFen > 0) {
      const reversed = await deps.loyalty.reverse({
        orderId,
        refundId,
        refundedFen: record.totalFen - remaining(record.lines) + plan.totalFen,
        totalFen: record.totalFen,
        at,
      });
      await deps.writer.write('refund points', () => {
        deps.db
          .prepare('UPDATE order_refunds SET points_reversed = ? WHERE id = ?')
          .run(reversed.pointsReversed, refundId);
        deps.orders.addEvent({
          orderId,
          from: to,
          to,
          actorKind: 'fleet',
          actor: 'loyalty',
          at,
          reason: 'points reversed',
          details: { refundId, ...reversed },
        });
      });
    }
    const order = deps.service.get(orderId);
    deps.service.announce(order, record.state);
    return { order, refundId };
  }
}

function remaining(lines: readonly OrderLine[]): number {
  return lines.reduce((s, l) => s + l.chargedNetFen - l.refundedFen, 0);
}

/** Which line gives back how much: every line's rest (whole), or the lines asked (REFUND_INVALID beyond the rest). */
function refundPlan(
  lines: readonly OrderLine[],
  body: RefundBody,
): { lines: { lineId: string; amountFen: number }[]; totalFen: number } {
  const asked = body.lines ?? lines.map((l) => ({ lineId: l.lineId }));
  const out: { lineId: string; amountFen: number }[] = [];
  for (const ask of asked) {
    const line = lines.find((l) => l.lineId === ask.lineId);
    if (!line) throw new FleetError('REFUND_INVALID', `the order has no line '${ask.lineId}'`);
    if (out.some((o) => o.lineId === ask.lineId)) throw new FleetError('REFUND_INVALID', `line '${ask.lineId}' twice`);
    const rest = line.chargedNetFen - line.refundedFen;
    const amountFen = (ask as { amountFen?: number }).amountFen ?? rest;
    if (amountFen > rest) {
      throw new FleetError('REFUND_INVALID', `line '${ask.lineId}' has ${rest} fen left to refund, not ${amountFen}`);
    }
    if (amountFen > 0) out.push({ lineId: ask.lineId, amountFen });
  }
  if (out.length === 0) throw new FleetError('REFUND_INVALID', 'nothing left to refund');
  return { lines: out, totalFen: out.reduce((s, l) => s + l.amountFen, 0) };
}
