/**
 * Numbered schema migrations. Append only: a migration that has shipped is never edited; a change is a new entry.
 * `schema_migrations` records which ran.
 */
import type { Migration } from '../../platform/sqlite.ts';

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
];
