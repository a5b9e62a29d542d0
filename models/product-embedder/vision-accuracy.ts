import type { HeldOutEmbeddings } from './held-out-embeddings.ts';

/** Top-k hits of vision alone: each query against every held-out product's gallery entry. */
export interface TopK {
  top1: number;
  top5: number;
  queries: number;
}

function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  const s = n > 0 ? 1 / Math.sqrt(n) : 0;
  return v.map((x) => x * s);
}

/** Each product's prototype: the normalised mean of its first `shots` enrolment embeddings. */
export function prototypes(e: HeldOutEmbeddings, shots = e.enrolViews): Float32Array {
  const { dim, enrolViews } = e;
  const out = new Float32Array(e.products.length * dim);
  for (let p = 0; p < e.products.length; p++) {
    const mean = new Float32Array(dim);
    for (let v = 0; v < shots; v++) {
      const row = (p * enrolViews + v) * dim;
      for (let d = 0; d < dim; d++) mean[d]! += e.enrol[row + d]!;
    }
    out.set(normalise(mean), p * dim);
  }
  return out;
}

/** Similarities of query `q` to every product (dot products: embeddings are normalised). */
export function similarities(e: HeldOutEmbeddings, gallery: Float32Array, q: number): Float32Array {
  const { dim } = e;
  const sims = new Float32Array(e.products.length);
  const base = q * dim;
  for (let p = 0; p < sims.length; p++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += gallery[p * dim + d]! * e.query[base + d]!;
    sims[p] = s;
  }
  return sims;
}

/** Rank of the true product among the similarities (0 = top-1). */
export function rankOf(sims: Float32Array, truth: number): number {
  const t = sims[truth]!;
  let rank = 0;
  for (let i = 0; i < sims.length; i++) if (sims[i]! > t || (sims[i] === t && i < truth)) rank++;
  return rank;
}

export function visionTopK(e: HeldOutEmbeddings, gallery: Float32Array): TopK {
  let top1 = 0;
  let top5 = 0;
  const queries = e.products.length * e.queryViews;
  for (let q = 0; q < queries; q++) {
    const rank = rankOf(similarities(e, gallery, q), Math.floor(q / e.queryViews));
    if (rank === 0) top1++;
    if (rank < 5) top5++;
  }
  return { top1: top1 / queries, top5: top5 / queries, queries };
}
