/**
 * The simulator's basket camera (issue 11 item 5; target: a capture in a few ms to ~20 ms at 320×240) and the crop a
 * cart cuts from it. Demo catalog products drawn as synthetic products (`appearanceFor`), baskets filled one drop at
 * a time, p50/p95 per call in ms, the variants interleaved drop by drop:
 * - `VirtualCamera.capture`, long after the drop (the background of older items reused; light and noise per capture);
 * - `VirtualCamera.place` + `capture` 800 ms after the drop (the background grows by one item; a hand and motion blur
 *   when the drop's draw has them);
 * - `changedRegion` + `squareCrop` to 96×96 (the embedder's input) from the frames before and after the drop;
 * - baseline: `ViewRenderer.render` of a 96×96 crop of the same product (the renderer training and evaluation use,
 *   2× supersampled, clutter at the edges).
 * Ratios are the baseline's p50 over the variant's.
 */
import { performance } from 'node:perf_hooks';
import { demoCatalog } from '../sim/demo-catalog.ts';
import { changedRegion, squareCrop } from '../vision/camera/change-crop.ts';
import { VirtualCamera } from '../vision/camera/virtual-camera.ts';
import { appearanceFor } from '../vision/synthetic/appearance.ts';
import { SeededRandom } from '../vision/synthetic/seeded-random.ts';
import { randomView } from '../vision/synthetic/view-params.ts';
import { ViewRenderer } from '../vision/synthetic/view-renderer.ts';
import { type BenchOptions, fmt, markdownTable, percentile, runWhenMain } from './lib/common.ts';

export interface BasketCameraResult {
  variant: string;
  p50: number;
  p95: number;
  ratio: number;
}

const log = (message: string) => process.stderr.write(`[basket-camera] ${message}\n`);
const DOMAIN_SEED = 7;
/** Items per trip: the basket fills up to this, then a new trip begins. */
const TRIP_ITEMS = 10;

export async function run({ quick }: BenchOptions): Promise<{ markdown: string; results: BasketCameraResult[] }> {
  const drops = quick ? 40 : 300;
  const products = demoCatalog().products.map((p) => appearanceFor(p, DOMAIN_SEED));
  log(`${drops} drops, ${products.length} catalog products`);
  const camera = new VirtualCamera({ seed: 3 });
  await camera.start();
  const crops = new ViewRenderer(96);
  const random = new SeededRandom(11);
  const names = [
    'VirtualCamera.capture, still basket',
    'VirtualCamera.place + capture soon after the drop',
    'changedRegion + squareCrop to 96×96',
    'baseline: ViewRenderer.render, a 96×96 training crop',
  ];
  const times = names.map(() => [] as number[]);
  const time = (v: number, fn: () => unknown, record: boolean): void => {
    const started = performance.now();
    fn();
    if (record) times[v]?.push(performance.now() - started);
  };
  let at = 1_000_000;
  for (let i = 0; i < drops + 5; i++) {
    const record = i >= 5; // the first 5: warm-up
    if (i % TRIP_ITEMS === 0) camera.clear();
    const product = products[(i * 37) % products.length]!;
    at += 60_000;
    const before = await camera.capture(at);
    const started = performance.now();
    await camera.capture(at + 1);
    if (record) times[0]?.push(performance.now() - started);
    const dropped = performance.now();
    camera.place(product, at + 1000);
    const after = await camera.capture(at + 1800);
    if (record) times[1]?.push(performance.now() - dropped);
    time(
      2,
      () => {
        const region = changedRegion(before, after);
        if (region) squareCrop(after, region, 96);
      },
      record,
    );
    time(3, () => crops.render(product, randomView(random, 'field'), products.slice(0, 8)), record);
  }
  await camera.stop();
  const summaries = times.map((t) => {
    const sorted = [...t].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
  });
  const baseline = summaries[3]!.p50;
  const results = names.map((variant, v) => ({
    variant,
    p50: summaries[v]!.p50,
    p95: summaries[v]!.p95,
    ratio: baseline / summaries[v]!.p50,
  }));
  return {
    markdown: [
      `## Basket camera (320×240 virtual frames, ${drops} drops, trips of ${TRIP_ITEMS} items${quick ? '; --quick' : ''})`,
      '',
      markdownTable(
        ['step', 'p50 ms', 'p95 ms', 'baseline p50 ÷ p50'],
        results.map((r) => [r.variant, fmt(r.p50, 2), fmt(r.p95, 2), `${fmt(r.ratio, 2)}×`]),
      ),
    ].join('\n'),
    results,
  };
}

await runWhenMain(import.meta.url, run);
