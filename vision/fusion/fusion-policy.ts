import { FleetError } from '../../protocol/errors.ts';
import {
  MAX_RECOGNITION_CANDIDATES,
  MAX_RECOGNITION_OPTIONS,
  type RecognitionCandidate,
  type RecognitionDecision,
  type RecognitionScore,
} from '../../protocol/vision/recognition.ts';
import { scoreCandidates } from './candidate-scores.ts';
import type { FusionInput } from './fusion-input.ts';

/**
 * The thresholds of the fusion rule. The defaults suit an L2-normalised metric-learning embedding whose matching
 * views score about 0.8 and other products below 0.5; the offline evaluation on held-out products is where they are
 * tuned, and field records (decided again with `fusionInputOf`) where they are checked. README.md says what each
 * one trades.
 */
export interface FusionPolicy {
  /** How many of the most similar candidates are considered at all (at most MAX_RECOGNITION_CANDIDATES). */
  readonly topK: number;
  /**
   * Candidates below this cosine similarity are not considered: the softmax shares belief among the candidates only,
   * so without a floor a product missing from the gallery would hand its belief to whatever came closest.
   */
  readonly minSimilarity: number;
  /** Softmax temperature over similarities: 0.05 makes a 0.1 lead worth e² ≈ 7.4 times the belief. */
  readonly temperature: number;
  /** The weight bell's σ as a share of the product's tolerance (0.5: σ = tolerance / 2). */
  readonly weightSigmaShare: number;
  /**
   * The weight factor of a candidate whose weight cannot be predicted (produce, a weight the catalog does not know),
   * against 1 for a packaged product at its nominal weight: how much less a reading says for "some amount of
   * apples" than for "the 200 g biscuits" when it reads 200 g.
   */
  readonly looseWeightFactor: number;
  /** What being shelved away from the cart's zone multiplies a candidate by (never 0: items travel). */
  readonly outOfZoneFactor: number;
  /**
   * The similarity at which a sighting is as likely a product the gallery does not have (null: never considered).
   * That hypothesis competes with the candidates as one more of this similarity whose weight nobody can predict: when
   * it is the likeliest the cart asks for a scan, and its share lowers every candidate's confidence. Like the other
   * similarity settings it depends on the embedder: set it from the evaluation's never-enrolled drops.
   */
  readonly unknownSimilarity: number | null;
  /** The posterior at or above which the item is added without asking. */
  readonly addConfidence: number;
  /** And the lead it must have over the runner-up's posterior (binds only when addConfidence is set low). */
  readonly minMargin: number;
  /**
   * And the similarity it must have itself: the weight may choose among what vision saw, but not stand in for vision
   * not seeing it (a product missing from the gallery whose weight happens to fit a far candidate's).
   */
  readonly addMinSimilarity: number;
  /** The least posterior an option needs to be shown on the pick screen; none that high: ask for a scan. */
  readonly pickMinConfidence: number;
  /** Whether vision alone, before the scale has settled, may add an item (off: the weight must have its say). */
  readonly addWithoutWeight: boolean;
}

export const DEFAULT_FUSION_POLICY: FusionPolicy = Object.freeze({
  topK: 10,
  minSimilarity: 0.5,
  temperature: 0.05,
  weightSigmaShare: 0.5,
  looseWeightFactor: 0.05,
  outOfZoneFactor: 0.3,
  unknownSimilarity: null,
  addConfidence: 0.9,
  minMargin: 0.5,
  addMinSimilarity: 0.65,
  pickMinConfidence: 0.15,
  addWithoutWeight: false,
});

/** Rules a policy must keep; empty when it does. */
export function fusionPolicyProblems(policy: FusionPolicy): string[] {
  const problems: string[] = [];
  const within = (name: keyof FusionPolicy, value: number, min: number, max: number, minOpen = false): void => {
    const ok = Number.isFinite(value) && (minOpen ? value > min : value >= min) && value <= max;
    if (!ok) problems.push(`${name}: ${value} is not in ${minOpen ? '(' : '['}${min}, ${max}]`);
  };
  if (!Number.isInteger(policy.topK) || policy.topK < 1 || policy.topK > MAX_RECOGNITION_CANDIDATES)
    problems.push(`topK: ${policy.topK} is not an integer in [1, ${MAX_RECOGNITION_CANDIDATES}]`);
  within('minSimilarity', policy.minSimilarity, -1, 1);
  within('temperature', policy.temperature, 0, 10, true);
  within('weightSigmaShare', policy.weightSigmaShare, 0, 10, true);
  within('looseWeightFactor', policy.looseWeightFactor, 0, 1, true);
  within('outOfZoneFactor', policy.outOfZoneFactor, 0, 1, true);
  if (policy.unknownSimilarity !== null) within('unknownSimilarity', policy.unknownSimilarity, -1, 1);
  within('addConfidence', policy.addConfidence, 0, 1, true);
  within('minMargin', policy.minMargin, 0, 1);
  within('addMinSimilarity', policy.addMinSimilarity, -1, 1);
  within('pickMinConfidence', policy.pickMinConfidence, 0, 1, true);
  if (policy.pickMinConfidence > policy.addConfidence)
    problems.push('pickMinConfidence: above addConfidence, a confident candidate could not even be offered');
  if (typeof policy.addWithoutWeight !== 'boolean') problems.push('addWithoutWeight: not a boolean');
  return problems;
}

/** The defaults with `overrides`, checked and frozen; RECOGNITION_POLICY_INVALID lists every problem. */
export function fusionPolicy(overrides: Partial<FusionPolicy> = {}): FusionPolicy {
  const policy = { ...DEFAULT_FUSION_POLICY, ...overrides };
  const problems = fusionPolicyProblems(policy);
  if (problems.length > 0) throw new FleetError('RECOGNITION_POLICY_INVALID', problems.join('; '), problems);
  return Object.freeze(policy);
}

/**
 * The policy a cart decides with for the embedder it runs: the defaults, with "not in the gallery" weighed at the
 * similarity the model was calibrated for (`ModelMetadata.similarity.unknown`), or never when it was not.
 */
export function modelFusionPolicy(
  metadata: { similarity?: { unknown: number } } | undefined,
  base: FusionPolicy = DEFAULT_FUSION_POLICY,
): FusionPolicy {
  const unknown = metadata?.similarity?.unknown;
  if (unknown === undefined || unknown === base.unknownSimilarity) return base;
  return fusionPolicy({ ...base, unknownSimilarity: unknown });
}

/** The decision, and how every considered candidate scored: the log keeps both (`RecognitionRecord.scores`). */
export interface FusionResult {
  decision: RecognitionDecision;
  scores: RecognitionScore[];
}

/**
 * Issue 11 item 6, the rule: a barcode overrides everything; without a frame, or without a candidate similar
 * enough, the cart asks for a scan; otherwise vision's belief over the top candidates is multiplied by the weight
 * (a veto outside tolerance) and the zone, and renormalised. Produce on top → its PLU is suggested. A confident,
 * clear winner with a settled weight → added. Otherwise the likeliest (up to 3) are offered, or a scan is asked for.
 * Pure: the same input and policy give the same answer. A malformed input (a non-finite similarity or weight, a SKU
 * twice) throws RECOGNITION_INPUT_INVALID; an invalid policy RECOGNITION_POLICY_INVALID.
 */
export function decide(input: FusionInput, policy: FusionPolicy = DEFAULT_FUSION_POLICY): FusionResult {
  checkInput(input);
  const problems = fusionPolicyProblems(policy);
  if (problems.length > 0) throw new FleetError('RECOGNITION_POLICY_INVALID', problems.join('; '), problems);
  const { products } = input;
  const considered = consider(input.candidates ?? [], policy);
  const { scores, unknown } = scoreCandidates(considered, input.weightDeltaG, input.zoneId, products, policy);

  if (input.barcodeSku !== null) {
    const visionTop = mostSimilar(input.candidates ?? []);
    return {
      decision: {
        kind: 'barcode',
        sku: input.barcodeSku,
        visionAgreed: visionTop ? visionTop === input.barcodeSku : null,
      },
      scores,
    };
  }
  if (input.candidates === null) return { decision: { kind: 'scan', reason: 'camera-unavailable' }, scores };
  const best = scores[0];
  if (!best) return { decision: { kind: 'scan', reason: 'no-candidate' }, scores };
  if (best.posterior === 0) return { decision: { kind: 'scan', reason: 'weight-veto' }, scores };
  // Likelier a product the gallery does not have than any it has: the barcode, not a guess.
  if (unknown > best.posterior) return { decision: { kind: 'scan', reason: 'no-candidate' }, scores };

  const offered = (s: RecognitionScore): boolean => s.posterior >= policy.pickMinConfidence;
  if (products.soldByWeight(best.sku)) {
    const options = scores
      .filter((s) => products.soldByWeight(s.sku) && offered(s))
      .slice(0, MAX_RECOGNITION_OPTIONS)
      .map((s) => ({ sku: s.sku, plu: products.plu(s.sku), confidence: s.posterior }));
    if (options.length === 0) return { decision: { kind: 'scan', reason: 'low-confidence' }, scores };
    return { decision: { kind: 'suggest-produce', options }, scores };
  }

  const runnerUp = scores[1]?.posterior ?? 0;
  const weighed = input.weightDeltaG !== null || policy.addWithoutWeight;
  const confident =
    best.posterior >= policy.addConfidence &&
    best.posterior - runnerUp >= policy.minMargin &&
    best.similarity >= policy.addMinSimilarity;
  if (weighed && confident) {
    return { decision: { kind: 'add', sku: best.sku, confidence: best.posterior }, scores };
  }
  const options = scores
    .filter(offered)
    .slice(0, MAX_RECOGNITION_OPTIONS)
    .map((s) => ({ sku: s.sku, confidence: s.posterior }));
  if (options.length === 0) return { decision: { kind: 'scan', reason: 'low-confidence' }, scores };
  return { decision: { kind: 'pick', options }, scores };
}

/** Float32 dot products of unit vectors land a few ulps past ±1; more than this is not a cosine. */
const SIMILARITY_SLACK = 1e-3;

/**
 * The `topK` most similar candidates at or above the floor (ties by SKU, so input order does not matter), their
 * similarity clamped to [-1, 1] as the record's schema wants it.
 */
function consider(candidates: readonly RecognitionCandidate[], policy: FusionPolicy): RecognitionCandidate[] {
  return candidates
    .map((c) => ({ sku: c.sku, similarity: Math.min(1, Math.max(-1, c.similarity)) }))
    .filter((c) => c.similarity >= policy.minSimilarity)
    .sort(bySimilarity)
    .slice(0, policy.topK);
}

function mostSimilar(candidates: readonly RecognitionCandidate[]): string | null {
  return [...candidates].sort(bySimilarity)[0]?.sku ?? null;
}

function bySimilarity(a: RecognitionCandidate, b: RecognitionCandidate): number {
  return b.similarity - a.similarity || (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);
}

function checkInput(input: FusionInput): void {
  const bad = (message: string): never => {
    throw new FleetError('RECOGNITION_INPUT_INVALID', message);
  };
  if (input.weightDeltaG !== null && !Number.isFinite(input.weightDeltaG))
    bad(`weightDeltaG: ${input.weightDeltaG} is not a number of grams`);
  const seen = new Set<string>();
  for (const c of input.candidates ?? []) {
    if (!(Math.abs(c.similarity) <= 1 + SIMILARITY_SLACK))
      bad(`candidate ${c.sku}: similarity ${c.similarity} is not a cosine in [-1, 1]`);
    if (seen.has(c.sku)) bad(`candidate ${c.sku} appears twice`);
    seen.add(c.sku);
  }
}
