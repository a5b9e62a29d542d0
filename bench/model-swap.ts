/**
 * Models on a device (issue 10 item 6): what running them in worker threads costs and saves, on a model the size of a
 * small embedder (a dense 256 → 1024 × 4 → 128 network, 13 MB of float32 weights, written by the test fixture's
 * ONNX encoder), batches of 8.
 *
 * 1. The event loop while the model runs: the main thread's event-loop delay (perf_hooks, 1 ms resolution) during
 *    50 inferences in a `ModelSession` (its own worker thread), against the same 50 through onnxruntime-node on the
 *    main thread, as a runtime without the worker would run them. The cart's screen, MQTT keep-alive and the scale's
 *    sampling wait as long as this delay.
 * 2. A hot swap while serving: sequential inferences through `SwappableModel` for the whole of a swap to another
 *    model, latency per request and errors, against the same requests with no swap.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { ModelSession } from '../ota/model/model-session.ts';
import { SwappableModel } from '../ota/model/swappable-model.ts';
import { silentLogger } from '../platform/log.ts';
import type { ModelMetadata } from '../protocol/ota/model.ts';
import { makeDenseModel } from '../test/fixtures/ota/make-onnx-model.ts';
import { type BenchOptions, fmt, markdownTable, runWhenMain, summarize, tempDir } from './lib/common.ts';

const SIZES = [256, 1024, 1024, 1024, 1024, 128];
const BATCH = 256;

function metadata(): ModelMetadata {
  return {
    schema: 1,
    opset: 17,
    input: { name: 'features', elementType: 'float32', shape: ['batch', SIZES[0] as number] },
    output: { name: 'embedding', elementType: 'float32', shape: ['batch', SIZES.at(-1) as number] },
    embeddingSize: SIZES.at(-1) as number,
    selfTest: {
      batch: 1,
      inputs: { source: 'generated', seed: 1, min: -1, max: 1 },
      expectedSha256: '0'.repeat(64),
      tolerance: { maxAbs: 1e-4, minCosine: 0.9999 },
    },
  };
}

const input = () => Float32Array.from({ length: BATCH * (SIZES[0] as number) }, (_, i) => Math.sin(i));

/** Event-loop delay (ms) while `work` runs, with a 1 ms timer ticking to be delayed. */
async function loopDelayDuring(work: () => Promise<void>): Promise<{ p99: number; max: number; ms: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const tick = setInterval(() => {}, 1);
  histogram.enable();
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  histogram.disable();
  clearInterval(tick);
  return { p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6, ms };
}

export async function run({ quick }: BenchOptions): Promise<{ markdown: string; [key: string]: unknown }> {
  const dir = tempDir('model-swap-');
  const runs = quick ? 10 : 30;
  try {
    const v1 = join(dir.path, 'v1.onnx');
    const v2 = join(dir.path, 'v2.onnx');
    writeFileSync(v1, makeDenseModel(SIZES));
    writeFileSync(v2, makeDenseModel(SIZES, 18));
    const feeds = { features: { data: input(), dims: [BATCH, SIZES[0] as number] } };

    // 1. Event loop: worker thread against the main thread.
    const session = new ModelSession(v1);
    await session.start();
    await session.run(feeds, ['embedding']); // warm-up
    const inWorker = await loopDelayDuring(async () => {
      for (let i = 0; i < runs; i++)
        await session.run({ features: { data: input(), dims: feeds.features.dims } }, ['embedding']);
    });
    await session.stop();
    const main = await InferenceSession.create(v1, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const tensor = () => new Tensor('float32', input(), [BATCH, SIZES[0] as number]);
    await main.run({ features: tensor() });
    const onMain = await loopDelayDuring(async () => {
      for (let i = 0; i < runs; i++) await main.run({ features: tensor() });
    });
    await main.release();

    // 2. Hot swap: latencies during a swap against steady state.
    const host = new SwappableModel(silentLogger());
    await host.swap(v1, metadata());
    const ask = async (latencies: number[]) => {
      const t = performance.now();
      await host.infer(input(), [BATCH, SIZES[0] as number]);
      latencies.push(performance.now() - t);
    };
    const steady: number[] = [];
    for (let i = 0; i < runs; i++) await ask(steady);
    const during: number[] = [];
    let errors = 0;
    let swapped = false;
    const swapStarted = performance.now();
    const swap = host.swap(v2, metadata()).then(() => {
      swapped = true;
    });
    while (!swapped) await ask(during).catch(() => errors++);
    const swapMs = performance.now() - swapStarted;
    await swap;
    await host.stop();

    const s = summarize(steady);
    const d = summarize(during);
    const markdown = [
      `### Models in worker threads (${SIZES.join('→')} dense, batch ${BATCH}, ${runs} inferences)`,
      '',
      markdownTable(
        ['where the model runs', 'inference time total (ms)', 'main loop delay p99 (ms)', 'main loop delay max (ms)'],
        [
          ['ModelSession (worker thread)', fmt(inWorker.ms), fmt(inWorker.p99), fmt(inWorker.max)],
          ['baseline: onnxruntime on the main thread', fmt(onMain.ms), fmt(onMain.p99), fmt(onMain.max)],
        ],
      ),
      '',
      markdownTable(
        ['requests', 'n', 'p50 (ms)', 'p99 (ms)', 'max (ms)', 'errors'],
        [
          [`during a swap (${fmt(swapMs, 0)} ms)`, d.n, fmt(d.p50, 2), fmt(d.p99, 2), fmt(d.max, 2), errors],
          ['baseline: no swap', s.n, fmt(s.p50, 2), fmt(s.p99, 2), fmt(s.max, 2), 0],
        ],
      ),
    ].join('\n');
    return { markdown, inWorker, onMain, swapMs, during: d, steady: s, errors };
  } finally {
    dir.cleanup();
  }
}

await runWhenMain(import.meta.url, run);
