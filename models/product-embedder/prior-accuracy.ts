import { expectedWeight } from '../../commerce/weight-expectation.ts';
import type { Product } from '../../protocol/commerce/catalog.ts';
import type { RecognitionDecision } from '../../protocol/vision/recognition.ts';
import type { FusionCatalog } from '../../vision/fusion/fusion-input.ts';
import { decide, type FusionPolicy } from '../../vision/fusion/fusion-policy.ts';
import { weightPlausible } from '../../vision/fusion/weight-gate.ts';
import { mixSeed, SeededRandom } from '../../vision/synthetic/seeded-random.ts';
import { syntheticCatalogProduct } from '../../vision/synthetic/synthetic-catalog.ts';
import type { HeldOutEmbeddings } from './held-out-embeddings.ts';
import { similarities } from './vision-accuracy.ts';

/**
 * How the evaluation simulates the priors a cart has. Each held-out brand family is shelved in one of `zones` zones
 * (a family together, as stores shelve brands, so look-alikes share a zone and the zone cannot tell them apart); a
 * drop happens in the product's own zone `inZoneShare` of the time (else anywhere: items travel in the basket); the
 * settled scale reading is the product's nominal weight plus normal noise of `scaleNoiseG`; produce weighs whatever
 * the shopper bagged (±40 %).
 */
export const PRIOR_SIMULATION = { zones: 12, inZoneShare: 0.85, scaleNoiseG: 3 } as const;

export interface PriorAccuracy {
  top1: number;
  top5: number;
  decisions: Record<string, number>;
}

export function zoneOf(family: number): string {
  return `zone-${family % PRIOR_SIMULATION.zones}`;
}

/** The fusion catalog of the held-out products, from their catalog entries and the simulated planogram. */
export function heldOutCatalog(e: HeldOutEmbeddings): { catalog: FusionCatalog; products: Map<string, Product> } {
  const products = new Map(e.products.map((p) => [p.sku, syntheticCatalogProduct(p)]));
  const family = new Map(e.products.map((p) => [p.sku, p.family]));
  const catalog: FusionCatalog = {
    expectedWeight: (sku) => {
      const product = products.get(sku);
      return product ? expectedWeight(product, 1, {}) : null;
    },
    soldByWeight: (sku) => products.get(sku)?.soldBy === 'weight',
    plu: (sku) => products.get(sku)?.plu ?? null,
    shelvedIn: (sku, zoneId) => {
      const f = family.get(sku);
      return f === undefined ? null : zoneOf(f) === zoneId;
    },
  };
  return { catalog, products };
}

/**
 * Each query through the cart's own fusion rule (vision/fusion): the top 10 gallery candidates, the settled weight,
 * the cart's zone. top-1/top-5: the truth is first / among the first five by posterior. `decisions`: shares of the
 * queries by outcome: `add-right`, `add-wrong` (the costly one), `pick-has-truth`, `pick-misses`, `produce-has-truth`,
 * `produce-misses`, `scan`.
 */
export function priorAccuracy(e: HeldOutEmbeddings, gallery: Float32Array, policy?: FusionPolicy): PriorAccuracy {
  const queries = e.products.length * e.queryViews;
  let top1 = 0;
  let top5 = 0;
  const counts: Record<string, number> = {
    'add-right': 0,
    'add-wrong': 0,
    'pick-has-truth': 0,
    'pick-misses': 0,
    'produce-has-truth': 0,
    'produce-misses': 0,
    scan: 0,
  };
  const fuse = cartFusion(e, gallery, policy);
  for (let q = 0; q < queries; q++) {
    const truth = e.products[Math.floor(q / e.queryViews)]!;
    const { decision, scores } = fuse(q, () => true);
    const ranked = scores.filter((s) => s.posterior > 0).map((s) => s.sku);
    if (ranked[0] === truth.sku) top1++;
    if (ranked.slice(0, 5).includes(truth.sku)) top5++;
    counts[outcomeOf(decision, truth.sku)]!++;
  }
  const decisions = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / queries]));
  return { top1: top1 / queries, top5: top5 / queries, decisions };
}

/** Every `OPEN_SET_EVERY`-th held-out brand family is left out of the gallery for the open-set evaluation. */
export const OPEN_SET_EVERY = 10;

export interface OpenSetDecisions {
  products: number;
  queries: number;
  /** Shares of the queries: `add` (always wrong: the product is not in the gallery), `pick`, `suggest-produce`, `scan`. */
  decisions: Record<string, number>;
}

/**
 * Products the store never enrolled, dropped in: the held-out families `family % OPEN_SET_EVERY === 0` are taken
 * out of the gallery and their queries go through the same search and fusion. The right answer is a scan (or a pick
 * the shopper rejects); an `add` is a wrong item on the bill, a produce suggestion a detour.
 */
export function openSetDecisions(e: HeldOutEmbeddings, gallery: Float32Array, policy?: FusionPolicy): OpenSetDecisions {
  const left = (i: number) => e.products[i]!.family % OPEN_SET_EVERY === 0;
  const counts: Record<string, number> = { add: 0, pick: 0, 'suggest-produce': 0, scan: 0 };
  const fuse = cartFusion(e, gallery, policy);
  let queries = 0;
  let products = 0;
  for (let p = 0; p < e.products.length; p++) {
    if (!left(p)) continue;
    products++;
    for (let v = 0; v < e.queryViews; v++) {
      const { decision } = fuse(p * e.queryViews + v, (i) => !left(i));
      counts[decision.kind === 'barcode' ? 'scan' : decision.kind]!++;
      queries++;
    }
  }
  const decisions = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, queries > 0 ? v / queries : 0]));
  return { products, queries, decisions };
}

/**
 * One query as a cart decides it: the settled weight (the truth's nominal weight plus scale noise; produce whatever
 * was bagged), the cart's zone (the truth's own `inZoneShare` of the time), the 10 nearest gallery rows among those
 * `enrolled` and weight-plausible (vision/fusion/weight-gate.ts), then the cart's fusion rule.
 */
function cartFusion(e: HeldOutEmbeddings, gallery: Float32Array, policy?: FusionPolicy) {
  const { catalog } = heldOutCatalog(e);
  return (q: number, enrolled: (row: number) => boolean) => {
    const truth = e.products[Math.floor(q / e.queryViews)]!;
    const random = new SeededRandom(mixSeed(0x9a1, truth.index, q));
    const weightDeltaG =
      truth.kind === 'produce'
        ? Math.round(truth.nominalWeightG * random.range(0.6, 1.4))
        : truth.nominalWeightG + random.gaussian() * PRIOR_SIMULATION.scaleNoiseG;
    const sims = similarities(e, gallery, q);
    const order = Array.from(sims.keys())
      .filter((i) => enrolled(i) && weightPlausible(catalog, e.products[i]!.sku, weightDeltaG))
      .sort((a, b) => sims[b]! - sims[a]! || a - b)
      .slice(0, 10);
    const candidates = order.map((i) => ({ sku: e.products[i]!.sku, similarity: sims[i]! }));
    const zoneId = random.chance(PRIOR_SIMULATION.inZoneShare)
      ? zoneOf(truth.family)
      : `zone-${random.int(0, PRIOR_SIMULATION.zones - 1)}`;
    return decide({ candidates, weightDeltaG, zoneId, barcodeSku: null, products: catalog }, policy);
  };
}

function outcomeOf(decision: RecognitionDecision, truth: string): string {
  switch (decision.kind) {
    case 'add':
      return decision.sku === truth ? 'add-right' : 'add-wrong';
    case 'pick':
      return decision.options.some((o) => o.sku === truth) ? 'pick-has-truth' : 'pick-misses';
    case 'suggest-produce':
      return decision.options.some((o) => o.sku === truth) ? 'produce-has-truth' : 'produce-misses';
    default:
      return 'scan';
  }
}
