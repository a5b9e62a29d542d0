import { join } from 'node:path';
import type { Logger } from '../../platform/log.ts';
import { type OpenSqliteOptions, openSqlite, type SqliteDatabase } from '../../platform/sqlite.ts';
import { migrations } from './migrations.ts';

export type Database = SqliteDatabase;

/**
 * Opens (creating if needed) the fleet's SQLite file in the data dir, schema up to date. The fleet server passes a
 * short `busyTimeoutMs` and writes through its `DatabaseWriter`; fleetctl keeps the blocking default.
 */
export function openDatabase(dataDir: string, log: Logger, options: OpenSqliteOptions = {}): Database {
  return openSqlite(join(dataDir, 'fleet.sqlite'), migrations, log, options);
}
