import { digest } from '../access/credential-repository.ts';
import type { Database } from '../storage/database.ts';

export interface MemberAppSession {
  memberId: string;
  csrf: string;
  createdAt: number;
  expiresAt: number;
}

export interface MemberPin {
  pinHash: string;
  failures: number;
}

/** The member app's enrolment links, PINs and sessions (migration 24); secrets only as their digests. */
export class MemberAppRepository {
  constructor(private readonly db: Database) {}

  /** A member's new link; their earlier unused links stop working (only the newest one handed over counts). */
  replaceLinks(secret: string, memberId: string, createdAt: number, expiresAt: number, createdBy: string): void {
    this.db.prepare('DELETE FROM member_app_links WHERE member_id = ?').run(memberId);
    this.db
      .prepare(
        'INSERT INTO member_app_links (token_hash, member_id, created_at, expires_at, created_by) VALUES (?, ?, ?, ?, ?)',
      )
      .run(digest(secret), memberId, createdAt, expiresAt, createdBy);
  }

  /** Uses a link up: it works once. */
  takeLink(secret: string, now: number): string | undefined {
    const row = this.db
      .prepare('DELETE FROM member_app_links WHERE token_hash = ? RETURNING member_id, expires_at')
      .get(digest(secret)) as { member_id: string; expires_at: number } | undefined;
    return row && row.expires_at > now ? row.member_id : undefined;
  }

  pin(memberId: string): MemberPin | undefined {
    const row = this.db.prepare('SELECT pin_hash, failures FROM member_app_pins WHERE member_id = ?').get(memberId) as
      | { pin_hash: string; failures: number }
      | undefined;
    return row && { pinHash: row.pin_hash, failures: row.failures };
  }

  setPin(memberId: string, pinHash: string, at: number): void {
    this.db
      .prepare(
        `INSERT INTO member_app_pins (member_id, pin_hash, failures, set_at) VALUES (?, ?, 0, ?)
         ON CONFLICT (member_id) DO UPDATE SET pin_hash = excluded.pin_hash, failures = 0, set_at = excluded.set_at`,
      )
      .run(memberId, pinHash, at);
  }

  /** One more wrong PIN; returns how many in a row now. */
  pinFailed(memberId: string): number {
    const row = this.db
      .prepare('UPDATE member_app_pins SET failures = failures + 1 WHERE member_id = ? RETURNING failures')
      .get(memberId) as { failures: number } | undefined;
    return row?.failures ?? 0;
  }

  pinSucceeded(memberId: string): void {
    this.db.prepare('UPDATE member_app_pins SET failures = 0 WHERE member_id = ? AND failures > 0').run(memberId);
  }

  insertSession(secret: string, session: MemberAppSession, userAgent: string | null): void {
    this.db
      .prepare(
        `INSERT INTO member_app_sessions (id_hash, member_id, csrf, created_at, expires_at, user_agent)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(digest(secret), session.memberId, session.csrf, session.createdAt, session.expiresAt, userAgent);
  }

  findSession(secret: string): MemberAppSession | undefined {
    const row = this.db
      .prepare('SELECT member_id, csrf, created_at, expires_at FROM member_app_sessions WHERE id_hash = ?')
      .get(digest(secret)) as { member_id: string; csrf: string; created_at: number; expires_at: number } | undefined;
    return row && { memberId: row.member_id, csrf: row.csrf, createdAt: row.created_at, expiresAt: row.expires_at };
  }

  deleteSession(secret: string): void {
    this.db.prepare('DELETE FROM member_app_sessions WHERE id_hash = ?').run(digest(secret));
  }

  /** Ends every app session of a member; returns how many. */
  deleteSessionsOf(memberId: string): number {
    return this.db.prepare('DELETE FROM member_app_sessions WHERE member_id = ?').run(memberId).changes;
  }

  deleteExpired(now: number): { sessions: number; links: number } {
    const sessions = this.db.prepare('DELETE FROM member_app_sessions WHERE expires_at <= ?').run(now).changes;
    const links = this.db.prepare('DELETE FROM member_app_links WHERE expires_at <= ?').run(now).changes;
    return { sessions, links };
  }
}
