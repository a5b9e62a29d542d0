import assert from 'node:assert/strict';
import { DEFAULT_TOLERANCE } from '../../../../commerce/weight-expectation.ts';
import { cartFusionCatalog } from '../../../../devices/cart/vision/fusion-catalog.ts';
import type { Product } from '../../../../protocol/commerce/catalog.ts';
import type { GalleryHeader } from '../../../../protocol/vision/gallery.ts';

const product = (sku: string, fields: Partial<Product>): Product => ({
  sku,
  gtins: [],
  plu: null,
  name: { zh: sku, en: sku },
  categoryId: 'grocery',
  soldBy: 'each',
  priceFen: 500,
  nominalWeightG: 500,
  weightToleranceG: null,
  tareG: null,
  minAge: null,
  needsAttendant: false,
  available: true,
  ...fields,
});
const PRODUCTS = [
  product('milk', { nominalWeightG: 1030 }),
  product('apples', { soldBy: 'weight', nominalWeightG: null, plu: '4131', tareG: 6 }),
  product('mystery', { nominalWeightG: null }),
];
const HEADER: GalleryHeader = {
  schema: 1,
  storeId: 'hf-shanghai-xuhui',
  version: 2,
  createdAt: 0,
  model: { name: 'product-embedder', version: '1.0.0', embeddingSize: 8 },
  products: [
    { sku: 'milk', plu: null, photos: 3, thumbnail: null, zones: ['dairy'] },
    { sku: 'apples', plu: '4131', photos: 3, thumbnail: null },
  ],
  metric: 'cosine',
};

describe('cartFusionCatalog: what the fusion rule asks, from the snapshot and the gallery header', () => {
  const catalog = cartFusionCatalog((sku) => PRODUCTS.find((p) => p.sku === sku), HEADER, DEFAULT_TOLERANCE);

  it('weights by the basket’s own rule; none for produce or unknown weights (no veto)', () => {
    assert.deepEqual(catalog.expectedWeight('milk'), { grams: 1030, toleranceG: 52 });
    assert.equal(catalog.expectedWeight('apples'), null);
    assert.equal(catalog.expectedWeight('mystery'), null);
    assert.equal(catalog.expectedWeight('not-sold-here'), null);
  });

  it('produce and its PLU', () => {
    assert.equal(catalog.soldByWeight('apples'), true);
    assert.equal(catalog.soldByWeight('milk'), false);
    assert.equal(catalog.plu('apples'), '4131');
    assert.equal(catalog.plu('milk'), null);
  });

  it('shelf zones from the gallery header: in, elsewhere, or unknown (no prior)', () => {
    assert.equal(catalog.shelvedIn('milk', 'dairy'), true);
    assert.equal(catalog.shelvedIn('milk', 'bakery'), false);
    assert.equal(catalog.shelvedIn('apples', 'produce'), null);
    const bare = cartFusionCatalog((sku) => PRODUCTS.find((p) => p.sku === sku), null, DEFAULT_TOLERANCE);
    assert.equal(bare.shelvedIn('milk', 'dairy'), null);
  });
});
