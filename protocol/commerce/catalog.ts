import { type FromSchema, integer, nullable, object, oneOfValues } from '../api/json-schema.ts';
import { idString } from '../api/parameters.ts';
import { fen, grams } from './money.ts';
import { LocalizedTextSchema } from './text.ts';

/** A stock-keeping unit id: the chain's own product code. */
export const SKU_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
export const skuString = { type: 'string', pattern: SKU_PATTERN } as const;
/** GTIN-8, GTIN-12 (UPC-A) or GTIN-13 (EAN-13) digits; check digits are validated by `commerce/gtin.ts`. */
export const gtinString = { type: 'string', pattern: '^(\\d{8}|\\d{12}|\\d{13})$' } as const;
/** Price look-up codes of loose produce: 4 or 5 digits (IFPS). */
export const pluString = { type: 'string', pattern: '^\\d{4,5}$' } as const;

export const SOLD_BY = ['each', 'weight'] as const;
export type SoldBy = (typeof SOLD_BY)[number];

/** A node of the category tree (`parentId` null for a department). */
export const CategorySchema = object({
  id: idString,
  parentId: nullable(idString),
  name: LocalizedTextSchema,
});
export type Category = FromSchema<typeof CategorySchema>;

/**
 * A product of the chain's catalog. `priceFen` is the chain's price: per item (`soldBy: 'each'`) or per kilogram
 * (`soldBy: 'weight'`); a store may override price and availability ({@link StorePriceSchema}).
 */
export const ProductSchema = object(
  {
    sku: skuString,
    gtins: { type: 'array', items: gtinString, maxItems: 16 },
    plu: nullable(pluString),
    name: LocalizedTextSchema,
    brand: nullable({ type: 'string', maxLength: 100 }),
    categoryId: idString,
    soldBy: oneOfValues(SOLD_BY),
    priceFen: fen,
    /** The weight of one item (`each`), what the scale expects to see when it goes into the basket. */
    nominalWeightG: nullable(grams),
    /** How far a settled weight may be from `nominalWeightG` and still confirm the item. */
    weightToleranceG: nullable(grams),
    /** Container weight subtracted when a weighed product is weighed in it (`weight`). */
    tareG: nullable(grams),
    /** Minimum age of the buyer (alcohol, tobacco): checkout waits for an attendant's check. */
    minAge: nullable(integer({ minimum: 1, maximum: 99 })),
    /** The item always needs an attendant (e.g. a security tag to remove). */
    needsAttendant: { type: 'boolean' },
    available: { type: 'boolean' },
  },
  { optional: ['brand'] },
);
export type Product = FromSchema<typeof ProductSchema>;

/** A store's override of a product's price and availability (null: the chain's value). */
export const StorePriceSchema = object({
  storeId: idString,
  sku: skuString,
  priceFen: nullable(fen),
  available: nullable({ type: 'boolean' }),
});
export type StorePrice = FromSchema<typeof StorePriceSchema>;

const digitField = object({
  start: integer({ minimum: 0, maximum: 12, description: '0-based position in the 13 digits' }),
  length: integer({ minimum: 1, maximum: 6 }),
});

export const VARIABLE_MEASURE_VALUES = ['price', 'weight'] as const;

/**
 * How the chain's in-store scales print variable-measure labels (GS1 restricted circulation numbers, prefixes
 * 20–29): where the item reference (matched against a product's PLU) and the value (price in fen, or weight in
 * grams) sit, and whether a price check digit guards the value. Configurable per chain.
 */
export const VariableMeasureLayoutSchema = object({
  id: idString,
  /** Two-digit GS1 prefixes this layout applies to, e.g. ["21", "22"]. */
  prefixes: { type: 'array', items: { type: 'string', pattern: '^2\\d$' }, minItems: 1, maxItems: 10 },
  itemRef: digitField,
  value: digitField,
  valueKind: oneOfValues(VARIABLE_MEASURE_VALUES),
  /** Position of the GS1 price/weight check digit over `value` (4- or 5-digit values), or null if none. */
  valueCheckDigit: nullable(integer({ minimum: 0, maximum: 12 })),
});
export type VariableMeasureLayout = FromSchema<typeof VariableMeasureLayoutSchema>;
