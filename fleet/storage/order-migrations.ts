import type { Migration } from '../../platform/sqlite.ts';

/**
 * Orders, payments and the attendant queue (issue 8, migrations 21–23, and 25: 24 is the member app's). Kept in their
 * own file (the list in `migrations.ts` spreads it) so that the schema of checkout reads in one place. Money is integer fen; an order's
 * lines, promotions and price audit are JSON (they are read and written whole, with the order); every state move
 * is a row of `order_events`, which, like the audit log, refuses UPDATE and DELETE.
 */
export const orderMigrations: Migration[] = [
  {
    version: 21,
    name: 'orders: orders (one per cart and idempotency key), their events, refunds',
    sql: `
      CREATE TABLE orders (
        id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL,
        thing_name TEXT NOT NULL,
        session_id TEXT,
        idempotency_key TEXT NOT NULL,
        content_sha256 TEXT NOT NULL,
        member_id TEXT,
        member_number TEXT,
        state TEXT NOT NULL CHECK (state IN ('open', 'awaiting_payment', 'paid', 'exit_verified', 'cancelled',
          'refunded', 'partially_refunded')),
        payment_method TEXT NOT NULL CHECK (payment_method IN ('qr', 'attendant')),
        snapshot_version INTEGER NOT NULL,
        lines TEXT NOT NULL,
        promotions TEXT NOT NULL,
        coupon_ids TEXT NOT NULL,
        subtotal_fen INTEGER NOT NULL,
        discount_fen INTEGER NOT NULL,
        total_fen INTEGER NOT NULL,
        points_redeemed INTEGER NOT NULL,
        points_redeemed_value_fen INTEGER NOT NULL,
        payable_fen INTEGER NOT NULL,
        points_to_earn INTEGER NOT NULL,
        points_earned INTEGER NOT NULL DEFAULT 0,
        cart_total_fen INTEGER NOT NULL,
        cart_payable_fen INTEGER NOT NULL,
        price_audit TEXT,
        refunded_fen INTEGER NOT NULL DEFAULT 0,
        payment_due_at INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (thing_name, idempotency_key)
      );
      CREATE INDEX orders_store_created ON orders (store_id, created_at);
      CREATE INDEX orders_awaiting ON orders (payment_due_at) WHERE state = 'awaiting_payment';
      CREATE INDEX orders_member ON orders (member_id) WHERE member_id IS NOT NULL;
      CREATE TABLE order_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        order_id TEXT NOT NULL REFERENCES orders(id),
        from_state TEXT,
        to_state TEXT NOT NULL,
        actor_kind TEXT NOT NULL CHECK (actor_kind IN ('thing', 'user', 'provider', 'fleet')),
        actor TEXT NOT NULL,
        at INTEGER NOT NULL,
        reason TEXT,
        details TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX order_events_order ON order_events (order_id, id);
      CREATE TRIGGER order_events_no_update BEFORE UPDATE ON order_events
        BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;
      CREATE TRIGGER order_events_no_delete BEFORE DELETE ON order_events
        BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;
      CREATE TABLE order_refunds (
        id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL REFERENCES orders(id),
        amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
        lines TEXT NOT NULL,
        points_reversed INTEGER NOT NULL,
        provider_refund_id TEXT NOT NULL,
        by_user TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX order_refunds_order ON order_refunds (order_id);
    `,
  },
  {
    version: 22,
    name: 'payments: payments per order, and the notification nonces seen (replay window)',
    sql: `
      CREATE TABLE payments (
        id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL REFERENCES orders(id),
        provider TEXT NOT NULL,
        amount_fen INTEGER NOT NULL,
        refunded_fen INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL CHECK (state IN ('pending', 'paid', 'expired', 'refunded', 'partially_refunded')),
        pay_url TEXT,
        provider_transaction_id TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        paid_at INTEGER
      );
      CREATE INDEX payments_order ON payments (order_id);
      CREATE TABLE payment_nonces (
        nonce TEXT PRIMARY KEY,
        seen_at INTEGER NOT NULL
      );
      CREATE INDEX payment_nonces_seen ON payment_nonces (seen_at);
    `,
  },
  {
    version: 23,
    name: 'attendants: the attendant queue per store, and staff codes (hashed) per person',
    sql: `
      CREATE TABLE attendant_requests (
        id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL,
        thing_name TEXT NOT NULL,
        session_id TEXT,
        zone_id TEXT,
        reason TEXT NOT NULL
          CHECK (reason IN ('age-check', 'weight-mismatch', 'unknown-item', 'offline-payment', 'help')),
        details TEXT NOT NULL DEFAULT '',
        order_id TEXT,
        state TEXT NOT NULL CHECK (state IN ('open', 'approved', 'rejected', 'cancelled')),
        created_at INTEGER NOT NULL,
        resolved_at INTEGER,
        resolved_by TEXT,
        resolved_via TEXT CHECK (resolved_via IN ('console', 'staff-code', 'cart')),
        note TEXT
      );
      CREATE INDEX attendant_requests_open ON attendant_requests (store_id, created_at) WHERE state = 'open';
      CREATE TABLE staff_codes (
        user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        code_digest TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 25,
    name: 'staff codes: offline verifiers (salt, scrypt, params); offline approvals recorded with the attendant queue',
    // Codes made before have no verifier (NULL): they still work online, not offline, until their owner makes a new
    // one. offline_approval: JSON {userId, at, refusal} of a call the cart approved by itself without network.
    sql: `
      ALTER TABLE staff_codes ADD COLUMN offline_salt TEXT;
      ALTER TABLE staff_codes ADD COLUMN offline_verifier TEXT;
      ALTER TABLE staff_codes ADD COLUMN offline_params TEXT;
      ALTER TABLE attendant_requests ADD COLUMN offline_approval TEXT;
    `,
  },
];
