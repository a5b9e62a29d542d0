import { StatementCache } from '../../platform/statement-cache.ts';
import type { CouponRecord } from '../../protocol/api/loyalty.ts';
import type { CouponState } from '../../protocol/commerce/loyalty.ts';
import type { Database } from '../storage/database.ts';

interface CouponRow {
  id: string;
  member_id: string;
  promotion_id: string;
  valid_from: number;
  valid_to: number;
  min_spend_fen: number;
  state: 'issued' | 'held' | 'used' | 'revoked';
  order_id: string | null;
  issued_at: number;
  issued_by: string | null;
}

export type StoredCouponState = CouponRow['state'];

/** Coupons issued to members. `expired` is not stored: an issued coupon past its `validTo` reads as expired. */
export class CouponRepository {
  private readonly statements: StatementCache;

  constructor(db: Database) {
    this.statements = new StatementCache(db);
  }

  insert(c: Omit<CouponRecord, 'state' | 'orderId'> & { issuedAt: number }): void {
    this.statements
      .prepare(
        `INSERT INTO coupons (id, member_id, promotion_id, valid_from, valid_to, min_spend_fen, state, order_id,
           issued_at, issued_by, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'issued', NULL, ?, ?, ?)`,
      )
      .run(c.id, c.memberId, c.promotionId, c.validFrom, c.validTo, c.minSpendFen, c.issuedAt, c.issuedBy, c.issuedAt);
  }

  /** The stored row, with its stored state (for the transitions). */
  row(id: string): (CouponRecord & { stored: StoredCouponState }) | undefined {
    const row = this.statements.prepare('SELECT * FROM coupons WHERE id = ?').get(id) as CouponRow | undefined;
    return row && { ...toCoupon(row, Number.NEGATIVE_INFINITY), stored: row.state };
  }

  setState(id: string, state: StoredCouponState, orderId: string | null, at: number): void {
    this.statements
      .prepare('UPDATE coupons SET state = ?, order_id = ?, updated_at = ? WHERE id = ?')
      .run(state, orderId, at, id);
  }

  /** Coupons held or used by an order. */
  ofOrder(orderId: string): CouponRecord[] {
    const rows = this.statements
      .prepare('SELECT * FROM coupons WHERE order_id = ? ORDER BY id')
      .all(orderId) as CouponRow[];
    return rows.map((r) => toCoupon(r, Number.NEGATIVE_INFINITY));
  }

  /** Coupons a member can use at `at`: issued, within validity. */
  usable(memberId: string, at: number): CouponRecord[] {
    const rows = this.statements
      .prepare(
        `SELECT * FROM coupons WHERE member_id = ? AND state = 'issued' AND valid_from <= ? AND valid_to > ?
         ORDER BY valid_to, id LIMIT 100`,
      )
      .all(memberId, at, at) as CouponRow[];
    return rows.map((r) => toCoupon(r, at));
  }

  list(
    query: { memberId?: string; promotionId?: string; state?: CouponState; limit: number; offset: number },
    at: number,
  ): { items: CouponRecord[]; total: number } {
    const where: string[] = [];
    const params: Record<string, unknown> = { at };
    if (query.memberId) {
      where.push('member_id = @memberId');
      params.memberId = query.memberId;
    }
    if (query.promotionId) {
      where.push('promotion_id = @promotionId');
      params.promotionId = query.promotionId;
    }
    if (query.state === 'expired') where.push(`state = 'issued' AND valid_to <= @at`);
    else if (query.state === 'issued') where.push(`state = 'issued' AND valid_to > @at`);
    else if (query.state) {
      where.push('state = @state');
      params.state = query.state;
    }
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.statements.prepare(`SELECT count(*) AS n FROM coupons ${filter}`).get(params) as { n: number })
      .n;
    const rows = this.statements
      .prepare(`SELECT * FROM coupons ${filter} ORDER BY issued_at DESC, id LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: query.limit, offset: query.offset }) as CouponRow[];
    return { items: rows.map((r) => toCoupon(r, at)), total };
  }
}

function toCoupon(row: CouponRow, at: number): CouponRecord {
  return {
    id: row.id,
    memberId: row.member_id,
    promotionId: row.promotion_id,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    minSpendFen: row.min_spend_fen,
    state: row.state === 'issued' && row.valid_to <= at ? 'expired' : row.state,
    orderId: row.order_id,
    issuedAt: row.issued_at,
    issuedBy: row.issued_by,
  };
}
