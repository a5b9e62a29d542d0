/**
 * The one rounding rule of the project (plan decision 1): money is integer fen; where a fraction of a fen arises (a
 * percentage of a line, a weight × a price per kg, a share of a basket discount) it is rounded once, half away from
 * zero (四舍五入), and the rounded value is what every later step uses. Nothing here touches a float fraction: the
 * quotient and remainder of safe integers are exact, and products beyond 2^53 go through BigInt.
 */
import { fleetError } from '../protocol/errors.ts';
import { stableSort } from './stable-sort.ts';

function assertSafe(name: string, value: number): void {
  if (!Number.isSafeInteger(value))
    throw fleetError('PRICING_INPUT_INVALID', `${name} must be a safe integer`, { value });
}

/** n ÷ d rounded half away from zero; d > 0. Exact for safe integers (`%` on doubles holding integers is exact). */
export function divRound(n: number, d: number): number {
  assertSafe('dividend', n);
  assertSafe('divisor', d);
  if (d <= 0) throw fleetError('PRICING_INPUT_INVALID', 'divisor must be positive', { d });
  const r = n % d;
  const q = (n - r) / d;
  if (2 * Math.abs(r) >= d) return n < 0 ? q - 1 : q + 1;
  return q;
}

function bigDivRound(n: bigint, d: bigint): number {
  let q = n / d;
  const r = n % d;
  const twiceAbsR = 2n * (r < 0n ? -r : r);
  if (twiceAbsR >= d) q += n < 0n ? -1n : 1n;
  const out = Number(q);
  if (!Number.isSafeInteger(out)) throw fleetError('PRICING_INPUT_INVALID', 'result exceeds the safe integer range');
  return out;
}

/** a × b ÷ c rounded half away from zero, exact for any safe integers (c > 0). */
export function mulDivRound(a: number, b: number, c: number): number {
  assertSafe('a', a);
  assertSafe('b', b);
  assertSafe('c', c);
  if (c <= 0) throw fleetError('PRICING_INPUT_INVALID', 'divisor must be positive', { c });
  const product = a * b;
  if (Number.isSafeInteger(product)) return divRound(product, c);
  return bigDivRound(BigInt(a) * BigInt(b), BigInt(c));
}

/** a × b ÷ c rounded down (towards −∞), exact for safe integers; for caps that must never be exceeded. */
export function mulDivFloor(a: number, b: number, c: number): number {
  assertSafe('a', a);
  assertSafe('b', b);
  if (c <= 0) throw fleetError('PRICING_INPUT_INVALID', 'divisor must be positive', { c });
  const product = a * b;
  if (Number.isSafeInteger(product)) {
    const r = ((product % c) + c) % c;
    return (product - r) / c;
  }
  const n = BigInt(a) * BigInt(b);
  const d = BigInt(c);
  let q = n / d;
  if (n % d !== 0n && n < 0n) q -= 1n;
  return Number(q);
}

/** `pct` % of `fen`, rounded once (a 15 % discount of 333 fen is 49.95 → 50). */
export function percentOf(fen: number, pct: number): number {
  return mulDivRound(fen, pct, 100);
}

/** What `grams` of a product priced per kilogram cost (plan decision 2): round(grams × fenPerKg / 1000). */
export function priceForWeight(fenPerKg: number, grams: number): number {
  return mulDivRound(fenPerKg, grams, 1000);
}

/**
 * Splits `total` (≥ 0) over `weights` (≥ 0) in proportion, by the largest-remainder method: every share is the floor
 * of its exact share, and the fen left over go one each to the largest remainders, ties to the lower index. The
 * shares always sum to `total` exactly, and a share never exceeds its exact share rounded up, so a discount no
 * larger than the weights' sum never exceeds any weight. All weights 0: split as if equal.
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  const shares: number[] = new Array(weights.length);
  allocateInto(total, weights, weights.length, shares, new AllocationScratch());
  return shares;
}

/** Work arrays {@link allocateInto} reuses from one call to the next (one per pricing: no module state). */
export class AllocationScratch {
  readonly remainders: number[] = [];
  readonly order: number[] = [];
  readonly tmp: number[] = [];
  /** Larger remainder first, then the lower index. */
  readonly byRemainder = (a: number, b: number): number =>
    (this.remainders[b] as number) - (this.remainders[a] as number) || a - b;
}

/**
 * {@link allocate} over the first `count` weights, writing the shares to `out[0..count)`: the engine's hot path, which
 * splits many small discounts and should not allocate for each. Equal weights (a line's identical units) and a single
 * weight are answered directly; the result is the same as the general method's.
 */
export function allocateInto(
  total: number,
  weights: readonly number[],
  count: number,
  out: number[],
  scratch: AllocationScratch,
): void {
  assertSafe('total', total);
  if (total < 0) throw fleetError('PRICING_INPUT_INVALID', 'allocate() takes a non-negative total', { total });
  if (count === 0) {
    if (total === 0) return;
    throw fleetError('PRICING_INPUT_INVALID', 'nothing to allocate to', { total });
  }
  let sum = 0;
  let equal = true;
  const first = weights[0] as number;
  for (let i = 0; i < count; i++) {
    const w = weights[i] as number;
    assertSafe('weight', w);
    if (w < 0) throw fleetError('PRICING_INPUT_INVALID', 'allocate() takes non-negative weights', { w });
    sum += w;
    if (w !== first) equal = false;
  }
  if (equal) {
    // Every exact share is total / count with the same remainder: the floor each, one more to the lowest indices.
    const left = total % count;
    const share = (total - left) / count;
    for (let i = 0; i < count; i++) out[i] = i < left ? share + 1 : share;
    return;
  }
  // Not all equal, so sum > 0.
  const remainders = scratch.remainders;
  let given = 0;
  const exact = Number.isSafeInteger(total * sum);
  for (let i = 0; i < count; i++) {
    const w = weights[i] as number;
    if (exact) {
      const p = total * w;
      const r = p % sum;
      remainders[i] = r;
      out[i] = (p - r) / sum;
    } else {
      const p = BigInt(total) * BigInt(w);
      const s = BigInt(sum);
      remainders[i] = Number(p % s);
      out[i] = Number(p / s);
    }
    given += out[i] as number;
  }
  let left = total - given;
  if (left <= 0) return;
  // The `left` largest remainders, ties to the lower index.
  const order = scratch.order;
  for (let i = 0; i < count; i++) order[i] = i;
  stableSort(order, count, scratch.tmp, scratch.byRemainder);
  for (let k = 0; left > 0; k++, left--) {
    const i = order[k] as number;
    out[i] = (out[i] as number) + 1;
  }
}

/** Formatting for screens lives with the contract, where the web console and the cart screen can import it. */
export { formatYuan } from '../protocol/commerce/money.ts';
