import type { RecognitionCandidate, RecognitionScore } from '../../protocol/vision/recognition.ts';
import type { FusionCatalog } from './fusion-input.ts';

/** The parts of the policy that score candidates (`fusion-policy.ts` documents each). */
export interface ScoringParams {
  temperature: number;
  weightSigmaShare: number;
  looseWeightFactor: number;
  outOfZoneFactor: number;
  unknownSimilarity: number | null;
}

/** The candidates' scores, and what is left for "none of these: a product the gallery does not have". */
export interface ScoredCandidates {
  scores: RecognitionScore[];
  /** The posterior of the not-in-the-gallery hypothesis (0 when the policy has none). */
  unknown: number;
}

/**
 * Softmax of the similarities divided by the temperature: vision's belief, shared among the candidates considered.
 * The largest logit is subtracted first, so a small temperature cannot overflow.
 */
export function visionProbabilities(similarities: readonly number[], temperature: number): number[] {
  if (similarities.length === 0) return [];
  const top = Math.max(...similarities);
  const exps = similarities.map((s) => Math.exp((s - top) / temperature));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/**
 * How well a settled weight change fits one item of the product: 0 outside its tolerance (a veto), inside it a bell
 * centred on the expected weight with σ = tolerance × `sigmaShare`, scaled so the centre is 1 (at the tolerance's edge
 * σ = tolerance/2 gives e^-2 ≈ 0.14). `looseFactor` when the weight cannot be predicted — produce, whose bag and
 * amount vary, or a product whose weight the catalog does not know: any reading is about as likely for it, so it is
 * far less likely than a packaged product's whose nominal weight the reading hits. 1 when no weight settled.
 */
export function weightFactor(
  deltaG: number | null,
  expected: { grams: number; toleranceG: number } | null,
  soldByWeight: boolean,
  sigmaShare: number,
  looseFactor: number,
): number {
  if (deltaG === null) return 1;
  if (expected === null || soldByWeight) return looseFactor;
  const off = Math.abs(deltaG - expected.grams);
  const tolerance = Math.max(0, expected.toleranceG);
  if (off > tolerance) return 0;
  if (off === 0) return 1;
  const sigma = tolerance * sigmaShare;
  return Math.exp(-(off * off) / (2 * sigma * sigma));
}

/** 1 in (or next to) the cart's zone or when unknown; `outOfZoneFactor` elsewhere (shoppers do carry items around). */
export function zoneFactor(shelved: boolean | null, outOfZoneFactor: number): number {
  return shelved === false ? outOfZoneFactor : 1;
}

/**
 * Every considered candidate's vision probability times its weight and zone factors, renormalised into a posterior.
 * With `unknownSimilarity` set, one more hypothesis competes: the item is a product the gallery does not have. It
 * takes part in the softmax as if it were a candidate of that similarity, with a weight nobody can predict
 * (`looseWeightFactor`) and no zone; its posterior is `unknown`, and the candidates' posteriors are what is left.
 * Highest posterior first (then similarity, then SKU, so equal scores still come out in one order). When the weight
 * vetoes every candidate, every candidate's posterior is 0.
 */
export function scoreCandidates(
  considered: readonly RecognitionCandidate[],
  weightDeltaG: number | null,
  zoneId: string | null,
  products: FusionCatalog,
  params: ScoringParams,
): ScoredCandidates {
  const open = params.unknownSimilarity !== null && considered.length > 0;
  const vision = visionProbabilities(
    [...considered.map((c) => c.similarity), ...(open ? [params.unknownSimilarity as number] : [])],
    params.temperature,
  );
  const scores = considered.map((c, i) => {
    const visionProb = vision[i] ?? 0;
    const weight = weightFactor(
      weightDeltaG,
      products.expectedWeight(c.sku),
      products.soldByWeight(c.sku),
      params.weightSigmaShare,
      params.looseWeightFactor,
    );
    const zone = zoneId === null ? 1 : zoneFactor(products.shelvedIn(c.sku, zoneId), params.outOfZoneFactor);
    return { sku: c.sku, similarity: c.similarity, visionProb, weightFactor: weight, zoneFactor: zone, posterior: 0 };
  });
  const joint = scores.map((s) => s.visionProb * s.weightFactor * s.zoneFactor);
  const unknownJoint = open
    ? (vision[considered.length] ?? 0) * (weightDeltaG === null ? 1 : params.looseWeightFactor)
    : 0;
  const total = joint.reduce((a, b) => a + b, 0) + unknownJoint;
  if (total > 0) for (const [i, s] of scores.entries()) s.posterior = (joint[i] ?? 0) / total;
  scores.sort(
    (a, b) => b.posterior - a.posterior || b.similarity - a.similarity || (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0),
  );
  return { scores, unknown: total > 0 ? unknownJoint / total : 0 };
}
