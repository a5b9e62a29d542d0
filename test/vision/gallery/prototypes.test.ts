import assert from 'node:assert/strict';
import { isFleetError } from '../../../protocol/errors.ts';
import { buildGallery } from '../../../vision/gallery/gallery-builder.ts';
import { decodeGallery } from '../../../vision/gallery/gallery-file.ts';
import { GalleryIndex } from '../../../vision/gallery/gallery-index.ts';
import { productPrototype } from '../../../vision/gallery/prototypes.ts';
import { fakePng, randomUnitRows } from '../../fixtures/vision/random-gallery.ts';

const DIM = 32;
const rowsOf = (values: Float32Array) =>
  Array.from({ length: values.length / DIM }, (_, i) => values.slice(i * DIM, (i + 1) * DIM));
const unit = (values: number[]) => {
  const norm = Math.hypot(...values);
  return Float32Array.from(values, (v) => v / norm);
};

function refusesEmbedding(fn: () => unknown, reason: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isFleetError(err, 'GALLERY_INVALID'));
    assert.deepEqual(err.details, { problem: 'embedding' });
    assert.match(err.message, reason);
    return true;
  });
}

/** Views of one product: its direction plus a little noise, normalised. */
function views(center: Float32Array, count: number, seed: number): Float32Array[] {
  const noise = rowsOf(randomUnitRows(count, DIM, seed));
  return noise.map((n) => unit(Array.from(center, (v, i) => v + 0.3 * (n[i] as number))));
}

describe('product prototypes', () => {
  it('is the normalised mean of the embeddings, with the photos counted and their worst agreement', () => {
    const a = unit([1, 0, 0]);
    const b = unit([0, 1, 0]);
    const p = productPrototype([a, b], 3);
    assert.deepEqual(
      [...p.vector].map((v) => Number(v.toFixed(6))),
      [Number(Math.SQRT1_2.toFixed(6)), Number(Math.SQRT1_2.toFixed(6)), 0],
    );
    assert.equal(p.photos, 2);
    assert.ok(Math.abs(p.minCosine - Math.SQRT1_2) < 1e-6);
    const one = productPrototype([a], 3);
    assert.deepEqual([...one.vector], [...a]);
    assert.equal(one.minCosine, 1);
  });

  it('refuses no embeddings, NaN, another length, non-normalised and cancelling embeddings', () => {
    refusesEmbedding(() => productPrototype([], 3), /no enrolment embeddings/);
    refusesEmbedding(
      () => productPrototype([Float32Array.of(Number.NaN, 0, 0)], 3),
      /embedding 0 has a value that is not a finite/,
    );
    refusesEmbedding(
      () => productPrototype([unit([1, 2, 3]), unit([1, 2])], 3),
      /embedding 1 has 2 values, the model makes 3/,
    );
    refusesEmbedding(() => productPrototype([Float32Array.of(0, 0, 0)], 3), /not L2-normalised \(norm 0/);
    refusesEmbedding(() => productPrototype([unit([1, 0, 0]), unit([-1, 0, 0])], 3), /cancel out/);
  });

  it('recognises new views of each product through a built gallery', () => {
    const centers = rowsOf(randomUnitRows(200, DIM, 1));
    const products = centers.map((c, i) => ({
      sku: `p-${String(i).padStart(3, '0')}`,
      plu: null,
      embeddings: views(c, 5, 1000 + i),
      thumbnail: null,
    }));
    const built = buildGallery({
      storeId: 'hf-shanghai-xuhui',
      version: 1,
      createdAt: 0,
      model: { name: 'product-embedder', version: '1.0.0', embeddingSize: DIM },
      products,
    });
    const index = new GalleryIndex(decodeGallery(built.bytes));
    let hits = 0;
    centers.forEach((c, i) => {
      const [query] = views(c, 1, 5000 + i);
      if (index.search(query as Float32Array, 1)[0]?.sku === products[i]?.sku) hits++;
    });
    assert.ok(hits >= 195, `${hits} of 200 new views found their product`);
  });
});

describe('gallery builder', () => {
  const model = { name: 'product-embedder', version: '1.0.0', embeddingSize: DIM };
  it('orders rows by sku, counts usable photos, leaves out products with none, and is reproducible', () => {
    const [x, y, z] = rowsOf(randomUnitRows(3, DIM, 4)) as [Float32Array, Float32Array, Float32Array];
    const products = [
      {
        sku: 'b-milk',
        label: { zh: '牛奶', en: 'Milk' },
        plu: null,
        embeddings: [x, new Float32Array(DIM)],
        thumbnail: fakePng(3),
      },
      { sku: 'a-apple', plu: '4131', embeddings: [y, z], thumbnail: null },
      {
        sku: 'c-broken',
        plu: null,
        embeddings: [Float32Array.from({ length: DIM }, () => Number.NaN)],
        thumbnail: null,
      },
    ];
    const input = { storeId: 'hf-shanghai-xuhui', version: 7, createdAt: 1_760_000_000_000, model, products };
    const built = buildGallery(input);
    assert.deepEqual(
      built.header.products.map((p) => [p.sku, p.photos, p.plu]),
      [
        ['a-apple', 2, '4131'],
        ['b-milk', 1, null],
      ],
    );
    assert.deepEqual(built.header.products[1]?.thumbnail, { offset: 0, length: 40 });
    assert.deepEqual(built.leftOut, [{ sku: 'c-broken', reason: 'no usable enrolment embedding' }]);
    assert.deepEqual(
      built.droppedPhotos.map((d) => [d.sku, d.index]),
      [
        ['b-milk', 1],
        ['c-broken', 0],
      ],
    );
    const gallery = decodeGallery(built.bytes);
    assert.deepEqual([...gallery.matrix.subarray(DIM)], [...productPrototype([x], DIM).vector]);
    assert.ok(buildGallery({ ...input, products: [...products].reverse() }).bytes.equals(built.bytes));
  });
});
