import type { Product } from '../protocol/commerce/catalog.ts';
import { appearanceFor } from '../vision/synthetic/appearance.ts';
import type { SyntheticProduct } from '../vision/synthetic/synthetic-products.ts';

/** The synthetic domain the demo's products are drawn in: the embedder's (models/product-embedder/domain.ts). */
export const DEMO_DOMAIN_SEED = 7;

/** Catalog products as the synthetic domain draws them (what the carts' virtual cameras show), cached per SKU. */
export class DemoAppearances {
  private readonly cache = new Map<string, SyntheticProduct>();

  of(product: Product): SyntheticProduct {
    let look = this.cache.get(product.sku);
    if (!look) {
      look = appearanceFor(product, DEMO_DOMAIN_SEED);
      this.cache.set(product.sku, look);
    }
    return look;
  }
}
