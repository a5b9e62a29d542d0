/**
 * The synthetic domain the embedder is trained and evaluated on: one seed, disjoint index ranges. Held-out products
 * are whole brand families the training never drew (families are FAMILY_SIZE consecutive indices), so the evaluation
 * measures products and brands the model never saw.
 */
export const EMBEDDER_DOMAIN = {
  seed: 7,
  inputSize: 96,
  train: { from: 0, count: 2400, viewsPerProduct: 16 },
  heldOut: { from: 1_000_000, count: 600, enrolViews: 5, queryViews: 5 },
  /**
   * Products of their own, apart from the held-out ones, on which the evaluation calibrates the model's similarities
   * (`ModelMetadata.similarity`) before it measures anything with them.
   */
  calibration: { from: 3_000_000, count: 300 },
  /** The self-test's reference images (rendered, stored in the model file, issue 11 item 7). */
  reference: { from: 2_000_000, count: 4 },
} as const;

/** View-stream seeds: one per purpose, so enrolment, queries and training never share a view. */
export const VIEW_STREAMS = { train: 1, enrol: 2, query: 3, reference: 4 } as const;
