import assert from 'node:assert/strict';
import type { CartShop } from '../../devices/cart/commerce/cart-shop.ts';
import { silentLogger } from '../../platform/log.ts';
import type { CartScreenState } from '../../protocol/commerce/cart-screen.ts';
import type { PricingSnapshot } from '../../protocol/commerce/snapshot.ts';
import { SimulatedShopper } from '../../sim/simulated-shopper.ts';
import { basketScreenState } from '../mocks/fake-cart-screen-model.ts';

describe('SimulatedShopper', () => {
  it('cancel() ends a trip that waits on the cart at once (a stopping demo is not left hanging)', async () => {
    // A cart that never confirms anything: the shopper waits (up to 30 s) for "item confirmed".
    const state: CartScreenState = { ...basketScreenState(), prompt: { kind: 'place-item', since: 0 } };
    const shop = { state: () => state, act: async () => undefined } as unknown as CartShop;
    const hands = { presentBarcode: () => 'read' as const, putItem() {}, takeItem() {}, push() {}, standStill() {} };
    const world = { memberCode: async () => null, pay: async () => undefined };
    const product = {
      sku: 'A',
      gtins: ['4006381333931'],
      plu: null,
      name: { zh: 'A', en: 'A' },
      categoryId: 'x',
      soldBy: 'each' as const,
      priceFen: 100,
      nominalWeightG: 100,
      weightToleranceG: null,
      tareG: null,
      minAge: null,
      needsAttendant: false,
      available: true,
    };
    const snapshot = { products: [product] } as unknown as PricingSnapshot;
    const plan = { items: 1, produce: 0, deli: 0, forgottenScan: 0, removal: 0, beer: 0 };
    const shopper = new SimulatedShopper(shop, hands, world, () => 0.5, silentLogger(), 5, plan);
    const trip = shopper.trip(snapshot);
    let ended = false;
    void trip.then(() => {
      ended = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(ended, false, 'still waiting for the scale (positive control)');
    shopper.cancel();
    assert.equal(await trip, 'abandoned');
  });
});
