import { createHash } from 'node:crypto';
import type { Database } from '../storage/database.ts';

/** SHA-256 of a bearer secret: what the database keeps instead of the secret. Secrets are 256-bit random. */
export function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

export interface SessionRecord {
  userId: string;
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface ApiTokenRecord {
  id: string;
  userId: string;
  name: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
}

interface TokenRow {
  id: string;
  user_id: string;
  name: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
}

/** Browser sessions, API tokens and one-time login tickets, each stored as a digest of its secret. */
export class CredentialRepository {
  constructor(private readonly db: Database) {}

  insertSession(secret: string, session: SessionRecord, ip: string | null, userAgent: string | null): void {
    this.db
      .prepare(
        `INSERT INTO sessions (id_hash, user_id, csrf, created_at, last_seen_at, expires_at, ip, user_agent)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        digest(secret),
        session.userId,
        session.csrf,
        session.createdAt,
        session.lastSeenAt,
        session.expiresAt,
        ip,
        userAgent,
      );
  }

  findSession(secret: string): SessionRecord | undefined {
    const row = this.db
      .prepare('SELECT user_id, csrf, created_at, last_seen_at, expires_at FROM sessions WHERE id_hash = ?')
      .get(digest(secret)) as
      | { user_id: string; csrf: string; created_at: number; last_seen_at: number; expires_at: number }
      | undefined;
    return (
      row && {
        userId: row.user_id,
        csrf: row.csrf,
        createdAt: row.created_at,
        lastSeenAt: row.last_seen_at,
        expiresAt: row.expires_at,
      }
    );
  }

  touchSession(secret: string, at: number): void {
    this.db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?').run(at, digest(secret));
  }

  /** Deletes one session; returns its user, or undefined when there was no such session. */
  deleteSession(secret: string): string | undefined {
    const row = this.db.prepare('DELETE FROM sessions WHERE id_hash = ? RETURNING user_id').get(digest(secret)) as
      | { user_id: string }
      | undefined;
    return row?.user_id;
  }

  /** Deletes a user's sessions, all or all but `exceptSecret`'s; returns the digests of those deleted. */
  deleteSessionsOf(userId: string, exceptSecret?: string): string[] {
    const rows = this.db
      .prepare('DELETE FROM sessions WHERE user_id = ? AND id_hash IS NOT ? RETURNING id_hash')
      .all(userId, exceptSecret === undefined ? null : digest(exceptSecret)) as { id_hash: string }[];
    return rows.map((r) => r.id_hash);
  }

  /**
   * Deletes the sessions past their maximum life (`expires_at <= now`) or unused since `idleBefore` (those can no
   * longer be used either), and the tickets past their life.
   */
  deleteExpired(now: number, idleBefore: number): { sessions: number; tickets: number } {
    const sessions = this.db
      .prepare('DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at < ?')
      .run(now, idleBefore).changes;
    const tickets = this.db.prepare('DELETE FROM login_tickets WHERE expires_at <= ?').run(now).changes;
    return { sessions, tickets };
  }

  insertToken(secret: string, token: ApiTokenRecord): void {
    this.db
      .prepare(
        'INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(token.id, token.userId, token.name, digest(secret), token.createdAt, token.expiresAt);
  }

  findToken(secret: string): ApiTokenRecord | undefined {
    const row = this.db
      .prepare('SELECT id, user_id, name, created_at, expires_at, last_used_at FROM api_tokens WHERE token_hash = ?')
      .get(digest(secret)) as TokenRow | undefined;
    return row && toToken(row);
  }

  touchToken(id: string, at: number): void {
    this.db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(at, id);
  }

  listTokens(userId: string): ApiTokenRecord[] {
    return (
      this.db
        .prepare(
          'SELECT id, user_id, name, created_at, expires_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY created_at',
        )
        .all(userId) as TokenRow[]
    ).map(toToken);
  }

  deleteToken(userId: string, id: string): boolean {
    return this.db.prepare('DELETE FROM api_tokens WHERE id = ? AND user_id = ?').run(id, userId).changes > 0;
  }

  insertTicket(secret: string, userId: string, expiresAt: number): void {
    this.db
      .prepare('INSERT INTO login_tickets (ticket_hash, user_id, expires_at) VALUES (?, ?, ?)')
      .run(digest(secret), userId, expiresAt);
  }

  /** Consumes a ticket: it works once. */
  takeTicket(secret: string, now: number): string | undefined {
    const row = this.db
      .prepare('DELETE FROM login_tickets WHERE ticket_hash = ? RETURNING user_id, expires_at')
      .get(digest(secret)) as { user_id: string; expires_at: number } | undefined;
    return row && row.expires_at > now ? row.user_id : undefined;
  }
}

function toToken(row: TokenRow): ApiTokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
  };
}
