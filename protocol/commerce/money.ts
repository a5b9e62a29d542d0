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

/**
 * ¥12.30 from 1230 fen (−¥0.05 for a negative amount), for the cart screen, receipts and the console: integer
 * arithmetic only, so no float ever rounds what a shopper reads.
 */
export function formatYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) return '¥—';
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  return `${sign}¥${yuan.toLocaleString('en-US')}.${(abs % 100).toString().padStart(2, '0')}`;
}
