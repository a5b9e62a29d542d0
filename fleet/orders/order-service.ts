import { createHash } from 'node:crypto';
import type { Clock, TimerHandle } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import type { MemberContext } from '../../protocol/commerce/loyalty.ts';
import type { Order, OrderState, OrderStatus, OrderSubmission } from '../../protocol/commerce/orders.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { StaffMember } from '../attendants/staff-codes.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { PaymentProvider } from '../payments/payment-provider.ts';
import { type PaymentRepository, publicPayment } from '../payments/payment-repository.ts';
import { type DatabaseWriter, GROUP_COMMIT } from '../storage/database-writer.ts';
import type { LoyaltyLedger, OrderPricing, PricingRequest } from './commerce-ports.ts';
import { newOrderId } from './order-ids.ts';
import { priceOrder } from './order-pricing.ts';
import { type OrderEventInput, type OrderRecord, type OrderRepository, publicOrder } from './order-repository.ts';
import { assertMove, isPaidState } from './order-states.ts';
import type { ReceiptLinks } from './receipt-links.ts';

/** The order event that records a paid order's points and coupons as settled (what `reconcile()` looks for). */
export const LOYALTY_SETTLED = 'points settled';

export interface OrderServiceOptions {
  paymentTimeoutMs: number;
  expirySweepMs: number;
}

export interface OrderServiceDeps {
  orders: OrderRepository;
  payments: PaymentRepository;
  writer: DatabaseWriter;
  pricing: OrderPricing;
  loyalty: LoyaltyLedger;
  provider: PaymentProvider;
  receipts: ReceiptLinks;
  /** The staff code an attendant typed on a cart for an offline payment (STAFF_CODE_INVALID when wrong). */
  staffCode: (code: string, storeId: string, thingName: string) => StaffMember;
  /** Whether this cart logged the member in online (member-login) recently: redemption needs it (decision 8). */
  memberVerified: (thingName: string, memberNumber: string, at: number) => boolean;
  storeName: (storeId: string) => string;
  bus: EventBus<FleetEvents>;
  clock: Clock;
  log: Logger;
}

export interface Actor {
  kind: OrderEventInput['actorKind'];
  id: string;
}

/** What a submit answers: the order, and whether it was already there (a retry of the same submission). */
export interface SubmitResult {
  order: Order;
  duplicate: boolean;
}

/**
 * Orders from carts (plan decisions 7, 10, 11): submit (idempotent per cart and key; recomputed with the pricing
 * engine and judged by the price policy; points and coupons held), payment (created with the provider, settled by
 * its verified notification), expiry of unpaid orders, cancellation, exit verification and refunds. Every move is
 * written with its event (who, when) in one transaction through the DatabaseWriter, then announced on the bus
 * (`order.changed`: the live console and the cart's `notify/order-status`).
 *
 * Loyalty calls (holds, capture, earn, reversal) are keyed by the order (or refund) so that a retry after a crash
 * does each once; `start()` finishes what a crash interrupted between a payment and its points.
 */
export class OrderService {
  private sweepTimer: TimerHandle | undefined;
  private started: Promise<void> = Promise.resolve();
  /** Submissions being processed, per cart and key: a resend arriving meanwhile waits for the first. */
  private readonly inFlight = new Map<string, Promise<SubmitResult>>();

  constructor(
    private readonly deps: OrderServiceDeps,
    private readonly options: OrderServiceOptions,
  ) {}

  start(): void {
    this.sweepTimer = this.deps.clock.setInterval(() => void this.expireOverdue(), this.options.expirySweepMs);
    this.started = this.reconcile().then(() => this.expireOverdue().then(() => undefined));
  }

  /** Resolves when what `start()` began (reconcile, first expiry sweep) is done; tests and the bench wait on it. */
  get ready(): Promise<void> {
    return this.started;
  }

  stop(): void {
    this.deps.clock.clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  get(orderId: string): Order {
    const record = this.deps.orders.get(orderId);
    if (!record) throw new FleetError('ORDER_NOT_FOUND', `no order '${orderId}'`);
    return this.view(record);
  }

  record(orderId: string): OrderRecord | undefined {
    return this.deps.orders.get(orderId);
  }

  view(record: OrderRecord): Order {
    const payment = this.deps.payments.ofOrder(record.id);
    return publicOrder(record, payment ? publicPayment(payment) : null);
  }

  /** What the cart is told about its order. */
  status(order: Order): OrderStatus {
    const pending = order.payment?.state === 'pending' && order.state === 'awaiting_payment';
    return {
      orderId: order.id,
      idempotencyKey: order.idempotencyKey,
      state: order.state,
      totalFen: order.totalFen,
      payableFen: order.payableFen,
      pointsRedeemed: order.pointsRedeemed,
      pointsEarned: order.pointsEarned,
      priceAudited: order.priceAudit !== null,
      payUrl: pending ? (order.payment?.payUrl ?? null) : null,
      paymentExpiresAt: pending ? (order.payment?.expiresAt ?? null) : null,
      receiptUrl: this.deps.receipts.url(order.id),
      at: order.updatedAt,
    };
  }

  /**
   * A cart's order (`order-submit`), for the store the cart is registered in. Same key and content as an earlier
   * submission: that order again (no second payment, no second hold); same key, other content:
   * ORDER_IDEMPOTENCY_CONFLICT. Refusals (ORDER_PRICE_BELOW_RULES, POINTS_*, COUPON_*...) change nothing.
   */
  submit(thingName: string, storeId: string, submission: OrderSubmission): Promise<SubmitResult> {
    const key = `${thingName}\n${submission.idempotencyKey}`;
    const running = this.inFlight.get(key);
    if (running) return running.catch(() => undefined).then(() => this.submit(thingName, storeId, submission));
    const work = this.submitOnce(thingName, storeId, submission).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  private async submitOnce(thingName: string, storeId: string, sub: OrderSubmission): Promise<SubmitResult> {
    const { deps } = this;
    const contentSha256 = sha256(canonicalJson(sub));
    const existing = deps.orders.byKey(thingName, sub.idempotencyKey);
    if (existing) {
      if (existing.contentSha256 !== contentSha256) {
        throw new FleetError(
          'ORDER_IDEMPOTENCY_CONFLICT',
          `idempotency key '${sub.idempotencyKey}' was used for another order (${existing.id})`,
          { orderId: existing.id },
        );
      }
      return { order: this.view(existing), duplicate: true };
    }
    if (sub.storeId !== storeId) {
      throw new FleetError('ORDER_INVALID', `the cart is registered in store '${storeId}', not '${sub.storeId}'`);
    }
    const lineIds = new Set(sub.lines.map((l) => l.lineId));
    if (lineIds.size !== sub.lines.length) throw new FleetError('ORDER_INVALID', 'two lines share a lineId');
    const at = deps.clock.now();
    const member = this.member(thingName, storeId, sub, at);
    const request: PricingRequest = {
      storeId,
      member,
      lines: sub.lines.map(({ cartNetFen: _net, ...line }) => line),
      couponIds: sub.couponIds,
      pointsToRedeem: sub.pointsToRedeem,
      at,
    };
    const { charge, lines, audit } = priceOrder(deps.pricing, sub, request);
    const totalFen = charge.totalFen;
    const payableFen = charge.payableFen;
    const orderId = newOrderId();
    const record: Omit<OrderRecord, 'pointsEarned' | 'refundedFen' | 'updatedAt' | 'paymentDueAt'> = {
      id: orderId,
      storeId,
      thingName,
      sessionId: sub.sessionId,
      idempotencyKey: sub.idempotencyKey,
      contentSha256,
      memberId: member?.memberId ?? null,
      memberNumber: member?.memberNumber ?? null,
      state: 'open',
      paymentMethod: sub.payment.method,
      snapshotVersion: sub.snapshotVersion,
      lines,
      promotions: charge.promotions.map((p) => ({
        promotionId: p.promotionId,
        kind: p.kind,
        amountFen: p.amountFen,
      })),
      couponIds: charge.couponsUsed,
      subtotalFen: charge.subtotalFen,
      discountFen: charge.discountFen,
      totalFen,
      pointsRedeemed: charge.points.redeemed,
      pointsRedeemedValueFen: charge.points.redeemedValueFen,
      payableFen,
      pointsToEarn: member ? charge.points.earned : 0,
      cartTotalFen: sub.cartTotalFen,
      cartPayableFen: sub.cartPayableFen,
      priceAudit: audit,
      createdAt: at,
    };
    const holds = member !== null && (record.pointsRedeemed > 0 || record.couponIds.length > 0);
    // An offline payment is judged before anything is held: a wrong staff code leaves the order for an attendant.
    let desk: StaffMember | null = null;
    let deskRefusal: string | null = null;
    if (sub.payment.method === 'attendant' && sub.payment.staffCode) {
      try {
        desk = deps.staffCode(sub.payment.staffCode, storeId, thingName);
      } catch (err) {
        if (!(err instanceof FleetError)) throw err;
        deskRefusal = err.code;
      }
    }
    if (holds) {
      await deps.loyalty.hold({
        orderId,
        memberId: member.memberId,
        storeId,
        points: record.pointsRedeemed,
        couponIds: record.couponIds,
        spendFen: record.subtotalFen,
        at,
      });
    }
    try {
      const dueAt = at + this.options.paymentTimeoutMs;
      const payment =
        sub.payment.method === 'qr' && payableFen > 0
          ? await deps.provider.createPayment(
              { id: orderId, storeId, storeName: deps.storeName(storeId), amountFen: payableFen },
              dueAt,
            )
          : null;
      const thing: Actor = { kind: 'thing', id: thingName };
      await deps.writer.write(
        'order submit',
        () => {
          deps.orders.insert(record);
          deps.orders.addEvent({
            orderId,
            from: null,
            to: 'open',
            actorKind: 'thing',
            actor: thingName,
            at,
            details: { priceAudited: record.priceAudit !== null, snapshotVersion: sub.snapshotVersion },
          });
          if (payment) {
            deps.payments.insert({
              paymentId: payment.paymentId,
              orderId,
              provider: deps.provider.name,
              amountFen: payableFen,
              payUrl: payment.payUrl,
              createdAt: at,
              expiresAt: payment.expiresAt,
            });
            this.moveIn(record, 'awaiting_payment', thing, at, null, { paymentDueAt: dueAt });
          } else if (sub.payment.method === 'qr' || desk) {
            // Nothing to pay with money (points paid all), or taken at the desk by the attendant whose code it is.
            const by: Actor = desk ? { kind: 'user', id: desk.userId } : thing;
            const reason = desk ? 'paid at the attendant desk (staff code)' : 'nothing to pay';
            this.moveIn(record, 'paid', by, at, reason, desk ? { staff: desk.username } : {});
          } else {
            // Paid at the desk, but no (valid) staff code came with it: an attendant settles it from the queue.
            this.moveIn(record, 'awaiting_payment', thing, at, 'offline payment to confirm', {
              staffCode: deskRefusal ?? 'missing',
            });
          }
        },
        GROUP_COMMIT,
      );
    } catch (err) {
      if (holds) await deps.loyalty.release(orderId, at).catch((e) => deps.log.error({ err: e, orderId }, 'release'));
      throw err;
    }
    const order = this.get(orderId);
    this.announce(order, null);
    // Settling the points changes the order (pointsEarned): then it is read again.
    if (order.state === 'paid' && (await this.settleLoyalty(order.id)))
      return { order: this.get(orderId), duplicate: false };
    return { order, duplicate: false };
  }

  /** The member named in the submission, as pricing sees them; redemption needs an online login (decision 8). */
  private member(thingName: string, storeId: string, sub: OrderSubmission, at: number): MemberContext | null {
    if (!sub.member) {
      if (sub.pointsToRedeem > 0 || sub.couponIds.length > 0) {
        throw new FleetError('POINTS_REDEMPTION_INVALID', 'points and coupons need a logged-in member');
      }
      return null;
    }
    const found = this.deps.loyalty.member(sub.member.memberNumber, storeId, at);
    if (!found) throw new FleetError('MEMBER_NOT_FOUND', `no member '${sub.member.memberNumber}'`);
    const verified = this.deps.memberVerified(thingName, sub.member.memberNumber, at);
    if (!verified && (sub.pointsToRedeem > 0 || sub.couponIds.length > 0)) {
      throw new FleetError('POINTS_REDEMPTION_INVALID', 'redeeming points or coupons needs an online member login');
    }
    return { ...found, verified };
  }

  /** Moves an order inside the caller's write, checking the move. */
  moveIn(
    record: OrderRecord | Pick<OrderRecord, 'id' | 'state'>,
    to: OrderState,
    actor: Actor,
    at: number,
    reason: string | null,
    details: Record<string, unknown> = {},
    changes: Parameters<OrderRepository['move']>[1] = {},
  ): void {
    const from = this.deps.orders.state(record.id) ?? record.state;
    assertMove(record.id, from, to);
    this.deps.orders.move(
      { orderId: record.id, from, to, actorKind: actor.kind, actor: actor.id, at, reason, details },
      changes,
    );
  }

  /** A cart or a person cancels an order not yet paid: its payment lapses, its holds are released. */
  async cancel(orderId: string, actor: Actor, reason: string, thingName?: string): Promise<Order> {
    const { deps } = this;
    const at = deps.clock.now();
    const before = await deps.writer.write(
      'order cancel',
      () => {
        const record = deps.orders.get(orderId);
        // A cart asking about another cart's order learns nothing more than about an unknown one.
        if (!record || (thingName !== undefined && record.thingName !== thingName)) {
          throw new FleetError('ORDER_NOT_FOUND', `no order '${orderId}'`);
        }
        this.moveIn(record, 'cancelled', actor, at, reason);
        const payment = deps.payments.ofOrder(orderId);
        if (payment?.state === 'pending') deps.payments.setState(payment.paymentId, 'expired');
        return record;
      },
      GROUP_COMMIT,
    );
    await this.releaseHolds(before, at);
    const order = this.get(orderId);
    this.announce(order, before.state);
    return order;
  }

  /** Cancels awaiting-payment orders whose payment time ran out (the fleet's clock). */
  async expireOverdue(): Promise<number> {
    let expired = 0;
    for (const record of this.deps.orders.overdue(this.deps.clock.now())) {
      try {
        await this.cancel(record.id, { kind: 'fleet', id: 'fleet' }, 'payment expired');
        expired++;
      } catch (err) {
        // Paid or cancelled meanwhile: nothing to expire.
        if (!(err instanceof FleetError && err.code === 'ORDER_STATE_INVALID')) {
          this.deps.log.error({ err, orderId: record.id }, 'order expiry failed');
        }
      }
    }
    return expired;
  }

  async releaseHolds(record: OrderRecord, at: number): Promise<void> {
    if (record.memberId === null || (record.pointsRedeemed === 0 && record.couponIds.length === 0)) return;
    await this.deps.loyalty.release(record.id, at);
  }

  /**
   * A paid order's points and coupons: held ones spent, earned ones credited, then the event `points settled`.
   * Each loyalty call is keyed by the order, so running this again (a retry, `reconcile()` after a crash between
   * any two steps) does each step once. Answers whether it settled anything now (the order changed).
   */
  async settleLoyalty(orderId: string): Promise<boolean> {
    const { deps } = this;
    const record = deps.orders.loyaltyPart(orderId);
    if (!record || record.memberId === null || !isPaidState(record.state)) return false;
    const holds = record.pointsRedeemed > 0 || record.couponIds.length > 0;
    if ((!holds && record.pointsToEarn === 0) || deps.orders.hasEvent(orderId, LOYALTY_SETTLED)) return false;
    const at = deps.clock.now();
    if (holds) await deps.loyalty.capture(orderId, at);
    if (record.pointsToEarn > 0) {
      await deps.loyalty.earn({
        orderId,
        memberId: record.memberId,
        storeId: record.storeId,
        points: record.pointsToEarn,
        at,
      });
    }
    await deps.writer.write(
      'order points',
      () => {
        if (deps.orders.hasEvent(orderId, LOYALTY_SETTLED)) return;
        const state = deps.orders.state(orderId)!;
        deps.orders.move(
          {
            orderId,
            from: state,
            to: state,
            actorKind: 'fleet',
            actor: 'loyalty',
            at,
            reason: LOYALTY_SETTLED,
            details: { captured: holds, points: record.pointsToEarn },
          },
          { pointsEarned: record.pointsToEarn },
        );
      },
      GROUP_COMMIT,
    );
    return true;
  }

  /**
   * At start: settles the points of paid orders that a crash (or a loyalty failure) left between their payment and
   * their `points settled` event. Answers how many it settled.
   */
  async reconcile(): Promise<number> {
    let settled = 0;
    for (const orderId of this.deps.orders.loyaltyUnsettled(LOYALTY_SETTLED)) {
      try {
        await this.settleLoyalty(orderId);
        settled++;
      } catch (err) {
        this.deps.log.error({ err, orderId }, 'order points not settled; retried at the next start');
      }
    }
    if (settled > 0) this.deps.log.warn({ settled }, 'settled the points of paid orders a stop had interrupted');
    return settled;
  }

  announce(order: Order, previous: OrderState | null): void {
    this.deps.bus.emit('order.changed', { order, previous });
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted, so that the same submission hashes the same whatever its key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
