import assert from 'node:assert/strict';
import { join } from 'node:path';
import { migrations } from '../../../fleet/storage/migrations.ts';
import { silentLogger } from '../../../platform/log.ts';
import { openSqlite } from '../../../platform/sqlite.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';

describe('migration 25: offline staff verifiers and offline approvals', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.cleanup());

  it('keeps the codes made before it, with no verifier (online only), and the queue, with no offline approval', () => {
    const file = join(dir.path, 'fleet.sqlite');
    const before = openSqlite(
      file,
      migrations.filter((m) => m.version < 25),
      silentLogger(),
    );
    before
      .prepare(
        `INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at)
         VALUES ('u1', 'li', 'Li', 'attendant', 'h', 1, 1)`,
      )
      .run();
    before.prepare(`INSERT INTO staff_codes (user_id, code_digest, created_at) VALUES ('u1', 'digest', 1)`).run();
    before
      .prepare(
        `INSERT INTO attendant_requests (id, store_id, thing_name, reason, state, created_at)
         VALUES ('att_aaaaaaaaaaaaaaaa', 's1', 'cart-1', 'age-check', 'open', 1)`,
      )
      .run();
    // Positive control: before the migration there is nowhere to keep a verifier.
    assert.throws(() => before.prepare('SELECT offline_verifier FROM staff_codes').get(), /no such column/);
    before.close();

    const after = openSqlite(file, migrations, silentLogger());
    assert.deepEqual(after.prepare('SELECT * FROM staff_codes').get(), {
      user_id: 'u1',
      code_digest: 'digest',
      created_at: 1,
      offline_salt: null,
      offline_verifier: null,
      offline_params: null,
    });
    const request = after.prepare('SELECT offline_approval FROM attendant_requests').get() as {
      offline_approval: unknown;
    };
    assert.equal(request.offline_approval, null);
    after.close();
  });
});
