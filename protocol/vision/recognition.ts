import { epochMs, type FromSchema, integer, nullable, object, oneOfValues } from '../api/json-schema.ts';
import { idString, thingNameString } from '../api/parameters.ts';
import { pluString, skuString } from '../commerce/catalog.ts';
import { semverString } from '../ota/release.ts';

/**
 * What the cart logs each time it recognises (or fails to recognise) a product (issue 11 item 6): the evidence the
 * decision was made on, the decision, the per-candidate scores behind it and, later, what really went into the
 * basket. The cart sends these records to the fleet, which measures field accuracy from them (by product and by
 * model version, `vision/fusion/accuracy.ts`). Every array and string is bounded, so a malformed record is refused
 * by the schema before anything reads it. The rule that makes the decision is `vision/fusion/`.
 */

/** Candidates the evidence keeps: the gallery search's top 10 by similarity. */
export const MAX_RECOGNITION_CANDIDATES = 10;
/** Options a `pick` or `suggest-produce` screen shows: three photos fit the cart's screen. */
export const MAX_RECOGNITION_OPTIONS = 3;
/** A settled weight change larger than this (either way) is not one item: 100 kg. */
export const MAX_WEIGHT_DELTA_G = 100_000;
/** Latencies above a minute are not measurements but a stuck pipeline. */
export const MAX_RECOGNITION_LATENCY_MS = 60_000;

/** What made the cart look: the scale settled on a change, or motion over the basket (before the scale settles). */
export const RECOGNITION_TRIGGERS = ['scale', 'motion'] as const;
export type RecognitionTrigger = (typeof RECOGNITION_TRIGGERS)[number];

export const RECOGNITION_DECISION_KINDS = ['add', 'pick', 'scan', 'suggest-produce', 'barcode'] as const;
export type RecognitionDecisionKind = (typeof RECOGNITION_DECISION_KINDS)[number];

/** Why the cart asks for a scan instead of deciding. */
export const SCAN_REASONS = ['no-candidate', 'weight-veto', 'low-confidence', 'camera-unavailable'] as const;
export type ScanReason = (typeof SCAN_REASONS)[number];

/** Who said what the item really was. */
export const RECOGNITION_OUTCOME_SOURCES = ['barcode', 'shopper-pick', 'accepted', 'removed', 'attendant'] as const;
export type RecognitionOutcomeSource = (typeof RECOGNITION_OUTCOME_SOURCES)[number];

/** Record and decision ids: the cart makes them (boot id + counter, a UUID). */
export const RECOGNITION_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$';
const recognitionId = { type: 'string', pattern: RECOGNITION_ID_PATTERN, maxLength: 64 } as const;

/** Cosine similarity of L2-normalised embeddings (the producer clamps float error to [-1, 1]). */
const similarity = { type: 'number', minimum: -1, maximum: 1 } as const;
/** A posterior probability, or a factor in [0, 1]. */
const probability = { type: 'number', minimum: 0, maximum: 1 } as const;
const latency = { type: 'number', minimum: 0, maximum: MAX_RECOGNITION_LATENCY_MS } as const;

/** One product the gallery search proposed, by the cosine similarity of its prototype to the frame's embedding. */
export const RecognitionCandidateSchema = object({ sku: skuString, similarity });
export type RecognitionCandidate = FromSchema<typeof RecognitionCandidateSchema>;

/** What the decision was made on. */
export const RecognitionEvidenceSchema = object(
  {
    at: epochMs,
    trigger: oneOfValues(RECOGNITION_TRIGGERS),
    /** The embedder's release version; null when no model was active (barcode-only mode). */
    modelVersion: nullable(semverString),
    /** The store gallery's version (per store, from 1); null when none was installed. */
    galleryVersion: nullable(integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
    /** The gallery search's top candidates, highest similarity first; empty when no frame was embedded. */
    candidates: { type: 'array', items: RecognitionCandidateSchema, maxItems: MAX_RECOGNITION_CANDIDATES },
    /** The settled weight change in grams; null when the scale had not settled (a `motion` trigger). */
    weightDeltaG: nullable({ type: 'number', minimum: -MAX_WEIGHT_DELTA_G, maximum: MAX_WEIGHT_DELTA_G }),
    /** The store zone the cart was in (products shelved nearby are likelier); null when unknown. */
    zoneId: nullable(idString),
    /** The SKU a barcode scan resolved to for this item, the ground truth when there is one. */
    barcode: nullable(skuString),
    /** Where the time went, for the field's latency chart. */
    latencyMs: object({ capture: latency, embed: latency, search: latency }),
  },
  { optional: ['latencyMs'] },
);
export type RecognitionEvidence = FromSchema<typeof RecognitionEvidenceSchema>;

const optionSchema = object({ sku: skuString, confidence: probability });
const options = { type: 'array', items: optionSchema, minItems: 1, maxItems: MAX_RECOGNITION_OPTIONS } as const;

/** Confident: the item goes into the basket. */
export const AddDecisionSchema = object({ kind: { const: 'add' }, sku: skuString, confidence: probability });
/** Unsure between a few: the screen shows them with photos for the shopper to pick (or scan). */
export const PickDecisionSchema = object({ kind: { const: 'pick' }, options });
/** No usable proposal: the screen asks for a scan. */
export const ScanDecisionSchema = object({ kind: { const: 'scan' }, reason: oneOfValues(SCAN_REASONS) });
/** Loose produce: the screen suggests its PLU before it is weighed (null: a weighed product without one). */
export const SuggestProduceDecisionSchema = object({
  kind: { const: 'suggest-produce' },
  options: {
    type: 'array',
    items: object({ sku: skuString, plu: nullable(pluString), confidence: probability }),
    minItems: 1,
    maxItems: MAX_RECOGNITION_OPTIONS,
  },
});
/** A barcode overrode vision; whether vision's top-1 named the same product (null: vision proposed nothing). */
export const BarcodeDecisionSchema = object({
  kind: { const: 'barcode' },
  sku: skuString,
  visionAgreed: nullable({ type: 'boolean' }),
});

export const RecognitionDecisionSchema = {
  oneOf: [
    AddDecisionSchema,
    PickDecisionSchema,
    ScanDecisionSchema,
    SuggestProduceDecisionSchema,
    BarcodeDecisionSchema,
  ],
} as const;
export type RecognitionDecision = FromSchema<typeof RecognitionDecisionSchema>;

/**
 * How each considered candidate scored: vision's softmax probability, the weight and zone factors it was multiplied
 * by, and the renormalised posterior (the decision's confidence). Highest posterior first.
 */
export const RecognitionScoreSchema = object({
  sku: skuString,
  similarity,
  visionProb: probability,
  weightFactor: probability,
  zoneFactor: probability,
  posterior: probability,
});
export type RecognitionScore = FromSchema<typeof RecognitionScoreSchema>;

/** What finally happened to the item: the truth that field accuracy is measured against. */
export const RecognitionOutcomeSchema = object({
  decisionId: recognitionId,
  /** The product it really was; null when nobody could tell (taken out again unnamed). */
  truthSku: nullable(skuString),
  source: oneOfValues(RECOGNITION_OUTCOME_SOURCES),
  at: epochMs,
});
export type RecognitionOutcome = FromSchema<typeof RecognitionOutcomeSchema>;

export const RecognitionRecordSchema = object(
  {
    id: recognitionId,
    thingName: { ...thingNameString, maxLength: 128 },
    storeId: { ...idString, maxLength: 64 },
    evidence: RecognitionEvidenceSchema,
    decision: RecognitionDecisionSchema,
    /** The candidates the rule considered, with their factors (`vision/fusion/`); absent for a barcode-only record. */
    scores: { type: 'array', items: RecognitionScoreSchema, maxItems: MAX_RECOGNITION_CANDIDATES },
    outcome: RecognitionOutcomeSchema,
  },
  { optional: ['thingName', 'storeId', 'scores', 'outcome'] },
);
export type RecognitionRecord = FromSchema<typeof RecognitionRecordSchema>;

/** Rules the schema cannot say; empty when the record holds together. */
export function recognitionRecordProblems(record: RecognitionRecord): string[] {
  const problems: string[] = [];
  const { candidates } = record.evidence;
  if (new Set(candidates.map((c) => c.sku)).size !== candidates.length)
    problems.push('evidence.candidates: a SKU appears twice');
  if (candidates.some((c, i) => i > 0 && c.similarity > (candidates[i - 1]?.similarity ?? 1)))
    problems.push('evidence.candidates: not in descending similarity');
  const { decision } = record;
  if (decision.kind === 'pick' || decision.kind === 'suggest-produce') {
    if (new Set(decision.options.map((o) => o.sku)).size !== decision.options.length)
      problems.push('decision.options: a SKU appears twice');
  }
  if (decision.kind === 'barcode' && record.evidence.barcode !== decision.sku)
    problems.push('decision.sku: not the scanned SKU of the evidence');
  if (record.outcome && record.outcome.decisionId !== record.id) problems.push('outcome.decisionId: not the record id');
  if (record.outcome && record.outcome.at < record.evidence.at) problems.push('outcome.at: before the evidence');
  return problems;
}
