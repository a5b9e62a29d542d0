import assert from 'node:assert/strict';
import { isFleetError } from '../../../protocol/errors.ts';
import { GalleryIndex } from '../../../vision/gallery/gallery-index.ts';
import type { GalleryMatch, GallerySearch, RowFilter } from '../../../vision/gallery/gallery-search.ts';
import { OnnxGalleryIndex } from '../../../vision/gallery/onnx-gallery-index.ts';
import { randomGallery, randomUnitRows } from '../../fixtures/vision/random-gallery.ts';

type Gallery = ReturnType<typeof randomGallery>;

/** The obvious search: every dot product in float64, a full sort by similarity then row. */
function reference(gallery: Gallery, query: Float32Array, k: number, allow: RowFilter = () => true): GalleryMatch[] {
  let norm = 0;
  for (const v of query) norm += v * v;
  norm = Math.sqrt(norm);
  const all: GalleryMatch[] = [];
  for (let row = 0; row < gallery.rows; row++) {
    if (!allow(row)) continue;
    let dot = 0;
    for (let d = 0; d < gallery.dimension; d++)
      dot += (gallery.matrix[row * gallery.dimension + d] as number) * (query[d] as number);
    all.push({ sku: gallery.header.products[row]?.sku as string, row, similarity: dot / norm });
  }
  return all.sort((a, b) => b.similarity - a.similarity || a.row - b.row).slice(0, k);
}

function assertSame(actual: GalleryMatch[], expected: GalleryMatch[], tolerance: number): void {
  assert.deepEqual(
    actual.map((m) => [m.sku, m.row]),
    expected.map((m) => [m.sku, m.row]),
  );
  for (const [i, m] of actual.entries())
    assert.ok(Math.abs(m.similarity - (expected[i] as GalleryMatch).similarity) <= tolerance);
}

const engines: {
  name: string;
  open: (g: Gallery) => Promise<GallerySearch & { close?: () => Promise<void> }>;
  tolerance: number;
}[] = [
  { name: 'GalleryIndex (JavaScript)', open: async (g) => new GalleryIndex(g), tolerance: 1e-12 },
  // float32 sums in onnxruntime against float64 here.
  { name: 'OnnxGalleryIndex (onnxruntime)', open: (g) => OnnxGalleryIndex.open(g), tolerance: 1e-5 },
];

for (const engine of engines) {
  describe(`gallery search: ${engine.name}`, () => {
    const opened: { close?: () => Promise<void> }[] = [];
    const open = async (g: Gallery) => {
      const index = await engine.open(g);
      opened.push(index);
      return index;
    };
    after(async () => {
      for (const index of opened) await index.close?.();
    });

    it('finds exactly the brute-force top k on random data (several sizes and dimensions)', async () => {
      for (const [rows, dim, seed] of [
        [1, 8, 1],
        [7, 16, 2],
        [1001, 128, 3],
        [5003, 64, 4],
      ] as const) {
        const gallery = randomGallery(rows, dim, seed);
        const index = await open(gallery);
        const queries = randomUnitRows(20, dim, seed + 100);
        for (let q = 0; q < 20; q++) {
          const query = queries.subarray(q * dim, (q + 1) * dim);
          for (const k of [1, 5, 10]) {
            assertSame(await index.search(query, k), reference(gallery, query, k), engine.tolerance);
          }
        }
      }
    });

    it('finds a row from a noisy view of it first', async () => {
      const gallery = randomGallery(2000, 128, 9);
      const index = await open(gallery);
      const query = Float32Array.from(
        gallery.matrix.subarray(1234 * 128, 1235 * 128),
        (v, i) => v + 0.02 * Math.sin(i),
      );
      const [best] = await index.search(query, 3);
      assert.equal(best?.row, 1234);
      assert.equal(best?.sku, 'sku-001234');
    });

    it('answers only rows the filter allows, and fewer than k when fewer are allowed', async () => {
      const gallery = randomGallery(500, 32, 5);
      const index = await open(gallery);
      const query = randomUnitRows(1, 32, 77);
      const even: RowFilter = (row) => row % 2 === 0;
      assertSame(await index.search(query, 10, even), reference(gallery, query, 10, even), engine.tolerance);
      const three: RowFilter = (row) => row === 3 || row === 250 || row === 499;
      const found = await index.search(query, 10, three);
      assert.deepEqual(
        found.map((m) => m.row).sort((a, b) => a - b),
        [3, 250, 499],
      );
      assertSame(found, reference(gallery, query, 10, three), engine.tolerance);
      assert.deepEqual(await index.search(query, 5, () => false), []);
    });

    it('answers every row when k exceeds the rows, and none for k = 0', async () => {
      const gallery = randomGallery(6, 16, 8);
      const index = await open(gallery);
      const query = randomUnitRows(1, 16, 3);
      const all = await index.search(query, 50);
      assert.equal(all.length, 6);
      assertSame(all, reference(gallery, query, 6), engine.tolerance);
      assert.deepEqual(await index.search(query, 0), []);
    });

    it('orders equal similarities by row', async () => {
      const gallery = randomGallery(40, 16, 11);
      const row = gallery.matrix.slice(5 * 16, 6 * 16);
      for (const copy of [17, 2, 33]) gallery.matrix.set(row, copy * 16);
      const index = await open(gallery);
      const found = await index.search(row, 4);
      assert.deepEqual(
        found.map((m) => m.row),
        [2, 5, 17, 33],
      );
    });

    it('divides by the query norm: a scaled query gives the same cosine similarities', async () => {
      const gallery = randomGallery(300, 32, 12);
      const index = await open(gallery);
      const query = randomUnitRows(1, 32, 13);
      const scaled = query.map((v) => v * 7.5);
      assertSame(await index.search(scaled, 5), reference(gallery, query, 5), 1e-5);
    });

    it('searches a batch as each query alone', async () => {
      const gallery = randomGallery(800, 64, 14);
      const index = await open(gallery);
      const queries = randomUnitRows(5, 64, 15);
      const batch = await index.searchMany(queries, 7, (row) => row % 3 !== 0);
      assert.equal(batch.length, 5);
      for (let q = 0; q < 5; q++)
        assertSame(
          batch[q] as GalleryMatch[],
          reference(gallery, queries.subarray(q * 64, (q + 1) * 64), 7, (row) => row % 3 !== 0),
          engine.tolerance,
        );
    });

    it('refuses a query of another dimension with GALLERY_MODEL_MISMATCH, a zero or NaN query with BAD_REQUEST', async () => {
      const index = await open(randomGallery(10, 16, 16));
      const code = (expected: string) => (err: unknown) => isFleetError(err) && err.code === expected;
      await assert.rejects(async () => index.search(new Float32Array(15).fill(0.1), 3), code('GALLERY_MODEL_MISMATCH'));
      await assert.rejects(
        async () => index.searchMany(new Float32Array(40).fill(0.1), 3),
        code('GALLERY_MODEL_MISMATCH'),
      );
      await assert.rejects(async () => index.search(new Float32Array(16), 3), code('BAD_REQUEST'));
      await assert.rejects(async () => index.search(new Float32Array(16).fill(Number.NaN), 3), code('BAD_REQUEST'));
      await assert.rejects(async () => index.search(new Float32Array(16).fill(0.1), -1), code('BAD_REQUEST'));
    });
  });
}
