import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { LoyaltyService } from '../../../fleet/loyalty/loyalty-service.ts';
import { PointsLedger } from '../../../fleet/loyalty/points-ledger.ts';
import { StoreRepository } from '../../../fleet/registry/store-repository.ts';
import { openDatabase } from '../../../fleet/storage/database.ts';
import { DatabaseWriter } from '../../../fleet/storage/database-writer.ts';
import { systemClock } from '../../../platform/clock.ts';
import { silentLogger } from '../../../platform/log.ts';
import { isFleetError } from '../../../protocol/errors.ts';
import { type LoyaltyFixture, loyaltyFixture, SHANGHAI, sumOfEntries } from './loyalty-fixture.ts';
import type { RaceResult, RaceTask } from './points-race-worker.ts';

/** A worker thread with its own connection to the same file: a second fleet process, as far as SQLite can tell. */
function otherProcess(task: RaceTask): {
  worker: Worker;
  ready: Promise<void>;
  read: Promise<number>;
  done: Promise<RaceResult>;
} {
  // The worker registers tsx itself before loading the TypeScript file: on Node 20 the loader hooks of the main
  // thread (and an `--import tsx` in execArgv) do not reach a worker's entry point.
  const entry = new URL('./points-race-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(bootstrap, { eval: true, workerData: task });
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  let onRead: (n: number) => void = () => {};
  let onDone: (r: RaceResult) => void = () => {};
  const read = new Promise<number>((resolve) => {
    onRead = resolve;
  });
  const done = new Promise<RaceResult>((resolve, reject) => {
    onDone = resolve;
    worker.once('error', reject);
  });
  worker.on('message', (m: { ready?: boolean; read?: number; done?: RaceResult }) => {
    if (m.ready) onReady();
    if (m.read !== undefined) onRead(m.read);
    if (m.done) onDone(m.done);
  });
  return { worker, ready, read, done };
}

describe('points concurrency: two carts of one family redeem at the same moment', () => {
  let f: LoyaltyFixture;
  let owner: string;
  let child: string;
  let familyId: string;

  beforeEach(async () => {
    f = loyaltyFixture();
    owner = (await f.loyalty.createMember({ displayName: 'Owner' })).id;
    child = (await f.loyalty.createMember({ displayName: 'Child' })).id;
    familyId = (await f.loyalty.createFamily(owner)).id;
    await f.loyalty.addFamilyMember(familyId, child);
    await f.loyalty.points.earn(owner, SHANGHAI, 'o-seed', 5050);
  });
  afterEach(() => f.close());

  it('in one process: 120 holds of 100 at once from both members leave exactly 50 held, never below zero', async () => {
    const transactionsBefore = f.writer.stats().transactions;
    const attempts = Array.from({ length: 120 }, (_, i) =>
      f.loyalty.points.holdRedemption(i % 2 ? owner : child, SHANGHAI, `o-${i}`, 100).then(
        () => 'held',
        (e) => (isFleetError(e) ? e.code : 'other'),
      ),
    );
    const outcomes = await Promise.all(attempts);
    assert.equal(outcomes.filter((o) => o === 'held').length, 50);
    assert.equal(outcomes.filter((o) => o === 'POINTS_INSUFFICIENT').length, 70);
    assert.equal(f.loyalty.points.balance(familyId), 50);
    assert.equal(sumOfEntries(f.db, familyId), 50);
    // All in one group commit: each hold saw the ones before it in the same transaction, and the 70 refused (each
    // rolled back to its own savepoint) undid none of the 50.
    assert.equal(f.writer.stats().transactions - transactionsBefore, 1);
  });

  it('across two connections (another thread, its own SQLite connection and writer): never overdrawn', async () => {
    // 2500 points, 250 holds of 10: less than either side asks for alone, so both holding some shows they raced.
    await f.loyalty.settings.setRedemptionPolicy({
      fenPer100Points: 100,
      maxPercentOfTotal: 50,
      minPoints: 10,
      perStoreDailyLimitPoints: null,
    });
    await f.loyalty.points.holdRedemption(owner, SHANGHAI, 'o-drain', 2500);
    await f.loyalty.points.adjust(owner, -50, 'u-test', 'leave 2500');
    assert.equal(f.loyalty.points.balance(familyId), 2500);
    const other = otherProcess({
      dataDir: f.dir.path,
      mode: 'service',
      memberId: child,
      poolId: familyId,
      storeId: SHANGHAI,
      holds: 300,
      points: 10,
      prefix: 'w',
    });
    // This side: a writer of its own on the real clock, as the fleet process would have.
    const db = openDatabase(f.dir.path, silentLogger(), { busyTimeoutMs: 0 });
    const writer = new DatabaseWriter(db, { retryMinMs: 1, retryMaxMs: 8 }, silentLogger(), systemClock);
    const stores = new StoreRepository(db);
    const here = new LoyaltyService({
      db,
      writer,
      clock: systemClock,
      timeZoneOf: (id) => stores.getStore(id)?.timeZone,
    });
    try {
      await other.ready;
      other.worker.postMessage('go');
      const mine: string[] = [];
      for (let round = 0; round < 30; round++) {
        const outcomes = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            here.points.holdRedemption(owner, SHANGHAI, `m-${round}-${i}`, 10).then(
              () => 'held',
              (e) => (isFleetError(e) ? e.code : String(e)),
            ),
          ),
        );
        mine.push(...outcomes);
        // A round of carts every millisecond or so, on both sides: each side's round is one group commit (one
        // transaction), so back to back the side that took the lock first could drain the pool before the other's
        // first retry, and the race would not be run.
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      const theirs = await other.done;
      const heldHere = mine.filter((o) => o === 'held').length;
      assert.deepEqual(
        mine.filter((o) => o !== 'held' && o !== 'POINTS_INSUFFICIENT'),
        [],
      );
      assert.deepEqual(
        Object.keys(theirs.refused).filter((c) => c !== 'POINTS_INSUFFICIENT'),
        [],
      );
      assert.ok(heldHere > 0 && theirs.held > 0, `both sides raced (here ${heldHere}, there ${theirs.held})`);
      assert.equal(heldHere + theirs.held, 250);
      assert.equal(here.points.balance(familyId), 0);
      assert.equal(sumOfEntries(db, familyId), 0);
    } finally {
      writer.stop();
      db.close();
      await other.worker.terminate();
    }
  });

  it('positive control: the same race with the check outside the write transaction overdraws', async () => {
    await f.loyalty.points.holdRedemption(owner, SHANGHAI, 'o-drain', 5000);
    await f.loyalty.points.adjust(owner, 450, 'u-test', 'the control’s balance: 500');
    const other = otherProcess({
      dataDir: f.dir.path,
      mode: 'naive',
      memberId: child,
      poolId: familyId,
      storeId: SHANGHAI,
      holds: 1,
      points: 500,
      prefix: 'w',
    });
    try {
      await other.ready;
      other.worker.postMessage('go');
      const ledger = new PointsLedger(f.db);
      const balanceHere = ledger.balance(familyId);
      assert.equal(await other.read, 500);
      assert.equal(balanceHere, 500);
      ledger.append({
        poolId: familyId,
        memberId: owner,
        storeId: SHANGHAI,
        kind: 'redeem-hold',
        points: -500,
        orderId: 'o-naive',
        holdId: 'h-naive',
        createdAt: f.clock.now(),
      });
      other.worker.postMessage('write');
      assert.equal((await other.done).held, 1);
      assert.equal(f.loyalty.points.balance(familyId), -500);
    } finally {
      await other.worker.terminate();
    }
  });
});
