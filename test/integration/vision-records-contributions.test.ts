import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type mqttJs from 'mqtt';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type {
  EnrolledProduct,
  FieldAccuracyReport,
  RecognitionRecordPage,
  StoreVision,
} from '../../protocol/api/vision.ts';
import type { Product } from '../../protocol/commerce/catalog.ts';
import { recognitionTopics, visionDevicePaths } from '../../protocol/vision/device-vision.ts';
import type { RecognitionRecord } from '../../protocol/vision/recognition.ts';
import { productPhoto, writeTinyEmbedderDir } from '../fixtures/vision/tiny-image-embedder.ts';
import { answerCode, devicePost } from '../helpers/device-https.ts';
import {
  type ApiUser,
  apiAs,
  apiUser,
  eventually,
  mqttJsClient,
  registerDevice,
  startFleet,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';

const XUHUI = 'hf-shanghai-xuhui';
const BINJIANG = 'hf-hangzhou-binjiang';
const T0 = Date.UTC(2027, 0, 15, 8);

function product(sku: string): Product {
  return {
    sku,
    gtins: [],
    plu: null,
    name: { zh: sku, en: sku },
    brand: null,
    categoryId: 'r-food',
    soldBy: 'each',
    priceFen: 500,
    nominalWeightG: 300,
    weightToleranceG: 15,
    tareG: null,
    minAge: null,
    needsAttendant: false,
    available: true,
  };
}

/** A record as a cart logs it: vision's candidates, the decision, and (once known) the truth. */
function record(
  id: string,
  options: {
    at?: number;
    top: string;
    truth?: string | null;
    decision?: RecognitionRecord['decision'];
    modelVersion?: string;
  },
): RecognitionRecord {
  const at = options.at ?? T0;
  const other = options.top === 'r-milk' ? 'r-bread' : 'r-milk';
  return {
    id,
    evidence: {
      at,
      trigger: 'scale',
      modelVersion: options.modelVersion ?? '1.0.0',
      galleryVersion: 1,
      candidates: [
        { sku: options.top, similarity: 0.9 },
        { sku: other, similarity: 0.4 },
      ],
      weightDeltaG: 300,
      zoneId: null,
      barcode: options.decision?.kind === 'barcode' ? options.decision.sku : null,
    },
    decision: options.decision ?? { kind: 'add', sku: options.top, confidence: 0.95 },
    ...(options.truth === undefined
      ? {}
      : { outcome: { decisionId: id, truthSku: options.truth, source: 'accepted' as const, at: at + 1000 } }),
  };
}

describe('recognition records and contributed photos (real fleet, MQTT over mTLS, device HTTPS, SQLite)', function () {
  this.timeout(120_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let hq: ApiUser;
  let manager: ApiUser;
  let otherManager: ApiUser;
  let cart: TestDevice;
  let otherCart: TestDevice;
  let client: mqttJs.MqttClient;

  const ingest = (thing: string, body: unknown) =>
    new Promise<boolean>((resolve) => {
      void fleet.services.vision.parts.ingest.accept(
        recognitionTopics.publish(thing),
        Buffer.from(JSON.stringify(body)),
        () => resolve(true),
        () => resolve(false),
      );
    });
  const rows = () => fleet.services.db.prepare('SELECT count(*) FROM vision_records').pluck().get() as number;

  before(async () => {
    dir = tempDir();
    const keyFile = join(dir.path, 'fleet-signing.pem');
    const { generateSigningKey } = await import('../../ota/release/signing.ts');
    writeFileSync(keyFile, generateSigningKey().privateKeyPem, { mode: 0o600 });
    const model = writeTinyEmbedderDir(join(dir.path, 'embedder'));
    fleet = await startFleet(dir.path, {
      seedDemoData: true,
      ota: { signingKeyFile: keyFile },
      vision: { modelDir: model.dir, buildDebounceMs: 3_600_000, maxContributionsPerProduct: 2 },
    });
    const { catalog } = fleet.services;
    await catalog.putCategory('r-food', { id: 'r-food', parentId: null, name: { zh: '食品', en: 'Food' } });
    for (const sku of ['r-milk', 'r-bread']) await catalog.putProduct(sku, product(sku));
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    manager = await apiUser(fleet, 'xm', 'store-manager', { storeIds: [XUHUI] });
    otherManager = await apiUser(fleet, 'bm', 'store-manager', { storeIds: [BINJIANG] });
    cart = await registerDevice(fleet, 'cart-rec-1', 'cart');
    fleet.services.registry.updateThing(cart.thingName, { storeId: XUHUI });
    otherCart = await registerDevice(fleet, 'cart-rec-2', 'cart');
    fleet.services.registry.updateThing(otherCart.thingName, { storeId: BINJIANG });
    client = await mqttJsClient(fleet.services.broker.tlsPort!, cart, cart.thingName);
  });

  after(async () => {
    client?.end(true);
    await fleet?.stop();
    dir?.cleanup();
  });

  it('takes a batch a cart publishes over MQTT, stored for the cart and its registry store', async () => {
    const batch = { records: [record('b1:1', { top: 'r-milk', truth: 'r-milk' }), record('b1:2', { top: 'r-bread' })] };
    await new Promise<void>((resolve, reject) =>
      client.publish(recognitionTopics.publish(cart.thingName), JSON.stringify(batch), { qos: 1 }, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    await eventually(() => rows() === 2);
    const page = (
      await apiAs(fleet, manager.token).get(`/api/stores/${XUHUI}/vision/records?from=${T0 - 1}&to=${T0 + 1}`)
    ).json<RecognitionRecordPage>();
    assert.equal(page.total, 2);
    assert.deepEqual(page.items.map((r) => [r.thingName, r.storeId, r.record.id]).sort(), [
      ['cart-rec-1', XUHUI, 'b1:1'],
      ['cart-rec-1', XUHUI, 'b1:2'],
    ]);
  });

  it('refuses a malformed batch (nothing stored) and keeps one row per record id, the latest outcome', async () => {
    const before = rows();
    const refused = fleet.services.vision.parts.ingest.stats().rejected;
    for (const bad of [
      { records: [] },
      { records: [{ ...record('x:1', { top: 'r-milk' }), extra: 1 }] },
      // Holds the schema, not its rules: the outcome names another record.
      {
        records: [
          {
            ...record('x:2', { top: 'r-milk', truth: 'r-milk' }),
            outcome: { decisionId: 'x:9', truthSku: 'r-milk', source: 'accepted', at: T0 + 5 },
          },
        ],
      },
      // Both a good and a bad record: nothing of the batch is stored.
      { records: [record('x:3', { top: 'r-milk' }), { ...record('x:4', { top: 'r-milk' }), thingName: 'cart-rec-2' }] },
    ]) {
      assert.equal(
        await ingest(cart.thingName, bad),
        true,
        'a refused batch is acknowledged (sent again it would be refused again)',
      );
    }
    assert.equal(rows(), before);
    assert.equal(fleet.services.vision.parts.ingest.stats().rejected, refused + 4);
    // b1:2 gets its outcome; then the undecided copy arrives late and does not undo it.
    await ingest(cart.thingName, { records: [record('b1:2', { top: 'r-bread', truth: 'r-milk' })] });
    await ingest(cart.thingName, { records: [record('b1:2', { top: 'r-bread' })] });
    assert.equal(rows(), before);
    const stored = fleet.services.vision.parts.records.get(cart.thingName, 'b1:2');
    assert.equal(stored?.outcome?.truthSku, 'r-milk');
  });

  it('reports field accuracy by product and model version over a time range; chain-wide for HQ, scoped for a manager', async () => {
    await ingest(cart.thingName, {
      records: [
        record('c:1', { top: 'r-bread', truth: 'r-bread', modelVersion: '1.1.0', at: T0 + 10 }),
        record('c:2', { top: 'r-bread', truth: null, at: T0 + 11 }),
        record('c:3', { top: 'r-milk', at: T0 + 12 }),
      ],
    });
    await ingest(otherCart.thingName, { records: [record('o:1', { top: 'r-milk', truth: 'r-bread', at: T0 + 13 })] });
    const report = (
      await apiAs(fleet, manager.token).get(`/api/stores/${XUHUI}/vision/accuracy?from=${T0 - 1}&to=${T0 + 100}`)
    ).json<FieldAccuracyReport>();
    assert.equal(report.storeId, XUHUI);
    // b1:1 milk→milk ✓ add right; b1:2 bread→milk ✗ a wrong add; c:1 bread→bread ✓; c:2 no truth; c:3 pending.
    assert.equal(report.records, 5);
    assert.equal(report.pending, 1);
    assert.equal(report.withoutTruth, 1);
    assert.deepEqual((({ n, hits }) => ({ n, hits }))(report.overall.visionTop1), { n: 3, hits: 2 });
    assert.equal(report.overall.wrongAdds, 1);
    assert.ok(report.overall.visionTop1.low! < 2 / 3 && report.overall.visionTop1.high! > 2 / 3, 'a Wilson interval');
    assert.deepEqual(
      report.bySku.map((g) => [g.key, g.records, g.visionTop1.hits]),
      [
        ['r-milk', 2, 1],
        ['r-bread', 1, 1],
      ],
    );
    assert.deepEqual(
      report.byModelVersion.map((g) => [g.key, g.records]),
      [
        ['1.0.0', 2],
        ['1.1.0', 1],
      ],
    );
    const outside = await apiAs(fleet, manager.token).get(
      `/api/stores/${XUHUI}/vision/accuracy?from=${T0 + 50}&to=${T0 + 100}`,
    );
    assert.equal(outside.json<FieldAccuracyReport>().records, 0);
    const chain = (
      await apiAs(fleet, hq.token).get(`/api/vision/accuracy?from=${T0 - 1}&to=${T0 + 100}`)
    ).json<FieldAccuracyReport>();
    assert.equal(chain.storeId, null);
    assert.equal(chain.records, 6);
    const mine = (
      await apiAs(fleet, otherManager.token).get(`/api/vision/accuracy?from=${T0 - 1}&to=${T0 + 100}`)
    ).json<FieldAccuracyReport>();
    assert.equal(mine.records, 1, "a store manager's chain view is their own stores");
    const foreign = await apiAs(fleet, otherManager.token).get(`/api/stores/${XUHUI}/vision/accuracy`);
    assert.equal(foreign.json<{ code: string }>().code, 'STORE_NOT_FOUND');
  });

  it('takes contributed photos only where the store opted in; a photo waits for its record, then joins the truth (capped, newest kept)', async () => {
    const port = fleet.services.deviceHttps.port;
    const photo = await productPhoto(30);
    const off = await devicePost(port, cart, visionDevicePaths.photo('d:1'), photo);
    assert.equal(answerCode(off), 'VISION_CONTRIBUTIONS_OFF');
    const count = () => fleet.services.db.prepare('SELECT count(*) FROM vision_photos').pluck().get() as number;
    assert.equal(count(), 0);
    const optIn = await apiAs(fleet, manager.token).put(`/api/stores/${XUHUI}/vision/settings`, {
      contributions: true,
      planogram: [],
    });
    assert.equal(optIn.json<{ code: string }>().code, 'NOT_AUTHORIZED', 'the opt-in is HQ’s');
    assert.equal(
      (await apiAs(fleet, hq.token).put(`/api/stores/${XUHUI}/vision/settings`, { contributions: true, planogram: [] }))
        .statusCode,
      200,
    );
    // The carts hear of it in their classic shadow (the cart reads desired.vision.contributePhotos).
    const desiredVision = (thing: string) => fleet.services.shadows.find(thing)?.state.desired?.vision;
    assert.deepEqual(desiredVision(cart.thingName), { contributePhotos: true });
    assert.equal(desiredVision(otherCart.thingName), undefined, 'not the other store’s cart');
    // Another store's cart: its store has not opted in.
    assert.equal(
      answerCode(await devicePost(port, otherCart, visionDevicePaths.photo('o:1'), photo)),
      'VISION_CONTRIBUTIONS_OFF',
    );
    const corrupt = await devicePost(
      port,
      cart,
      visionDevicePaths.photo('d:1'),
      Buffer.concat([photo.subarray(0, 30), Buffer.alloc(100)]),
    );
    assert.equal(answerCode(corrupt), 'VISION_IMAGE_INVALID');
    const big = await devicePost(port, cart, visionDevicePaths.photo('d:1'), Buffer.alloc(2 * 1024 * 1024 + 1, 0xff));
    assert.ok('error' in big || answerCode(big) === 'PAYLOAD_TOO_LARGE', JSON.stringify(big));
    assert.equal(count(), 0, 'nothing stored by a refusal');

    // The record is not in yet: the photo waits.
    const waiting = await devicePost(port, cart, visionDevicePaths.photo('d:1'), photo);
    assert.ok(!('error' in waiting) && waiting.status === 201, JSON.stringify(waiting));
    assert.equal((JSON.parse(waiting.body.toString()) as { sku: string | null }).sku, null);
    const view = (await apiAs(fleet, manager.token).get(`/api/stores/${XUHUI}/vision`)).json<StoreVision>();
    assert.equal(view.pendingContributions, 1);
    await ingest(cart.thingName, {
      records: [
        record('d:1', {
          top: 'r-milk',
          truth: 'r-milk',
          decision: { kind: 'barcode', sku: 'r-milk', visionAgreed: true },
        }),
      ],
    });
    await eventually(() => fleet.services.vision.storeVision(XUHUI).pendingContributions === 0);
    // A record already in: the photo joins at once. Three contributions, two kept: the newest.
    for (const [i, id] of ['d:2', 'd:3'].entries()) {
      await ingest(cart.thingName, { records: [record(id, { top: 'r-milk', truth: 'r-milk', at: T0 + 20 + i })] });
      const answer = await devicePost(
        port,
        cart,
        visionDevicePaths.photo(id),
        await productPhoto(30, { variant: i + 1 }),
      );
      assert.equal((JSON.parse((answer as { body: Buffer }).body.toString()) as { sku: string }).sku, 'r-milk');
    }
    const milk = (
      await apiAs(fleet, manager.token).get(`/api/stores/${XUHUI}/gallery/products/r-milk`)
    ).json<EnrolledProduct>();
    assert.deepEqual(
      milk.photos.map((p) => [p.source, p.recordId]),
      [
        ['contribution', 'd:2'],
        ['contribution', 'd:3'],
      ],
    );
    assert.equal(milk.contributedPhotos, 2);
  });
});
