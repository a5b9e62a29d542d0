import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { DecodedGallery } from './gallery-file.ts';
import { clampK, type GalleryMatch, type GallerySearch, queryNorms, type RowFilter } from './gallery-search.ts';
import { SEARCH_GRAPH, searchGraph } from './search-graph.ts';

export interface OnnxGalleryIndexOptions {
  /** onnxruntime's intra-op threads (default 1: a cart's other core is the screen's). */
  threads?: number;
}

/**
 * A gallery's exact search in onnxruntime: `searchGraph()` (Gemm + mask + TopK, MLAS's vectorised float32 kernels)
 * over the decoded matrix, fed as it is. 5-8× the JavaScript search at 10,000 and 100,000 rows here
 * (bench/gallery-search.ts), so it is the one a cart uses. onnxruntime-node computes on the calling thread: ~0.2 ms
 * at 10,000 rows, a few ms at 100,000. Similarities are float32 (the JavaScript search sums in float64): they agree to
 * ~1e-6, and two rows closer than that may come in either order. `close()` releases the session.
 */
export class OnnxGalleryIndex implements GallerySearch {
  readonly rows: number;
  readonly dimension: number;
  private readonly skus: readonly string[];
  private readonly gallery: Tensor;
  private readonly openMask: Tensor;

  private constructor(
    private readonly session: InferenceSession,
    decoded: Pick<DecodedGallery, 'header' | 'matrix' | 'rows' | 'dimension'>,
  ) {
    this.rows = decoded.rows;
    this.dimension = decoded.dimension;
    this.skus = decoded.header.products.map((p) => p.sku);
    this.gallery = new Tensor('float32', decoded.matrix, [decoded.rows, decoded.dimension]);
    this.openMask = new Tensor('float32', new Float32Array(decoded.rows), [decoded.rows]);
  }

  static async open(
    decoded: Pick<DecodedGallery, 'header' | 'matrix' | 'rows' | 'dimension'>,
    options: OnnxGalleryIndexOptions = {},
  ): Promise<OnnxGalleryIndex> {
    const threads = options.threads ?? 1;
    const session = await InferenceSession.create(searchGraph(decoded.dimension), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
    });
    return new OnnxGalleryIndex(session, decoded);
  }

  async search(query: Float32Array, k: number, allow?: RowFilter): Promise<GalleryMatch[]> {
    return (await this.run(query, k, allow, false))[0] ?? [];
  }

  searchMany(queries: Float32Array, k: number, allow?: RowFilter): Promise<GalleryMatch[][]> {
    return this.run(queries, k, allow, true);
  }

  private async run(queries: Float32Array, k: number, allow: RowFilter | undefined, many: boolean) {
    const norms = queryNorms(queries, this.dimension, many);
    const kept = clampK(k, this.rows);
    if (kept === 0) return Array.from(norms, () => []);
    const out = await this.session.run({
      [SEARCH_GRAPH.query]: new Tensor('float32', queries, [norms.length, this.dimension]),
      [SEARCH_GRAPH.gallery]: this.gallery,
      [SEARCH_GRAPH.mask]: allow ? this.mask(allow) : this.openMask,
      [SEARCH_GRAPH.k]: new Tensor('int64', BigInt64Array.of(BigInt(kept)), [1]),
    });
    const values = out[SEARCH_GRAPH.values]?.data as Float32Array;
    const indices = out[SEARCH_GRAPH.indices]?.data as BigInt64Array;
    return Array.from(norms, (norm, q) => {
      const matches: GalleryMatch[] = [];
      for (let i = q * kept; i < (q + 1) * kept; i++) {
        const value = values[i] as number;
        // −∞: a row the filter refused, in the answer only because fewer than k were allowed.
        if (value === Number.NEGATIVE_INFINITY) break;
        const row = Number(indices[i]);
        matches.push({ sku: this.skus[row] as string, row, similarity: value / norm });
      }
      return matches;
    });
  }

  async close(): Promise<void> {
    await this.session.release();
  }

  private mask(allow: RowFilter): Tensor {
    const mask = new Float32Array(this.rows);
    for (let row = 0; row < this.rows; row++) if (!allow(row)) mask[row] = Number.NEGATIVE_INFINITY;
    return new Tensor('float32', mask, [this.rows]);
  }
}
