import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from './sqlite.ts';

/** The most statements one cache keeps; beyond it, the oldest is finalized by the GC and prepared again if needed. */
const DEFAULT_LIMIT = 256;

/**
 * A repository's prepared statements, kept by their SQL text. better-sqlite3's `db.prepare()` compiles the SQL on
 * every call (`sqlite3_prepare_v3` and a new `Statement` object); in the checkout burst's profile (docs/benchmarks.md)
 * that was the largest native self time. A statement prepared once and run many times is how SQLite means statements
 * to be used ("prepare once, step and reset many times": https://www.sqlite.org/cintro.html), and SQLite recompiles
 * it by itself if the schema changes.
 *
 * For statements a caller runs to completion (`run`, `get`, `all`): an `iterate()` still open makes the statement
 * busy, and the same text asked for again meanwhile would throw, so iterate with `db.prepare()`. A statement's
 * `pluck()`/`raw()`/`expand()` mode stays with it: the text must always be used in the same mode.
 */
export class StatementCache {
  private readonly statements = new Map<string, BetterSqlite3.Statement<unknown[]>>();

  constructor(
    private readonly db: SqliteDatabase,
    private readonly limit = DEFAULT_LIMIT,
  ) {}

  prepare(sql: string): BetterSqlite3.Statement<unknown[]> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      // SQL built from a query's filters has many shapes: keep the most recent ones only.
      if (this.statements.size >= this.limit) this.statements.delete(this.statements.keys().next().value as string);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** How many statements are kept (tests). */
  get size(): number {
    return this.statements.size;
  }
}
