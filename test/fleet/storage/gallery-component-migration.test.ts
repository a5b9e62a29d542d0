import assert from 'node:assert/strict';
import { join } from 'node:path';
import { migrations } from '../../../fleet/storage/migrations.ts';
import { silentLogger } from '../../../platform/log.ts';
import { openSqlite, type SqliteDatabase } from '../../../platform/sqlite.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';

const SHA = 'a'.repeat(64);

function insertRelease(db: SqliteDatabase, id: string, component: string, version: string): void {
  db.prepare(
    `INSERT INTO releases (id, component, name, version, sha256, size, manifest, published_by, published_at)
     VALUES (?, ?, ?, ?, ?, 10, '{}', 'hq', 1)`,
  ).run(id, component, `${component}-line`, version, SHA);
}

function insertRollout(db: SqliteDatabase, id: string, releaseId: string, component: string): void {
  db.prepare(
    `INSERT INTO ota_rollouts (id, name, release_id, component, release_name, version, job_id, state, spec,
       created_by, created_at, updated_at)
     VALUES (?, 'r', ?, ?, 'x', '1.0.0', ?, 'running', '{}', 'hq', 1, 2)`,
  ).run(id, releaseId, component, `job-${id}`);
}

describe('migration 36: OTA releases and rollouts admit the gallery component', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.cleanup());

  it('keeps releases, signatures, deltas and rollouts with their stores, phases and devices; then stores galleries', () => {
    const file = join(dir.path, 'fleet.sqlite');
    const before = openSqlite(
      file,
      migrations.filter((m) => m.version < 36),
      silentLogger(),
    );
    before.prepare(`INSERT INTO release_artifacts (sha256, size, staged_at) VALUES (?, 10, 1)`).run(SHA);
    insertRelease(before, 'rel-1', 'software', '1.0.0');
    insertRelease(before, 'rel-2', 'software', '1.1.0');
    before
      .prepare(
        `INSERT INTO release_signatures (release_id, position, key_id, algorithm, signature) VALUES (?, 0, 'k', 'ed25519', 's')`,
      )
      .run('rel-2');
    before
      .prepare(
        `INSERT INTO release_deltas (release_id, from_release_id, from_sha256, to_sha256, state, created_at)
         VALUES ('rel-2', 'rel-1', ?, ?, 'pending', 1)`,
      )
      .run(SHA, SHA);
    insertRollout(before, 'ro-1', 'rel-2', 'software');
    before.prepare(`INSERT INTO ota_rollout_stores (rollout_id, store_id) VALUES ('ro-1', 's1')`).run();
    before.prepare(`INSERT INTO ota_rollout_phases (rollout_id, phase, started_at) VALUES ('ro-1', 0, 5)`).run();
    before
      .prepare(
        `INSERT INTO ota_rollout_devices (rollout_id, thing_name, store_id, phase, position, status)
         VALUES ('ro-1', 'cart-1', 's1', 0, 0, 'QUEUED')`,
      )
      .run();
    // Positive control: before the migration the CHECKs refuse a gallery.
    for (const attempt of [
      () => insertRelease(before, 'rel-g', 'gallery', '1.0.0'),
      () => insertRollout(before, 'ro-g', 'rel-1', 'gallery'),
    ]) {
      assert.throws(attempt, (err: { code?: string }) => err.code === 'SQLITE_CONSTRAINT_CHECK');
    }
    before.close();

    const after = openSqlite(file, migrations, silentLogger());
    const count = (table: string) => after.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    assert.deepEqual(
      [
        'releases',
        'release_signatures',
        'release_deltas',
        'ota_rollouts',
        'ota_rollout_stores',
        'ota_rollout_phases',
        'ota_rollout_devices',
      ].map(count),
      [2, 1, 1, 1, 1, 1, 1],
      'dropping the old tables cascaded to nothing',
    );
    assert.deepEqual(after.prepare(`SELECT id, version, published_by FROM releases ORDER BY id`).all(), [
      { id: 'rel-1', version: '1.0.0', published_by: 'hq' },
      { id: 'rel-2', version: '1.1.0', published_by: 'hq' },
    ]);
    const indexes = after
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('releases', 'ota_rollouts') AND name NOT LIKE 'sqlite_%' ORDER BY name`,
      )
      .pluck()
      .all();
    assert.deepEqual(indexes, ['ota_rollouts_release', 'ota_rollouts_state', 'releases_component', 'releases_sha256']);
    insertRelease(after, 'rel-g', 'gallery', '1.0.0');
    insertRollout(after, 'ro-g', 'rel-g', 'gallery');
    // Still refused: a component that does not exist; the unique name+version and job id hold.
    assert.throws(
      () => insertRelease(after, 'rel-x', 'firmware', '1.0.0'),
      (err: { code?: string }) => err.code === 'SQLITE_CONSTRAINT_CHECK',
    );
    assert.throws(
      () => insertRelease(after, 'rel-y', 'software', '1.0.0'),
      (err: { code?: string }) => err.code === 'SQLITE_CONSTRAINT_UNIQUE',
    );
    assert.equal(after.pragma('foreign_keys', { simple: true }), 1, 'enforcement is back on');
    // The foreign keys find the rebuilt tables: deleting a release and a rollout still cascades.
    after.prepare(`DELETE FROM release_deltas WHERE release_id = 'rel-2'`).run();
    after.prepare(`DELETE FROM ota_rollouts WHERE id = 'ro-1'`).run();
    assert.equal(count('ota_rollout_devices'), 0);
    assert.equal(count('ota_rollout_phases'), 0);
    after.prepare(`DELETE FROM releases WHERE id = 'rel-2'`).run();
    assert.equal(count('release_signatures'), 0);
    // A signature naming a release that does not exist is refused: the reference resolves to the rebuilt table.
    assert.throws(
      () =>
        after
          .prepare(
            `INSERT INTO release_signatures (release_id, position, key_id, algorithm, signature) VALUES ('nope', 0, 'k', 'ed25519', 's')`,
          )
          .run(),
      (err: { code?: string }) => err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY',
    );
    after.close();
  });
});
