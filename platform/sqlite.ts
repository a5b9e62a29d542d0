import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Logger } from './log.ts';

export type SqliteDatabase = BetterSqlite3.Database;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * Runs with foreign-key enforcement off, for a table rebuild (SQLite's ALTER TABLE procedure: "If foreign key
   * constraints are enabled, disable them using PRAGMA foreign_keys=OFF", create the new table, copy, drop the old one,
   * rename, then `PRAGMA foreign_key_check`). Without it, dropping the old table would run its ON DELETE CASCADE
   * actions. The pragma is a no-op inside a transaction, so it is switched outside the migration's transaction.
   */
  rebuildsTables?: boolean;
}

export interface OpenSqliteOptions {
  /**
   * How long a statement waits for another connection's lock once the file is open. better-sqlite3 waits
   * synchronously, blocking the event loop for the whole wait: a server that must keep answering sets a short one
   * (or 0) and retries on a timer instead (the fleet's `DatabaseWriter`). Default 5000 ms, for processes that may
   * block (a CLI, a device's outbox).
   */
  busyTimeoutMs?: number;
}

/** What `busy_timeout` is while the file is opened and migrated: a migration waits for a lock rather than fail. */
const OPEN_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens a SQLite file in WAL mode (readers never block the writer) and brings its schema up to date with numbered,
 * append-only migrations recorded in `schema_migrations`.
 */
export function openSqlite(
  path: string,
  migrations: Migration[],
  log: Logger,
  options: OpenSqliteOptions = {},
): SqliteDatabase {
  mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path);
  db.pragma(`busy_timeout = ${OPEN_BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last transactions.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations, log);
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? OPEN_BUSY_TIMEOUT_MS))}`);
  return db;
}

/**
 * True for SQLite's "another connection holds the lock" errors (`SQLITE_BUSY` and its extended codes), which a
 * later attempt can get past; every other error is a real failure.
 */
export function isSqliteBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_'));
}

export function migrate(db: SqliteDatabase, migrations: Migration[], log: Logger): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at INTEGER)');
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    const enforced = db.pragma('foreign_keys', { simple: true }) === 1;
    if (migration.rebuildsTables && enforced) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        if (migration.rebuildsTables) {
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) {
            throw new Error(
              `migration ${migration.version} broke ${broken.length} foreign key(s): ${JSON.stringify(broken[0])}`,
            );
          }
        }
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
          migration.version,
          migration.name,
          Date.now(),
        );
      })();
    } finally {
      if (migration.rebuildsTables && enforced) db.pragma('foreign_keys = ON');
    }
    log.debug({ version: migration.version, name: migration.name }, 'applied migration');
  }
}
