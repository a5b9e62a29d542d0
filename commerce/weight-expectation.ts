import type { Product } from '../protocol/commerce/catalog.ts';

/** What the scale should show when something goes in or comes out, and how far off it may be. */
export interface WeightExpectation {
  grams: number;
  toleranceG: number;
}

export interface ToleranceDefaults {
  /** The least tolerance of any expectation: the scale's own repeatability after settling. */
  minToleranceG: number;
  /** Tolerance as a share of the expected weight, when the product names none (packaging varies). */
  percent: number;
}

export const DEFAULT_TOLERANCE: ToleranceDefaults = { minToleranceG: 8, percent: 5 };

function tolerance(grams: number, defaults: ToleranceDefaults, own?: number | null): number {
  return Math.max(defaults.minToleranceG, own ?? Math.round((grams * defaults.percent) / 100));
}

/**
 * The weight `quantity` items of `product` add to the basket, or null when the catalog does not know it (the basket
 * then takes any settled increase as the item). A variable-measure label says the net weight (or the price, from
 * which the weight follows at the product's price per kg); its tray or bag is the product's tare.
 */
export function expectedWeight(
  product: Product,
  quantity: number,
  label: { weightG?: number | null; labelPriceFen?: number | null },
  defaults: ToleranceDefaults = DEFAULT_TOLERANCE,
): WeightExpectation | null {
  const tare = product.tareG ?? 0;
  if (label.weightG != null) {
    const grams = label.weightG + tare;
    return { grams, toleranceG: tolerance(grams, defaults) };
  }
  if (label.labelPriceFen != null && product.soldBy === 'weight' && product.priceFen > 0) {
    const grams = Math.round((label.labelPriceFen * 1000) / product.priceFen) + tare;
    // The label's price was rounded to the fen: a few grams of slack on top of the usual tolerance.
    return { grams, toleranceG: tolerance(grams, defaults) + Math.ceil(1000 / product.priceFen) };
  }
  if (product.soldBy === 'each' && product.nominalWeightG != null) {
    const grams = product.nominalWeightG * quantity;
    return { grams, toleranceG: tolerance(product.nominalWeightG, defaults, product.weightToleranceG) * quantity };
  }
  return null;
}

export function matches(deltaG: number, expectation: WeightExpectation | null): boolean {
  if (expectation === null) return deltaG > 0;
  return Math.abs(deltaG - expectation.grams) <= expectation.toleranceG;
}
