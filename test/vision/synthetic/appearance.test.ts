import assert from 'node:assert/strict';
import type { Product } from '../../../protocol/commerce/catalog.ts';
import { demoCatalog } from '../../../sim/demo-catalog.ts';
import {
  APPEARANCE_INDEX_COUNT,
  APPEARANCE_INDEX_FROM,
  appearanceFor,
  produceKindFromName,
} from '../../../vision/synthetic/appearance.ts';

const SEED = 7;

describe('appearanceFor', () => {
  const products = demoCatalog().products;
  const bySku = (sku: string): Product => {
    const product = products.find((p) => p.sku === sku);
    assert.ok(product, sku);
    return product;
  };

  it('is a pure function of the product and the domain seed, in a range no training draws from', () => {
    for (const product of products.slice(0, 40)) {
      const look = appearanceFor(product, SEED);
      assert.deepEqual(appearanceFor(product, SEED), look);
      assert.ok(look.index >= APPEARANCE_INDEX_FROM && look.index < APPEARANCE_INDEX_FROM + APPEARANCE_INDEX_COUNT);
      assert.equal(look.sku, product.sku);
    }
    assert.notDeepEqual(appearanceFor(products[0]!, SEED + 1).palette, appearanceFor(products[0]!, SEED).palette);
  });

  it('prints the catalog text and takes its weight', () => {
    const milk = bySku('DAIRY-MILK-1-1');
    const look = appearanceFor(milk, SEED);
    assert.equal(milk.brand, '光明');
    assert.equal(look.brand.zh, '光明');
    assert.equal(look.variant.zh, milk.name.zh.slice('光明'.length).trim());
    assert.equal(look.variant.en, milk.name.en);
    assert.equal(look.nominalWeightG, milk.nominalWeightG);
    assert.equal(look.gtin, milk.gtins[0]);
    const oatly = appearanceFor(bySku('DAIRY-MILK-5-1'), SEED);
    assert.equal(oatly.brand.en, 'OATLY');
    assert.ok(!oatly.variant.en.startsWith('OATLY'));
  });

  it('products of one brand share the family look; other brands mostly do not', () => {
    const branded = products.filter((p) => p.soldBy === 'each' && p.brand);
    const brands = new Map<string, Product[]>();
    for (const p of branded) brands.set(p.brand!, [...(brands.get(p.brand!) ?? []), p]);
    const shared = [...brands.values()].filter((list) => list.length > 1);
    assert.ok(shared.length >= 5);
    for (const list of shared) {
      const looks = list.map((p) => appearanceFor(p, SEED));
      for (const look of looks) {
        assert.equal(look.family, looks[0]!.family, `${list[0]!.brand}`);
        assert.equal(look.kind, looks[0]!.kind);
        assert.deepEqual(look.logo, looks[0]!.logo);
        assert.equal(look.font, looks[0]!.font);
      }
    }
    const families = new Set([...brands.values()].map((list) => appearanceFor(list[0]!, SEED).family));
    assert.ok(families.size >= brands.size - 1, `${families.size} families for ${brands.size} brands`);
  });

  it('sizes follow the weight, within bounds that keep an item on the basket floor', () => {
    const milk = bySku('DAIRY-MILK-1-1');
    const small = appearanceFor({ ...milk, nominalWeightG: 280 }, SEED);
    const large = appearanceFor({ ...milk, nominalWeightG: 2100 }, SEED);
    assert.equal(small.index, large.index);
    assert.ok(large.size.lengthCm > small.size.lengthCm * 1.3);
    for (const product of products.filter((p) => p.soldBy === 'each')) {
      assert.ok(appearanceFor(product, SEED).size.lengthCm <= 34);
    }
  });

  it('products sold by weight are produce of the kind their name says; packaged goods never are', () => {
    assert.equal(appearanceFor(bySku('PRODUCE-FRUIT-1'), SEED).produce?.kind, 'banana');
    assert.equal(appearanceFor(bySku('PRODUCE-FRUIT-2'), SEED).produce?.kind, 'apple');
    assert.equal(appearanceFor(bySku('PRODUCE-VEGETABLES-1'), SEED).produce?.kind, 'tomato');
    for (const product of products) {
      const look = appearanceFor(product, SEED);
      assert.equal(look.kind === 'produce', product.soldBy === 'weight', product.sku);
      if (look.produce) assert.ok(look.produce.kind);
    }
  });

  it('reads produce kinds from English names', () => {
    assert.equal(produceKindFromName('Organic bananas'), 'banana');
    assert.equal(produceKindFromName('Navel oranges'), 'orange');
    assert.equal(produceKindFromName('Napa cabbage'), 'greens');
    assert.equal(produceKindFromName('Green peppers'), 'pepper');
    assert.equal(produceKindFromName('Kiwifruit'), undefined);
  });
});
