import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { StatementCache } from '../../platform/statement-cache.ts';

describe('StatementCache (a real in-memory SQLite database)', () => {
  let db: BetterSqlite3.Database;
  let prepared: number;

  beforeEach(() => {
    db = new BetterSqlite3(':memory:');
    db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER)');
    // Counts the real compilations underneath.
    prepared = 0;
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      prepared++;
      return prepare(sql);
    }) as typeof db.prepare;
  });

  afterEach(() => db.close());

  it('prepares a text once and answers the same statement after that', () => {
    const statements = new StatementCache(db);
    const insert = statements.prepare('INSERT INTO t (id, n) VALUES (?, ?)');
    insert.run('a', 1);
    assert.equal(statements.prepare('INSERT INTO t (id, n) VALUES (?, ?)'), insert);
    statements.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run('b', 2);
    assert.equal(prepared, 1);
    assert.deepEqual(statements.prepare('SELECT id, n FROM t ORDER BY id').all(), [
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
    ]);
    assert.equal(prepared, 2);
  });

  it('keeps at most `limit` texts, forgetting the oldest first', () => {
    const statements = new StatementCache(db, 2);
    const first = statements.prepare('SELECT 1');
    statements.prepare('SELECT 2');
    statements.prepare('SELECT 3');
    assert.equal(statements.size, 2);
    assert.notEqual(statements.prepare('SELECT 1'), first, 'the oldest was forgotten and is prepared again');
    assert.equal(prepared, 4);
  });

  it('a kept statement sees a column added after it was prepared (SQLite recompiles it)', () => {
    const statements = new StatementCache(db);
    db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run('a', 1);
    assert.deepEqual(statements.prepare('SELECT * FROM t').get(), { id: 'a', n: 1 });
    db.exec("ALTER TABLE t ADD COLUMN note TEXT DEFAULT 'x'");
    assert.deepEqual(statements.prepare('SELECT * FROM t').get(), { id: 'a', n: 1, note: 'x' });
  });
});
