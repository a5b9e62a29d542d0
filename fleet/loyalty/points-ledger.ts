import { StatementCache } from '../../platform/statement-cache.ts';
import type { LedgerEntry, LedgerEntryKind } from '../../protocol/api/members.ts';
import type { Database } from '../storage/database.ts';

export interface NewLedgerEntry {
  poolId: string;
  memberId: string;
  storeId: string | null;
  kind: LedgerEntryKind;
  points: number;
  orderId?: string | null;
  holdId?: string | null;
  refundId?: string | null;
  createdAt: number;
  actorId?: string | null;
  note?: string | null;
}

interface EntryRow {
  id: number;
  pool_id: string;
  member_id: string;
  member_number: string;
  member_name: string;
  store_id: string | null;
  kind: LedgerEntryKind;
  points: number;
  order_id: string | null;
  hold_id: string | null;
  refund_id: string | null;
  created_at: number;
  actor_id: string | null;
  note: string | null;
}

/** A redemption hold and how it ended (the entries with its hold id). */
export interface Hold {
  holdId: string;
  poolId: string;
  memberId: string;
  storeId: string | null;
  orderId: string;
  /** Positive: the points held. */
  points: number;
  createdAt: number;
  state: 'held' | 'captured' | 'released';
}

/**
 * The points ledger: `points_entries`, append-only (triggers refuse UPDATE and DELETE). A pool's balance is the sum
 * of its entries, read through a covering index `(pool_id, points)`; there is no cached balance, so there is none
 * to drift. Statements only: the service calls them inside its `BEGIN IMMEDIATE` write transactions.
 */
export class PointsLedger {
  private readonly statements: StatementCache;

  constructor(db: Database) {
    this.statements = new StatementCache(db);
  }

  append(e: NewLedgerEntry): number {
    const result = this.statements
      .prepare(
        `INSERT INTO points_entries (pool_id, member_id, store_id, kind, points, order_id, hold_id, refund_id,
           created_at, actor_id, note)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        e.poolId,
        e.memberId,
        e.storeId,
        e.kind,
        e.points,
        e.orderId ?? null,
        e.holdId ?? null,
        e.refundId ?? null,
        e.createdAt,
        e.actorId ?? null,
        e.note ?? null,
      );
    return Number(result.lastInsertRowid);
  }

  balance(poolId: string): number {
    const row = this.statements
      .prepare('SELECT coalesce(sum(points), 0) AS balance FROM points_entries WHERE pool_id = ?')
      .get(poolId) as { balance: number };
    return row.balance;
  }

  /**
   * Points the pool redeemed in a store in [from, to): holds made then, less those released. Captured holds stay
   * counted even if refunded later: the limit is on what the store accepted that day.
   */
  redeemedInStore(poolId: string, storeId: string, from: number, to: number): number {
    const row = this.statements
      .prepare(
        `SELECT coalesce(sum(-h.points), 0) AS redeemed FROM points_entries h
         WHERE h.pool_id = ? AND h.store_id = ? AND h.kind = 'redeem-hold' AND h.created_at >= ? AND h.created_at < ?
           AND NOT EXISTS (SELECT 1 FROM points_entries r WHERE r.hold_id = h.hold_id AND r.kind = 'redeem-release')`,
      )
      .get(poolId, storeId, from, to) as { redeemed: number };
    return row.redeemed;
  }

  hold(holdId: string): Hold | undefined {
    return this.toHold(
      this.statements.prepare(`SELECT * FROM points_entries WHERE hold_id = ? AND kind = 'redeem-hold'`).get(holdId) as
        | EntryRow
        | undefined,
    );
  }

  holdOfOrder(orderId: string): Hold | undefined {
    return this.toHold(
      this.statements
        .prepare(`SELECT * FROM points_entries WHERE order_id = ? AND kind = 'redeem-hold'`)
        .get(orderId) as EntryRow | undefined,
    );
  }

  earnOfOrder(
    orderId: string,
  ): { id: number; poolId: string; memberId: string; storeId: string | null; points: number } | undefined {
    const row = this.statements
      .prepare(`SELECT * FROM points_entries WHERE order_id = ? AND kind = 'earn'`)
      .get(orderId) as EntryRow | undefined;
    return (
      row && { id: row.id, poolId: row.pool_id, memberId: row.member_id, storeId: row.store_id, points: row.points }
    );
  }

  /** The sum of an order's entries of one kind (reversals so far). */
  orderSum(orderId: string, kind: LedgerEntryKind): number {
    const row = this.statements
      .prepare('SELECT coalesce(sum(points), 0) AS total FROM points_entries WHERE order_id = ? AND kind = ?')
      .get(orderId, kind) as { total: number };
    return row.total;
  }

  /** Holds a member made that are neither captured nor released. */
  openHolds(memberId: string): number {
    const row = this.statements
      .prepare(
        `SELECT count(*) AS n FROM points_entries h WHERE h.member_id = ? AND h.kind = 'redeem-hold'
           AND NOT EXISTS (SELECT 1 FROM points_entries s WHERE s.hold_id = h.hold_id
             AND s.kind IN ('redeem-capture', 'redeem-release'))`,
      )
      .get(memberId) as { n: number };
    return row.n;
  }

  hasRefund(refundId: string): boolean {
    return (
      this.statements.prepare('SELECT 1 FROM points_entries WHERE refund_id = ? LIMIT 1').get(refundId) !== undefined
    );
  }

  /** A pool's entries, newest first, each with the member who made it. */
  entries(poolId: string, limit: number, offset: number): { items: LedgerEntry[]; total: number } {
    const total = (
      this.statements.prepare('SELECT count(*) AS n FROM points_entries WHERE pool_id = ?').get(poolId) as { n: number }
    ).n;
    const rows = this.statements
      .prepare(
        `SELECT e.*, m.member_number, m.display_name AS member_name FROM points_entries e
         JOIN members m ON m.id = e.member_id
         WHERE e.pool_id = ? ORDER BY e.id DESC LIMIT ? OFFSET ?`,
      )
      .all(poolId, limit, offset) as EntryRow[];
    return { items: rows.map(toEntry), total };
  }

  private toHold(row: EntryRow | undefined): Hold | undefined {
    if (!row || row.hold_id === null || row.order_id === null) return undefined;
    const settled = this.statements
      .prepare(`SELECT kind FROM points_entries WHERE hold_id = ? AND kind IN ('redeem-capture', 'redeem-release')`)
      .get(row.hold_id) as { kind: LedgerEntryKind } | undefined;
    return {
      holdId: row.hold_id,
      poolId: row.pool_id,
      memberId: row.member_id,
      storeId: row.store_id,
      orderId: row.order_id,
      points: -row.points,
      createdAt: row.created_at,
      state: settled === undefined ? 'held' : settled.kind === 'redeem-capture' ? 'captured' : 'released',
    };
  }
}

function toEntry(row: EntryRow): LedgerEntry {
  return {
    id: row.id,
    poolId: row.pool_id,
    memberId: row.member_id,
    memberNumber: row.member_number,
    memberName: row.member_name,
    storeId: row.store_id,
    kind: row.kind,
    points: row.points,
    orderId: row.order_id,
    holdId: row.hold_id,
    refundId: row.refund_id,
    createdAt: row.created_at,
    actorId: row.actor_id,
    note: row.note,
  };
}
