/**
 * How each item-level promotion kind discounts the units it is given, on their current (possibly already reduced)
 * prices. Every kind takes the grouping best for the shopper, and no unit ever goes below 0. Where a fraction of a
 * fen arises it is rounded once (commerce/money.ts): a percentage per line, a BXGY percentage per unit; a group's
 * saving is spread over its units with allocate().
 *
 * The optimiser calls this for every combination it evaluates, so the work arrays live in a {@link UnitScratch} that
 * one pricing reuses (no module state: each pricing brings its own).
 */
import type { BasketLine } from './basket-lines.ts';
import { AllocationScratch, allocateInto, percentOf, priceForWeight } from './money.ts';
import type { Candidate } from './promotion-candidates.ts';
import { stableSort } from './stable-sort.ts';

/** Receives every discount as it is made: line index, candidate index, fen. */
export type DiscountSink = (line: number, candidate: number, amountFen: number) => void;

/** Reusable work arrays of one pricing. */
export class UnitScratch {
  /** The units being grouped: line, unit, current price; `order` lists them dearest first. */
  readonly line: number[] = [];
  readonly unit: number[] = [];
  readonly price: number[] = [];
  readonly order: number[] = [];
  private readonly tmp: number[] = [];
  /** Weights and shares of one split; the lines' shares of a threshold (applyChoice). */
  readonly weights: number[] = [];
  readonly shares: number[] = [];
  readonly lineShares: number[] = [];
  /** Lines in a lane (evaluateItems, applyChoice). */
  readonly chosen: number[] = [];
  readonly allocation = new AllocationScratch();
  private readonly dearestFirst = (a: number, b: number): number =>
    (this.price[b] as number) - (this.price[a] as number) ||
    (this.line[a] as number) - (this.line[b] as number) ||
    (this.unit[a] as number) - (this.unit[b] as number);

  /**
   * Gathers the units of the first `count` lines of `lineIdx` and orders them by current price, dearest first; ties
   * by line then unit, so the result is deterministic. Returns how many.
   */
  gatherDearestFirst(lineIdx: readonly number[], count: number, cur: number[][]): number {
    let m = 0;
    for (let i = 0; i < count; i++) {
      const line = lineIdx[i] as number;
      const prices = cur[line] as number[];
      for (let unit = 0; unit < prices.length; unit++) {
        this.line[m] = line;
        this.unit[m] = unit;
        this.price[m] = prices[unit] as number;
        m++;
      }
    }
    for (let i = 0; i < m; i++) this.order[i] = i;
    stableSort(this.order, m, this.tmp, this.dearestFirst);
    return m;
  }
}

/** Takes `amount` off gathered unit `u` (an index into the scratch). */
function take(
  cur: number[][],
  s: UnitScratch,
  u: number,
  amount: number,
  candidate: number,
  sink: DiscountSink | undefined,
): void {
  if (amount <= 0) return;
  const line = s.line[u] as number;
  const prices = cur[line] as number[];
  const unit = s.unit[u] as number;
  prices[unit] = (prices[unit] as number) - amount;
  sink?.(line, candidate, amount);
}

/**
 * Applies candidate `c` to the units of the first `count` lines of `lineIdx` (all in its target and its lane);
 * returns the fen it took off.
 */
export function applyItemPromotion(
  c: Candidate,
  lineIdx: readonly number[],
  count: number,
  basket: readonly BasketLine[],
  cur: number[][],
  sink: DiscountSink | undefined,
  s: UnitScratch,
): number {
  if (count === 0) return 0;
  const p = c.promotion;
  let total = 0;
  switch (p.kind) {
    case 'percent_off':
      for (let i = 0; i < count; i++) {
        const line = lineIdx[i] as number;
        const prices = cur[line] as number[];
        let net = 0;
        for (let u = 0; u < prices.length; u++) net += prices[u] as number;
        const off = percentOf(net, p.percentOff);
        if (off <= 0) continue;
        allocateInto(off, prices, prices.length, s.shares, s.allocation);
        for (let u = 0; u < prices.length; u++) prices[u] = (prices[u] as number) - (s.shares[u] as number);
        sink?.(line, c.index, off);
        total += off;
      }
      return total;
    case 'amount_off': {
      const m = s.gatherDearestFirst(lineIdx, count, cur);
      const units = c.single ? Math.min(1, m) : m;
      for (let k = 0; k < units; k++) {
        const u = s.order[k] as number;
        const off = Math.min(p.amountOffFen, s.price[u] as number);
        take(cur, s, u, off, c.index, sink);
        total += off;
      }
      return total;
    }
    case 'member_price':
      for (let i = 0; i < count; i++) {
        const line = lineIdx[i] as number;
        const b = basket[line] as BasketLine;
        const prices = cur[line] as number[];
        const target = b.product.soldBy === 'weight' ? priceForWeight(p.priceFen, b.input.weightG ?? 0) : p.priceFen;
        for (let u = 0; u < prices.length; u++) {
          const off = Math.max(0, (prices[u] as number) - target);
          if (off > 0) {
            prices[u] = (prices[u] as number) - off;
            sink?.(line, c.index, off);
          }
          total += off;
        }
      }
      return total;
    case 'multi_buy': {
      // Σ max(0, group sum − price) over a fixed number of groups is largest when the dearest units are grouped
      // together, dearest group first; once a group saves nothing, no later (cheaper) group can.
      const m = s.gatherDearestFirst(lineIdx, count, cur);
      const q = p.quantity;
      const groups = Math.min(Math.floor(m / q), c.single ? 1 : Number.MAX_SAFE_INTEGER);
      for (let g = 0; g < groups; g++) {
        let sum = 0;
        for (let k = 0; k < q; k++) {
          const price = s.price[s.order[g * q + k] as number] as number;
          s.weights[k] = price;
          sum += price;
        }
        const saving = sum - p.priceFen;
        if (saving <= 0) break;
        allocateInto(saving, s.weights, q, s.shares, s.allocation);
        for (let k = 0; k < q; k++) take(cur, s, s.order[g * q + k] as number, s.shares[k] as number, c.index, sink);
        total += saving;
      }
      return total;
    }
    case 'buy_x_get_y': {
      // Dearest first in groups of buy + get, the last `get` of each group discounted: each discounted unit is
      // paid for by `buy` units at least as dear, which is the most a shopper can get.
      const m = s.gatherDearestFirst(lineIdx, count, cur);
      const size = p.buy + p.get;
      const groups = Math.min(Math.floor(m / size), c.single ? 1 : Number.MAX_SAFE_INTEGER);
      for (let g = 0; g < groups; g++) {
        for (let k = g * size + p.buy; k < (g + 1) * size; k++) {
          const u = s.order[k] as number;
          const off = percentOf(s.price[u] as number, p.getPercentOff);
          take(cur, s, u, off, c.index, sink);
          total += off;
        }
      }
      return total;
    }
    default:
      return 0;
  }
}
