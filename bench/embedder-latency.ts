/**
 * The cart's embedder per frame (issue 11 item 3: p95 ≤ 15 ms on one x86 core), against a MobileNetV3-Large at
 * 224×224 in the same run (the yardstick: 7.5 ms p50 with onnxruntime-node on this machine). Both in a
 * `ModelSession` (onnxruntime-node in its own worker thread, one intra-op thread: how the cart runs its model), batch
 * 1, one frame at a time, after a warm-up; the embedder's time includes `imageToTensor` of a rendered 96×96 crop.
 *
 * The reference graph is exported by `bench/reference-models/export_mobilenet_v3.py` with Debian's torch
 * (python3-torch) into the OS temp dir on first use; without torch the reference row says so and the embedder is
 * still measured.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { EMBEDDER_DOMAIN, VIEW_STREAMS } from '../models/product-embedder/domain.ts';
import { ModelSession } from '../ota/model/model-session.ts';
import type { EmbedderManifest } from '../protocol/vision/embedder-manifest.ts';
import { imageToTensor } from '../vision/embedding/image-tensor.ts';
import { mixSeed, SeededRandom } from '../vision/synthetic/seeded-random.ts';
import { syntheticProduct } from '../vision/synthetic/synthetic-products.ts';
import { randomView } from '../vision/synthetic/view-params.ts';
import { ViewRenderer } from '../vision/synthetic/view-renderer.ts';
import { type BenchOptions, fmt, markdownTable, runWhenMain, summarize } from './lib/common.ts';

const here = dirname(fileURLToPath(import.meta.url));
const MODEL_DIR = join(here, '../models/product-embedder');

function referenceGraph(): string {
  const path = join(tmpdir(), 'cartfleet-bench-mobilenet_v3_large_224.onnx');
  if (existsSync(path)) return path;
  try {
    execFileSync('/usr/bin/python3', [join(here, 'reference-models/export_mobilenet_v3.py'), path], {
      stdio: 'ignore',
    });
    return path;
  } catch {
    return '';
  }
}

async function timeFrames(
  session: ModelSession,
  frames: (() => { data: Float32Array; dims: number[] })[],
  input: string,
  output: string,
) {
  const latencies: number[] = [];
  for (const frame of frames) {
    const started = performance.now();
    const feed = frame();
    await session.run({ [input]: feed }, [output]);
    latencies.push(performance.now() - started);
  }
  return summarize(latencies);
}

export async function run({ quick }: BenchOptions): Promise<{ markdown: string; [key: string]: unknown }> {
  const frames = quick ? 100 : 400;
  const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8')) as EmbedderManifest;
  const pre = manifest.metadata.preprocessing!;
  const renderer = new ViewRenderer(pre.width);
  const crops = Array.from({ length: 32 }, (_, i) =>
    renderer.render(
      syntheticProduct(EMBEDDER_DOMAIN.seed, EMBEDDER_DOMAIN.heldOut.from + i),
      randomView(new SeededRandom(mixSeed(EMBEDDER_DOMAIN.seed, VIEW_STREAMS.query, i)), 'field'),
    ),
  );
  const dims = [1, 3, pre.height, pre.width];
  const embedder = new ModelSession(join(MODEL_DIR, manifest.file), { threads: 1 });
  await embedder.start();
  const embedderFrame = (i: number) => () => ({ data: imageToTensor(crops[i % crops.length]!, pre), dims });
  await timeFrames(
    embedder,
    Array.from({ length: 20 }, (_, i) => embedderFrame(i)),
    manifest.metadata.input.name,
    manifest.metadata.output.name,
  );
  const ours = await timeFrames(
    embedder,
    Array.from({ length: frames }, (_, i) => embedderFrame(i)),
    manifest.metadata.input.name,
    manifest.metadata.output.name,
  );
  await embedder.stop();

  const rows: (string | number)[][] = [
    [
      `${manifest.name} ${manifest.version} (${pre.width}×${pre.height}, incl. preprocessing)`,
      ours.n,
      fmt(ours.p50, 2),
      fmt(ours.p95, 2),
      fmt(ours.p99, 2),
      '1.00',
    ],
  ];
  let reference: ReturnType<typeof summarize> | null = null;
  const path = referenceGraph();
  if (path) {
    const mobilenet = new ModelSession(path, { threads: 1 });
    await mobilenet.start();
    const input = new Float32Array(3 * 224 * 224).map((_, i) => Math.sin(i) * 2);
    const refFrame = () => ({ data: input, dims: [1, 3, 224, 224] });
    await timeFrames(
      mobilenet,
      Array.from({ length: 20 }, () => refFrame),
      'image',
      'logits',
    );
    reference = await timeFrames(
      mobilenet,
      Array.from({ length: frames }, () => refFrame),
      'image',
      'logits',
    );
    await mobilenet.stop();
    rows.push([
      'baseline: MobileNetV3-Large 224×224',
      reference.n,
      fmt(reference.p50, 2),
      fmt(reference.p95, 2),
      fmt(reference.p99, 2),
      fmt(reference.p50 / ours.p50, 2),
    ]);
  } else {
    rows.push([
      'baseline: MobileNetV3-Large 224×224 (not measured: /usr/bin/python3 cannot import torch)',
      0,
      '',
      '',
      '',
      '',
    ]);
  }
  const markdown = [
    '### Product embedder per frame (ModelSession, 1 onnxruntime thread, batch 1)',
    '',
    markdownTable(['model', 'frames', 'p50 (ms)', 'p95 (ms)', 'p99 (ms)', 'baseline p50 / this p50'], rows),
  ].join('\n');
  return { markdown, ours, reference };
}

await runWhenMain(import.meta.url, run);
