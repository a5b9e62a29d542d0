import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Logger } from './log.ts';

export type SqliteDatabase = BetterSqlite3.Database;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Opens a SQLite file in WAL mode (readers never block the writer) and brings its schema up to date with numbered,
 * append-only migrations recorded in `schema_migrations`.
 */
export function openSqlite(path: string, migrations: Migration[], log: Logger): SqliteDatabase {
  mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last transactions.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, migrations, log);
  return db;
}

export function migrate(db: SqliteDatabase, migrations: Migration[], log: Logger): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at INTEGER)');
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        Date.now(),
      );
    })();
    log.debug({ version: migration.version, name: migration.name }, 'applied migration');
  }
}
