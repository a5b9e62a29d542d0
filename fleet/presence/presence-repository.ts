import type { Database } from '../storage/database.ts';

export type PresenceState = 'online' | 'offline';

export interface PresenceRecord {
  clientId: string;
  state: PresenceState;
  sessionId: string | null;
  ipAddress: string | null;
  connectedAt: number | null;
  disconnectedAt: number | null;
  disconnectReason: string | null;
  updatedAt: number;
}

interface PresenceRow {
  client_id: string;
  state: PresenceState;
  session_id: string | null;
  ip_address: string | null;
  connected_at: number | null;
  disconnected_at: number | null;
  disconnect_reason: string | null;
  updated_at: number;
}

/** The last known presence of every client id that ever connected. */
export class PresenceRepository {
  constructor(private readonly db: Database) {}

  markOnline(clientId: string, sessionId: string, ipAddress: string | null, at: number): void {
    this.db
      .prepare(
        `INSERT INTO presence (client_id, state, session_id, ip_address, connected_at, updated_at)
         VALUES (?, 'online', ?, ?, ?, ?)
         ON CONFLICT(client_id) DO UPDATE SET state = 'online', session_id = excluded.session_id,
           ip_address = excluded.ip_address, connected_at = excluded.connected_at, updated_at = excluded.updated_at`,
      )
      .run(clientId, sessionId, ipAddress, at, at);
  }

  markOffline(clientId: string, reason: string, at: number): void {
    this.db
      .prepare(
        `UPDATE presence SET state = 'offline', disconnected_at = ?, disconnect_reason = ?, updated_at = ?
         WHERE client_id = ?`,
      )
      .run(at, reason, at, clientId);
  }

  /** At start every client is offline until it connects again: the broker's connections died with the process. */
  markAllOffline(at: number): void {
    this.db
      .prepare(
        `UPDATE presence SET state = 'offline', disconnected_at = ?, disconnect_reason = 'SERVER_INITIATED_DISCONNECT',
           updated_at = ? WHERE state = 'online'`,
      )
      .run(at, at);
  }

  get(clientId: string): PresenceRecord | undefined {
    const row = this.db.prepare('SELECT * FROM presence WHERE client_id = ?').get(clientId) as PresenceRow | undefined;
    return row && toRecord(row);
  }

  list(): PresenceRecord[] {
    return (this.db.prepare('SELECT * FROM presence ORDER BY client_id').all() as PresenceRow[]).map(toRecord);
  }
}

function toRecord(row: PresenceRow): PresenceRecord {
  return {
    clientId: row.client_id,
    state: row.state,
    sessionId: row.session_id,
    ipAddress: row.ip_address,
    connectedAt: row.connected_at,
    disconnectedAt: row.disconnected_at,
    disconnectReason: row.disconnect_reason,
    updatedAt: row.updated_at,
  };
}
