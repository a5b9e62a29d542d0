import { FleetError } from '../../protocol/errors.ts';
import { l2Norm } from './embedding-rows.ts';

/** One product found: its row of the gallery and the cosine similarity of its prototype to the query. */
export interface GalleryMatch {
  sku: string;
  row: number;
  similarity: number;
}

/** Which rows may be answered (the products of the cart's zone, those the scale's weight allows). */
export type RowFilter = (row: number) => boolean;

/**
 * A gallery's exact nearest-neighbour search. Answers the `k` most similar rows the filter allows, most similar
 * first, equal similarities by row; fewer when fewer rows are allowed. A query of another dimension is refused with
 * GALLERY_MODEL_MISMATCH (the cart's model and the gallery disagree); one that is zero or not finite with
 * BAD_REQUEST. A query need not be normalised: similarities are divided by its norm.
 */
export interface GallerySearch {
  readonly rows: number;
  readonly dimension: number;
  search(query: Float32Array, k: number, allow?: RowFilter): GalleryMatch[] | Promise<GalleryMatch[]>;
  /** `queries` holds `queries.length / dimension` queries one after the other; one answer per query. */
  searchMany(queries: Float32Array, k: number, allow?: RowFilter): GalleryMatch[][] | Promise<GalleryMatch[][]>;
}

/** Each query's norm, after checking the queries' dimension and values. */
export function queryNorms(queries: Float32Array, dimension: number, many: boolean): Float64Array {
  if (many ? queries.length % dimension !== 0 || queries.length === 0 : queries.length !== dimension)
    throw new FleetError(
      'GALLERY_MODEL_MISMATCH',
      `a query of ${queries.length} values for a gallery of ${dimension}-dimensional embeddings`,
    );
  const count = queries.length / dimension;
  const norms = new Float64Array(count);
  for (let q = 0; q < count; q++) {
    const norm = l2Norm(queries, q * dimension, dimension);
    if (!(norm > 0)) throw new FleetError('BAD_REQUEST', `query ${q} is zero or has a value that is not finite`);
    norms[q] = norm;
  }
  return norms;
}

/** k as a count of rows: a whole number from 0 to `rows`. */
export function clampK(k: number, rows: number): number {
  if (!Number.isInteger(k) || k < 0) throw new FleetError('BAD_REQUEST', `k must be a whole number ≥ 0, not ${k}`);
  return Math.min(k, rows);
}
