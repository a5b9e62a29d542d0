import type { EntryMode } from '../../../protocol/broadcast/layers.ts';
import type { Database } from '../../storage/database.ts';

export interface InsertRecord {
  id: string;
  storeId: string;
  sha256: string;
  title: string;
  bytes: number;
  durationMs: number;
  entry: EntryMode;
  at: number;
  expiresAt: number;
  thingNames: string[] | null;
  createdBy: string;
  createdAt: number;
  cancelledBy: string | null;
  cancelledAt: number | null;
}

export interface EmergencyRecord {
  id: string;
  storeId: string;
  sha256: string;
  title: string;
  bytes: number;
  durationMs: number;
  thingNames: string[] | null;
  startedBy: string;
  startedAt: number;
  clearedBy: string | null;
  clearedAt: number | null;
}

type Row = Record<string, string | number | null>;

const insertOf = (r: Row): InsertRecord => ({
  id: r.id as string,
  storeId: r.store_id as string,
  sha256: r.sha256 as string,
  title: r.title as string,
  bytes: r.bytes as number,
  durationMs: r.duration_ms as number,
  entry: r.entry as EntryMode,
  at: r.at as number,
  expiresAt: r.expires_at as number,
  thingNames: r.thing_names === null ? null : (JSON.parse(r.thing_names as string) as string[]),
  createdBy: r.created_by as string,
  createdAt: r.created_at as number,
  cancelledBy: r.cancelled_by as string | null,
  cancelledAt: r.cancelled_at as number | null,
});

const emergencyOf = (r: Row): EmergencyRecord => ({
  id: r.id as string,
  storeId: r.store_id as string,
  sha256: r.sha256 as string,
  title: r.title as string,
  bytes: r.bytes as number,
  durationMs: r.duration_ms as number,
  thingNames: r.thing_names === null ? null : (JSON.parse(r.thing_names as string) as string[]),
  startedBy: r.started_by as string,
  startedAt: r.started_at as number,
  clearedBy: r.cleared_by as string | null,
  clearedAt: r.cleared_at as number | null,
});

/** `broadcast_inserts` and `broadcast_emergencies` (migration 31). Writes run inside a DatabaseWriter transaction. */
export class InsertRepository {
  constructor(private readonly db: Database) {}

  addInsert(r: InsertRecord): void {
    this.db
      .prepare(
        `INSERT INTO broadcast_inserts (id, store_id, sha256, title, bytes, duration_ms, entry, at, expires_at,
           thing_names, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        r.id,
        r.storeId,
        r.sha256,
        r.title,
        r.bytes,
        r.durationMs,
        r.entry,
        r.at,
        r.expiresAt,
        r.thingNames === null ? null : JSON.stringify(r.thingNames),
        r.createdBy,
        r.createdAt,
      );
  }

  cancelInsert(id: string, by: string, at: number): boolean {
    return (
      this.db
        .prepare(
          'UPDATE broadcast_inserts SET cancelled_by = ?, cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL',
        )
        .run(by, at, id).changes === 1
    );
  }

  getInsert(id: string): InsertRecord | undefined {
    const row = this.db.prepare('SELECT * FROM broadcast_inserts WHERE id = ?').get(id) as Row | undefined;
    return row ? insertOf(row) : undefined;
  }

  /** The store's inserts, newest first; `activeAt`: only those not cancelled and not expired at that time. */
  listInserts(storeId: string, activeAt?: number, limit = 200): InsertRecord[] {
    const rows =
      activeAt === undefined
        ? this.db
            .prepare('SELECT * FROM broadcast_inserts WHERE store_id = ? ORDER BY created_at DESC, id LIMIT ?')
            .all(storeId, limit)
        : this.db
            .prepare(
              `SELECT * FROM broadcast_inserts WHERE store_id = ? AND cancelled_at IS NULL AND expires_at > ?
               ORDER BY at, id LIMIT ?`,
            )
            .all(storeId, activeAt, limit);
    return (rows as Row[]).map(insertOf);
  }

  /** Stores with an insert that was active at some point of (from, to]: their speakers' shadows change at `to`. */
  storesExpiringBetween(from: number, to: number): string[] {
    return (
      this.db
        .prepare('SELECT DISTINCT store_id FROM broadcast_inserts WHERE expires_at > ? AND expires_at <= ?')
        .all(from, to) as { store_id: string }[]
    ).map((r) => r.store_id);
  }

  /** Stores with something live now (an active insert or emergency): re-announced at start. */
  liveStores(now: number): string[] {
    return (
      this.db
        .prepare(
          `SELECT store_id FROM broadcast_inserts WHERE cancelled_at IS NULL AND expires_at > ?
           UNION SELECT store_id FROM broadcast_emergencies WHERE cleared_at IS NULL`,
        )
        .all(now) as { store_id: string }[]
    ).map((r) => r.store_id);
  }

  /** Throws SQLite's UNIQUE constraint error when the store already has an active emergency. */
  addEmergency(r: EmergencyRecord): void {
    this.db
      .prepare(
        `INSERT INTO broadcast_emergencies (id, store_id, sha256, title, bytes, duration_ms, thing_names, started_by,
           started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        r.id,
        r.storeId,
        r.sha256,
        r.title,
        r.bytes,
        r.durationMs,
        r.thingNames === null ? null : JSON.stringify(r.thingNames),
        r.startedBy,
        r.startedAt,
      );
  }

  clearEmergency(storeId: string, by: string, at: number): EmergencyRecord | undefined {
    const active = this.activeEmergency(storeId);
    if (!active) return undefined;
    this.db
      .prepare('UPDATE broadcast_emergencies SET cleared_by = ?, cleared_at = ? WHERE id = ?')
      .run(by, at, active.id);
    return { ...active, clearedBy: by, clearedAt: at };
  }

  activeEmergency(storeId: string): EmergencyRecord | undefined {
    const row = this.db
      .prepare('SELECT * FROM broadcast_emergencies WHERE store_id = ? AND cleared_at IS NULL')
      .get(storeId) as Row | undefined;
    return row ? emergencyOf(row) : undefined;
  }
}
