import { graphInput, graphOutput, intAttribute, node, onnxModel } from './onnx-writer.ts';

/** The search graph's tensor names. */
export const SEARCH_GRAPH = {
  query: 'query',
  gallery: 'gallery',
  mask: 'mask',
  k: 'k',
  values: 'values',
  indices: 'indices',
} as const;

/**
 * Nearest-neighbour search as an ONNX graph, for onnxruntime: `TopK(Gemm(query, galleryᵀ) + mask, k)`.
 * - `query` [batch, d] float32, `gallery` [rows, d] float32 (the decoded matrix, fed as it is: no copy, no
 *   transposed copy, and one graph serves every gallery of this embedding size);
 * - `mask` [rows] float32, 0 for a row that may be answered and −∞ for one that may not (broadcast over the batch);
 * - `k` [1] int64, at most `rows`;
 * - `values` [batch, k] the dot products, best first, and `indices` [batch, k] int64 their rows (TopK-11: equal values
 *   come lower index first, the order `GalleryIndex` answers in).
 * Only the embedding size is fixed. Feeding the gallery as an input and not as an initializer: onnxruntime keeps an
 * initializer's own copy (measured here: +25 MiB for a 5 MiB gallery of 10,000 rows, +135 MiB for 100,000) for
 * ~1.3× faster runs (bench/gallery-search.ts).
 */
export function searchGraph(dimension: number, opset = 17): Buffer {
  const g = SEARCH_GRAPH;
  return onnxModel({
    graphName: 'gallery-search',
    producer: 'cartfleet',
    opset,
    graph: [
      node('similarity', 'Gemm', [g.query, g.gallery], ['scores'], intAttribute('transB', 1)),
      node('filter', 'Add', ['scores', g.mask], ['allowed']),
      // TopK's defaults: the last axis, the largest values, sorted.
      node('best', 'TopK', ['allowed', g.k], [g.values, g.indices]),
      graphInput(g.query, ['batch', dimension]),
      graphInput(g.gallery, ['rows', dimension]),
      graphInput(g.mask, ['rows']),
      graphInput(g.k, [1], 'int64'),
      graphOutput(g.values, ['batch', 'k']),
      graphOutput(g.indices, ['batch', 'k'], 'int64'),
    ],
  });
}
