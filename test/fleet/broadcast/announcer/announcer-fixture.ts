import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Announcer } from '../../../../fleet/broadcast/announcer/announcer.ts';
import { CatalogProductFields } from '../../../../fleet/broadcast/announcer/product-fields.ts';
import { DatabaseWriter } from '../../../../fleet/storage/database-writer.ts';
import { silentLogger } from '../../../../platform/log.ts';
import type { Promotion } from '../../../../protocol/commerce/promotions.ts';
import { tempDir } from '../../../helpers/fleet-harness.ts';
import { FakeAssetIngest } from '../../../mocks/fake-asset-ingest.ts';
import { FakeSpeech } from '../../../mocks/fake-speech.ts';
import { CATEGORIES_CSV, catalogFixture, PRODUCTS_CSV } from '../../catalog/catalog-fixture.ts';

export const XUHUI = 'hf-shanghai-xuhui';
export const BINJIANG = 'hf-hangzhou-binjiang';
export const HQ = { username: 'hq', storeIds: null };
export const MANAGER_XUHUI = { username: 'manager-xuhui', storeIds: new Set([XUHUI]) };

/** A multi-buy on the milk in Xuhui only, open all the time. */
export function milkPromotion(): Promotion {
  return {
    id: 'milk-3-for-30',
    name: { zh: '买2送1', en: 'Buy 2 get 1 free' },
    kind: 'buy_x_get_y',
    target: { skus: ['MILK-1L'] },
    window: { from: '2020-01-01', to: '2099-12-31' },
    scope: { storeIds: [XUHUI], regions: [] },
    stacking: 'exclusive',
    priority: 5,
    memberOnly: false,
    memberTiers: [],
    couponRequired: false,
    buy: 2,
    get: 1,
    getPercentOff: 100,
  };
}

/** The announcer on a real SQLite file with the demo stores and a small catalog; fake speech and content library. */
export async function announcerFixture() {
  const f = catalogFixture();
  await f.catalog.import({ format: 'csv', text: CATEGORIES_CSV, table: 'categories' }, false);
  await f.catalog.import({ format: 'csv', text: PRODUCTS_CSV, table: 'products' }, false);
  const speech = new FakeSpeech();
  const ingest = new FakeAssetIngest();
  const temp = tempDir('announcer-tmp-');
  const writer = new DatabaseWriter(f.db, { retryMinMs: 5, retryMaxMs: 50 }, silentLogger(), f.clock);
  const announcer = new Announcer(
    {
      db: f.db,
      writer,
      ingest,
      products: new CatalogProductFields(f.catalog, f.promotions, f.stores),
      storeExists: (id) => f.stores.getStore(id) !== undefined,
      clock: f.clock,
      log: silentLogger(),
      speech,
    },
    { speechThreads: 1, tempDir: join(temp.path, 'render'), writeDeadlineMs: 5000 },
  );
  await announcer.start();
  return {
    ...f,
    announcer,
    speech,
    ingest,
    /** Files left in the announcer's temp dir (none, after every render, whatever happened). */
    tempFiles: () => readdirSync(join(temp.path, 'render')),
    announcementRows: () => f.db.prepare('SELECT * FROM announcements ORDER BY id').all(),
    async close() {
      await announcer.stop();
      writer.stop();
      f.close();
      temp.cleanup();
    },
  };
}
