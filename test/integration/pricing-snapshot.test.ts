import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gunzipSync } from 'node:zlib';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { snapshotStreamId } from '../../fleet/pricing/pricing-snapshot-service.ts';
import { RegistrySnapshotSource } from '../../fleet/pricing/snapshot-source.ts';
import { silentLogger } from '../../platform/log.ts';
import type { Product } from '../../protocol/commerce/catalog.ts';
import type { FleetError } from '../../protocol/errors.ts';
import { streamTopics } from '../../protocol/topics.ts';
import { SimulatedCart } from '../../sim/simulated-cart.ts';
import { mulberry32 } from '../../sim/simulated-store.ts';
import { eventually, mqttJsClient, startFleet, type TestDevice, tempDir } from '../helpers/fleet-harness.ts';

const XUHUI = 'hf-shanghai-xuhui';
const BINJIANG = 'hf-hangzhou-binjiang';

function product(sku: string, priceFen: number): Product {
  return {
    sku,
    gtins: [],
    plu: null,
    name: { zh: `商品${sku}`, en: `Item ${sku}` },
    categoryId: 'dairy',
    soldBy: 'each',
    priceFen,
    nominalWeightG: null,
    weightToleranceG: null,
    tareG: null,
    minAge: null,
    needsAttendant: false,
    available: true,
  };
}

describe('pricing snapshot: built, announced, downloaded over MQTT file delivery, kept offline', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let products: Product[] = [product('A1', 1000), product('A2', 250)];
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

  function cart(device: TestDevice, port: number): SimulatedCart {
    const c = new SimulatedCart(
      {
        thingName: device.thingName,
        endpoint: { host: 'localhost', port },
        certDir: join(dir.path, device.thingName),
        dataDir: join(dir.path, device.thingName, 'data'),
        telemetryIntervalMs: 60_000,
        healthIntervalMs: 60_000,
      },
      device,
      fleet.services.stores.listZones(XUHUI),
      { drainPerMinute: 0, chargePerMinute: 0, timeScale: 1 },
      mulberry32(1),
      silentLogger(),
    );
    carts.push(c);
    return c;
  }

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(
      join(dir.path, 'fleet'),
      { seedDemoData: true, pricing: { snapshotDebounceMs: 10 } },
      { extensions: { snapshotSource: (stores) => new RegistrySnapshotSource(stores, { products: () => products }) } },
    );
  });

  after(async () => {
    for (const c of carts) await c.stop();
    await fleet.stop();
    dir.cleanup();
  });

  let cartA: TestDevice;
  let cartB: TestDevice;

  it('a cart of the store gets version 1, verified, stored and reported on the commerce shadow', async () => {
    cartA = await register('cart-snap-a', XUHUI);
    cartB = await register('cart-snap-b', BINJIANG);
    const a = cart(cartA, fleet.services.broker.tlsPort);
    await a.start();
    const snapshot = await eventually(() => a.runtime.snapshots.current, 10_000, 'snapshot on the cart');
    assert.equal(snapshot.version, 1);
    assert.equal(snapshot.storeId, XUHUI);
    assert.deepEqual(
      snapshot.products.map((p) => p.sku),
      ['A1', 'A2'],
    );
    const reported = await eventually(
      () => fleet.services.shadows.find('cart-snap-a', 'commerce')?.state.reported?.pricingSnapshot,
      5000,
      'reported snapshot',
    );
    assert.deepEqual(reported, fleet.services.pricing.announcement(XUHUI));
    const stored = JSON.parse(
      gunzipSync(readFileSync(join(dir.path, 'cart-snap-a', 'data', 'pricing-snapshot.json.gz'))).toString(),
    );
    assert.equal(stored.version, 1);
    const v1 = fleet.services.pricing.version(XUHUI, 1);
    assert.ok(v1 && fleet.services.pricing.validAt(XUHUI, 1, v1.validFrom));
    assert.equal(fleet.services.pricing.validAt(XUHUI, 1, v1.validFrom - 1), false);
    await a.stop();
  });

  it("a device asking for another store's stream is refused (Unauthorized); its own store's is described", async () => {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, cartB, 'cart-snap-b');
    try {
      const replies: { topic: string; body: { o?: string; s?: number } }[] = [];
      client.on('message', (topic, payload) => replies.push({ topic, body: JSON.parse(payload.toString()) }));
      await client.subscribeAsync('$aws/things/cart-snap-b/streams/+/+/json');
      const xuhui = snapshotStreamId(XUHUI, 1);
      await client.publishAsync(streamTopics.request('cart-snap-b', xuhui, 'describe'), JSON.stringify({ c: 'x' }));
      const refused = await eventually(
        () => replies.find((r) => r.topic.endsWith(`${xuhui}/rejected/json`)),
        5000,
        'rejection',
      );
      assert.equal(refused.body.o, 'Unauthorized');
      // Positive control: the same request for its own store's stream is answered.
      await fleet.services.pricing.rebuild(BINJIANG);
      const own = snapshotStreamId(BINJIANG, 1);
      await client.publishAsync(streamTopics.request('cart-snap-b', own, 'describe'), JSON.stringify({ c: 'y' }));
      const described = await eventually(
        () => replies.find((r) => r.topic.endsWith(`${own}/description/json`)),
        5000,
        'description',
      );
      assert.equal(described.body.s, 1);
    } finally {
      await client.endAsync();
    }
  });

  it('restarted without network, the cart prices with the stored snapshot', async () => {
    const offline = cart(cartA, 1); // nothing listens on port 1
    await offline.start();
    assert.equal(offline.runtime.snapshots.current?.version, 1);
    assert.equal(offline.runtime.core.connection.online, false);
    await offline.stop();
  });

  it('a corrupted stream is refused with SNAPSHOT_CHECKSUM_MISMATCH and the previous snapshot stays; the next good one installs', async () => {
    products = [...products, product('A3', 990)];
    fleet.bus.emit('catalog.changed', { storeIds: [XUHUI] });
    await fleet.services.pricing.flush();
    const v2 = fleet.services.pricing.version(XUHUI, 2);
    assert.ok(v2?.bytes);
    const tampered = Buffer.from(v2.bytes);
    const middle = Math.floor(tampered.length / 2);
    tampered[middle] = (tampered[middle] ?? 0) ^ 0xff;
    fleet.services.streams.putStream(snapshotStreamId(XUHUI, 2), [{ fileId: 0, bytes: tampered }], {
      audience: { storeId: XUHUI },
    });
    const a = cart(cartA, fleet.services.broker.tlsPort);
    const refused = new Promise<FleetError>((resolve) => a.runtime.snapshots.once('refused', (err) => resolve(err)));
    await a.start();
    assert.equal((await refused).code, 'SNAPSHOT_CHECKSUM_MISMATCH');
    assert.equal(a.runtime.snapshots.current?.version, 1);
    const stored = JSON.parse(
      gunzipSync(readFileSync(join(dir.path, 'cart-snap-a', 'data', 'pricing-snapshot.json.gz'))).toString(),
    );
    assert.equal(stored.version, 1);
    // Positive control: a good next version is installed by the same cart.
    products = [...products, product('A4', 120)];
    fleet.bus.emit('catalog.changed', { storeIds: [XUHUI] });
    const v3 = await eventually(
      () => a.runtime.snapshots.current?.version === 3 && a.runtime.snapshots.current,
      10_000,
      'v3',
    );
    assert.equal(v3.products.length, 4);
    assert.ok(fleet.services.pricing.validAt(XUHUI, 2, fleet.services.pricing.version(XUHUI, 2)!.validFrom));
    assert.equal(
      fleet.services.pricing.version(XUHUI, 2)?.supersededAt,
      fleet.services.pricing.version(XUHUI, 3)?.validFrom,
    );
  });

  it('with --expose-gc (the launcher sets it) the cart collects the replaced snapshot as soon as the next is in use', async () => {
    const a = carts.at(-1) as SimulatedCart;
    // No strong reference here: this function's locals live across its awaits.
    const replaced = new WeakRef(a.runtime.snapshots.current as object);
    assert.equal(a.runtime.snapshots.current?.version, 3);
    // A real full GC, as `node --expose-gc` gives the cart; counted, and taken away again afterwards.
    setFlagsFromString('--expose-gc');
    const realGc = runInNewContext('gc') as () => void;
    setFlagsFromString('--no-expose-gc');
    const global = globalThis as { gc?: () => void };
    const versionsAtGc: (number | undefined)[] = [];
    global.gc = () => {
      versionsAtGc.push(a.runtime.snapshots.current?.version);
      realGc();
    };
    try {
      // Control: a collection while version 3 is in use leaves it alone.
      global.gc();
      assert.ok(replaced.deref(), 'the snapshot in use survives a GC');
      versionsAtGc.length = 0;
      products = [...products, product('A5', 330)];
      fleet.bus.emit('catalog.changed', { storeIds: [XUHUI] });
      await eventually(() => a.runtime.snapshots.current?.version === 4, 10_000, 'v4');
      // Two passes once version 4 is in use, and nothing else holds version 3 any more: it is gone.
      assert.deepEqual(versionsAtGc, [4, 4]);
      assert.equal(replaced.deref(), undefined);
    } finally {
      delete global.gc;
    }
  });
});
