import assert from 'node:assert/strict';
import { Planogram } from '../../../fleet/vision/planogram.ts';

const categories = [
  { id: 'food', parentId: null, name: { zh: '食品', en: 'Food' } },
  { id: 'dairy', parentId: 'food', name: { zh: '乳品', en: 'Dairy' } },
  { id: 'yoghurt', parentId: 'dairy', name: { zh: '酸奶', en: 'Yoghurt' } },
  { id: 'drinks', parentId: null, name: { zh: '饮料', en: 'Drinks' } },
];

describe('Planogram', () => {
  it('shelves a product by its SKU, its category or any category above it, zones sorted once', () => {
    const planogram = new Planogram(
      [
        { zoneId: 'z-dairy', categoryIds: ['dairy'], skus: [] },
        { zoneId: 'z-promo', categoryIds: [], skus: ['milk-1l'] },
        { zoneId: 'z-aisle', categoryIds: ['food', 'dairy'], skus: ['milk-1l'] },
        { zoneId: 'z-drinks', categoryIds: ['drinks'], skus: [] },
      ],
      categories,
    );
    assert.deepEqual(planogram.zonesOf('milk-1l', 'dairy'), ['z-aisle', 'z-dairy', 'z-promo']);
    assert.deepEqual(planogram.zonesOf('strawberry-cup', 'yoghurt'), ['z-aisle', 'z-dairy']);
    assert.deepEqual(planogram.zonesOf('cola', 'drinks'), ['z-drinks']);
  });

  it('says nothing (no prior) for a product it does not name, an unknown category, or a cycle in the tree', () => {
    const cyclic = [
      { id: 'a', parentId: 'b', name: { zh: 'a', en: 'a' } },
      { id: 'b', parentId: 'a', name: { zh: 'b', en: 'b' } },
    ];
    const planogram = new Planogram([{ zoneId: 'z', categoryIds: ['dairy'], skus: [] }], [...categories, ...cyclic]);
    assert.deepEqual(planogram.zonesOf('soap', 'household'), []);
    assert.deepEqual(planogram.zonesOf('x', 'a'), []);
    assert.deepEqual(planogram.zonesOf('x', null), []);
  });
});
