import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type { FusionCatalog } from '../../../vision/fusion/fusion-input.ts';
import { weightPlausible } from '../../../vision/fusion/weight-gate.ts';

const catalog: FusionCatalog = {
  expectedWeight: (sku) =>
    ({ milk: { grams: 1030, toleranceG: 52 }, yogurt: { grams: 420, toleranceG: 21 } })[sku] ?? null,
  soldByWeight: (sku) => sku === 'apples',
  plu: () => null,
  shelvedIn: () => null,
};

describe('the weight gate (what the gallery is searched among)', () => {
  it('allows a product within its tolerance, produce and unknown weights always, and everything before the scale settles', () => {
    assert.equal(weightPlausible(catalog, 'milk', 1060), true);
    assert.equal(weightPlausible(catalog, 'milk', 1090), false);
    assert.equal(weightPlausible(catalog, 'yogurt', 1060), false);
    assert.equal(weightPlausible(catalog, 'apples', 1060), true);
    assert.equal(weightPlausible(catalog, 'unknown', 1060), true);
    assert.equal(weightPlausible(catalog, 'yogurt', null), true);
  });
});
