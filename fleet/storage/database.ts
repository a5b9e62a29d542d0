import { join } from 'node:path';
import type { Logger } from '../../platform/log.ts';
import { openSqlite, type SqliteDatabase } from '../../platform/sqlite.ts';
import { migrations } from './migrations.ts';

export type Database = SqliteDatabase;

/** Opens (creating if needed) the fleet's SQLite file in the data dir, schema up to date. */
export function openDatabase(dataDir: string, log: Logger, file = 'fleet.sqlite'): Database {
  return openSqlite(join(dataDir, file), migrations, log);
}
