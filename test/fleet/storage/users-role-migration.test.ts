import assert from 'node:assert/strict';
import { join } from 'node:path';
import { migrations } from '../../../fleet/storage/migrations.ts';
import { silentLogger } from '../../../platform/log.ts';
import { openSqlite } from '../../../platform/sqlite.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';

describe('migration 12: users.role admits attendant', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.cleanup());

  it('keeps every user with their sessions, tokens and tickets, and then accepts the attendant role', () => {
    const file = join(dir.path, 'fleet.sqlite');
    const before = openSqlite(
      file,
      migrations.filter((m) => m.version < 12),
      silentLogger(),
    );
    before
      .prepare(
        `INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at)
         VALUES ('u1', 'ann', 'Ann', 'store-manager', 'h', 1, 1)`,
      )
      .run();
    before
      .prepare(
        `INSERT INTO sessions (id_hash, user_id, csrf, created_at, last_seen_at, expires_at) VALUES ('s1', 'u1', 'c', 1, 1, 9)`,
      )
      .run();
    before
      .prepare(`INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ('t1', 'u1', 'ci', 'x', 1)`)
      .run();
    // Positive control: before the migration the CHECK refuses the new role.
    assert.throws(
      () =>
        before
          .prepare(
            `INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at)
             VALUES ('u2', 'bo', 'Bo', 'attendant', 'h', 1, 1)`,
          )
          .run(),
      (err: { code?: string }) => err.code === 'SQLITE_CONSTRAINT_CHECK',
    );
    before.close();

    const after = openSqlite(file, migrations, silentLogger());
    const count = (table: string) => (after.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    assert.equal(count('users'), 1);
    assert.equal(count('sessions'), 1, 'dropping the old table did not cascade to sessions');
    assert.equal(count('api_tokens'), 1);
    after
      .prepare(
        `INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at)
         VALUES ('u2', 'bo', 'Bo', 'attendant', 'h', 1, 1)`,
      )
      .run();
    assert.equal(after.pragma('foreign_keys', { simple: true }), 1, 'enforcement is back on');
    // The foreign keys still point at the rebuilt table: deleting a user still removes their sessions.
    after.prepare(`DELETE FROM users WHERE id = 'u1'`).run();
    assert.equal(count('sessions'), 0);
    after.close();
  });
});
