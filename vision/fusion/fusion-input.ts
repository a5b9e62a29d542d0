import type { RecognitionCandidate, RecognitionEvidence } from '../../protocol/vision/recognition.ts';

/**
 * What the fusion rule needs to know about products, answered by the caller from its catalog and planogram (the
 * cart from its pricing snapshot, the offline evaluation from the synthetic catalog). Every answer may be "unknown",
 * and unknown never vetoes: a store without weights or a planogram still gets vision's answer.
 */
export interface FusionCatalog {
  /**
   * What one item of the product adds to the basket and how far off a settled reading may be; null when the catalog
   * does not know (no veto, no confirmation).
   */
  expectedWeight(sku: string): { grams: number; toleranceG: number } | null;
  /** Loose produce, priced by weight: its bag varies, so weight does not veto it, and its PLU is suggested. */
  soldByWeight(sku: string): boolean;
  /** The product's price look-up code, shown when produce is suggested. */
  plu(sku: string): string | null;
  /** Whether the product is shelved in (or next to) the zone; null when the store has no planogram for it. */
  shelvedIn(sku: string, zoneId: string): boolean | null;
}

export interface FusionInput {
  /** The gallery search's candidates (any order); null when the camera gave no frame (it failed, or is missing). */
  candidates: readonly RecognitionCandidate[] | null;
  /** The settled weight change; null while the scale has not settled. */
  weightDeltaG: number | null;
  zoneId: string | null;
  /** The SKU a barcode scan resolved to: it overrides everything else. */
  barcodeSku: string | null;
  products: FusionCatalog;
}

/**
 * The input a logged record's evidence gives, to decide it again: under another policy (tuning thresholds on field
 * records), or offline. The evidence does not say why it has no candidates, so an empty list decides `no-candidate`
 * here, whatever the cart answered then.
 */
export function fusionInputOf(evidence: RecognitionEvidence, products: FusionCatalog): FusionInput {
  return {
    candidates: evidence.candidates,
    weightDeltaG: evidence.weightDeltaG,
    zoneId: evidence.zoneId,
    barcodeSku: evidence.barcode,
    products,
  };
}
