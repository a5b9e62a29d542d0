import type { Product } from '../../protocol/commerce/catalog.ts';
import type { SyntheticProduct } from './synthetic-products.ts';

/**
 * A synthetic product as a catalog entry: what the fusion's weight rule (commerce/weight-expectation.ts), the
 * evaluation and the demo's catalog read. Packaged goods are sold each with their nominal weight and a barcode;
 * produce is sold by weight under a PLU (4 digits from the IFPS-like range 3000–4999) without a barcode.
 */
export function syntheticCatalogProduct(product: SyntheticProduct, categoryId = 'synthetic'): Product {
  const produce = product.kind === 'produce';
  return {
    sku: product.sku,
    gtins: product.gtin ? [product.gtin] : [],
    plu: produce ? String(3000 + (product.index % 2000)) : null,
    name: {
      zh: produce ? product.brand.zh : `${product.brand.zh}${product.variant.zh}`,
      en: produce ? product.brand.en : `${product.brand.en} ${product.variant.en}`,
    },
    brand: produce ? null : product.brand.en,
    categoryId,
    soldBy: produce ? 'weight' : 'each',
    priceFen: produce ? 800 + (product.index % 20) * 100 : 300 + (product.index % 50) * 50,
    nominalWeightG: produce ? null : product.nominalWeightG,
    weightToleranceG: null,
    tareG: produce ? 5 : null,
    minAge: null,
    needsAttendant: false,
    available: true,
  };
}
