import assert from 'node:assert/strict';
import { orderDevices } from '../../../ota/rollout/device-order.ts';

const fleet = (stores: Record<string, number>) =>
  Object.entries(stores).flatMap(([storeId, n]) =>
    Array.from({ length: n }, (_, i) => ({ thingName: `cart-${storeId}-${String(i).padStart(3, '0')}`, storeId })),
  );

describe('rollout device order', () => {
  it('is a permutation, the same for the same seed and different for another', () => {
    const devices = fleet({ a: 30, b: 12, c: 7 });
    const one = orderDevices(devices, 'ro-1').map((d) => d.thingName);
    assert.deepEqual([...one].sort(), devices.map((d) => d.thingName).sort());
    assert.deepEqual(
      orderDevices([...devices].reverse(), 'ro-1').map((d) => d.thingName),
      one,
      'input order ignored',
    );
    assert.notDeepEqual(
      orderDevices(devices, 'ro-2').map((d) => d.thingName),
      one,
    );
  });

  it('takes one device of each store first, then keeps every prefix within 2 devices of each store’s share (brute force over shapes)', () => {
    const shapes: Record<string, number>[] = [
      { a: 10, b: 10, c: 10, d: 10 },
      { big: 400, small: 3, mid: 60 },
      Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`s${i}`, 10])),
      Object.fromEntries(Array.from({ length: 37 }, (_, i) => [`s${i}`, 1 + ((i * 7) % 23)])),
    ];
    for (const [n, shape] of shapes.entries()) {
      const devices = fleet(shape);
      const total = devices.length;
      for (const seed of ['ro-a', 'ro-b', 'ro-c']) {
        const order = orderDevices(devices, seed);
        const stores = Object.keys(shape).length;
        assert.equal(new Set(order.slice(0, stores).map((d) => d.storeId)).size, stores, 'one of each store first');
        const seen = new Map<string, number>();
        order.forEach((d, k) => {
          seen.set(d.storeId, (seen.get(d.storeId) ?? 0) + 1);
          for (const [storeId, size] of Object.entries(shape)) {
            const share = ((k + 1) * size) / total;
            const got = seen.get(storeId) ?? 0;
            assert.ok(
              Math.abs(got - share) <= 2,
              `shape ${n} seed ${seed}: ${storeId} has ${got} of the first ${k + 1}, share ${share}`,
            );
          }
        });
      }
    }
  });

  it('a canary of 3 lands in 3 stores even when one store has most of the devices', () => {
    const order = orderDevices(fleet({ big: 600, mid: 30, small: 2 }), 'ro-x');
    assert.equal(new Set(order.slice(0, 3).map((d) => d.storeId)).size, 3);
  });

  it('devices without a store are one group of their own', () => {
    const devices = [
      ...fleet({ a: 4 }),
      { thingName: 'loose-1', storeId: null },
      { thingName: 'loose-2', storeId: null },
    ];
    const order = orderDevices(devices, 'ro-1');
    assert.equal(order.length, 6);
    assert.equal(order.filter((d) => d.storeId === null).length, 2);
  });
});
