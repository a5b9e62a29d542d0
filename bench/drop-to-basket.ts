/**
 * Drop to basket (issue 11 items 3 and 11: ≤ 300 ms from the moment the scale settles to the basket showing the
 * item): a real cart runtime on virtual hardware (the simulator's cart: virtual board, scale and scanner, its
 * `VirtualCamera` showing what is dropped in), online to a real fleet for its pricing snapshot, with the embedder
 * (`models/product-embedder/`, or `CARTFLEET_EMBEDDER_DIR`) in its `SwappableModel` worker thread and a gallery in
 * its `SwappableGallery`. Items are dropped in unscanned; the time runs from the scale's settle (the `at` the cart's
 * recognizer is handed) to the shop's change that shows the recognised line: capture (render + change crop), embed,
 * search, fusion, the basket's add.
 *
 * Baseline, same run, same cart: the scanned path (scan, then the item put in): from the settle to the line
 * confirmed by its weight. The gallery holds the demo's products enrolled from the demo's rendered photos
 * (sim/demo-vision.ts), chosen far apart in weight so the weight leaves one candidate and every drop ends in an
 * add (this bench measures time; embedder-accuracy measures how often vision is right).
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { FleetConfigSchema } from '../fleet/config.ts';
import { FleetServer } from '../fleet/fleet-server.ts';
import { decodePhoto, embedderInput } from '../fleet/vision/product-photo.ts';
import { silentLogger } from '../platform/log.ts';
import { mulberry32 } from '../platform/seeded-random.ts';
import type { Product } from '../protocol/commerce/catalog.ts';
import { type RecognitionBatch, recognitionTopics } from '../protocol/vision/device-vision.ts';
import type { EmbedderManifest } from '../protocol/vision/embedder-manifest.ts';
import { loadDemoCatalog } from '../sim/demo-catalog.ts';
import { renderProductPhotos } from '../sim/demo-vision.ts';
import { SimulatedCart } from '../sim/simulated-cart.ts';
import { imageToTensor } from '../vision/embedding/image-tensor.ts';
import { encodeGallery } from '../vision/gallery/gallery-file.ts';
import {
  type BenchOptions,
  benchFleetConfig,
  fmt,
  markdownTable,
  runWhenMain,
  sleep,
  summarize,
  tempDir,
  waitUntil,
} from './lib/common.ts';

const here = dirname(fileURLToPath(import.meta.url));
const STORE = 'hf-shanghai-xuhui';
const TARGET_MS = 300;
const PER_TRIP = 8;

/** Packaged products far apart in weight (and light enough for the basket scale across a trip). */
function weightSpread(products: readonly Product[], count: number): Product[] {
  const each = products
    .filter((p) => p.soldBy === 'each' && p.gtins.length > 0 && p.minAge === null && !p.needsAttendant)
    .filter((p) => (p.nominalWeightG ?? 0) >= 80 && (p.nominalWeightG ?? 0) <= 1100)
    .sort((a, b) => (a.nominalWeightG ?? 0) - (b.nominalWeightG ?? 0));
  const chosen: Product[] = [];
  for (const p of each) {
    if (chosen.every((c) => Math.abs((c.nominalWeightG ?? 0) - (p.nominalWeightG ?? 0)) > 120)) chosen.push(p);
    if (chosen.length === count) break;
  }
  return chosen;
}

export async function run({ quick }: BenchOptions): Promise<{ markdown: string; [key: string]: unknown }> {
  const drops = quick ? 12 : 48;
  const dir = tempDir('cartfleet-bench-drop-');
  const modelDir = process.env.CARTFLEET_EMBEDDER_DIR ?? join(here, '../models/product-embedder');
  const manifest = JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8')) as EmbedderManifest;
  const pre = manifest.metadata.preprocessing;
  if (!pre) throw new Error('the embedder has no image preprocessing');
  const fleet = new FleetServer(
    FleetConfigSchema.parse({ ...benchFleetConfig(dir.path), seedDemoData: true }),
    silentLogger(),
  );
  let cart: SimulatedCart | undefined;
  try {
    await fleet.start();
    await loadDemoCatalog(fleet.services);
    await fleet.services.pricing.flush();
    const thingName = 'cart-xuhui-bench';
    const registration = await fleet.services.registry.registerDevice({
      thingName,
      kind: 'cart',
      hardwareModel: 'SC-200',
      storeId: STORE,
    });
    cart = new SimulatedCart(
      {
        thingName,
        endpoint: { host: 'localhost', port: fleet.services.broker.tlsPort },
        certDir: join(dir.path, thingName),
        dataDir: join(dir.path, thingName, 'data'),
        telemetryIntervalMs: 60_000,
        healthIntervalMs: 60_000,
        screen: { enabled: false },
        scanner: { kind: 'virtual', misreadRate: 0 },
      },
      {
        certificatePem: registration.certificate.certificatePem,
        privateKeyPem: registration.certificate.privateKeyPem,
        caPem: registration.caPem,
      },
      fleet.services.stores.listZones(STORE),
      { drainPerMinute: 0, chargePerMinute: 0, timeScale: 1 },
      mulberry32(1),
      silentLogger(),
      { camera: true },
    );
    // What the cart decided for each unscanned drop (its records, on the recognitions topic).
    const decisions: Record<string, number> = {};
    /** capture + embed + search of each decision, as the cart's record states them (every decision, not only adds). */
    const pipelineMs: number[] = [];
    fleet.services.broker.onMessage(recognitionTopics.filter(), (_topic, payload) => {
      for (const record of (JSON.parse(payload.toString()) as RecognitionBatch).records) {
        if (record.outcome) continue;
        const kind = record.decision.kind === 'scan' ? `scan (${record.decision.reason})` : record.decision.kind;
        decisions[kind] = (decisions[kind] ?? 0) + 1;
        const l = record.evidence.latencyMs;
        if (l) pipelineMs.push(l.capture + l.embed + l.search);
      }
    });
    await cart.start();
    const runtime = cart.runtime;
    if (!(await waitUntil(() => runtime.snapshots.current !== undefined, 30_000, 50))) throw new Error('no snapshot');

    // The gallery: the demo's enrolment photos of each product, embedded by the model, one prototype a product.
    const products = weightSpread(runtime.snapshots.current?.products ?? [], 8);
    const session = await InferenceSession.create(join(modelDir, manifest.file), { intraOpNumThreads: 1 });
    const size = manifest.metadata.embeddingSize;
    const matrix = new Float32Array(products.length * size);
    for (const [row, product] of products.entries()) {
      const photos = renderProductPhotos(product, 3);
      const input = new Float32Array(photos.length * 3 * pre.width * pre.height);
      for (const [i, png] of photos.entries())
        imageToTensor(embedderInput(await decodePhoto(png), pre.width, pre.height), pre, input, i);
      const out = await session.run({
        [manifest.metadata.input.name]: new Tensor('float32', input, [photos.length, 3, pre.height, pre.width]),
      });
      const data = out[manifest.metadata.output.name]?.data as Float32Array;
      let norm = 0;
      for (let d = 0; d < size; d++) {
        let sum = 0;
        for (let i = 0; i < photos.length; i++) sum += data[i * size + d]!;
        matrix[row * size + d] = sum;
        norm += sum * sum;
      }
      for (let d = 0; d < size; d++) matrix[row * size + d]! /= Math.sqrt(norm);
    }
    await session.release();
    const galleryFile = join(dir.path, 'gallery.cfgal');
    writeFileSync(
      galleryFile,
      encodeGallery(
        {
          schema: 1,
          storeId: STORE,
          version: 1,
          createdAt: Date.now(),
          model: { name: manifest.name, version: manifest.version, embeddingSize: size },
          products: products.map((p) => ({ sku: p.sku, label: p.name, plu: null, photos: 3 })),
          metric: 'cosine',
        },
        matrix,
        products.map(() => null),
      ),
    );
    await runtime.model.swap(join(modelDir, manifest.file), manifest.metadata, {
      name: manifest.name,
      version: manifest.version,
    });
    await runtime.gallery.swap(galleryFile);
    if (!(await waitUntil(() => cart?.recognitionReady() ?? false, 30_000, 50))) {
      throw new Error(`recognition not ready: ${JSON.stringify(runtime.recognizer.status())}`);
    }

    // The settle each drop is timed from: the `at` the cart hands its recognizer (bench-only tap on the call).
    const settles: number[] = [];
    const recognizer = runtime.recognizer;
    const settled = recognizer.settled.bind(recognizer);
    recognizer.settled = (at: number) => {
      settles.push(at);
      settled(at);
    };
    const shop = runtime.shop;
    const lineCount = (sku: string, source: 'vision' | 'scan') =>
      shop
        .state()
        .lines.filter((l) => l.sku === sku && l.source === source)
        .reduce((n, l) => n + l.confirmedQuantity, 0);
    /** When `check` first holds, on the shop's own change event (Date.now: the cart's clock here). */
    const when = (check: () => boolean, timeoutMs = 10_000) =>
      new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => {
          shop.off('change', onChange);
          resolve(null);
        }, timeoutMs);
        const onChange = () => {
          if (!check()) return;
          clearTimeout(timer);
          shop.off('change', onChange);
          resolve(Date.now());
        };
        shop.on('change', onChange);
        onChange();
      });
    const camera = cart.camera!;
    const inBasket: { sku: string; grams: number }[] = [];
    const emptyBasket = async () => {
      for (const item of inBasket.splice(0).reverse()) {
        const line = shop.state().lines.find((l) => l.sku === item.sku && l.confirmedQuantity > 0);
        if (line) await shop.act({ type: 'remove', lineId: line.lineId });
        cart?.takeItem(item.grams, item.sku);
        await when(() => shop.state().prompt === null, 5_000);
      }
      await shop.act({ type: 'end-session' });
      camera.clear();
      await sleep(500);
      await shop.act({ type: 'start' });
    };

    const measure = async (path: 'vision' | 'scan') => {
      const latencies: number[] = [];
      let missed = 0;
      await emptyBasket();
      for (let i = 0; i < drops; i++) {
        if (i > 0 && i % PER_TRIP === 0) await emptyBasket();
        const product = products[i % products.length]!;
        const grams = (product.nominalWeightG ?? 200) + ((i % 3) - 1);
        const before = lineCount(product.sku, path);
        if (path === 'scan') {
          cart?.presentBarcode(product.gtins[0] as string);
          await when(() => shop.state().prompt?.kind === 'place-item', 5_000);
        }
        const settleIndex = settles.length;
        cart?.putItem(grams, 'dropped', product);
        inBasket.push({ sku: product.sku, grams });
        const shown = await when(() => lineCount(product.sku, path) > before);
        const settle = settles
          .slice(settleIndex)
          .filter((at) => shown === null || at <= shown)
          .at(-1);
        if (shown === null || settle === undefined) {
          missed++;
          // Whatever the cart asked, the item goes in by its barcode so the next drop starts clean.
          cart?.presentBarcode(product.gtins[0] as string);
          await when(() => shop.state().prompt === null, 5_000);
        } else latencies.push(shown - settle);
        await sleep(300);
      }
      return { summary: summarize(latencies), missed };
    };
    const scanned = await measure('scan');
    for (const key of Object.keys(decisions)) delete decisions[key];
    pipelineMs.length = 0;
    const vision = await measure('vision');
    await sleep(2_000);
    const row = (label: string, r: { summary: ReturnType<typeof summarize>; missed: number }, ratio: string) => [
      label,
      r.summary.n,
      r.missed,
      fmt(r.summary.p50, 0),
      fmt(r.summary.p95, 0),
      fmt(r.summary.max, 0),
      ratio,
    ];
    const markdown = [
      `### Drop to basket (real cart runtime, virtual hardware and camera, ${manifest.name} ${manifest.version}, a ${products.length}-product gallery; target p95 ≤ ${TARGET_MS} ms)`,
      '',
      markdownTable(
        ['path', 'drops', 'not added', 'settle → line p50 (ms)', 'p95 (ms)', 'max (ms)', 'p50 / baseline p50'],
        [
          row(
            'dropped unscanned: camera + model + gallery + fusion',
            vision,
            fmt(vision.summary.p50 / Math.max(1, scanned.summary.p50), 2),
          ),
          row(
            'unscanned drops, settle → decision (record: capture + embed + search; every decision)',
            { summary: summarize(pipelineMs), missed: 0 },
            fmt(summarize(pipelineMs).p50 / Math.max(1, scanned.summary.p50), 2),
          ),
          row('baseline: scanned, then dropped (weight confirms)', scanned, '1.00'),
        ],
      ),
      '',
      `${vision.summary.n === 0 ? 'No drop was added by the camera: nothing to hold against' : `p95 ${vision.summary.p95 <= TARGET_MS ? 'meets' : 'misses'}`} the ${TARGET_MS} ms target. "not added": the cart did not add the item by itself (a pick or a scan prompt; scanned instead, not timed). The cart's decisions on the unscanned drops: ${
        Object.entries(decisions)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none logged'
      }.`,
    ].join('\n');
    return { markdown, vision, scanned, decisions, products: products.length };
  } finally {
    await cart?.stop();
    await fleet.stop();
    dir.cleanup();
  }
}

await runWhenMain(import.meta.url, run);
