import assert from 'node:assert/strict';
import type { HeldOutEmbeddings } from '../../models/product-embedder/held-out-embeddings.ts';
import { calibrateSimilarity } from '../../models/product-embedder/similarity-calibration.ts';
import { DEFAULT_FUSION_POLICY, modelFusionPolicy } from '../../vision/fusion/fusion-policy.ts';
import type { SyntheticProduct } from '../../vision/synthetic/synthetic-products.ts';

/**
 * Embeddings in 2-D: product p's enrolment views point at angle p·step, its query views `jitter` off it. With a step
 * wider than the jitter, a query is nearer its own product (cos jitter) than any other (cos(step − jitter)).
 */
function embeddings(products: number, step: number, jitter: number): HeldOutEmbeddings {
  const enrolViews = 2;
  const queryViews = 2;
  const enrol = new Float32Array(products * enrolViews * 2);
  const query = new Float32Array(products * queryViews * 2);
  for (let p = 0; p < products; p++) {
    for (let v = 0; v < enrolViews; v++) enrol.set([Math.cos(p * step), Math.sin(p * step)], (p * enrolViews + v) * 2);
    for (let v = 0; v < queryViews; v++) {
      const a = p * step + (v === 0 ? jitter : -jitter);
      query.set([Math.cos(a), Math.sin(a)], (p * queryViews + v) * 2);
    }
  }
  return {
    products: Array.from({ length: products }, (_, p) => ({ index: p, family: p, sku: `p${p}` }) as SyntheticProduct),
    dim: 2,
    enrolViews,
    queryViews,
    enrol,
    query,
    seconds: 0,
  };
}

describe('similarity calibration (models/product-embedder)', () => {
  it('puts "not in the gallery" between a drop’s own product and the nearest other brand', () => {
    const c = calibrateSimilarity(embeddings(12, 0.5, 0.1));
    assert.equal(c.products, 12);
    assert.ok(Math.abs(c.matchMedian - Math.cos(0.1)) < 1e-3, `own ${c.matchMedian}`);
    assert.ok(Math.abs(c.strangerMedian - Math.cos(0.4)) < 1e-3, `stranger ${c.strangerMedian}`);
    const unknown = c.unknown as number;
    assert.ok(unknown > c.strangerMedian && unknown <= c.matchMedian, `threshold ${unknown}`);
    assert.equal(c.errors, 0, 'fully separable');
  });

  it('says so when it cannot separate: strangers as close as the product itself', () => {
    const c = calibrateSimilarity(embeddings(12, 0.1, 0.1));
    assert.ok(c.errors >= 0.5, `errors ${c.errors}`);
    assert.equal(c.unknown, null, 'no threshold worth weighing');
  });

  it('the cart weighs "not in the gallery" at the calibration its model carries, never without one', () => {
    assert.equal(modelFusionPolicy(undefined), DEFAULT_FUSION_POLICY);
    assert.equal(modelFusionPolicy({}).unknownSimilarity, null);
    assert.equal(modelFusionPolicy({ similarity: { unknown: 0.83 } }).unknownSimilarity, 0.83);
  });
});
