import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CartConfigSchema } from '../../devices/cart/cart-config.ts';
import {
  adcFromVolts,
  CART_PINS,
  tmp36RawFromCelsius,
  voltageFromBatteryPercent,
} from '../../devices/cart/cart-hardware.ts';
import { CartRuntime } from '../../devices/cart/cart-runtime.ts';
import type { VirtualCartRig } from '../../devices/cart/hardware/virtual-cart-rig.ts';
import { VirtualZoneLocator } from '../../devices/cart/zone-locator.ts';
import { VirtualBoardIO } from '../../devices/core/hardware/virtual-board-io.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { silentLogger } from '../../platform/log.ts';
import type { Product } from '../../protocol/commerce/catalog.ts';
import { type RecognitionBatch, recognitionTopics } from '../../protocol/vision/device-vision.ts';
import type { RecognitionRecord } from '../../protocol/vision/recognition.ts';
import { demoCatalog, loadDemoCatalog } from '../../sim/demo-catalog.ts';
import { encodeGallery } from '../../vision/gallery/gallery-file.ts';
import { randomImage, tinyEmbedder } from '../fixtures/vision/tiny-embedder.ts';
import { eventually, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { FakeCamera, wholeFrameCrops } from '../mocks/fake-camera.ts';

const STORE = 'hf-shanghai-xuhui';
const THING = 'cart-vision-1';
const SIDE = 8;
const EMBEDDING = 16;

const catalog = demoCatalog();
const enrolled = catalog.products
  .filter((p) => p.soldBy === 'each' && p.nominalWeightG !== null && p.minAge === null && !p.needsAttendant)
  .slice(0, 12);
const ITEM = enrolled[3] as Product;
const look = (product: Product) => randomImage(SIDE, 1000 + enrolled.indexOf(product));

/**
 * A drop recognised end to end on a real cart runtime (issue 11 items 5–7): the real fleet and broker, the cart's
 * runtime on virtual hardware (its virtual scale really settles), a camera double that shows the product's look, a
 * real ONNX embedder run by the cart's SwappableModel in its worker thread, a real gallery file built from that
 * model's embeddings and opened in onnxruntime by the cart's SwappableGallery, the fusion rule; the item lands in
 * the basket by camera and weight, and its record reaches the fleet on the recognitions topic through the outbox.
 */
describe('a drop recognised end to end on a real cart (virtual scale, camera double, real ONNX model and gallery)', function () {
  this.timeout(120_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let cart: CartRuntime;
  let rig: VirtualCartRig;
  let camera: FakeCamera;
  const received: RecognitionRecord[] = [];

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(join(dir.path, 'fleet'), { seedDemoData: true });
    await loadDemoCatalog(fleet.services);
    await fleet.services.pricing.flush();
    fleet.services.broker.onMessage(recognitionTopics.filter(), (_topic, payload) => {
      received.push(...(JSON.parse(payload.toString()) as RecognitionBatch).records);
    });
    const registration = await fleet.services.registry.registerDevice({
      thingName: THING,
      kind: 'cart',
      hardwareModel: 'SC-200',
      storeId: STORE,
    });
    const io = new VirtualBoardIO();
    io.setAnalogInput(0, adcFromVolts(voltageFromBatteryPercent(80)));
    io.setAnalogInput(1, tmp36RawFromCelsius(24));
    io.setDigitalInput(CART_PINS.dockContact, false);
    const config = CartConfigSchema.parse({
      thingName: THING,
      endpoint: { host: 'localhost', port: fleet.services.broker.tlsPort },
      certDir: join(dir.path, THING),
      dataDir: join(dir.path, THING, 'data'),
      reconnect: { minSeconds: 1, maxSeconds: 1 },
      telemetryIntervalMs: 60_000,
      healthIntervalMs: 60_000,
      screen: { enabled: false },
      scanner: { kind: 'virtual', misreadRate: 0 },
    });
    camera = new FakeCamera(SIDE, SIDE);
    camera.showImage(new Uint8Array(SIDE * SIDE * 3).fill(90)); // the empty basket
    cart = new CartRuntime(
      config,
      {
        certificatePem: registration.certificate.certificatePem,
        privateKeyPem: registration.certificate.privateKeyPem,
        caPem: registration.caPem,
      },
      new VirtualZoneLocator(),
      silentLogger(),
      io,
      { vision: { camera, crops: wholeFrameCrops } },
    );
    await cart.start();
    rig = cart.virtualRig as VirtualCartRig;
    await eventually(() => cart.snapshots.current, 20_000, "the store's pricing snapshot on the cart");

    // The model a model release would install, then the store's gallery built with it (what the fleet would ship).
    const model = tinyEmbedder(dir.path, SIDE, EMBEDDING);
    await cart.model.swap(model.file, model.metadata, { name: 'product-embedder', version: '1.0.0' });
    const matrix = await model.embed(enrolled.map(look));
    const gallery = encodeGallery(
      {
        schema: 1,
        storeId: STORE,
        version: 1,
        createdAt: Date.now(),
        model: { name: 'product-embedder', version: '1.0.0', embeddingSize: EMBEDDING },
        products: enrolled.map((p) => ({ sku: p.sku, label: p.name, plu: null, photos: 1 })),
        metric: 'cosine',
      },
      matrix,
      enrolled.map(() => null),
    );
    const file = join(dir.path, 'gallery.cfgal');
    writeFileSync(file, gallery);
    await cart.gallery.swap(file);
    assert.deepEqual(cart.recognizer.status(), { state: 'ready', reason: null });
  });

  after(async () => {
    await cart?.stop();
    await fleet?.stop();
    dir?.cleanup();
  });

  it('the scale settles on an item nobody scanned, the camera and the model name it, the basket adds it, the fleet gets the record', async () => {
    await cart.shop.act({ type: 'start' });
    camera.showImage(look(ITEM));
    rig.putItem(ITEM.nominalWeightG as number, 'placed');
    const line = await eventually(
      () => cart.shop.state().lines.find((l) => l.sku === ITEM.sku),
      20_000,
      'the recognised item in the basket',
    );
    assert.equal(line.source, 'vision');
    assert.equal(line.confirmedQuantity, 1);
    assert.equal(cart.shop.state().prompt, null);

    const record = await eventually(
      () => received.find((r) => r.decision.kind === 'add'),
      20_000,
      'the record on the recognitions topic',
    );
    assert.equal(record.thingName, THING);
    assert.equal(record.storeId, STORE);
    assert.equal(record.decision.kind === 'add' && record.decision.sku, ITEM.sku);
    assert.equal(record.evidence.candidates[0]?.sku, ITEM.sku);
    assert.ok((record.evidence.candidates[0]?.similarity ?? 0) > 0.999, 'the same look as its enrolment');
    assert.equal(record.evidence.modelVersion, '1.0.0');
    assert.equal(record.evidence.galleryVersion, 1);
    assert.ok(Math.abs((record.evidence.weightDeltaG ?? 0) - (ITEM.nominalWeightG as number)) < 10);
  });

  it('a camera failure: barcode-only in the shadow and a CAMERA_UNAVAILABLE fault the alert rules raise; the scan prompt works as before', async () => {
    camera.fail('ffmpeg-exited', 'ffmpeg exited with code 1: /dev/video0: No such device');
    await eventually(() => cart.recognizer.status().state === 'barcode-only', 5000);
    const vision = () =>
      fleet.services.shadows.find(THING)?.state.reported?.vision as Record<string, unknown> | undefined;
    await eventually(() => vision()?.state === 'barcode-only', 20_000, 'barcode-only in the shadow');
    assert.equal(vision()?.reason, 'ffmpeg-exited: ffmpeg exited with code 1: /dev/video0: No such device');
    assert.equal(vision()?.model, 'product-embedder@1.0.0');
    assert.equal(vision()?.galleryVersion, 1);
    const alert = await eventually(
      () =>
        fleet.services.alerts
          .list({ thingName: THING, storeIds: null, state: 'active', limit: 20, offset: 0 })
          .items.find((a) => a.cause === 'fault'),
      20_000,
      'the fault alert',
    );
    assert.match(JSON.stringify(alert), /CAMERA_UNAVAILABLE/);
    const other = enrolled[5] as Product;
    camera.showImage(look(other));
    rig.putItem(other.nominalWeightG as number, 'placed');
    await eventually(() => cart.shop.state().prompt?.kind === 'scan-added', 20_000, 'the scan prompt');
    assert.equal(rig.presentBarcode(other.gtins[0] as string), 'read');
    await eventually(
      () => cart.shop.state().lines.some((l) => l.sku === other.sku && l.source === 'scan'),
      20_000,
      'the scanned item',
    );
    camera.recover();
    await eventually(() => vision()?.state === 'ready', 20_000, 'ready again in the shadow');
    await eventually(
      () =>
        !fleet.services.alerts
          .list({ thingName: THING, storeIds: null, state: 'active', limit: 20, offset: 0 })
          .items.some((a) => a.cause === 'fault'),
      20_000,
      'the fault alert cleared',
    );
  });

  it('a new model whose embeddings the gallery does not hold pauses recognition (reported), never searching across spaces; its gallery resumes it', async () => {
    const wider = tinyEmbedder(dir.path, SIDE, EMBEDDING * 2, 12);
    await cart.model.swap(wider.file, wider.metadata, { name: 'product-embedder', version: '2.0.0' });
    await eventually(() => cart.recognizer.status().state === 'paused', 5000, 'recognition paused');
    assert.match(cart.recognizer.status().reason ?? '', /16 dimensions, the model makes 32/);
    const vision = () =>
      fleet.services.shadows.find(THING)?.state.reported?.vision as Record<string, unknown> | undefined;
    await eventually(() => vision()?.state === 'paused', 20_000, 'paused in the shadow');
    assert.equal(vision()?.model, 'product-embedder@2.0.0');

    const before = received.length;
    const item = enrolled[7] as Product;
    camera.showImage(look(item));
    rig.putItem(item.nominalWeightG as number, 'placed');
    await eventually(() => cart.shop.state().prompt?.kind === 'scan-added', 20_000, 'the scan prompt');
    assert.equal(received.length, before, 'no decision without a gallery of this model');
    assert.equal(rig.presentBarcode(item.gtins[0] as string), 'read');
    await eventually(() => cart.shop.state().prompt === null, 20_000, 'scanned');

    const matrix = await wider.embed(enrolled.map(look));
    const file = join(dir.path, 'gallery-2.cfgal');
    writeFileSync(
      file,
      encodeGallery(
        {
          schema: 1,
          storeId: STORE,
          version: 2,
          createdAt: Date.now(),
          model: { name: 'product-embedder', version: '2.0.0', embeddingSize: EMBEDDING * 2 },
          products: enrolled.map((p) => ({ sku: p.sku, plu: null, photos: 1 })),
          metric: 'cosine',
        },
        matrix,
        enrolled.map(() => null),
      ),
    );
    await cart.gallery.swap(file);
    await eventually(() => cart.recognizer.status().state === 'ready', 5000, 'recognition resumed');
    const next = enrolled[9] as Product;
    camera.showImage(look(next));
    rig.putItem(next.nominalWeightG as number, 'placed');
    await eventually(
      () => cart.shop.state().lines.some((l) => l.sku === next.sku && l.source === 'vision'),
      20_000,
      'recognised with the new model and its gallery',
    );
  });
});
