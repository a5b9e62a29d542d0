import type { Clock } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import { UpliftService, type UpliftSources } from '../broadcast/uplift/uplift-service.ts';
import type { CatalogService } from '../catalog/catalog-service.ts';
import type { FleetEvents } from '../fleet-events.ts';
import { storeDay } from '../loyalty/store-day.ts';
import type { StoreRepository } from '../registry/store-repository.ts';
import type { Database } from '../storage/database.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';
import { SalesDayRepository } from './sales-day-repository.ts';
import { SalesHistoryImport } from './sales-history-import.ts';
import { SalesRollup } from './sales-rollup.ts';

export interface SalesParts {
  repository: SalesDayRepository;
  rollup: SalesRollup;
  history: SalesHistoryImport;
  uplift: UpliftService;
}

/**
 * Sales analytics: the daily rollup of cart orders, the point-of-sale history import, and the promo uplift report that
 * reads both. `promos` is the broadcast side (which products were promoted where, and what played).
 */
export function composeSales(deps: {
  db: Database;
  writer: DatabaseWriter;
  bus: EventBus<FleetEvents>;
  stores: StoreRepository;
  catalog: CatalogService;
  clock: Clock;
  log: Logger;
  promos: Pick<UpliftSources, 'placements' | 'plays'>;
}): SalesParts {
  const { db, writer, stores, catalog, clock } = deps;
  const repository = new SalesDayRepository(db);
  const today = (storeId: string) => storeDay(clock.now(), stores.getStore(storeId)?.timeZone ?? 'UTC').day;
  const rollup = new SalesRollup({
    db,
    writer,
    repository,
    bus: deps.bus,
    timeZoneOf: (storeId) => stores.getStore(storeId)?.timeZone,
    clock,
    log: deps.log,
    debounceMs: 1_000,
  });
  const history = new SalesHistoryImport({
    writer,
    repository,
    storeExists: (storeId) => stores.getStore(storeId) !== undefined,
    todayIn: today,
  });
  const uplift = new UpliftService(repository, {
    placements: deps.promos.placements,
    plays: deps.promos.plays,
    today,
    product: (sku) => {
      const product = catalog.products.get(sku);
      if (!product) return undefined;
      return {
        name: product.name.zh,
        peers: catalog.products.skusInCategory(product.categoryId),
      };
    },
  });
  return { repository, rollup, history, uplift };
}
