import type { HeldOutEmbeddings } from './held-out-embeddings.ts';
import { prototypes, similarities } from './vision-accuracy.ts';

/** What the calibration found, and on how much. */
export interface SimilarityCalibration {
  /**
   * The threshold: below it a sighting's best similarity more likely belongs to a product the gallery lacks. Null
   * when no threshold separates the two well enough to be worth a hypothesis (`errors` ≥ {@link MAX_CALIBRATION_ERRORS}):
   * the cart then never weighs "not in the gallery" rather than weigh it wrongly.
   */
  unknown: number | null;
  /** Median similarity of a drop to its own product's prototype. */
  matchMedian: number;
  /** Median similarity of a drop of a product not in the gallery to the nearest one that is (another brand's). */
  strangerMedian: number;
  /** At the threshold: the share of own-product similarities below it plus that of stranger similarities at or above. */
  errors: number;
  products: number;
}

/** Above this sum of the two error rates (1 is chance) the calibration sets no threshold. */
export const MAX_CALIBRATION_ERRORS = 0.5;

/**
 * The similarity where "my own product" and "the nearest of another brand" are equally likely, with equal priors:
 * the threshold that minimises the share of drops whose own-product similarity falls below it plus the share whose
 * nearest-stranger similarity reaches it. Strangers are products of other brand families (a never-enrolled product
 * is a brand the gallery may not have); all calibration products are enrolled from their enrolment views.
 */
export function calibrateSimilarity(e: HeldOutEmbeddings): SimilarityCalibration {
  const gallery = prototypes(e);
  const own: number[] = [];
  const stranger: number[] = [];
  for (let q = 0; q < e.products.length * e.queryViews; q++) {
    const p = Math.floor(q / e.queryViews);
    const sims = similarities(e, gallery, q);
    own.push(sims[p]!);
    let best = -1;
    for (let i = 0; i < sims.length; i++)
      if (e.products[i]!.family !== e.products[p]!.family) best = Math.max(best, sims[i]!);
    stranger.push(best);
  }
  own.sort((a, b) => a - b);
  stranger.sort((a, b) => a - b);
  const below = (values: number[], t: number) => lowerBound(values, t) / values.length;
  let threshold = 1;
  let errors = Number.POSITIVE_INFINITY;
  for (const t of [...own, ...stranger]) {
    const e2 = below(own, t) + (1 - below(stranger, t));
    if (e2 < errors) {
      errors = e2;
      threshold = t;
    }
  }
  return {
    unknown: errors < MAX_CALIBRATION_ERRORS ? round(threshold) : null,
    matchMedian: round(own[Math.floor(own.length / 2)]!),
    strangerMedian: round(stranger[Math.floor(stranger.length / 2)]!),
    errors: round(errors),
    products: e.products.length,
  };
}

/** The number of values below `t` (values sorted). */
function lowerBound(values: number[], t: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
