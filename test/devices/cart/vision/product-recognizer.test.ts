import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TOLERANCE } from '../../../../commerce/weight-expectation.ts';
import { DEFAULT_BASKET_OPTIONS } from '../../../../devices/cart/basket/basket.ts';
import { CartShop, type ShopRecord } from '../../../../devices/cart/commerce/cart-shop.ts';
import { CommerceClient } from '../../../../devices/cart/commerce/commerce-client.ts';
import {
  OfflineStaffCodes,
  STAFF_THROTTLE_FILE,
  type StaffThrottleRecord,
} from '../../../../devices/cart/commerce/offline-staff.ts';
import { ShopJournal } from '../../../../devices/cart/commerce/shop-journal.ts';
import type { EmbeddingModel, ProductGallery } from '../../../../devices/cart/vision/frame-embedder.ts';
import {
  OPEN_RECOGNITIONS_FILE,
  type OpenRecognitions,
  ProductRecognizer,
  type ProductRecognizerDeps,
} from '../../../../devices/cart/vision/product-recognizer.ts';
import { RecognitionLog } from '../../../../devices/cart/vision/recognition-log.ts';
import type { VisionStatus } from '../../../../devices/cart/vision/vision-status.ts';
import { silentLogger } from '../../../../platform/log.ts';
import type { CartScreenState } from '../../../../protocol/commerce/cart-screen.ts';
import type { Product } from '../../../../protocol/commerce/catalog.ts';
import type { ModelMetadata } from '../../../../protocol/ota/model.ts';
import type { RecognitionBatch } from '../../../../protocol/vision/device-vision.ts';
import type { GalleryHeader } from '../../../../protocol/vision/gallery.ts';
import type { RecognitionRecord } from '../../../../protocol/vision/recognition.ts';
import { GalleryIndex } from '../../../../vision/gallery/gallery-index.ts';
import type { RowFilter } from '../../../../vision/gallery/gallery-search.ts';
import { randomUnitRows } from '../../../fixtures/vision/random-gallery.ts';
import { demoStoreSnapshot } from '../../../helpers/demo-store-snapshot.ts';
import { codeCrops, FakeCamera } from '../../../mocks/fake-camera.ts';
import { FakeClock } from '../../../mocks/fake-clock.ts';
import { FakeCommandTransport } from '../../../mocks/fake-command-transport.ts';
import { eventually } from '../../../mocks/wait-for.ts';

const TUESDAY_10AM = Date.UTC(2026, 11, 1, 2, 0);
const DIM = 16;
const SIDE = 4;

const SNAPSHOT = demoStoreSnapshot(TUESDAY_10AM);
const plainEach = SNAPSHOT.products.filter(
  (p) =>
    p.soldBy === 'each' && p.nominalWeightG !== null && p.minAge === null && !p.needsAttendant && p.gtins.length > 0,
);
const A = plainEach[0] as Product;
const B = plainEach.find((p) => p.nominalWeightG !== A.nominalWeightG) as Product;
const C = plainEach.find((p) => p !== A && p !== B && p.nominalWeightG !== A.nominalWeightG) as Product;
// Look-alikes of one weight: the scale cannot tell them apart, only the shopper (or a barcode) can.
C.nominalWeightG = B.nominalWeightG;
C.weightToleranceG = B.weightToleranceG;
const P = SNAPSHOT.products.find((p) => p.soldBy === 'weight' && p.plu !== null && p.gtins.length === 0) as Product;
const SKUS = [A.sku, B.sku, C.sku, P.sku];

/** Scene codes the fake camera shows, and what the fake model makes of them. */
const SCENE = { a: 1, lookAlikes: 2, produce: 3, unknown: 9 } as const;

const ROWS = randomUnitRows(SKUS.length, DIM, 4242);
const row = (i: number) => ROWS.subarray(i * DIM, (i + 1) * DIM);
function normalised(values: Float32Array): Float32Array {
  const norm = Math.hypot(...values);
  return values.map((v) => v / norm);
}
const EMBEDDINGS = new Map<number, Float32Array>([
  [SCENE.a, row(0)],
  [SCENE.lookAlikes, normalised(row(1).map((v, i) => v + (row(2)[i] as number)))],
  [SCENE.produce, row(3)],
  [SCENE.unknown, randomUnitRows(1, DIM, 7)],
]);

const METADATA: ModelMetadata = {
  schema: 1,
  opset: 17,
  input: { name: 'image', elementType: 'float32', shape: ['batch', 3, SIDE, SIDE] },
  output: { name: 'embedding', elementType: 'float32', shape: ['batch', DIM] },
  embeddingSize: DIM,
  preprocessing: {
    kind: 'image',
    width: SIDE,
    height: SIDE,
    channelOrder: 'RGB',
    layout: 'NCHW',
    scale: 1 / 255,
    mean: [0, 0, 0],
    std: [1, 1, 1],
  },
  selfTest: {
    batch: 1,
    inputs: { source: 'generated', seed: 1, min: 0, max: 1 },
    expectedSha256: '0'.repeat(64),
    tolerance: { maxAbs: 1e-4, minCosine: 0.9999 },
  },
};

/** A model double behind the real interface: reads the scene code back from the tensor (value × 1/255). */
class CodeModel implements EmbeddingModel {
  readonly metadata: ModelMetadata = METADATA;
  readonly release = { name: 'product-embedder', version: '1.0.0' };
  inferences = 0;
  async infer(input: Float32Array, dims: number[]) {
    this.inferences++;
    assert.deepEqual(dims, [1, 3, SIDE, SIDE]);
    const code = Math.round((input[0] as number) * 255);
    return { data: EMBEDDINGS.get(code) ?? (EMBEDDINGS.get(SCENE.unknown) as Float32Array), dims: [1, DIM] };
  }
  onSwap(): () => void {
    return () => {};
  }
}

/** A gallery double: the JavaScript reference search over the rows above; `problems` pauses it. */
class RowsGallery implements ProductGallery {
  problems: string[] = [];
  private readonly listeners = new Set<() => void>();
  readonly header: GalleryHeader = {
    schema: 1,
    storeId: SNAPSHOT.storeId,
    version: 4,
    createdAt: TUESDAY_10AM - 86_400_000,
    model: { name: 'product-embedder', version: '1.0.0', embeddingSize: DIM },
    products: SKUS.map((sku) => ({ sku, plu: null, photos: 3, thumbnail: null })),
    metric: 'cosine',
  };
  private readonly index = new GalleryIndex({ header: this.header, matrix: ROWS, rows: SKUS.length, dimension: DIM });
  modelProblems(): string[] {
    return this.problems;
  }
  /** The SKUs each search allowed (null: every row). */
  readonly allowed: (string[] | null)[] = [];
  async search(query: Float32Array, k: number, allow?: RowFilter) {
    this.allowed.push(allow ? this.header.products.filter((_, row) => allow(row)).map((p) => p.sku) : null);
    return { matches: this.index.search(query, k, allow), header: this.header };
  }
  thumbnailUrl(sku: string): string {
    return `data:image/png;base64,${Buffer.from(sku).toString('base64')}`;
  }
  onSwap(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  swapped(): void {
    for (const listener of this.listeners) listener();
  }
}

describe('ProductRecognizer on a real CartShop (fake camera, model and gallery behind the real interfaces)', () => {
  let dir: string;
  let clock: FakeClock;
  let client: CommerceClient;
  let shop: CartShop;
  let camera: FakeCamera;
  let model: CodeModel;
  let gallery: RowsGallery;
  let recognizer: ProductRecognizer;
  let sent: RecognitionRecord[];
  let photos: string[];
  let statuses: VisionStatus[];
  let scaleG: number;
  /** The scene code of the reference frame each drop's crop was found against (the centre crop: none recorded). */
  let references: number[];
  let makeRecognizer: (extra?: Partial<ProductRecognizerDeps>) => ProductRecognizer;

  beforeEach(() => {
    references = [];
    dir = mkdtempSync(join(tmpdir(), 'recognizer-'));
    clock = new FakeClock(TUESDAY_10AM);
    const transport = new FakeCommandTransport();
    client = new CommerceClient('cart-1', transport, { enqueue: () => {} }, silentLogger(), clock);
    client.start();
    transport.goOnline(false);
    shop = new CartShop(
      { thingName: 'cart-1', storeName: 'Xuhui', basket: DEFAULT_BASKET_OPTIONS },
      client,
      new ShopJournal<ShopRecord>(dir),
      new OfflineStaffCodes(new ShopJournal<StaffThrottleRecord>(dir, STAFF_THROTTLE_FILE), clock),
      clock,
      silentLogger(),
    );
    shop.setSnapshot(SNAPSHOT);
    shop.start();
    camera = new FakeCamera();
    model = new CodeModel();
    gallery = new RowsGallery();
    sent = [];
    photos = [];
    statuses = [];
    scaleG = 0;
    const queue = {
      enqueue: (topic: string, payload: string) => {
        assert.equal(topic, 'dt/cartfleet/cart-1/recognitions');
        sent.push(...(JSON.parse(payload) as RecognitionBatch).records);
      },
    };
    makeRecognizer = (extra = {}) =>
      new ProductRecognizer({
        thingName: 'cart-1',
        camera,
        crops: {
          ...codeCrops,
          changedRegion: (before, after) => {
            references.push(before.rgb[0] as number);
            return codeCrops.changedRegion(before, after);
          },
        },
        model,
        gallery,
        product: (sku) => shop.product(sku),
        storeId: () => shop.storeId,
        zoneId: () => null,
        actions: shop,
        records: new RecognitionLog('cart-1', queue, silentLogger()),
        photos: { contribute: (id, crop) => photos.push(`${id}:${crop.size}`) },
        clock,
        log: silentLogger(),
        tolerance: DEFAULT_TOLERANCE,
        ...extra,
      });
    recognizer = makeRecognizer();
    recognizer.onStatus((s) => statuses.push(s));
    recognizer.start();
    shop.useRecognizer(recognizer);
    return shop.act({ type: 'start' });
  });

  afterEach(async () => {
    await recognizer.stop();
    shop.stop();
    client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The shopper drops an item the camera shows as `scene`: the scale wobbles, then settles heavier. */
  const drop = async (scene: number, grams: number) => {
    recognizer.unsteady();
    camera.show(scene);
    scaleG += grams;
    recognizer.settled(clock.now());
    shop.handleSettled(scaleG);
    await recognizer.idle();
  };
  const screen = async (check: (s: CartScreenState) => unknown) => {
    await eventually(() => check(shop.state()), 3000, 'the screen');
    return shop.state();
  };
  const last = () => sent.at(-1) as RecognitionRecord;

  it('a confident sighting whose weight agrees is added (source vision) and logged; checkout accepts it', async () => {
    await drop(SCENE.a, A.nominalWeightG as number);
    const state = await screen((s) => s.lines.length === 1);
    assert.deepEqual(
      state.lines.map((l) => [l.sku, l.source, l.confirmedQuantity]),
      [[A.sku, 'vision', 1]],
    );
    assert.equal(state.prompt, null);
    assert.equal(camera.wakes, 1, 'the camera was woken when the scale became unsteady');
    const record = last();
    assert.deepEqual(record.decision, { kind: 'add', sku: A.sku, confidence: record.scores?.[0]?.posterior });
    assert.equal(record.evidence.candidates[0]?.sku, A.sku);
    assert.equal(record.evidence.weightDeltaG, A.nominalWeightG);
    assert.equal(record.evidence.modelVersion, '1.0.0');
    assert.equal(record.evidence.galleryVersion, 4);
    assert.equal(record.storeId, SNAPSHOT.storeId);
    assert.ok(record.evidence.latencyMs, 'capture, embed and search times');
    assert.equal(record.outcome, undefined);

    await shop.act({ type: 'checkout' });
    assert.deepEqual(
      { ...last().outcome, at: 0 },
      { decisionId: record.id, truthSku: A.sku, source: 'accepted', at: 0 },
    );
    assert.equal(last().id, record.id, 'the same record, sent again with its outcome');
  });

  it('the gallery is searched among the products the settled weight allows (produce always)', async () => {
    await drop(SCENE.a, B.nominalWeightG as number);
    const allowed = gallery.allowed.at(-1);
    assert.ok(allowed?.includes(B.sku), 'B weighs what the scale says');
    assert.ok(!allowed?.includes(A.sku), 'A does not');
    assert.ok(allowed?.includes(P.sku), 'produce: its bag varies, never excluded by weight');
  });

  it('a confident sighting that weighs wrong is ruled out before the search: nothing of that weight looks like it, a scan is asked for', async () => {
    await drop(SCENE.a, (A.nominalWeightG as number) * 3);
    assert.deepEqual(last().decision, { kind: 'scan', reason: 'no-candidate' });
    assert.ok(!last().evidence.candidates.some((c) => c.sku === A.sku), 'A weighs a third of that: not searched');
    const state = await screen((s) => s.prompt?.kind === 'scan-added');
    assert.equal(state.lines.length, 0);
    assert.equal(state.recognition, null);
  });

  it('look-alikes the weight cannot separate: the top options with photos for the shopper to pick', async () => {
    await drop(SCENE.lookAlikes, B.nominalWeightG as number);
    const state = await screen((s) => s.recognition !== null);
    const record = last();
    assert.equal(record.decision.kind, 'pick');
    assert.equal(state.recognition?.kind, 'pick');
    assert.equal(state.recognition?.decisionId, record.id);
    assert.deepEqual(state.recognition?.options.map((o) => o.sku).sort(), [B.sku, C.sku].sort());
    const option = state.recognition?.options.find((o) => o.sku === C.sku);
    assert.deepEqual(option?.name, C.name);
    assert.match(option?.thumbnail ?? '', /^data:image\/png;base64,/);
    assert.equal(state.prompt?.kind, 'scan-added', 'the scan prompt stays under the pick');

    await shop.act({ type: 'pick-recognized', decisionId: record.id, sku: C.sku });
    const after = await screen((s) => s.lines.length === 1);
    assert.deepEqual([after.lines[0]?.sku, after.lines[0]?.source], [C.sku, 'vision']);
    assert.equal(after.recognition, null);
    assert.equal(after.prompt, null);
    assert.deepEqual([last().outcome?.truthSku, last().outcome?.source], [C.sku, 'shopper-pick']);
  });

  it('decides with the running model’s calibration: look-alikes below its "not in the gallery" similarity ask for a scan', async () => {
    await drop(SCENE.lookAlikes, B.nominalWeightG as number);
    assert.equal(last().decision.kind, 'pick', 'positive control: an uncalibrated model offers the look-alikes');
    const similarity = last().evidence.candidates[0]?.similarity as number;
    // 0.3 above the sighting: e^6 against each look-alike, which the weight (1 against 0.05) does not make up.
    (model as { metadata: ModelMetadata }).metadata = {
      ...METADATA,
      similarity: { unknown: Math.min(1, similarity + 0.3) },
    };
    shop.handleScan(B.gtins[0] as string);
    await screen((s) => s.lines.length === 1 && s.prompt === null);
    await drop(SCENE.lookAlikes, B.nominalWeightG as number);
    assert.deepEqual(last().decision, { kind: 'scan', reason: 'no-candidate' });
    assert.equal((await screen((s) => s.prompt !== null)).prompt?.kind, 'scan-added');
  });

  it('a barcode scanned while the pick is open overrides it: the scanned product, the record’s truth', async () => {
    await drop(SCENE.lookAlikes, B.nominalWeightG as number);
    await screen((s) => s.recognition !== null);
    const pick = last();
    shop.handleScan(B.gtins[0] as string);
    const state = await screen((s) => s.lines.length === 1 && s.recognition === null);
    assert.deepEqual([state.lines[0]?.sku, state.lines[0]?.source], [B.sku, 'scan']);
    assert.equal(state.prompt, null);
    assert.deepEqual([last().id, last().outcome?.truthSku, last().outcome?.source], [pick.id, B.sku, 'barcode']);
    await assert.rejects(
      shop.act({ type: 'pick-recognized', decisionId: pick.id, sku: C.sku }),
      (err: Error & { code?: string }) => err.code === 'BAD_REQUEST',
    );
  });

  it('"none of these": the pick closes and the scan prompt asks for the barcode', async () => {
    await drop(SCENE.lookAlikes, B.nominalWeightG as number);
    const { recognition } = await screen((s) => s.recognition !== null);
    await shop.act({ type: 'reject-recognized', decisionId: recognition?.decisionId as string });
    const state = await screen((s) => s.recognition === null);
    assert.equal(state.prompt?.kind, 'scan-added');
  });

  it('loose produce: the picker opens with the suggested PLU first; choosing it weighs the bag in the basket', async () => {
    const bagged = 600 + (P.tareG ?? 0);
    await drop(SCENE.produce, bagged);
    const state = await screen((s) => s.produce !== null);
    assert.equal(last().decision.kind, 'suggest-produce');
    assert.equal(state.produce?.results[0]?.sku, P.sku);
    assert.deepEqual(state.produce?.suggested, [P.sku]);
    assert.equal(state.recognition?.options[0]?.plu, P.plu);
    await shop.act({ type: 'weigh-produce', sku: P.sku });
    const after = await screen((s) => s.lines.length === 1);
    assert.deepEqual([after.lines[0]?.sku, after.lines[0]?.weightG, after.lines[0]?.source], [P.sku, 600, 'produce']);
    assert.equal(after.produce, null);
    assert.equal(last().outcome?.source, 'shopper-pick');
  });

  it('an item never seen: no candidate, a scan; taken out again unnamed, the record says removed', async () => {
    await drop(SCENE.unknown, 333);
    assert.deepEqual(last().decision, { kind: 'scan', reason: 'no-candidate' });
    scaleG -= 333;
    shop.handleSettled(scaleG);
    await eventually(() => last().outcome !== undefined);
    assert.deepEqual([last().outcome?.truthSku, last().outcome?.source], [null, 'removed']);
  });

  it('an auto-added item taken out again: the record’s outcome is removed', async () => {
    await drop(SCENE.a, A.nominalWeightG as number);
    const { lines } = await screen((s) => s.lines.length === 1);
    await shop.act({ type: 'remove', lineId: lines[0]?.lineId as string });
    scaleG -= A.nominalWeightG as number;
    shop.handleSettled(scaleG);
    await screen((s) => s.lines.length === 0);
    assert.deepEqual([last().decision.kind, last().outcome?.source], ['add', 'removed']);
  });

  it('a scanned item’s drop is logged as a barcode decision with whether vision agreed; its crop goes when opted in', async () => {
    shop.handleScan(A.gtins[0] as string);
    await drop(SCENE.a, A.nominalWeightG as number);
    await eventually(() => sent.length === 1);
    assert.deepEqual(last().decision, { kind: 'barcode', sku: A.sku, visionAgreed: true });
    assert.deepEqual([last().outcome?.truthSku, last().outcome?.source], [A.sku, 'barcode']);
    assert.deepEqual(photos, [], 'no photos without the store’s opt-in');
    recognizer.setContribution(true);
    shop.handleScan(B.gtins[0] as string);
    await drop(SCENE.a, B.nominalWeightG as number);
    await eventually(() => sent.length === 2);
    assert.deepEqual(last().decision, { kind: 'barcode', sku: B.sku, visionAgreed: false });
    assert.deepEqual(photos, [`${last().id}:${SIDE}`]);
  });

  it('a camera failure drops to barcode-only (reported): the basket asks for a scan as before, and comes back', async () => {
    assert.deepEqual(recognizer.status(), { state: 'ready', reason: null });
    camera.fail('ffmpeg-exited', 'ffmpeg exited with code 1: /dev/video0: No such device');
    assert.deepEqual(statuses.at(-1), {
      state: 'barcode-only',
      reason: 'ffmpeg-exited: ffmpeg exited with code 1: /dev/video0: No such device',
    });
    await drop(SCENE.a, A.nominalWeightG as number);
    assert.deepEqual(last().decision, { kind: 'scan', reason: 'camera-unavailable' });
    assert.equal(model.inferences, 0);
    const state = await screen((s) => s.prompt?.kind === 'scan-added');
    assert.equal(state.lines.length, 0);
    shop.handleScan(A.gtins[0] as string);
    await screen((s) => s.lines.length === 1 && s.prompt === null);
    assert.equal(last().outcome?.source, 'barcode');
    camera.recover();
    assert.deepEqual(recognizer.status(), { state: 'ready', reason: null });
    await drop(SCENE.a, A.nominalWeightG as number);
    await screen((s) => s.lines.some((l) => l.source === 'vision'));
  });

  it('the first drop is cropped against the basket as it was when recognition became ready, never the frame’s centre', async () => {
    // The camera comes up after the scale's first settle (a cart booting): that settle has no frame to keep.
    await recognizer.stop();
    camera.fail('device-missing', '/dev/video0 is not there yet');
    recognizer.start();
    recognizer.settled(clock.now());
    const captures = camera.captures;
    camera.show(SCENE.produce); // what the basket holds when the camera is back
    camera.recover();
    assert.equal(recognizer.status().state, 'ready');
    assert.equal(camera.captures, captures + 1, 'a reference frame taken as recognition became ready');
    await drop(SCENE.a, A.nominalWeightG as number);
    assert.deepEqual(references, [SCENE.produce]);
    await screen((s) => s.lines.some((l) => l.source === 'vision'));
  });

  it('a trip that ends leaves the basket as it is then as the next trip’s first reference', async () => {
    await drop(SCENE.a, A.nominalWeightG as number);
    assert.deepEqual(references, [0], 'the first drop against the empty basket of start()');
    camera.show(SCENE.unknown);
    recognizer.sessionEnded();
    await drop(SCENE.a, A.nominalWeightG as number);
    assert.deepEqual(references, [0, SCENE.unknown]);
  });

  it('a restart mid-trip: the records still open come back from the journal and get their outcome at checkout', async () => {
    const journal = new ShopJournal<OpenRecognitions>(dir, OPEN_RECOGNITIONS_FILE);
    const sessionId = () => shop.state().session.sessionId;
    await recognizer.stop();
    recognizer = makeRecognizer({ journal, sessionId });
    recognizer.start();
    shop.useRecognizer(recognizer);
    await drop(SCENE.a, A.nominalWeightG as number);
    const added = last();
    assert.equal(added.decision.kind, 'add');
    const saved = journal.load();
    assert.equal(saved?.sessionId, sessionId());
    assert.deepEqual(
      saved?.open.map((o) => [o.record.id, o.lineId !== null]),
      [[added.id, true]],
    );

    // The cart restarts: a new recognizer on the same data folder and trip.
    await recognizer.stop();
    recognizer = makeRecognizer({ journal, sessionId });
    recognizer.start();
    shop.useRecognizer(recognizer);
    await shop.act({ type: 'checkout' });
    assert.deepEqual([last().id, last().outcome?.source], [added.id, 'accepted']);
    assert.equal(journal.load(), null, 'nothing left open');
  });

  it('open records of another trip are not brought back (the trip ended while the cart was off)', async () => {
    const journal = new ShopJournal<OpenRecognitions>(dir, OPEN_RECOGNITIONS_FILE);
    const sessionId = () => shop.state().session.sessionId;
    await drop(SCENE.a, A.nominalWeightG as number);
    const made = last();
    const restartWith = async (saved: OpenRecognitions) => {
      journal.save(saved);
      await recognizer.stop();
      recognizer = makeRecognizer({ journal, sessionId });
      recognizer.start();
      const before = sent.length;
      recognizer.checkout(clock.now());
      return sent.slice(before).map((r) => [r.id, r.outcome?.source]);
    };
    const open = (id: string) => [{ record: { ...made, id }, deltaG: 10, lineId: 'line-1' }];
    // Positive control: saved for this trip, it comes back and is accepted at checkout.
    assert.deepEqual(await restartWith({ sessionId: sessionId(), open: open('this-trip') }), [
      ['this-trip', 'accepted'],
    ]);
    assert.deepEqual(await restartWith({ sessionId: 'another-trip', open: open('another-trip') }), []);
    assert.equal(journal.load(), null, 'let go');
  });

  it('a gallery that does not fit the model pauses recognition (never a search), and resumes when one fits', async () => {
    gallery.problems = ['the gallery was built with model product-embedder 1.0.0, the cart runs 2.0.0'];
    gallery.swapped();
    assert.equal(recognizer.status().state, 'paused');
    await drop(SCENE.a, A.nominalWeightG as number);
    assert.equal(model.inferences, 0);
    assert.equal(sent.length, 0);
    assert.equal((await screen((s) => s.prompt !== null)).prompt?.kind, 'scan-added');
    gallery.problems = [];
    gallery.swapped();
    assert.equal(recognizer.status().state, 'ready');
  });
});
