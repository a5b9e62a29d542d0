/**
 * Renders the embedder's training set (and the self-test's reference images) from the synthetic domain into a
 * folder of raw files the training script memory-maps: `train-images.u8` (N × size × size × 3, RGB, row-major),
 * `train-labels.i32` (product number per image, little-endian), `reference-images.u8`, and `dataset.json` (counts,
 * seeds). Usage: `npx tsx models/product-embedder/render-dataset.ts OUT_DIR [--workers N]`.
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { startWorker } from '../../platform/typescript-worker.ts';
import { mixSeed, SeededRandom } from '../../vision/synthetic/seeded-random.ts';
import { FAMILY_SIZE, syntheticProduct, syntheticProducts } from '../../vision/synthetic/synthetic-products.ts';
import { randomView } from '../../vision/synthetic/view-params.ts';
import { ViewRenderer } from '../../vision/synthetic/view-renderer.ts';
import { EMBEDDER_DOMAIN, VIEW_STREAMS } from './domain.ts';

interface Job {
  from: number;
  to: number;
}

const { seed, inputSize, train, reference } = EMBEDDER_DOMAIN;
const imageBytes = inputSize * inputSize * 3;

function renderTrainRange(job: Job): Buffer {
  const renderer = new ViewRenderer(inputSize);
  const clutter = syntheticProducts(seed, train.from, 64);
  const out = Buffer.alloc((job.to - job.from) * train.viewsPerProduct * imageBytes);
  let at = 0;
  for (let i = job.from; i < job.to; i++) {
    const product = syntheticProduct(seed, train.from + i);
    for (let v = 0; v < train.viewsPerProduct; v++) {
      const view = randomView(new SeededRandom(mixSeed(seed, VIEW_STREAMS.train, i, v)), 'training');
      out.set(renderer.render(product, view, clutter), at);
      at += imageBytes;
    }
  }
  return out;
}

if (!isMainThread) {
  parentPort!.postMessage(renderTrainRange(workerData as Job));
} else {
  const outDir = process.argv[2];
  if (!outDir) {
    console.error('usage: render-dataset.ts OUT_DIR [--workers N]');
    process.exit(2);
  }
  const workersArg = process.argv.indexOf('--workers');
  const workers = workersArg > 0 ? Number(process.argv[workersArg + 1]) : 2;
  mkdirSync(outDir, { recursive: true });
  const started = performance.now();
  const chunk = 100;
  const jobs: Job[] = [];
  for (let from = 0; from < train.count; from += chunk) jobs.push({ from, to: Math.min(train.count, from + chunk) });
  const images = openSync(join(outDir, 'train-images.u8'), 'w');
  const results = new Map<number, Buffer>();
  let next = 0;
  let written = 0;
  await new Promise<void>((resolve, reject) => {
    let running = 0;
    const launch = () => {
      while (running < workers && next < jobs.length) {
        const index = next++;
        running++;
        const worker = startWorker(new URL(import.meta.url), { workerData: jobs[index] });
        worker.once('message', (buffer: Uint8Array) => {
          results.set(index, Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength));
          while (results.has(written)) {
            writeSync(images, results.get(written)!);
            results.delete(written);
            written++;
          }
          process.stdout.write(`\rrendered ${Math.min(train.count, written * chunk)}/${train.count} products`);
        });
        worker.once('error', reject);
        worker.once('exit', () => {
          running--;
          if (next >= jobs.length && running === 0) resolve();
          else launch();
        });
      }
    };
    launch();
  });
  closeSync(images);
  const labels = new Int32Array(train.count * train.viewsPerProduct);
  for (let i = 0; i < labels.length; i++) labels[i] = Math.floor(i / train.viewsPerProduct);
  writeFileSync(join(outDir, 'train-labels.i32'), Buffer.from(labels.buffer));
  const renderer = new ViewRenderer(inputSize);
  const refs = Buffer.alloc(reference.count * imageBytes);
  for (let i = 0; i < reference.count; i++) {
    const product = syntheticProduct(seed, reference.from + i);
    const view = randomView(new SeededRandom(mixSeed(seed, VIEW_STREAMS.reference, i)), 'training');
    refs.set(renderer.render(product, view), i * imageBytes);
  }
  writeFileSync(join(outDir, 'reference-images.u8'), refs);
  const seconds = (performance.now() - started) / 1000;
  writeFileSync(
    join(outDir, 'dataset.json'),
    `${JSON.stringify({ ...EMBEDDER_DOMAIN, familySize: FAMILY_SIZE, images: labels.length, renderSeconds: Math.round(seconds) }, null, 2)}\n`,
  );
  console.log(`\n${labels.length} images in ${seconds.toFixed(0)} s → ${outDir}`);
}
