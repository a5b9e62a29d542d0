import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Logger } from '../../platform/log.ts';
import { type Migration, migrations as fleetMigrations } from './migrations.ts';

export type Database = BetterSqlite3.Database;

/**
 * Opens (creating if needed) the fleet's SQLite file in the data dir, in WAL mode so readers (API, CLI in another
 * process) never block the writer, and brings the schema up to date.
 */
export function openDatabase(dataDir: string, log: Logger, file = 'fleet.sqlite'): Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new BetterSqlite3(join(dataDir, file));
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last transactions.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, fleetMigrations, log);
  return db;
}

export function migrate(db: Database, migrations: Migration[], log: Logger): void {
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
    log.info({ version: migration.version, name: migration.name }, 'applied migration');
  }
}
