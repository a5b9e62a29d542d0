import {
  RECOGNITION_DECISION_KINDS,
  type RecognitionDecisionKind,
  type RecognitionRecord,
  SCAN_REASONS,
  type ScanReason,
} from '../../protocol/vision/recognition.ts';

/**
 * A share with its count, so a chart can tell 3 of 3 from 300 of 300: `rate` is null when nothing was counted, and
 * `low`–`high` is the 95 % Wilson score interval (sound for small counts and for rates of 0 or 1, unlike p ± 1.96 SE).
 */
export interface Share {
  n: number;
  hits: number;
  rate: number | null;
  low: number | null;
  high: number | null;
}

/** The field accuracy of one group of records (all, one product, one model version). */
export interface AccuracyFigures {
  /** The group's SKU or model version; null for the whole set, or for records made without a model. */
  key: string | null;
  /** Records with a known truth, the ones every figure below is counted over. */
  records: number;
  firstAt: number | null;
  lastAt: number | null;
  /** Vision alone: the most similar candidate was the truth (records with candidates: the camera and model worked). */
  visionTop1: Share;
  /** With the weight and zone priors: the highest posterior was the truth (records that carry their scores). */
  fusedTop1: Share;
  /** The cart's decision was right: an add of the truth, or a pick / produce suggestion offering it; a scan is not. */
  decisionCorrect: Share;
  decisions: Record<RecognitionDecisionKind, number>;
  scanReasons: Record<ScanReason, number>;
  /** Adds of another product than the truth: the error a shopper pays for, so counted apart. */
  wrongAdds: number;
}

export interface FieldAccuracy {
  overall: AccuracyFigures;
  /** By the product it really was; most records first. */
  bySku: AccuracyFigures[];
  /** By the embedder's version (null: no model ran); the earliest first, so a new version's dip shows at the end. */
  byModelVersion: AccuracyFigures[];
  /** Records whose outcome has not come yet. */
  pending: number;
  /** Records whose outcome named no product (taken out again, nobody said what it was). */
  withoutTruth: number;
}

/**
 * Field accuracy from logged records (issue 11 item 8): how often vision, and vision with the priors, named what the
 * barcode, the shopper's pick or an attendant said the item was, and how often the decision itself was right; overall,
 * by product and by model version. A barcode record counts for vision's agreement but not as a decision (the barcode
 * decided). A scan because the camera failed is no decision of vision's either. Pure: the same records (in any order)
 * give the same figures.
 */
export function fieldAccuracy(records: readonly RecognitionRecord[]): FieldAccuracy {
  const known: { record: RecognitionRecord; truth: string }[] = [];
  let pending = 0;
  let withoutTruth = 0;
  for (const record of records) {
    if (!record.outcome) pending += 1;
    else if (record.outcome.truthSku === null) withoutTruth += 1;
    else known.push({ record, truth: record.outcome.truthSku });
  }
  const bySku = groupBy(known, (k) => k.truth)
    .map(([key, group]) => figures(key, group))
    .sort((a, b) => b.records - a.records || compareKeys(a.key, b.key));
  const byModelVersion = groupBy(known, (k) => k.record.evidence.modelVersion)
    .map(([key, group]) => figures(key, group))
    .sort((a, b) => (a.firstAt ?? 0) - (b.firstAt ?? 0) || compareKeys(a.key, b.key));
  return { overall: figures(null, known), bySku, byModelVersion, pending, withoutTruth };
}

/** The 95 % Wilson score interval of `hits` in `n`. */
export function share(hits: number, n: number): Share {
  if (n === 0) return { n, hits, rate: null, low: null, high: null };
  const z = 1.959964;
  const p = hits / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n))) / (1 + z2n);
  return { n, hits, rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

function figures(key: string | null, group: readonly { record: RecognitionRecord; truth: string }[]): AccuracyFigures {
  const decisions = Object.fromEntries(RECOGNITION_DECISION_KINDS.map((k) => [k, 0])) as Record<
    RecognitionDecisionKind,
    number
  >;
  const scanReasons = Object.fromEntries(SCAN_REASONS.map((r) => [r, 0])) as Record<ScanReason, number>;
  const vision = { n: 0, hits: 0 };
  const fused = { n: 0, hits: 0 };
  const decided = { n: 0, hits: 0 };
  let wrongAdds = 0;
  let firstAt: number | null = null;
  let lastAt: number | null = null;
  for (const { record, truth } of group) {
    const { evidence, decision } = record;
    firstAt = firstAt === null ? evidence.at : Math.min(firstAt, evidence.at);
    lastAt = lastAt === null ? evidence.at : Math.max(lastAt, evidence.at);
    decisions[decision.kind] += 1;
    const visionTop = mostSimilar(evidence.candidates);
    if (visionTop !== null) count(vision, visionTop === truth);
    const fusedTop = record.scores?.[0];
    if (fusedTop) count(fused, fusedTop.sku === truth);
    switch (decision.kind) {
      case 'add':
        count(decided, decision.sku === truth);
        if (decision.sku !== truth) wrongAdds += 1;
        break;
      case 'pick':
      case 'suggest-produce':
        count(
          decided,
          decision.options.some((o) => o.sku === truth),
        );
        break;
      case 'scan':
        scanReasons[decision.reason] += 1;
        if (decision.reason !== 'camera-unavailable') count(decided, false);
        break;
      case 'barcode':
        break;
    }
  }
  return {
    key,
    records: group.length,
    firstAt,
    lastAt,
    visionTop1: share(vision.hits, vision.n),
    fusedTop1: share(fused.hits, fused.n),
    decisionCorrect: share(decided.hits, decided.n),
    decisions,
    scanReasons,
    wrongAdds,
  };
}

function count(tally: { n: number; hits: number }, hit: boolean): void {
  tally.n += 1;
  if (hit) tally.hits += 1;
}

/** The evidence's most similar candidate (the list is kept in descending order, but a record is not trusted to be). */
function mostSimilar(candidates: readonly { sku: string; similarity: number }[]): string | null {
  let best: { sku: string; similarity: number } | null = null;
  for (const c of candidates) {
    if (!best || c.similarity > best.similarity || (c.similarity === best.similarity && c.sku < best.sku)) best = c;
  }
  return best?.sku ?? null;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string | null): [string | null, T[]][] {
  const groups = new Map<string | null, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups];
}

function compareKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
