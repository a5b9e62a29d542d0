import type { DecodedGallery } from './gallery-file.ts';
import { clampK, type GalleryMatch, type GallerySearch, queryNorms, type RowFilter } from './gallery-search.ts';

/**
 * A gallery's exact search in JavaScript: one dot product per row over the contiguous Float32Array, four rows at a
 * time (each query value loaded once for four rows: 1.6-1.9× the one-row loop here, bench/gallery-search.ts), the
 * best k kept in a sorted array as the rows go by (a row that does not beat the k-th best costs one comparison), so
 * the filter is asked only about rows that would enter. Synchronous and dependency-free; the reference the
 * onnxruntime search is tested against, and the one to use where onnxruntime is not loaded.
 */
export class GalleryIndex implements GallerySearch {
  readonly rows: number;
  readonly dimension: number;
  private readonly matrix: Float32Array;
  private readonly skus: readonly string[];

  constructor(gallery: Pick<DecodedGallery, 'header' | 'matrix' | 'rows' | 'dimension'>) {
    this.rows = gallery.rows;
    this.dimension = gallery.dimension;
    this.matrix = gallery.matrix;
    this.skus = gallery.header.products.map((p) => p.sku);
  }

  search(query: Float32Array, k: number, allow?: RowFilter): GalleryMatch[] {
    const [norm] = queryNorms(query, this.dimension, false);
    return this.searchOne(query, 0, norm as number, clampK(k, this.rows), allow);
  }

  searchMany(queries: Float32Array, k: number, allow?: RowFilter): GalleryMatch[][] {
    const norms = queryNorms(queries, this.dimension, true);
    const kept = clampK(k, this.rows);
    return Array.from(norms, (norm, q) => this.searchOne(queries, q * this.dimension, norm, kept, allow));
  }

  private searchOne(queries: Float32Array, at: number, norm: number, k: number, allow?: RowFilter): GalleryMatch[] {
    if (k === 0) return [];
    const top = new TopK(k, allow);
    const m = this.matrix;
    const d = this.dimension;
    let row = 0;
    for (; row + 3 < this.rows; row += 4) {
      const o0 = row * d;
      const o1 = o0 + d;
      const o2 = o1 + d;
      const o3 = o2 + d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < d; j++) {
        const x = queries[at + j] as number;
        s0 += (m[o0 + j] as number) * x;
        s1 += (m[o1 + j] as number) * x;
        s2 += (m[o2 + j] as number) * x;
        s3 += (m[o3 + j] as number) * x;
      }
      top.offer(row, s0);
      top.offer(row + 1, s1);
      top.offer(row + 2, s2);
      top.offer(row + 3, s3);
    }
    for (; row < this.rows; row++) {
      const o = row * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += (m[o + j] as number) * (queries[at + j] as number);
      top.offer(row, s);
    }
    return top.matches(this.skus, norm);
  }
}

/**
 * The k best (score, row) pairs seen, best first, equal scores in the order offered (rows ascending). Insertion
 * into a sorted array: rows arrive in no particular order of score, so after the first few hundred almost none
 * enters and each costs one comparison with the k-th best.
 */
class TopK {
  private readonly scores: Float64Array;
  private readonly rowsKept: Int32Array;
  private count = 0;
  private threshold = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly k: number,
    private readonly allow: RowFilter | undefined,
  ) {
    this.scores = new Float64Array(k);
    this.rowsKept = new Int32Array(k);
  }

  offer(row: number, score: number): void {
    // A score equal to the k-th best loses: it came later, and equal scores are ordered by row.
    if (this.count === this.k && score <= this.threshold) return;
    if (this.allow && !this.allow(row)) return;
    let i = this.count < this.k ? this.count++ : this.k - 1;
    while (i > 0 && (this.scores[i - 1] as number) < score) {
      this.scores[i] = this.scores[i - 1] as number;
      this.rowsKept[i] = this.rowsKept[i - 1] as number;
      i--;
    }
    this.scores[i] = score;
    this.rowsKept[i] = row;
    if (this.count === this.k) this.threshold = this.scores[this.k - 1] as number;
  }

  matches(skus: readonly string[], norm: number): GalleryMatch[] {
    const out: GalleryMatch[] = [];
    for (let i = 0; i < this.count; i++) {
      const row = this.rowsKept[i] as number;
      out.push({ sku: skus[row] as string, row, similarity: (this.scores[i] as number) / norm });
    }
    return out;
  }
}
