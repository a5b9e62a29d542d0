import { weightFactor } from './candidate-scores.ts';
import type { FusionCatalog } from './fusion-input.ts';

/**
 * Whether a product may be what made the settled weight change: the same veto the fusion rule applies
 * (`weightFactor` > 0: within the product's tolerance; produce, an unknown weight or an unsettled scale never veto).
 * The cart asks the gallery for its nearest products among those only (the search's row filter), so that a drop
 * vision ranks 30th among all products but 1st among those of its weight still reaches the rule: the weight narrows
 * what vision chooses from, before vision's top candidates are cut, not after.
 */
export function weightPlausible(products: FusionCatalog, sku: string, weightDeltaG: number | null): boolean {
  if (weightDeltaG === null) return true;
  return weightFactor(weightDeltaG, products.expectedWeight(sku), products.soldByWeight(sku), 1, 1) > 0;
}
