import type { InventoryDevice } from './inventory.ts';

/**
 * The order in which a rollout reaches its devices, spread across stores. First one device of each store (stores in
 * a seeded order), so a canary of k devices lands in k stores; then each store's other devices evenly along the rest
 * of the sequence (device i of a store of n at (i + u) / n, u a per-store offset in [0, 1)), so every prefix — the
 * first 10 %, half — holds about its share of every store (within 2 devices). A bad release then shows itself in
 * many stores at once instead of taking one store's carts all down. Deterministic for a seed (the rollout's id): the
 * same rollout always picks the same canary, and two rollouts pick different ones.
 */
export function orderDevices<D extends Pick<InventoryDevice, 'thingName' | 'storeId'>>(
  devices: readonly D[],
  seed: string,
): D[] {
  const byStore = new Map<string, D[]>();
  for (const d of devices) {
    const key = d.storeId ?? '';
    let list = byStore.get(key);
    if (!list) {
      list = [];
      byStore.set(key, list);
    }
    list.push(d);
  }
  const keyed: { device: D; key: number; tie: number }[] = [];
  // Below every store's second key ((1 + u) / n ≥ 1 / largest n): the stores' first devices come before the rest.
  const firstSpan = 1 / (Math.max(...[...byStore.values()].map((l) => l.length)) + 1);
  for (const [storeId, list] of byStore) {
    const offset = unit(hash32(`${seed}\u0000store\u0000${storeId}`));
    const shuffled = list
      .map((device) => ({ device, h: hash32(`${seed}\u0000thing\u0000${device.thingName}`) }))
      .sort((a, b) => a.h - b.h || compare(a.device.thingName, b.device.thingName));
    shuffled.forEach(({ device, h }, i) => {
      keyed.push({ device, key: i === 0 ? offset * firstSpan : (i + offset) / list.length, tie: h });
    });
  }
  keyed.sort((a, b) => a.key - b.key || a.tie - b.tie || compare(a.device.thingName, b.device.thingName));
  return keyed.map((k) => k.device);
}

/** FNV-1a, 32 bits: a stable, fast spread of names; nothing here needs a cryptographic hash. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // A final avalanche (murmur3's fmix32): FNV's low bits alone spread names that differ in their last letter badly.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function unit(h: number): number {
  return h / 0x1_0000_0000;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
