/**
 * A cart in its own process for bench/cart-memory.ts: a real cart runtime (SimulatedCart: CartRuntime on a virtual
 * board) connects to the parent's fleet, receives the store's pricing snapshot through its SnapshotStore (MQTT file
 * delivery, verified, stored), and its CartShop builds the pricing context on it (`createPricingContext`). Once the
 * expected version is in use it collects garbage and reports its memory to the parent, then waits to be stopped.
 */
import { join } from 'node:path';
import type { DeviceCredentials } from '../../devices/core/device-config.ts';
import type { Zone } from '../../fleet/registry/registry-types.ts';
import { silentLogger } from '../../platform/log.ts';
import { SimulatedCart } from '../../sim/simulated-cart.ts';
import { mulberry32 } from '../../sim/simulated-store.ts';

export interface CartMemoryTask {
  thingName: string;
  port: number;
  dir: string;
  credentials: DeviceCredentials;
  zones: Zone[];
  version: number;
}

export interface CartMemoryResult {
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  /** The largest RSS the process had, the download and parse included. */
  peakRssBytes: number;
  products: number;
  priced: boolean;
}

const gc = (globalThis as { gc?: () => void }).gc;

process.once('message', async (task: CartMemoryTask) => {
  const cart = new SimulatedCart(
    {
      thingName: task.thingName,
      endpoint: { host: 'localhost', port: task.port },
      certDir: join(task.dir, 'certs'),
      dataDir: join(task.dir, 'data'),
      telemetryIntervalMs: 60_000,
      healthIntervalMs: 60_000,
    },
    task.credentials,
    task.zones,
    { drainPerMinute: 0, chargePerMinute: 0, timeScale: 1 },
    mulberry32(1),
    silentLogger(),
  );
  await cart.start();
  while (cart.runtime.snapshots.current?.version !== task.version) await new Promise((r) => setTimeout(r, 50));
  // Settle: the download's buffers and the parse's garbage are collected, as they would be in the cart's idle time.
  for (let k = 0; k < 3; k++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 200));
  }
  const usage = process.memoryUsage();
  const result: CartMemoryResult = {
    rssBytes: usage.rss,
    heapUsedBytes: usage.heapUsed,
    externalBytes: usage.external,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    products: cart.runtime.snapshots.current?.products.length ?? 0,
    priced: cart.runtime.shop.storeId !== null,
  };
  process.send?.(result);
  process.once('message', async () => {
    await cart.stop();
    process.exit(0);
  });
});
