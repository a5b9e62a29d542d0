import { isWindowOpen } from '../../../commerce/promotion-window.ts';
import type { FieldValues } from '../../../protocol/api/announcer.ts';
import type { Promotion } from '../../../protocol/commerce/promotions.ts';
import { FleetError } from '../../../protocol/errors.ts';
import type { CatalogService } from '../../catalog/catalog-service.ts';
import type { PromotionService } from '../../promotions/promotion-service.ts';
import { runsIn } from '../../promotions/promotion-service.ts';
import type { Store } from '../../registry/registry-types.ts';
import type { StoreRepository } from '../../registry/store-repository.ts';

/** Fills `{product}`, `{price}` and `{promotion}` from the catalog: what `productId` in a speech request means. */
export interface ProductFieldSource {
  /** PRODUCT_NOT_FOUND for an unknown product; `promotion` only when one runs for it at `at`. */
  fieldsFor(productId: string, storeId: string | null, at: number): FieldValues;
}

/**
 * The catalog's answer: the product's name in both languages, its price in the store (the store's override, else the
 * chain's; the chain's for HQ), and the name of the promotion running for it there at that instant (dates, weekdays
 * and hours in the store's zone; the highest priority, then the lowest id, when several do). For HQ (no store) only
 * chain-wide promotions count, judged in the chain's first store's zone, as `GET /api/promotions?activeAt` does.
 */
export class CatalogProductFields implements ProductFieldSource {
  constructor(
    private readonly catalog: CatalogService,
    private readonly promotions: PromotionService,
    private readonly stores: StoreRepository,
  ) {}

  fieldsFor(productId: string, storeId: string | null, at: number): FieldValues {
    const product = this.catalog.getProduct(productId);
    const store = storeId === null ? undefined : this.stores.getStore(storeId);
    if (storeId !== null && !store) throw new FleetError('STORE_NOT_FOUND', `no store '${storeId}'`);
    const override = store ? this.catalog.prices.get(store.id, product.sku) : undefined;
    const fields: FieldValues = { product: product.name, price: override?.priceFen ?? product.priceFen };
    const promotion = this.runningPromotion(product.sku, product.categoryId, store, at);
    if (promotion) fields.promotion = promotion.name;
    return fields;
  }

  private runningPromotion(
    sku: string,
    categoryId: string,
    store: Store | undefined,
    at: number,
  ): Promotion | undefined {
    const zone = (store ?? this.stores.listStores()[0])?.timeZone;
    if (!zone) return undefined;
    const targets = (p: Promotion) => {
      const skus = p.target.skus ?? [];
      const categories = p.target.categoryIds ?? [];
      if (skus.length === 0 && categories.length === 0) return true;
      return skus.includes(sku) || categories.some((c) => this.catalog.categories.subtree(c).includes(categoryId));
    };
    const running = this.promotions.repository
      .all()
      .map((r) => r.promotion)
      .filter((p) => (store ? runsIn(p.scope, store) : p.scope.storeIds.length === 0 && p.scope.regions.length === 0))
      .filter((p) => targets(p) && isWindowOpen(p.window, at, zone))
      .sort((a, b) => b.priority - a.priority || a.id.localeCompare(b.id));
    return running[0];
  }
}
