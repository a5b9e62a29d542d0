/**
 * The other process of the points race (points-concurrency.test.ts): a worker thread with its own SQLite connection
 * to the same fleet file, its own DatabaseWriter and LoyaltyService, as a second fleet process would have.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LoyaltyService } from '../../../fleet/loyalty/loyalty-service.ts';
import { PointsLedger } from '../../../fleet/loyalty/points-ledger.ts';
import { StoreRepository } from '../../../fleet/registry/store-repository.ts';
import { openDatabase } from '../../../fleet/storage/database.ts';
import { DatabaseWriter } from '../../../fleet/storage/database-writer.ts';
import { systemClock } from '../../../platform/clock.ts';
import { silentLogger } from '../../../platform/log.ts';
import { isFleetError } from '../../../protocol/errors.ts';

export interface RaceTask {
  dataDir: string;
  mode: 'service' | 'naive';
  memberId: string;
  /** The naive control writes straight into this pool. */
  poolId: string;
  storeId: string;
  holds: number;
  points: number;
  prefix: string;
}

export interface RaceResult {
  held: number;
  refused: Record<string, number>;
  busyAttempts: number;
}

const task = workerData as RaceTask;
const port = parentPort!;
const db = openDatabase(task.dataDir, silentLogger(), { busyTimeoutMs: 0 });
const writer = new DatabaseWriter(db, { retryMinMs: 1, retryMaxMs: 8 }, silentLogger(), systemClock);
const stores = new StoreRepository(db);
const loyalty = new LoyaltyService({
  db,
  writer,
  clock: systemClock,
  timeZoneOf: (id) => stores.getStore(id)?.timeZone,
});

const next = (): Promise<string> => new Promise((resolve) => port.once('message', resolve));

async function serviceRace(): Promise<RaceResult> {
  const result: RaceResult = { held: 0, refused: {}, busyAttempts: 0 };
  // Rounds of 10 carts at once, as the fleet would meet them.
  for (let round = 0; round < task.holds / 10; round++) {
    await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        try {
          await loyalty.points.holdRedemption(task.memberId, task.storeId, `${task.prefix}-${round}-${i}`, task.points);
          result.held++;
        } catch (err) {
          const code = isFleetError(err) ? err.code : String((err as { code?: string }).code ?? err);
          result.refused[code] = (result.refused[code] ?? 0) + 1;
        }
      }),
    );
    // A round of carts every millisecond or so, on both sides: each side's round is one group commit (one
    // transaction), so back to back the side that took the lock first could drain the pool before the other's
    // first retry, and the race would not be run.
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  result.busyAttempts = writer.stats().busyAttempts;
  return result;
}

/** The positive control: check, wait for the other side to check too, then write (no transaction around both). */
async function naiveRace(): Promise<RaceResult> {
  const ledger = new PointsLedger(db);
  const balance = ledger.balance(task.poolId);
  port.postMessage({ read: balance });
  await next();
  let held = 0;
  if (balance >= task.points) {
    ledger.append({
      poolId: task.poolId,
      memberId: task.memberId,
      storeId: task.storeId,
      kind: 'redeem-hold',
      points: -task.points,
      orderId: `${task.prefix}-naive`,
      holdId: `h-${task.prefix}-naive`,
      createdAt: Date.now(),
    });
    held = 1;
  }
  return { held, refused: {}, busyAttempts: 0 };
}

port.postMessage({ ready: true });
await next();
const result = task.mode === 'service' ? await serviceRace() : await naiveRace();
writer.stop();
db.close();
port.postMessage({ done: result });
