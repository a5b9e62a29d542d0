import { LoyaltyService } from '../../../fleet/loyalty/loyalty-service.ts';
import { StoreRepository } from '../../../fleet/registry/store-repository.ts';
import { type Database, openDatabase } from '../../../fleet/storage/database.ts';
import { DatabaseWriter } from '../../../fleet/storage/database-writer.ts';
import { silentLogger } from '../../../platform/log.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';

export const SHANGHAI = 'hf-shanghai-xuhui';
export const CHENGDU = 'hf-chengdu-jinjiang';

/** A real fleet database in a temp dir with two stores, the loyalty service on a fake clock. */
export interface LoyaltyFixture {
  dir: ReturnType<typeof tempDir>;
  db: Database;
  clock: FakeClock;
  writer: DatabaseWriter;
  loyalty: LoyaltyService;
  configChanges: number;
  close(): void;
}

export function loyaltyFixture(start?: number): LoyaltyFixture {
  const dir = tempDir('cartfleet-loyalty-');
  const db = openDatabase(dir.path, silentLogger(), { busyTimeoutMs: 0 });
  const stores = new StoreRepository(db);
  stores.upsertChain({ id: 'hf', name: 'Hefeng' });
  const address = { street: '1 Road', city: 'City', postcode: '200000', country: 'CN' };
  stores.upsertStore({
    id: SHANGHAI,
    chainId: 'hf',
    name: 'Xuhui',
    region: 'east',
    timeZone: 'Asia/Shanghai',
    openingHours: {},
    address,
  } as never);
  stores.upsertStore({
    id: CHENGDU,
    chainId: 'hf',
    name: 'Jinjiang',
    region: 'west',
    timeZone: 'Asia/Shanghai',
    openingHours: {},
    address,
  } as never);
  stores.upsertStore({
    id: 'ny-soho',
    chainId: 'hf',
    name: 'SoHo',
    region: 'us',
    timeZone: 'America/New_York',
    openingHours: {},
    address,
  } as never);
  const clock = new FakeClock(start);
  const writer = new DatabaseWriter(db, { retryMinMs: 5, retryMaxMs: 50 }, silentLogger(), clock);
  const fixture: LoyaltyFixture = {
    dir,
    db,
    clock,
    writer,
    configChanges: 0,
    loyalty: new LoyaltyService({
      db,
      writer,
      clock,
      timeZoneOf: (id) => stores.getStore(id)?.timeZone,
      onConfigChanged: () => {
        fixture.configChanges++;
      },
    }),
    close() {
      writer.stop();
      db.close();
      dir.cleanup();
    },
  };
  return fixture;
}

/** The sum of a pool's entries, counted here, not by the ledger's query. */
export function sumOfEntries(db: Database, poolId: string): number {
  const rows = db.prepare('SELECT points FROM points_entries WHERE pool_id = ?').all(poolId) as { points: number }[];
  return rows.reduce((sum, r) => sum + r.points, 0);
}
