import { CatalogService } from '../../../fleet/catalog/catalog-service.ts';
import type { FleetEvents } from '../../../fleet/fleet-events.ts';
import { PromotionService } from '../../../fleet/promotions/promotion-service.ts';
import { seedDemoData } from '../../../fleet/registry/demo-seed.ts';
import { StoreRepository } from '../../../fleet/registry/store-repository.ts';
import { type Database, openDatabase } from '../../../fleet/storage/database.ts';
import { DatabaseWriter } from '../../../fleet/storage/database-writer.ts';
import { EventBus } from '../../../platform/event-bus.ts';
import { silentLogger } from '../../../platform/log.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';

/** The catalog and promotion services on a fresh SQLite file with the demo chain's stores, no server. */
export function catalogFixture(options: { importMaxRows?: number } = {}) {
  const dir = tempDir();
  const db = openDatabase(dir.path, silentLogger());
  const clock = new FakeClock();
  const writer = new DatabaseWriter(db, { retryMinMs: 5, retryMaxMs: 50 }, silentLogger(), clock);
  const stores = new StoreRepository(db);
  seedDemoData(stores);
  const bus = new EventBus<FleetEvents>(silentLogger());
  const events: FleetEvents['catalog.changed'][] = [];
  bus.on('catalog.changed', (e) => events.push(e));
  const catalog = new CatalogService(
    db,
    writer,
    stores,
    bus,
    { importMaxBytes: 1_000_000, importMaxRows: options.importMaxRows ?? 1000, writeDeadlineMs: 5000 },
    clock,
  );
  const promotions = new PromotionService(db, writer, catalog, stores, bus, { writeDeadlineMs: 5000 }, clock);
  return {
    db,
    clock,
    stores,
    catalog,
    promotions,
    events,
    close() {
      writer.stop();
      db.close();
      dir.cleanup();
    },
  };
}

/** Every row of every catalog table, update times included: what "nothing changed" is compared on. */
export function catalogTables(db: Database): Record<string, unknown[]> {
  const tables = ['categories', 'products', 'product_gtins', 'store_prices', 'variable_measure_layouts', 'promotions'];
  return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]));
}

export const CATEGORIES_CSV = `id,parent_id,name_zh,name_en
dairy,,乳品,Dairy
dairy-milk,dairy,牛奶,Milk
produce,,生鲜,Produce
`;

/** Three good products: a GTIN-13, a UPC-A plus an EAN-8, and produce by weight with a PLU. */
export const PRODUCTS_CSV = `sku,gtins,plu,name_zh,name_en,brand,category,sold_by,price,nominal_weight_g,tolerance_g,tare_g,min_age,needs_attendant,available
MILK-1L,6901234567892,,全脂牛奶,Whole milk,光明,dairy-milk,each,12.30,1050,30,,,no,yes
MILK-SMALL,036000291452|96385074,,小牛奶,Small milk,,dairy-milk,each,3.5,260,10,,,,
BANANA,,4011,香蕉,Bananas,,produce,weight,7.99,,,5,,,
`;
