import { expectedWeight, type ToleranceDefaults } from '../../../commerce/weight-expectation.ts';
import type { Product } from '../../../protocol/commerce/catalog.ts';
import type { GalleryHeader } from '../../../protocol/vision/gallery.ts';
import type { FusionCatalog } from '../../../vision/fusion/fusion-input.ts';

/**
 * What the fusion rule asks of products, answered on the cart: weights and produce from the pricing snapshot's
 * products (the basket's own rule, `commerce/weight-expectation.ts`, so vision never adds what the basket would
 * refuse), shelf zones from the gallery header's `zones` (the planogram when the gallery was built). Unknown stays
 * unknown: no weight, no zones → no veto, no prior.
 */
export function cartFusionCatalog(
  product: (sku: string) => Product | undefined,
  gallery: GalleryHeader | null,
  tolerance: ToleranceDefaults,
): FusionCatalog {
  const zones = new Map<string, readonly string[]>();
  for (const p of gallery?.products ?? []) if (p.zones) zones.set(p.sku, p.zones);
  return {
    expectedWeight(sku) {
      const found = product(sku);
      if (!found || found.soldBy === 'weight') return null;
      return expectedWeight(found, 1, {}, tolerance);
    },
    soldByWeight: (sku) => product(sku)?.soldBy === 'weight',
    plu: (sku) => product(sku)?.plu ?? gallery?.products.find((p) => p.sku === sku)?.plu ?? null,
    shelvedIn(sku, zoneId) {
      const shelved = zones.get(sku);
      return shelved ? shelved.includes(zoneId) : null;
    },
  };
}
