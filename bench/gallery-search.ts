/**
 * Gallery search (issue 11 item 4; target: 10,000 products in a few ms). Random galleries of unit vectors (dim 128) at
 * 1,000, 10,000 and 100,000 products, encoded and decoded as a cart reads them; 10 nearest of random unit queries,
 * one query at a time, the variants interleaved query by query:
 * - `OnnxGalleryIndex`: Gemm + TopK in onnxruntime-node (one intra-op thread, as on a cart), the gallery fed as it
 *   is — what a cart uses;
 * - `GalleryIndex`: the JavaScript search (4-row blocked dot products over the Float32Array, a top-k insertion);
 * - baseline: a naive search, `Array<number[]>` rows, a dot product loop each, every match sorted in full.
 * p50/p95 per query in ms; ratios are the baseline's p50 over the variant's. Also: a filtered search (every other row
 * allowed) and a batch of 8 queries per call, for each index.
 */
import { performance } from 'node:perf_hooks';
import { galleryDraft, randomUnitRows } from '../test/fixtures/vision/random-gallery.ts';
import { decodeGallery, encodeGallery } from '../vision/gallery/gallery-file.ts';
import { GalleryIndex } from '../vision/gallery/gallery-index.ts';
import type { GalleryMatch, RowFilter } from '../vision/gallery/gallery-search.ts';
import { OnnxGalleryIndex } from '../vision/gallery/onnx-gallery-index.ts';
import { type BenchOptions, fmt, markdownTable, percentile, runWhenMain } from './lib/common.ts';

const DIM = 128;
const K = 10;

interface Variant {
  name: string;
  search: (query: Float32Array) => unknown;
}

export interface GallerySearchResult {
  products: number;
  variant: string;
  p50: number;
  p95: number;
  ratio: number;
}

const log = (message: string) => process.stderr.write(`[gallery-search] ${message}\n`);

/** The search anyone would write first: rows as arrays of numbers, every similarity, a full sort. */
function naiveSearch(rows: number[][], skus: string[], query: Float32Array, k: number): GalleryMatch[] {
  const q = Array.from(query);
  const all = rows.map((row, i) => {
    let dot = 0;
    for (let d = 0; d < row.length; d++) dot += (row[d] as number) * (q[d] as number);
    return { sku: skus[i] as string, row: i, similarity: dot };
  });
  all.sort((a, b) => b.similarity - a.similarity || a.row - b.row);
  return all.slice(0, k);
}

export async function run({ quick }: BenchOptions): Promise<{ markdown: string; results: GallerySearchResult[] }> {
  const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const results: GallerySearchResult[] = [];
  for (const products of sizes) {
    const queries = quick ? 50 : products >= 100_000 ? 60 : 300;
    log(`${products} products: building, ${queries} queries`);
    const file = encodeGallery(
      galleryDraft(products, DIM),
      randomUnitRows(products, DIM, products),
      new Array(products).fill(null),
    );
    const gallery = decodeGallery(file);
    const js = new GalleryIndex(gallery);
    const onnx = await OnnxGalleryIndex.open(gallery);
    const rows = Array.from({ length: products }, (_, r) =>
      Array.from(gallery.matrix.subarray(r * DIM, (r + 1) * DIM)),
    );
    const skus = gallery.header.products.map((p) => p.sku);
    const everyOther: RowFilter = (row) => row % 2 === 0;
    const batch = randomUnitRows(8, DIM, 99);
    const variants: Variant[] = [
      { name: 'OnnxGalleryIndex (chosen)', search: (q) => onnx.search(q, K) },
      { name: 'GalleryIndex (JavaScript)', search: (q) => js.search(q, K) },
      { name: 'baseline: naive (number[][], full sort)', search: (q) => naiveSearch(rows, skus, q, K) },
      { name: 'OnnxGalleryIndex, half the rows allowed', search: (q) => onnx.search(q, K, everyOther) },
      { name: 'GalleryIndex, half the rows allowed', search: (q) => js.search(q, K, everyOther) },
      // A batch of 8 per call, counted per query.
      { name: 'OnnxGalleryIndex, 8 queries per call (per query)', search: () => onnx.searchMany(batch, K) },
      { name: 'GalleryIndex, 8 queries per call (per query)', search: () => js.searchMany(batch, K) },
    ];
    const perQuery = (v: Variant) => (v.name.includes('8 queries') ? 8 : 1);
    const times = variants.map(() => [] as number[]);
    const query = randomUnitRows(queries + 5, DIM, products + 1);
    for (let i = 0; i < queries + 5; i++) {
      const q = query.subarray(i * DIM, (i + 1) * DIM);
      for (const [v, variant] of variants.entries()) {
        const started = performance.now();
        await variant.search(q);
        const ms = performance.now() - started;
        if (i >= 5) times[v]?.push(ms / perQuery(variant)); // the first 5: warm-up
      }
    }
    // The answers agree (the same skus), or the numbers compare different work.
    const check = query.subarray(0, DIM);
    const expected = naiveSearch(rows, skus, check, K)
      .map((m) => m.sku)
      .join();
    for (const [name, found] of [
      ['onnx', await onnx.search(check, K)],
      ['js', js.search(check, K)],
    ] as const)
      if (found.map((m) => m.sku).join() !== expected) throw new Error(`${name} search disagrees with the naive one`);
    await onnx.close();
    const summaries = times.map((t) => {
      const sorted = [...t].sort((a, b) => a - b);
      return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
    });
    const baseline = summaries[2]?.p50 as number;
    variants.forEach((variant, v) => {
      const s = summaries[v] as { p50: number; p95: number };
      results.push({ products, variant: variant.name, p50: s.p50, p95: s.p95, ratio: baseline / s.p50 });
    });
  }
  return { markdown: markdown(results, quick), results };
}

function markdown(results: GallerySearchResult[], quick: boolean): string {
  return [
    `## Gallery search (dim ${DIM}, top ${K}, one query at a time${quick ? '; --quick' : ''})`,
    '',
    markdownTable(
      ['products', 'search', 'p50 ms', 'p95 ms', 'baseline p50 ÷ p50'],
      results.map((r) => [
        r.products.toLocaleString('en-US'),
        r.variant,
        fmt(r.p50, 3),
        fmt(r.p95, 3),
        `${fmt(r.ratio, 1)}×`,
      ]),
    ),
  ].join('\n');
}

await runWhenMain(import.meta.url, run);
