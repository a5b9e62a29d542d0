import assert from 'node:assert/strict';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { holdExclusiveLock } from '../../../bench/lib/sqlite-lock.ts';
import { type Database, openDatabase } from '../../../fleet/storage/database.ts';
import { DatabaseWriter } from '../../../fleet/storage/database-writer.ts';
import { silentLogger } from '../../../platform/log.ts';
import { FleetError, isFleetError } from '../../../protocol/errors.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';

/** Lets settled promises run their callbacks. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('DatabaseWriter (a real SQLite file, a second connection holding the lock)', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database;
  let other: BetterSqlite3.Database;
  let clock: FakeClock;
  let writer: DatabaseWriter;

  const insert = (name: string) => () => db.prepare('INSERT INTO t (id) VALUES (?)').run(name).changes;
  const names = () => (db.prepare('SELECT id FROM t ORDER BY rowid').all() as { id: string }[]).map((r) => r.id);

  beforeEach(() => {
    dir = tempDir();
    db = openDatabase(dir.path, silentLogger(), { busyTimeoutMs: 0 });
    db.exec('CREATE TABLE t (id TEXT PRIMARY KEY)');
    other = new BetterSqlite3(join(dir.path, 'fleet.sqlite'));
    clock = new FakeClock();
    writer = new DatabaseWriter(db, { retryMinMs: 5, retryMaxMs: 100, stopWaitMs: 20 }, silentLogger(), clock);
  });

  afterEach(() => {
    writer.stop();
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
    db.close();
    dir.cleanup();
  });

  it('opens the fleet connection with the busy_timeout asked for', () => {
    assert.equal(db.pragma('busy_timeout', { simple: true }), 0);
  });

  it('writes at once when the database is free', async () => {
    const written = writer.write('a', insert('a'));
    assert.deepEqual(names(), ['a'], 'committed before write() returned');
    assert.equal(await written, 1);
    assert.equal(clock.pending, 0, 'no retry timer');
  });

  it('while another connection holds BEGIN EXCLUSIVE: reads go on, writes wait in order and land after', async () => {
    other.exec('BEGIN EXCLUSIVE');
    const landed: string[] = [];
    const writes = ['a', 'b', 'c'].map((name) => writer.write(name, insert(name)).then(() => landed.push(name)));
    assert.deepEqual(names(), [], 'a read of the same file answers while the lock is held');
    clock.advance(1000);
    await settle();
    assert.deepEqual(landed, [], 'nothing lands while the lock is held');
    assert.ok(writer.stats().busyAttempts > 1, 'retried on the timer');
    assert.equal(writer.stats().waiting, 3);

    other.exec('COMMIT');
    clock.advance(100); // the longest backoff
    await Promise.all(writes);
    assert.deepEqual(landed, ['a', 'b', 'c']);
    assert.deepEqual(names(), ['a', 'b', 'c']);
    assert.equal(writer.stats().waiting, 0);
    // Free again: the next write runs at once, without a timer.
    writer.write('d', insert('d'));
    assert.deepEqual(names(), ['a', 'b', 'c', 'd']);
  });

  it('a write with a deadline gives up with STORAGE_BUSY and never lands later', async () => {
    other.exec('BEGIN EXCLUSIVE');
    const late = writer.write('late', insert('late'), { deadlineMs: 300 });
    const after = writer.write('after', insert('after'));
    clock.advance(300);
    await assert.rejects(late, (err) => isFleetError(err, 'STORAGE_BUSY'));
    other.exec('COMMIT');
    clock.advance(100);
    await after;
    assert.deepEqual(names(), ['after'], 'the expired write was taken out of the queue');
    assert.equal(writer.stats().expired, 1);
  });

  it('a write that fails for another reason fails alone; the ones after it land', async () => {
    other.exec('BEGIN EXCLUSIVE');
    const first = writer.write('dup-1', insert('x'));
    const failing = writer.write('dup-2', insert('x')); // primary key taken by the first
    const last = writer.write('y', insert('y'));
    other.exec('COMMIT');
    clock.advance(5);
    await first;
    await assert.rejects(failing, (err) => (err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY');
    await last;
    assert.deepEqual(names(), ['x', 'y']);
  });

  describe('group commit (writes of one event-loop turn in one transaction)', () => {
    const group = { groupCommit: true };

    it("makes the turn's writes after its I/O, together: one transaction, each resolved once committed", async () => {
      const before = writer.stats().transactions;
      const landed: string[] = [];
      const writes = ['a', 'b', 'c'].map((name) =>
        writer.write(name, insert(name), group).then((changes) => landed.push(`${name}:${changes}`)),
      );
      assert.deepEqual(names(), [], 'nothing made before the turn ends');
      assert.equal(writer.blocked, false, 'waiting for the turn is not waiting for a lock');
      await Promise.all(writes);
      assert.deepEqual(landed, ['a:1', 'b:1', 'c:1']);
      assert.deepEqual(names(), ['a', 'b', 'c']);
      assert.equal(writer.stats().transactions - before, 1, 'one commit for the three');
      assert.equal(writer.stats().written, 3);
    });

    it('a write that throws in the group is rolled back alone and rejects alone; the others commit', async () => {
      const before = writer.stats().transactions;
      const first = writer.write('x', insert('x'), group);
      const duplicate = writer.write('x again', insert('x'), group); // primary key taken by the first, same group
      const halfDone = writer.write(
        'inserts then refuses',
        () => {
          db.prepare('INSERT INTO t (id) VALUES (?)').run('half');
          throw new FleetError('ORDER_INVALID', 'refused after a statement');
        },
        group,
      );
      const last = writer.write('y', insert('y'), group);
      assert.equal(await first, 1);
      await assert.rejects(duplicate, (err) => (err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY');
      await assert.rejects(halfDone, (err) => isFleetError(err, 'ORDER_INVALID'));
      assert.equal(await last, 1);
      assert.deepEqual(names(), ['x', 'y'], "the refused write's own insert was rolled back with it");
      assert.equal(writer.stats().transactions - before, 1);
    });

    it('a write without groupCommit makes the waiting group first, in order, before it returns', async () => {
      const grouped = writer.write('g', insert('g'), group);
      const now = writer.write('n', insert('n'));
      assert.deepEqual(names(), ['g', 'n'], 'committed before write() returned, after the group queued before it');
      assert.equal(await grouped, 1);
      assert.equal(await now, 1);
    });

    it('while another connection holds the lock, group writes wait with the others and land in order after', async () => {
      other.exec('BEGIN EXCLUSIVE');
      const plain = writer.write('p', insert('p'));
      const grouped = writer.write('g', insert('g'), group);
      await settle();
      assert.deepEqual(names(), []);
      assert.equal(writer.blocked, true);
      other.exec('COMMIT');
      clock.advance(5);
      await Promise.all([plain, grouped]);
      assert.deepEqual(names(), ['p', 'g']);
    });

    it('stop() makes a group still waiting for its turn', async () => {
      const grouped = writer.write('g', insert('g'), group);
      writer.stop();
      assert.equal(await grouped, 1);
      assert.deepEqual(names(), ['g']);
    });
  });

  it('stop() waits for another process to let go of its lock, then makes what was queued', async () => {
    // Another process, so that its lock can end while this one blocks in stop(); the default stop wait (2 s).
    const patient = new DatabaseWriter(db, { retryMinMs: 5, retryMaxMs: 100 }, silentLogger(), clock);
    const held = await holdExclusiveLock(join(dir.path, 'fleet.sqlite'), 300);
    const answered = patient.write('command answered', insert('answered'));
    await settle();
    assert.deepEqual(names(), [], 'queued while the other process holds the lock');
    patient.stop();
    assert.equal(await answered, 1);
    assert.deepEqual(names(), ['answered'], 'made once the other process let go, within the stop wait');
    assert.equal(db.pragma('busy_timeout', { simple: true }), 0, 'the connection is non-blocking again');
    await held.released;
  });

  it('stop() makes what it can and refuses the rest with STORAGE_BUSY', async () => {
    other.exec('BEGIN EXCLUSIVE');
    const waiting = writer.write('w', insert('w'));
    writer.stop();
    await assert.rejects(waiting, (err) => isFleetError(err, 'STORAGE_BUSY'));
    await assert.rejects(writer.write('z', insert('z')), (err) => isFleetError(err, 'STORAGE_BUSY'));
    assert.equal(clock.pending, 0, 'no timer left behind');
  });
});
