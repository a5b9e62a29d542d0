/**
 * Numbered schema migrations. Append only: a migration that has shipped is never edited; a change is a new entry.
 * `schema_migrations` records which ran.
 */
import type { Migration } from '../../platform/sqlite.ts';
import { broadcastAnnouncerMigrations } from './broadcast-announcer-migrations.ts';
import { broadcastContentMigrations } from './broadcast-content-migrations.ts';
import { broadcastDeliveryMigrations } from './broadcast-delivery-migrations.ts';
import { broadcastInsertMigrations } from './broadcast-insert-migrations.ts';
import { broadcastScheduleMigrations } from './broadcast-schedule-migrations.ts';
import { loyaltyMigrations } from './loyalty-migrations.ts';
import { memberAppMigrations } from './member-app-migrations.ts';
import { orderMigrations } from './order-migrations.ts';
import { otaJobsMigrations } from './ota-jobs-migrations.ts';
import { otaReleaseMigrations } from './ota-release-migrations.ts';
import { otaRolloutMigrations } from './ota-rollout-migrations.ts';
import { salesHistoryMigrations } from './sales-history-migrations.ts';
import { visionMigrations } from './vision-migrations.ts';

export type { Migration };

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'registry, identity, shadows, telemetry, presence',
    sql: `
      CREATE TABLE chains (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE stores (
        id TEXT PRIMARY KEY,
        chain_id TEXT NOT NULL REFERENCES chains(id),
        name TEXT NOT NULL,
        region TEXT,
        time_zone TEXT NOT NULL,
        opening_hours TEXT NOT NULL,
        address TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE zones (
        id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        polygon TEXT NOT NULL
      );
      CREATE INDEX zones_store ON zones(store_id);

      CREATE TABLE things (
        thing_name TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('cart', 'speaker')),
        hardware_model TEXT NOT NULL,
        store_id TEXT REFERENCES stores(id),
        zone_id TEXT REFERENCES zones(id),
        tags TEXT NOT NULL DEFAULT '[]',
        software_version TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX things_store ON things(store_id, kind);

      CREATE TABLE certificates (
        certificate_id TEXT PRIMARY KEY,
        serial_number TEXT NOT NULL,
        subject_cn TEXT NOT NULL,
        certificate_pem TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'INACTIVE', 'REVOKED')),
        not_before INTEGER NOT NULL,
        not_after INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER,
        revoke_reason TEXT
      );
      CREATE TABLE thing_principals (
        thing_name TEXT NOT NULL REFERENCES things(thing_name) ON DELETE CASCADE,
        certificate_id TEXT NOT NULL REFERENCES certificates(certificate_id) ON DELETE CASCADE,
        PRIMARY KEY (thing_name, certificate_id)
      );
      CREATE INDEX thing_principals_cert ON thing_principals(certificate_id);

      CREATE TABLE policies (
        name TEXT PRIMARY KEY,
        document TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE policy_attachments (
        policy_name TEXT NOT NULL REFERENCES policies(name) ON DELETE CASCADE,
        certificate_id TEXT NOT NULL REFERENCES certificates(certificate_id) ON DELETE CASCADE,
        PRIMARY KEY (policy_name, certificate_id)
      );
      CREATE INDEX policy_attachments_cert ON policy_attachments(certificate_id);

      CREATE TABLE shadows (
        thing_name TEXT NOT NULL,
        shadow_name TEXT NOT NULL DEFAULT '',
        state TEXT,
        metadata TEXT,
        version INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (thing_name, shadow_name)
      );

      CREATE TABLE telemetry (
        id INTEGER PRIMARY KEY,
        thing_name TEXT NOT NULL,
        stream TEXT NOT NULL,
        msg_id TEXT NOT NULL,
        ts INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        metrics TEXT NOT NULL,
        UNIQUE (thing_name, msg_id)
      );
      CREATE INDEX telemetry_thing_stream_ts ON telemetry(thing_name, stream, ts);
      CREATE INDEX telemetry_received ON telemetry(received_at);

      CREATE TABLE presence (
        client_id TEXT PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('online', 'offline')),
        session_id TEXT,
        ip_address TEXT,
        connected_at INTEGER,
        disconnected_at INTEGER,
        disconnect_reason TEXT,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'identity generation: bumped by every change to certificates, policies and their attachments',
    sql: `
      CREATE TABLE identity_generation (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
      INSERT INTO identity_generation (id, value) VALUES (1, 0);
      CREATE TRIGGER certificates_insert_generation AFTER INSERT ON certificates
        BEGIN UPDATE identity_generation SET value = value + 1 WHERE id = 1; END;
      CREATE TRIGGER certificates_update_generation AFTER UPDATE ON certificates
        BEGIN UPDATE identity_generation SET value = value + 1 WHERE id = 1; END;
      CREATE TRIGGER certificates_delete_generation AFTER DELETE ON certificates
        BEGIN UPDATE identity_generation SET value = value + 1 WHERE id = 1; END;
      CREATE TRIGGER policies_insert_generation AFTER INSERT ON policies
        BEGIN UPDATE identity_generation SET value = value + 1 WHERE id = 1; END;
      CREATE TRIGGER policies_update_generation AFTER UPDATE ON policies
        BEGIN UPDATE identity_generation SET value = value + 1 WHERE id = 1; END;
      CREATE TRIGGER policies_delete_generation AFTER DELETE ON policies
        BEGIN UPDATE identity_generation SET value = value + 1 WHERE id = 1; END;
      CREATE TRIGGER policy_attachments_insert_generation AFTER INSERT ON policy_attachments
        BEGIN UPDATE identity_generation SET value = value + 1 WHERE id = 1; END;
      CREATE TRIGGER policy_attachments_update_generation AFTER UPDATE ON policy_attachments
        BEGIN UPDATE identity_generation SET value = value + 1 WHERE id = 1; END;
      CREATE TRIGGER policy_attachments_delete_generation AFTER DELETE ON policy_attachments
        BEGIN UPDATE identity_generation SET value = value + 1 WHERE id = 1; END;
      CREATE TRIGGER thing_principals_insert_generation AFTER INSERT ON thing_principals
        BEGIN UPDATE identity_generation SET value = value + 1 WHERE id = 1; END;
      CREATE TRIGGER thing_principals_update_generation AFTER UPDATE ON thing_principals
        BEGIN UPDATE identity_generation SET value = value + 1 WHERE id = 1; END;
      CREATE TRIGGER thing_principals_delete_generation AFTER DELETE ON thing_principals
        BEGIN UPDATE identity_generation SET value = value + 1 WHERE id = 1; END;
    `,
  },
  {
    version: 3,
    name: 'telemetry retention by rowid: drop the received_at index (measured: one index less per ingested row)',
    sql: 'DROP INDEX IF EXISTS telemetry_received;',
  },
  {
    version: 4,
    name: 'people: users, browser sessions, API tokens, login tickets; the append-only audit log',
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('hq-admin', 'store-manager', 'technician', 'viewer')),
        store_ids TEXT NOT NULL DEFAULT '[]',
        regions TEXT NOT NULL DEFAULT '[]',
        password_hash TEXT NOT NULL,
        must_change_password INTEGER NOT NULL DEFAULT 0,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        last_login_at INTEGER
      );
      -- Session ids, API tokens and login tickets are stored as SHA-256 digests: a copy of the database
      -- does not let anyone sign in.
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        ip TEXT,
        user_agent TEXT
      );
      CREATE INDEX sessions_user ON sessions(user_id);
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        last_used_at INTEGER
      );
      CREATE INDEX api_tokens_user ON api_tokens(user_id);
      CREATE TABLE login_tickets (
        ticket_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        expires_at INTEGER NOT NULL
      );
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor_id TEXT,
        actor_name TEXT NOT NULL,
        action TEXT NOT NULL,
        target_type TEXT NOT NULL,
        target_id TEXT,
        store_id TEXT,
        ip TEXT,
        user_agent TEXT,
        details TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX audit_log_at ON audit_log(at);
      CREATE INDEX audit_log_store_at ON audit_log(store_id, at);
      CREATE INDEX audit_log_target ON audit_log(target_id, at);
      CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    `,
  },
  {
    version: 7,
    name: 'provisioning by claim: templates, pending certificates, thing provisioning state',
    sql: `
      CREATE TABLE provisioning_templates (
        name TEXT PRIMARY KEY,
        description TEXT NOT NULL DEFAULT '',
        enabled INTEGER NOT NULL DEFAULT 1,
        requires_approval INTEGER NOT NULL DEFAULT 0,
        policy_name TEXT NOT NULL,
        thing_name_pattern TEXT NOT NULL,
        device_kind TEXT CHECK (device_kind IN ('cart', 'speaker')),
        hardware_model TEXT,
        parameters TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE provisioning_certificates (
        certificate_id TEXT PRIMARY KEY REFERENCES certificates(certificate_id) ON DELETE CASCADE,
        token_id TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        registered_at INTEGER,
        thing_name TEXT,
        created_at INTEGER NOT NULL
      );
      ALTER TABLE things ADD COLUMN provisioning TEXT NOT NULL DEFAULT 'active'
        CHECK (provisioning IN ('active', 'pending-approval'));
      ALTER TABLE things ADD COLUMN provisioning_template TEXT;
    `,
  },
  {
    version: 5,
    name: 'remote commands: one row per command, its status and its answer',
    sql: `
      CREATE TABLE commands (
        id TEXT PRIMARY KEY,
        thing_name TEXT NOT NULL,
        store_id TEXT,
        name TEXT NOT NULL,
        params TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'succeeded', 'failed', 'timed-out', 'expired')),
        requested_by TEXT NOT NULL,
        requested_at INTEGER NOT NULL,
        sent_at INTEGER,
        completed_at INTEGER,
        expires_at INTEGER NOT NULL,
        result TEXT,
        error TEXT
      );
      CREATE INDEX commands_thing ON commands(thing_name, requested_at);
      -- only pending commands are looked up by status (at start, and when a device subscribes)
      CREATE INDEX commands_pending ON commands(status, thing_name) WHERE status IN ('queued', 'sent');
    `,
  },
  {
    version: 6,
    name: 'alerts (one non-resolved alert per device and cause key) and alert rules',
    sql: `
      CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        thing_name TEXT NOT NULL,
        store_id TEXT,
        device_kind TEXT,
        cause TEXT NOT NULL CHECK (cause IN ('battery-low', 'offline', 'temperature-high', 'fault')),
        -- the cause, or 'fault:{code}': one open alert per fault code
        cause_key TEXT NOT NULL,
        severity TEXT NOT NULL CHECK (severity IN ('warning', 'critical')),
        state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
        message TEXT NOT NULL,
        value, -- no type: a number, or a fault code
        opened_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        acknowledged_at INTEGER,
        acknowledged_by_id TEXT,
        acknowledged_by_name TEXT,
        resolved_at INTEGER,
        resolved_by_id TEXT,
        resolved_by_name TEXT,
        note TEXT
      );
      CREATE UNIQUE INDEX alerts_one_active ON alerts(thing_name, cause_key) WHERE state != 'resolved';
      CREATE INDEX alerts_opened ON alerts(opened_at);
      CREATE INDEX alerts_store_opened ON alerts(store_id, opened_at);
      CREATE INDEX alerts_thing_opened ON alerts(thing_name, opened_at);
      CREATE TABLE alert_rules (
        id TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        cause TEXT NOT NULL,
        device_kind TEXT,
        store_id TEXT,
        severity TEXT NOT NULL,
        threshold REAL,
        clear_threshold REAL,
        for_seconds INTEGER NOT NULL,
        enabled INTEGER NOT NULL
      );
      -- present once a rule set was stored: the defaults are seeded once, and an emptied set stays empty
      CREATE TABLE alert_rule_set (id INTEGER PRIMARY KEY CHECK (id = 1), updated_at INTEGER NOT NULL);
    `,
  },
  {
    version: 8,
    name: 'registry generation: bumped by every change to things, so an in-memory directory knows when to reload',
    sql: `
      CREATE TABLE registry_generation (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
      INSERT INTO registry_generation (id, value) VALUES (1, 0);
      CREATE TRIGGER things_insert_generation AFTER INSERT ON things
        BEGIN UPDATE registry_generation SET value = value + 1 WHERE id = 1; END;
      CREATE TRIGGER things_update_generation AFTER UPDATE ON things
        BEGIN UPDATE registry_generation SET value = value + 1 WHERE id = 1; END;
      CREATE TRIGGER things_delete_generation AFTER DELETE ON things
        BEGIN UPDATE registry_generation SET value = value + 1 WHERE id = 1; END;
    `,
  },
  {
    version: 9,
    name: 'identity generation also follows what policies read from things (type and attributes)',
    // Policies resolve iot:Connection.Thing.ThingTypeName and Attributes[storeId|zoneId|hardwareModel] from these
    // columns (fleet/registry/thing-attributes.ts): moving a thing must re-decide its live connections, whichever
    // process moved it. Only a real change counts: things are updated on every software version report.
    sql: `
      CREATE TRIGGER things_policy_fields_generation AFTER UPDATE OF kind, store_id, zone_id, hardware_model ON things
        WHEN OLD.kind IS NOT NEW.kind OR OLD.store_id IS NOT NEW.store_id OR OLD.zone_id IS NOT NEW.zone_id
          OR OLD.hardware_model IS NOT NEW.hardware_model
        BEGIN UPDATE identity_generation SET value = value + 1 WHERE id = 1; END;
    `,
  },
  {
    version: 10,
    name: 'telemetry ts the fleet would refuse today (non-integer, not positive, ahead of its receipt) set to the receive time',
    // Before the trusted-time rule (fleet/telemetry/trusted-time.ts) any ts was stored, 1e308 included, as a REAL.
    // Such a row would still hold the newest place after every restart; it keeps its metrics and takes the time the
    // fleet received it. 600000 ms is the default `telemetry.maxTsAheadMs`.
    sql: `
      UPDATE telemetry SET ts = received_at
        WHERE typeof(ts) <> 'integer' OR ts < 1 OR ts > received_at + 600000;
    `,
  },
  {
    version: 11,
    name: 'lifecycle versions: the versionNumber of AWS lifecycle events per client id, across fleet restarts',
    sql: `
      CREATE TABLE lifecycle_versions (client_id TEXT PRIMARY KEY, version INTEGER NOT NULL);
    `,
  },
  {
    version: 12,
    name: 'users.role admits attendant (store staff of the smart-cart issue)',
    // SQLite cannot change a CHECK constraint: the table is rebuilt as its ALTER TABLE page says, with foreign keys
    // off so that dropping the old table does not cascade to sessions, tokens and tickets.
    rebuildsTables: true,
    sql: `
      CREATE TABLE users_new (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('hq-admin', 'store-manager', 'technician', 'attendant', 'viewer')),
        store_ids TEXT NOT NULL DEFAULT '[]',
        regions TEXT NOT NULL DEFAULT '[]',
        password_hash TEXT NOT NULL,
        must_change_password INTEGER NOT NULL DEFAULT 0,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        last_login_at INTEGER
      );
      INSERT INTO users_new (id, username, display_name, role, store_ids, regions, password_hash,
          must_change_password, disabled, created_at, updated_at, last_login_at)
        SELECT id, username, display_name, role, store_ids, regions, password_hash,
          must_change_password, disabled, created_at, updated_at, last_login_at FROM users;
      DROP TABLE users;
      ALTER TABLE users_new RENAME TO users;
    `,
  },
  {
    version: 13,
    name: 'catalog: category tree, products, their GTINs (one product each), store price overrides',
    // GTINs are kept as GTIN-13 (commerce/gtin.ts gtin13), so a UPC-A and its 0-prefixed EAN-13 are one key.
    // A PLU belongs to one product (the cart's produce picker and variable-measure labels look products up by it).
    sql: `
      CREATE TABLE categories (
        id TEXT PRIMARY KEY,
        parent_id TEXT REFERENCES categories(id),
        name_zh TEXT NOT NULL,
        name_en TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX categories_parent ON categories(parent_id);
      CREATE TABLE products (
        sku TEXT PRIMARY KEY,
        plu TEXT,
        name_zh TEXT NOT NULL,
        name_en TEXT NOT NULL,
        brand TEXT,
        category_id TEXT NOT NULL REFERENCES categories(id),
        sold_by TEXT NOT NULL CHECK (sold_by IN ('each', 'weight')),
        price_fen INTEGER NOT NULL CHECK (price_fen >= 0),
        nominal_weight_g INTEGER,
        weight_tolerance_g INTEGER,
        tare_g INTEGER,
        min_age INTEGER,
        needs_attendant INTEGER NOT NULL,
        available INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX products_plu ON products(plu) WHERE plu IS NOT NULL;
      CREATE INDEX products_category ON products(category_id);
      CREATE TABLE product_gtins (
        gtin TEXT PRIMARY KEY,
        sku TEXT NOT NULL REFERENCES products(sku) ON DELETE CASCADE,
        position INTEGER NOT NULL
      );
      CREATE INDEX product_gtins_sku ON product_gtins(sku);
      CREATE TABLE store_prices (
        store_id TEXT NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
        sku TEXT NOT NULL REFERENCES products(sku) ON DELETE CASCADE,
        price_fen INTEGER CHECK (price_fen IS NULL OR price_fen >= 0),
        available INTEGER,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL,
        PRIMARY KEY (store_id, sku)
      );
      CREATE INDEX store_prices_sku ON store_prices(sku);
    `,
  },
  {
    version: 14,
    name: 'variable-measure label layouts: a chain setting, kept in the order they were given',
    sql: `
      CREATE TABLE variable_measure_layouts (
        id TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        layout TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL
      );
    `,
  },
  {
    version: 15,
    name: 'promotions: the validated document, its scope and who owns it',
    // `owner` is 'stores' for a promotion written by a store-scoped person (their stores may change it) and 'chain'
    // for one written by a chain-wide role (only chain-wide roles may change it, wherever it runs).
    sql: `
      CREATE TABLE promotions (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        document TEXT NOT NULL,
        store_ids TEXT NOT NULL,
        regions TEXT NOT NULL,
        owner TEXT NOT NULL CHECK (owner IN ('chain', 'stores')),
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL
      );
    `,
  },
  {
    version: 19,
    name: 'pricing snapshots: each store version with its validity interval, digest and (for the last few) its bytes',
    sql: `
      CREATE TABLE pricing_snapshots (
        store_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        content_digest TEXT NOT NULL,
        built_at INTEGER NOT NULL,
        valid_from INTEGER NOT NULL,
        superseded_at INTEGER,
        bytes BLOB,
        PRIMARY KEY (store_id, version)
      );
    `,
  },
  ...orderMigrations,
  ...loyaltyMigrations,
  ...memberAppMigrations,
  ...salesHistoryMigrations,
  ...broadcastDeliveryMigrations,
  ...broadcastAnnouncerMigrations,
  ...broadcastContentMigrations,
  ...broadcastInsertMigrations,
  ...broadcastScheduleMigrations,
  ...otaJobsMigrations,
  ...otaReleaseMigrations,
  ...otaRolloutMigrations,
  ...visionMigrations,
];
