import { integer } from '../api/json-schema.ts';

/**
 * Money is an integer number of fen (minor units of CNY) everywhere: in the catalog, the pricing engine, orders,
 * payments and on the wire. Never a float. The one rounding rule lives in `commerce/money.ts`.
 */
export const CURRENCY = 'CNY' as const;

/** A non-negative amount in fen (up to ¥1,000,000,000). */
export const fen = integer({ minimum: 0, maximum: 100_000_000_000, description: 'integer fen (¥1 = 100)' });
/** A signed amount in fen (adjustments, differences). */
export const signedFen = integer({
  minimum: -100_000_000_000,
  maximum: 100_000_000_000,
  description: 'integer fen, signed',
});
/** A weight in whole grams. */
export const grams = integer({ minimum: 0, maximum: 1_000_000, description: 'grams' });
/** Points are whole numbers. */
export const points = integer({ minimum: 0, maximum: 1_000_000_000, description: 'points' });
