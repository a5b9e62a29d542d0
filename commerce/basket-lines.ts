/**
 * Basket lines as the engine prices them: the input checked (coded errors, nothing guessed), the product found, the
 * gross worked out, and the line split into promotion units. An `each` line of quantity q is q units at the unit
 * price; a weighed line (or a line with a printed label price) is one unit: its gross.
 */

import type { BasketLineInput } from '../protocol/commerce/basket.ts';
import type { Product } from '../protocol/commerce/catalog.ts';
import { fleetError } from '../protocol/errors.ts';
import { priceForWeight } from './money.ts';
import type { PricingContext } from './pricing-context.ts';

export interface BasketLine {
  index: number;
  input: BasketLineInput;
  product: Product;
  /** Per item, or per kg for a weighed product. */
  unitPriceFen: number;
  grossFen: number;
  /** The price of each promotion unit before discounts. */
  units: readonly number[];
  /** The product's category and its ancestors. */
  categoryPath: readonly string[];
}

const MAX_FEN = 100_000_000_000;

function invalid(message: string, details: unknown): never {
  throw fleetError('PRICING_INPUT_INVALID', message, details);
}

function checkAmount(name: string, value: unknown, lineId: string, max = MAX_FEN): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    invalid(`line ${lineId}: ${name} must be a whole number from 0 to ${max}`, { lineId, [name]: value });
  }
  return value;
}

export function buildBasketLines(context: PricingContext, inputs: readonly BasketLineInput[]): BasketLine[] {
  if (!Array.isArray(inputs)) invalid('lines must be a list', {});
  const seen = new Set<string>();
  return inputs.map((input, index) => {
    const lineId = String(input?.lineId ?? '');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(lineId)) invalid(`line ${index}: lineId is missing or malformed`, { index });
    if (seen.has(lineId)) invalid(`line ${lineId} appears twice`, { lineId });
    seen.add(lineId);
    const product = context.catalog.product(input.sku);
    if (!product) throw fleetError('PRODUCT_NOT_FOUND', `no product ${input.sku}`, { lineId, sku: input.sku });
    if (!product.available) {
      throw fleetError('PRODUCT_UNAVAILABLE', `${input.sku} is not sold in this store`, { lineId, sku: input.sku });
    }
    const quantity = checkAmount('quantity', input.quantity, lineId, 999);
    if (quantity < 1) invalid(`line ${lineId}: quantity must be at least 1`, { lineId });
    checkAmount('scannedAt', input.scannedAt, lineId, Number.MAX_SAFE_INTEGER);
    const weightG = input.weightG == null ? null : checkAmount('weightG', input.weightG, lineId, 1_000_000);
    const label = input.labelPriceFen == null ? null : checkAmount('labelPriceFen', input.labelPriceFen, lineId);
    const categoryPath = context.categories.pathOf(product.categoryId);
    if (label !== null || product.soldBy === 'weight') {
      if (quantity !== 1) invalid(`line ${lineId}: a weighed or label-priced line has quantity 1`, { lineId });
      let gross: number;
      if (label !== null) gross = label;
      else if (weightG !== null && weightG > 0) gross = priceForWeight(product.priceFen, weightG);
      else invalid(`line ${lineId}: ${product.sku} is sold by weight and has no weight`, { lineId, sku: product.sku });
      return { index, input, product, unitPriceFen: product.priceFen, grossFen: gross, units: [gross], categoryPath };
    }
    const units = new Array<number>(quantity).fill(product.priceFen);
    const gross = product.priceFen * quantity;
    return { index, input, product, unitPriceFen: product.priceFen, grossFen: gross, units, categoryPath };
  });
}
