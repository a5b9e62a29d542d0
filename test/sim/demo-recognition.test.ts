import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { silentLogger } from '../../platform/log.ts';
import { mulberry32 } from '../../platform/seeded-random.ts';
import type { Product } from '../../protocol/commerce/catalog.ts';
import type { PricingSnapshot } from '../../protocol/commerce/snapshot.ts';
import { DemoAppearances } from '../../sim/demo-appearances.ts';
import { demoCatalog, loadDemoCatalog } from '../../sim/demo-catalog.ts';
import { SimulatedCart } from '../../sim/simulated-cart.ts';
import { SimulatedShopper } from '../../sim/simulated-shopper.ts';
import { centreSquare, changedRegion, squareCrop } from '../../vision/camera/change-crop.ts';
import { VirtualCamera } from '../../vision/camera/virtual-camera.ts';
import { encodeGallery } from '../../vision/gallery/gallery-file.ts';
import { tinyEmbedder } from '../fixtures/vision/tiny-embedder.ts';
import { eventually, startFleet, tempDir } from '../helpers/fleet-harness.ts';

const STORE = 'hf-shanghai-xuhui';
const SIDE = 16;
const EMBEDDING = 32;

/** Four packaged products far apart in weight: the weight leaves one candidate, the camera must name it. */
function galleryProducts(): Product[] {
  const each = demoCatalog().products.filter(
    (p) => p.soldBy === 'each' && p.gtins.length > 0 && p.minAge === null && !p.needsAttendant && p.nominalWeightG,
  );
  const chosen: Product[] = [];
  for (const p of each.sort((a, b) => (a.nominalWeightG ?? 0) - (b.nominalWeightG ?? 0))) {
    if (chosen.every((c) => Math.abs((c.nominalWeightG ?? 0) - (p.nominalWeightG ?? 0)) > 150)) chosen.push(p);
    if (chosen.length === 4) break;
  }
  return chosen;
}

/**
 * The demo's wiring of product recognition on one real cart runtime (issue 11 item 9): the simulated cart's
 * VirtualCamera (seeded by its name) sees what the simulated shopper's hands drop in, the cart's recognizer crops,
 * embeds and searches it, and the shopper, dropping a packaged item without scanning, watches the basket add it by
 * camera and weight. The model is the tests' tiny ONNX embedder; the gallery is encoded directly from that model's
 * embeddings of the same camera's view of each product's first drop (what enrolment would give for this camera).
 */
describe('the demo’s recognition: a simulated shopper’s unscanned drop on a real cart runtime', function () {
  this.timeout(120_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let cart: SimulatedCart;
  const products = galleryProducts();
  const item = products[2] as Product;

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(join(dir.path, 'fleet'), { seedDemoData: true });
    await loadDemoCatalog(fleet.services);
    await fleet.services.pricing.flush();
    const thingName = 'cart-xuhui-901';
    const registration = await fleet.services.registry.registerDevice({
      thingName,
      kind: 'cart',
      hardwareModel: 'SC-200',
      storeId: STORE,
    });
    const device = {
      certificatePem: registration.certificate.certificatePem,
      privateKeyPem: registration.certificate.privateKeyPem,
      caPem: registration.caPem,
    };
    cart = new SimulatedCart(
      {
        thingName: thingName,
        endpoint: { host: 'localhost', port: fleet.services.broker.tlsPort },
        certDir: join(dir.path, thingName),
        dataDir: join(dir.path, thingName, 'data'),
        telemetryIntervalMs: 60_000,
        healthIntervalMs: 60_000,
        screen: { enabled: false },
        scanner: { kind: 'virtual', misreadRate: 0 },
      },
      device,
      fleet.services.stores.listZones(STORE),
      { drainPerMinute: 0, chargePerMinute: 0, timeScale: 1 },
      mulberry32(1),
      silentLogger(),
      // No hand or blur over the drop: whether a capture shows them depends on how long the scale takes to settle
      // (real time), and the tiny test embedder, a random projection of 16×16 pixels, cannot see past them. The
      // model's robustness to them is measured by its evaluation, not here.
      { camera: { handWindowMs: 0, motionWindowMs: 0 } },
    );
    await cart.start();
    await eventually(() => cart.runtime.snapshots.current, 20_000, 'the pricing snapshot on the cart');
    assert.ok(cart.camera, 'the demo cart has a virtual camera');

    // The gallery: each product as this cart's camera shows a trip's first drop, embedded by the tiny model.
    const model = tinyEmbedder(dir.path, SIDE, EMBEDDING);
    const looks = new DemoAppearances();
    const crops: Uint8Array[] = [];
    for (const product of products) {
      const twin = new VirtualCamera(cart.camera.options);
      await twin.start();
      const empty = await twin.capture(0);
      twin.place(looks.of(product), 1000);
      const frame = await twin.capture(1600);
      crops.push(squareCrop(frame, changedRegion(empty, frame) ?? centreSquare(frame), SIDE, 0.15));
      await twin.stop();
    }
    const file = join(dir.path, 'gallery.cfgal');
    writeFileSync(
      file,
      encodeGallery(
        {
          schema: 1,
          storeId: STORE,
          version: 1,
          createdAt: Date.now(),
          model: { name: 'product-embedder', version: '1.0.0', embeddingSize: EMBEDDING },
          products: products.map((p) => ({ sku: p.sku, label: p.name, plu: null, photos: 3 })),
          metric: 'cosine',
        },
        await model.embed(crops),
        products.map(() => null),
      ),
    );
    await cart.runtime.model.swap(model.file, model.metadata, { name: 'product-embedder', version: '1.0.0' });
    await cart.runtime.gallery.swap(file);
    await eventually(() => cart.recognitionReady(), 10_000, 'recognition ready (camera, model, gallery)');
  });

  let stopTrip: (() => Promise<void>) | undefined;

  after(async () => {
    await stopTrip?.();
    await cart?.stop();
    await fleet?.stop();
    dir?.cleanup();
  });

  it('the shopper drops an item unscanned; the camera and the weight add it (source vision), counted as recognised', async () => {
    const snapshot = cart.runtime.snapshots.current as PricingSnapshot;
    const only = { ...snapshot, products: snapshot.products.filter((p) => p.sku === item.sku) };
    const plan = { items: 1, produce: 0, deli: 0, forgottenScan: 0, removal: 0, beer: 0, dropUnscanned: 1 };
    // A world whose payment never comes: the trip is watched up to its checkout, then cancelled.
    const world = { memberCode: async () => null, pay: async () => undefined };
    const shopper = new SimulatedShopper(cart.runtime.shop, cart, world, () => 0.5, silentLogger(), 20, plan);
    const trip = shopper.trip(only as PricingSnapshot);
    // However the assertions end, the trip does not outlive the test (its waits would keep the process alive).
    stopTrip = async () => {
      shopper.cancel();
      await trip;
    };
    const line = await eventually(
      () => cart.runtime.shop.state().lines.find((l) => l.sku === item.sku),
      30_000,
      'the dropped item in the basket',
    );
    assert.equal(line.source, 'vision', 'added by the camera, not scanned');
    assert.equal(line.confirmedQuantity, 1);
    await eventually(() => shopper.recognition.recognised === 1, 10_000, 'the shopper saw it recognised');
    assert.deepEqual(
      [shopper.recognition.scanned, shopper.recognition.picked, shopper.recognition.misrecognised],
      [0, 0, 0],
    );
    assert.equal(cart.camera?.contents.at(-1)?.product.sku, item.sku, 'the item is in the camera’s scene');
    shopper.cancel();
    await trip;
  });
});
