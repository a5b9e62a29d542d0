import type { Migration } from '../../platform/sqlite.ts';

/**
 * The member app's credentials (issue 8 item 4, migration 24): single-use enrolment links made by staff, the PIN
 * each member chose with one, and the app's sessions. Apart from the staff's `sessions`, `api_tokens` and
 * `login_tickets` on purpose: no lookup for a staff credential can ever find a member's. Every secret is stored as
 * its SHA-256 digest, the PIN as a scrypt hash.
 */
export const memberAppMigrations: Migration[] = [
  {
    version: 24,
    name: 'member app: enrolment links, PINs and sessions',
    sql: `
      CREATE TABLE member_app_links (
        token_hash TEXT PRIMARY KEY,
        member_id TEXT NOT NULL REFERENCES members(id),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        -- the staff user who made it (the audit log has the rest)
        created_by TEXT
      );
      CREATE INDEX member_app_links_member ON member_app_links(member_id);
      CREATE TABLE member_app_pins (
        member_id TEXT PRIMARY KEY REFERENCES members(id),
        pin_hash TEXT NOT NULL,
        -- wrong PINs in a row; at the limit the PIN is locked until a new enrolment link sets another
        failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
        set_at INTEGER NOT NULL
      );
      CREATE TABLE member_app_sessions (
        id_hash TEXT PRIMARY KEY,
        member_id TEXT NOT NULL REFERENCES members(id),
        csrf TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        user_agent TEXT
      );
      CREATE INDEX member_app_sessions_member ON member_app_sessions(member_id);
      CREATE INDEX member_app_sessions_expiry ON member_app_sessions(expires_at);
    `,
  },
];
