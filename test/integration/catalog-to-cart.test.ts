import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { COMMERCE_SHADOW } from '../../fleet/pricing/pricing-snapshot-service.ts';
import { silentLogger } from '../../platform/log.ts';
import type { PricingSnapshot } from '../../protocol/commerce/snapshot.ts';
import { SimulatedCart } from '../../sim/simulated-cart.ts';
import { mulberry32 } from '../../sim/simulated-store.ts';
import { CATEGORIES_CSV, PRODUCTS_CSV } from '../fleet/catalog/catalog-fixture.ts';
import {
  type ApiUser,
  apiAs,
  apiUser,
  eventually,
  startFleet,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';
import { FakeClock } from '../mocks/fake-clock.ts';

const A = 'hf-shanghai-xuhui';
const B = 'hf-hangzhou-binjiang';
const DEBOUNCE_MS = 2000;

const priceOf = (snapshot: PricingSnapshot | undefined, sku: string) =>
  snapshot?.products.find((p) => p.sku === sku)?.priceFen;

/**
 * The whole path of a price, with real parts: the catalog API (Fastify, SQLite), `catalog.changed`, the snapshot
 * rebuild debounced on the fleet's clock (a FakeClock: the debounce runs when the test moves it), the announcement
 * in the named shadow `commerce`, MQTT file delivery through the embedded broker over mTLS, and a cart runtime on a
 * virtual board that verifies, stores and uses the new snapshot.
 */
describe('a catalog change reaches the carts of its store, and only them (real fleet, real carts)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let clock: FakeClock;
  let fleet: FleetServer;
  let hq: ApiUser;
  const carts: SimulatedCart[] = [];

  async function register(thingName: string, storeId: string): Promise<TestDevice> {
    const r = await fleet.services.registry.registerDevice({
      thingName,
      kind: 'cart',
      hardwareModel: 'SC-200',
      storeId,
    });
    return {
      thingName,
      certificateId: r.certificate.certificateId,
      certificatePem: r.certificate.certificatePem,
      privateKeyPem: r.certificate.privateKeyPem,
      caPem: r.caPem,
    };
  }

  async function startCart(device: TestDevice, storeId: string): Promise<SimulatedCart> {
    const cart = new SimulatedCart(
      {
        thingName: device.thingName,
        endpoint: { host: 'localhost', port: fleet.services.broker.tlsPort },
        certDir: join(dir.path, device.thingName),
        dataDir: join(dir.path, device.thingName, 'data'),
        telemetryIntervalMs: 60_000,
        healthIntervalMs: 60_000,
      },
      device,
      fleet.services.stores.listZones(storeId),
      { drainPerMinute: 0, chargePerMinute: 0, timeScale: 1 },
      mulberry32(1),
      silentLogger(),
    );
    carts.push(cart);
    await cart.start();
    return cart;
  }

  const csv = (url: string, text: string) =>
    fleet.services.http.instance!.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${hq.token}`, 'content-type': 'text/csv' },
      payload: text,
    });

  /** Runs the debounce timer; resolves once the rebuild it started has announced. */
  async function settleRebuild(): Promise<void> {
    await clock.advanceAsync(DEBOUNCE_MS);
    await fleet.services.pricing.flush();
  }

  before(async () => {
    dir = tempDir();
    clock = new FakeClock();
    fleet = await startFleet(
      join(dir.path, 'fleet'),
      { seedDemoData: true, pricing: { snapshotDebounceMs: DEBOUNCE_MS } },
      { clock },
    );
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    assert.equal((await csv('/api/catalog/import?table=categories', CATEGORIES_CSV)).statusCode, 200);
    const imported = await csv('/api/catalog/import', PRODUCTS_CSV);
    assert.equal(imported.statusCode, 200, imported.body);
    await settleRebuild();
  });

  after(async () => {
    for (const cart of carts) await cart.stop();
    await fleet.stop();
    dir.cleanup();
  });

  it("a store price put through the API is in the store's carts' stored snapshots after the debounce", async () => {
    const cartA = await startCart(await register('cart-e2e-a', A), A);
    const cartB = await startCart(await register('cart-e2e-b', B), B);
    const versionA = fleet.services.pricing.announcement(A)?.version;
    const versionB = fleet.services.pricing.announcement(B)?.version;
    assert.ok(versionA && versionB);
    await eventually(() => cartA.runtime.snapshots.current?.version === versionA, 10_000, 'cart A up to date');
    await eventually(() => cartB.runtime.snapshots.current?.version === versionB, 10_000, 'cart B up to date');
    assert.equal(priceOf(cartA.runtime.snapshots.current, 'MILK-1L'), 1230, 'the imported list price');
    const shadowB = fleet.services.shadows.find('cart-e2e-b', COMMERCE_SHADOW)?.version;

    const put = await apiAs(fleet, hq.token).put(`/api/stores/${A}/prices/MILK-1L`, {
      priceFen: 1190,
      available: null,
    });
    assert.equal(put.statusCode, 200, put.body);
    // Debounced on the fleet clock: nothing is built until it has run its course.
    await clock.advanceAsync(DEBOUNCE_MS - 1);
    assert.equal(fleet.services.pricing.announcement(A)?.version, versionA, 'not rebuilt before the debounce');
    await clock.advanceAsync(1);
    await fleet.services.pricing.flush();
    assert.equal(fleet.services.pricing.announcement(A)?.version, versionA + 1);

    const installed = await eventually(
      () => cartA.runtime.snapshots.current?.version === versionA + 1 && cartA.runtime.snapshots.current,
      10_000,
      'the new snapshot on cart A',
    );
    assert.equal(priceOf(installed, 'MILK-1L'), 1190);
    const stored = JSON.parse(
      gunzipSync(readFileSync(join(dir.path, 'cart-e2e-a', 'data', 'pricing-snapshot.json.gz'))).toString(),
    ) as PricingSnapshot;
    assert.equal(stored.version, versionA + 1);
    assert.equal(priceOf(stored, 'MILK-1L'), 1190);

    // Store B: no new version, no announcement (its commerce shadow did not move), its cart still on its version —
    // checked after store A's cart got the change, which was announced in the same rebuild.
    assert.equal(fleet.services.pricing.announcement(B)?.version, versionB);
    assert.equal(fleet.services.shadows.find('cart-e2e-b', COMMERCE_SHADOW)?.version, shadowB);
    assert.equal(cartB.runtime.snapshots.current?.version, versionB);
    assert.equal(priceOf(cartB.runtime.snapshots.current, 'MILK-1L'), 1230);
  });
});
