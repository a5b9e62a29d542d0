import { StatementCache } from '../../platform/statement-cache.ts';
import type {
  Order,
  OrderEvent,
  OrderLine,
  OrderPayment,
  OrderState,
  PaymentMethod,
  PriceAudit,
} from '../../protocol/commerce/orders.ts';
import type { Database } from '../storage/database.ts';

/** An order as stored: the API's order plus what only the fleet needs. */
export interface OrderRecord extends Omit<Order, 'payment'> {
  contentSha256: string;
  /** What the order earns once paid (credited then, in `pointsEarned`). */
  pointsToEarn: number;
  /** An awaiting-payment order is cancelled at this time (null in other states). */
  paymentDueAt: number | null;
}

export type NewOrderRecord = Omit<OrderRecord, 'pointsEarned' | 'refundedFen' | 'updatedAt' | 'paymentDueAt'>;

export interface OrderEventInput {
  orderId: string;
  from: OrderState | null;
  to: OrderState;
  actorKind: OrderEvent['actorKind'];
  actor: string;
  at: number;
  reason?: string | null;
  details?: Record<string, unknown>;
}

export interface OrderQuery {
  /** null: every store. */
  storeIds: readonly string[] | null;
  storeId?: string;
  state?: OrderState;
  memberNumber?: string;
  from?: number;
  to?: number;
  limit: number;
  offset: number;
}

interface OrderRow {
  id: string;
  store_id: string;
  thing_name: string;
  session_id: string | null;
  idempotency_key: string;
  content_sha256: string;
  member_id: string | null;
  member_number: string | null;
  state: OrderState;
  payment_method: PaymentMethod;
  snapshot_version: number;
  lines: string;
  promotions: string;
  coupon_ids: string;
  subtotal_fen: number;
  discount_fen: number;
  total_fen: number;
  points_redeemed: number;
  points_redeemed_value_fen: number;
  payable_fen: number;
  points_to_earn: number;
  points_earned: number;
  cart_total_fen: number;
  cart_payable_fen: number;
  price_audit: string | null;
  refunded_fen: number;
  payment_due_at: number | null;
  created_at: number;
  updated_at: number;
}

/** Orders and their events in SQLite (migration 21). Callers run writes inside the fleet's DatabaseWriter. */
export class OrderRepository {
  private readonly statements: StatementCache;

  constructor(db: Database) {
    this.statements = new StatementCache(db);
  }

  insert(order: NewOrderRecord): void {
    this.statements
      .prepare(
        `INSERT INTO orders (id, store_id, thing_name, session_id, idempotency_key, content_sha256, member_id,
           member_number, state, payment_method, snapshot_version, lines, promotions, coupon_ids, subtotal_fen,
           discount_fen, total_fen, points_redeemed, points_redeemed_value_fen, payable_fen, points_to_earn,
           cart_total_fen, cart_payable_fen, price_audit, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        order.id,
        order.storeId,
        order.thingName,
        order.sessionId,
        order.idempotencyKey,
        order.contentSha256,
        order.memberId,
        order.memberNumber,
        order.state,
        order.paymentMethod,
        order.snapshotVersion,
        JSON.stringify(order.lines),
        JSON.stringify(order.promotions),
        JSON.stringify(order.couponIds),
        order.subtotalFen,
        order.discountFen,
        order.totalFen,
        order.pointsRedeemed,
        order.pointsRedeemedValueFen,
        order.payableFen,
        order.pointsToEarn,
        order.cartTotalFen,
        order.cartPayableFen,
        order.priceAudit ? JSON.stringify(order.priceAudit) : null,
        order.createdAt,
        order.createdAt,
      );
  }

  get(id: string): OrderRecord | undefined {
    const row = this.statements.prepare('SELECT * FROM orders WHERE id = ?').get(id) as OrderRow | undefined;
    return row && toRecord(row);
  }

  /** The order's state alone (no lines to parse): what a move checks. */
  state(id: string): OrderState | undefined {
    const row = this.statements.prepare('SELECT state FROM orders WHERE id = ?').get(id) as
      | { state: OrderState }
      | undefined;
    return row?.state;
  }

  /** What settling an order's points reads (no lines to parse). */
  loyaltyPart(
    id: string,
  ): Pick<OrderRecord, 'memberId' | 'storeId' | 'state' | 'pointsRedeemed' | 'couponIds' | 'pointsToEarn'> | undefined {
    const row = this.statements
      .prepare(
        'SELECT member_id, store_id, state, points_redeemed, coupon_ids, points_to_earn FROM orders WHERE id = ?',
      )
      .get(id) as
      | Pick<OrderRow, 'member_id' | 'store_id' | 'state' | 'points_redeemed' | 'coupon_ids' | 'points_to_earn'>
      | undefined;
    return (
      row && {
        memberId: row.member_id,
        storeId: row.store_id,
        state: row.state,
        pointsRedeemed: row.points_redeemed,
        // A member order's coupons only: the others' are '[]' and need no parsing.
        couponIds: row.member_id === null ? [] : (JSON.parse(row.coupon_ids) as string[]),
        pointsToEarn: row.points_to_earn,
      }
    );
  }

  byKey(thingName: string, idempotencyKey: string): OrderRecord | undefined {
    const row = this.statements
      .prepare('SELECT * FROM orders WHERE thing_name = ? AND idempotency_key = ?')
      .get(thingName, idempotencyKey) as OrderRow | undefined;
    return row && toRecord(row);
  }

  /** Moves the order and records the event, in the caller's transaction. */
  move(
    event: OrderEventInput,
    changes: Partial<Pick<OrderRecord, 'pointsEarned' | 'refundedFen' | 'lines'>> = {},
  ): void {
    const due = event.to === 'awaiting_payment' ? ((event.details?.paymentDueAt as number | undefined) ?? null) : null;
    const sets = ['state = ?', 'updated_at = ?', 'payment_due_at = ?'];
    const params: unknown[] = [event.to, event.at, due];
    if (changes.pointsEarned !== undefined) {
      sets.push('points_earned = ?');
      params.push(changes.pointsEarned);
    }
    if (changes.refundedFen !== undefined) {
      sets.push('refunded_fen = ?');
      params.push(changes.refundedFen);
    }
    if (changes.lines !== undefined) {
      sets.push('lines = ?');
      params.push(JSON.stringify(changes.lines));
    }
    this.statements.prepare(`UPDATE orders SET ${sets.join(', ')} WHERE id = ?`).run(...params, event.orderId);
    this.addEvent(event);
  }

  addEvent(event: OrderEventInput): void {
    this.statements
      .prepare(
        `INSERT INTO order_events (order_id, from_state, to_state, actor_kind, actor, at, reason, details)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        event.orderId,
        event.from,
        event.to,
        event.actorKind,
        event.actor,
        event.at,
        event.reason ?? null,
        JSON.stringify(event.details ?? {}),
      );
  }

  events(orderId: string): OrderEvent[] {
    const rows = this.statements.prepare('SELECT * FROM order_events WHERE order_id = ? ORDER BY id').all(orderId) as {
      id: number;
      order_id: string;
      from_state: OrderState | null;
      to_state: OrderState;
      actor_kind: OrderEvent['actorKind'];
      actor: string;
      at: number;
      reason: string | null;
      details: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      orderId: r.order_id,
      from: r.from_state,
      to: r.to_state,
      actorKind: r.actor_kind,
      actor: r.actor,
      at: r.at,
      reason: r.reason,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));
  }

  /** Whether the order has an event with this reason (a step that was done). */
  hasEvent(orderId: string, reason: string): boolean {
    return (
      this.statements
        .prepare('SELECT 1 FROM order_events WHERE order_id = ? AND reason = ? LIMIT 1')
        .get(orderId, reason) !== undefined
    );
  }

  /**
   * Paid member orders (not refunded) with points or coupons to settle and no event `settledReason` yet: what a
   * crash between the payment and the points left undone.
   */
  loyaltyUnsettled(settledReason: string, limit = 500): string[] {
    const rows = this.statements
      .prepare(
        `SELECT id FROM orders o
         WHERE member_id IS NOT NULL AND state IN ('paid', 'exit_verified')
           AND (points_to_earn > 0 OR points_redeemed > 0 OR coupon_ids <> '[]')
           AND NOT EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id AND e.reason = ?)
         ORDER BY created_at LIMIT ?`,
      )
      .all(settledReason, limit) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** Cancelled orders whose payment was nevertheless taken and not yet refunded (late payments to resolve). */
  latePaid(limit = 500): string[] {
    const rows = this.statements
      .prepare(
        `SELECT o.id FROM orders o JOIN payments p ON p.order_id = o.id
         WHERE o.state = 'cancelled' AND p.state = 'paid' ORDER BY o.created_at LIMIT ?`,
      )
      .all(limit) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** Awaiting-payment orders whose payment is due at or before `at`. */
  overdue(at: number, limit = 100): OrderRecord[] {
    const rows = this.statements
      .prepare(
        `SELECT * FROM orders WHERE state = 'awaiting_payment' AND payment_due_at <= ? ORDER BY payment_due_at LIMIT ?`,
      )
      .all(at, limit) as OrderRow[];
    return rows.map(toRecord);
  }

  /** A trip's order: the newest of the cart's orders in that shopping session (a failed checkout may precede it). */
  ofSession(thingName: string, sessionId: string): OrderRecord | undefined {
    const row = this.statements
      .prepare('SELECT * FROM orders WHERE thing_name = ? AND session_id = ? ORDER BY created_at DESC, id LIMIT 1')
      .get(thingName, sessionId) as OrderRow | undefined;
    return row && toRecord(row);
  }

  search(query: OrderQuery): { items: OrderRecord[]; total: number } {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.storeIds !== null) {
      if (query.storeIds.length === 0) return { items: [], total: 0 };
      where.push(`store_id IN (${query.storeIds.map(() => '?').join(', ')})`);
      params.push(...query.storeIds);
    }
    if (query.storeId) {
      where.push('store_id = ?');
      params.push(query.storeId);
    }
    if (query.state) {
      where.push('state = ?');
      params.push(query.state);
    }
    if (query.memberNumber) {
      where.push('member_number = ?');
      params.push(query.memberNumber);
    }
    if (query.from !== undefined) {
      where.push('created_at >= ?');
      params.push(query.from);
    }
    if (query.to !== undefined) {
      where.push('created_at < ?');
      params.push(query.to);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = (
      this.statements.prepare(`SELECT COUNT(*) AS n FROM orders ${clause}`).get(...params) as { n: number }
    ).n;
    const rows = this.statements
      .prepare(`SELECT * FROM orders ${clause} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`)
      .all(...params, query.limit, query.offset) as OrderRow[];
    return { items: rows.map(toRecord), total };
  }
}

function toRecord(row: OrderRow): OrderRecord {
  return {
    id: row.id,
    storeId: row.store_id,
    thingName: row.thing_name,
    sessionId: row.session_id,
    idempotencyKey: row.idempotency_key,
    contentSha256: row.content_sha256,
    memberId: row.member_id,
    memberNumber: row.member_number,
    state: row.state,
    paymentMethod: row.payment_method,
    snapshotVersion: row.snapshot_version,
    lines: JSON.parse(row.lines) as OrderLine[],
    promotions: JSON.parse(row.promotions) as Order['promotions'],
    couponIds: JSON.parse(row.coupon_ids) as string[],
    subtotalFen: row.subtotal_fen,
    discountFen: row.discount_fen,
    totalFen: row.total_fen,
    pointsRedeemed: row.points_redeemed,
    pointsRedeemedValueFen: row.points_redeemed_value_fen,
    payableFen: row.payable_fen,
    pointsToEarn: row.points_to_earn,
    pointsEarned: row.points_earned,
    cartTotalFen: row.cart_total_fen,
    cartPayableFen: row.cart_payable_fen,
    priceAudit: row.price_audit ? (JSON.parse(row.price_audit) as PriceAudit) : null,
    refundedFen: row.refunded_fen,
    paymentDueAt: row.payment_due_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function publicOrder(record: OrderRecord, payment: OrderPayment | null): Order {
  const { contentSha256: _c, pointsToEarn: _p, paymentDueAt: _d, ...order } = record;
  return { ...order, payment };
}
