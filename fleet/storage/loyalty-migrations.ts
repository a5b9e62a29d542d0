import type { Migration } from '../../platform/sqlite.ts';

/**
 * The loyalty program's tables (issue 8, migrations 16–18): tiers, members and family accounts; the append-only
 * points ledger; coupons and the loyalty configuration the pricing snapshot carries. Kept in their own file (the
 * list in `migrations.ts` spreads it) so that each commerce part's schema reads in one place.
 */
export const loyaltyMigrations: Migration[] = [
  {
    version: 16,
    name: 'loyalty: tiers, members (member number, per-member TOTP secret) and family accounts',
    sql: `
      CREATE TABLE loyalty_tiers (
        id TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        earn_multiplier_percent INTEGER NOT NULL CHECK (earn_multiplier_percent >= 0)
      );
      INSERT INTO loyalty_tiers (id, position, name, earn_multiplier_percent)
        VALUES ('standard', 0, '{"zh":"普卡","en":"Standard"}', 100);
      CREATE TABLE members (
        id TEXT PRIMARY KEY,
        member_number TEXT NOT NULL UNIQUE
          CHECK (length(member_number) BETWEEN 6 AND 12 AND member_number NOT GLOB '*[^0-9]*'),
        display_name TEXT NOT NULL,
        -- personal data: returned masked, never logged
        phone TEXT,
        tier_id TEXT NOT NULL REFERENCES loyalty_tiers(id),
        -- one family at most: the column is the membership
        family_id TEXT REFERENCES families(id),
        -- RFC 6238 shared secret (base32) of the member code; a verifier must hold it in the clear
        totp_secret TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX members_family ON members(family_id) WHERE family_id IS NOT NULL;
      CREATE INDEX members_name ON members(display_name);
      CREATE TABLE families (
        id TEXT PRIMARY KEY,
        owner_id TEXT NOT NULL UNIQUE REFERENCES members(id),
        created_at INTEGER NOT NULL
      );
      -- An owner and up to 5 members: the service checks first (FAMILY_FULL); this refuses whatever slips past it.
      CREATE TRIGGER members_family_size BEFORE UPDATE OF family_id ON members
        WHEN NEW.family_id IS NOT NULL AND NEW.family_id IS NOT OLD.family_id
          AND (SELECT count(*) FROM members WHERE family_id = NEW.family_id) >= 6
        BEGIN SELECT RAISE(ABORT, 'FAMILY_FULL'); END;
    `,
  },
  {
    version: 17,
    name: 'loyalty: the append-only points ledger (balance = sum over the pool)',
    sql: `
      CREATE TABLE points_entries (
        id INTEGER PRIMARY KEY,
        -- the family's id, or the member's own id when not in a family
        pool_id TEXT NOT NULL,
        -- who made the entry (a family's entries name the member)
        member_id TEXT NOT NULL REFERENCES members(id),
        store_id TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('earn', 'earn-reversal', 'redeem-hold', 'redeem-release',
          'redeem-capture', 'redeem-refund', 'adjust', 'transfer')),
        points INTEGER NOT NULL,
        order_id TEXT,
        hold_id TEXT,
        refund_id TEXT,
        created_at INTEGER NOT NULL,
        actor_id TEXT,
        note TEXT
      );
      -- covering: the balance is SUM(points) over this index alone
      CREATE INDEX points_entries_pool_points ON points_entries(pool_id, points);
      CREATE INDEX points_entries_pool_id ON points_entries(pool_id, id);
      CREATE INDEX points_entries_member ON points_entries(member_id, id);
      -- a store's daily redemption limit per pool
      CREATE INDEX points_entries_pool_store_holds ON points_entries(pool_id, store_id, created_at)
        WHERE kind = 'redeem-hold';
      CREATE INDEX points_entries_order ON points_entries(order_id) WHERE order_id IS NOT NULL;
      -- idempotency, enforced by the file whichever process writes: an order earns once and holds once, a hold
      -- settles once (captured or released), a refund is reversed once
      CREATE UNIQUE INDEX points_entries_earn_once ON points_entries(order_id) WHERE kind = 'earn';
      CREATE UNIQUE INDEX points_entries_hold_once ON points_entries(order_id) WHERE kind = 'redeem-hold';
      CREATE UNIQUE INDEX points_entries_hold_id ON points_entries(hold_id) WHERE kind = 'redeem-hold';
      CREATE UNIQUE INDEX points_entries_hold_settled ON points_entries(hold_id)
        WHERE kind IN ('redeem-capture', 'redeem-release');
      CREATE UNIQUE INDEX points_entries_refund_once ON points_entries(refund_id, kind) WHERE refund_id IS NOT NULL;
      CREATE TRIGGER points_entries_append_only_update BEFORE UPDATE ON points_entries
        BEGIN SELECT RAISE(ABORT, 'the points ledger is append-only'); END;
      CREATE TRIGGER points_entries_append_only_delete BEFORE DELETE ON points_entries
        BEGIN SELECT RAISE(ABORT, 'the points ledger is append-only'); END;
    `,
  },
  {
    version: 18,
    name: 'loyalty: coupons, earn rules and the redemption policy',
    sql: `
      CREATE TABLE coupons (
        id TEXT PRIMARY KEY,
        member_id TEXT NOT NULL REFERENCES members(id),
        promotion_id TEXT NOT NULL,
        valid_from INTEGER NOT NULL,
        valid_to INTEGER NOT NULL CHECK (valid_to > valid_from),
        min_spend_fen INTEGER NOT NULL CHECK (min_spend_fen >= 0),
        -- 'expired' is not stored: an issued coupon past valid_to reads as expired
        state TEXT NOT NULL CHECK (state IN ('issued', 'held', 'used', 'revoked')),
        order_id TEXT,
        issued_at INTEGER NOT NULL,
        issued_by TEXT,
        updated_at INTEGER NOT NULL,
        CHECK ((state IN ('held', 'used')) = (order_id IS NOT NULL))
      );
      CREATE INDEX coupons_member ON coupons(member_id, state);
      CREATE INDEX coupons_order ON coupons(order_id) WHERE order_id IS NOT NULL;
      CREATE TABLE earn_rules (id TEXT PRIMARY KEY, position INTEGER NOT NULL, document TEXT NOT NULL);
      CREATE TABLE redemption_policy (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        document TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      INSERT INTO redemption_policy (id, document, updated_at) VALUES (1,
        '{"fenPer100Points":100,"maxPercentOfTotal":50,"minPoints":100,"perStoreDailyLimitPoints":null}', 0);
    `,
  },
];
