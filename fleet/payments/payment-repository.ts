import { StatementCache } from '../../platform/statement-cache.ts';
import type { OrderPayment, PaymentState } from '../../protocol/commerce/orders.ts';
import type { Database } from '../storage/database.ts';

export interface PaymentRecord extends OrderPayment {
  orderId: string;
  refundedFen: number;
  transactionId: string | null;
  createdAt: number;
}

interface PaymentRow {
  id: string;
  order_id: string;
  provider: string;
  amount_fen: number;
  refunded_fen: number;
  state: PaymentState;
  pay_url: string | null;
  provider_transaction_id: string | null;
  created_at: number;
  expires_at: number;
  paid_at: number | null;
}

/** Payments and the notification nonces seen (migration 22). Writes run inside the fleet's DatabaseWriter. */
export class PaymentRepository {
  private readonly statements: StatementCache;

  constructor(db: Database) {
    this.statements = new StatementCache(db);
  }

  insert(p: Omit<PaymentRecord, 'state' | 'paidAt' | 'refundedFen' | 'transactionId'>): void {
    this.statements
      .prepare(
        `INSERT INTO payments (id, order_id, provider, amount_fen, state, pay_url, created_at, expires_at)
         VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`,
      )
      .run(p.paymentId, p.orderId, p.provider, p.amountFen, p.payUrl, p.createdAt, p.expiresAt);
  }

  get(paymentId: string): PaymentRecord | undefined {
    const row = this.statements.prepare('SELECT * FROM payments WHERE id = ?').get(paymentId) as PaymentRow | undefined;
    return row && toRecord(row);
  }

  /** The order's latest payment. */
  ofOrder(orderId: string): PaymentRecord | undefined {
    const row = this.statements
      .prepare('SELECT * FROM payments WHERE order_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1')
      .get(orderId) as PaymentRow | undefined;
    return row && toRecord(row);
  }

  markPaid(paymentId: string, transactionId: string, at: number): void {
    this.statements
      .prepare(`UPDATE payments SET state = 'paid', provider_transaction_id = ?, paid_at = ? WHERE id = ?`)
      .run(transactionId, at, paymentId);
  }

  setState(paymentId: string, state: PaymentState, refundedFen?: number): void {
    if (refundedFen === undefined)
      this.statements.prepare('UPDATE payments SET state = ? WHERE id = ?').run(state, paymentId);
    else
      this.statements
        .prepare('UPDATE payments SET state = ?, refunded_fen = ? WHERE id = ?')
        .run(state, refundedFen, paymentId);
  }

  nonceSeen(nonce: string): boolean {
    return this.statements.prepare('SELECT 1 FROM payment_nonces WHERE nonce = ?').get(nonce) !== undefined;
  }

  rememberNonce(nonce: string, at: number): void {
    this.statements.prepare('INSERT INTO payment_nonces (nonce, seen_at) VALUES (?, ?)').run(nonce, at);
  }

  forgetNoncesBefore(at: number): number {
    return this.statements.prepare('DELETE FROM payment_nonces WHERE seen_at < ?').run(at).changes;
  }
}

function toRecord(row: PaymentRow): PaymentRecord {
  return {
    paymentId: row.id,
    orderId: row.order_id,
    provider: row.provider,
    state: row.state,
    amountFen: row.amount_fen,
    refundedFen: row.refunded_fen,
    payUrl: row.pay_url,
    transactionId: row.provider_transaction_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    paidAt: row.paid_at,
  };
}

export function publicPayment(p: PaymentRecord): OrderPayment {
  return {
    paymentId: p.paymentId,
    provider: p.provider,
    state: p.state,
    amountFen: p.amountFen,
    payUrl: p.payUrl,
    expiresAt: p.expiresAt,
    paidAt: p.paidAt,
  };
}
