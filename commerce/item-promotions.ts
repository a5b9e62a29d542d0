/**
 * How each item-level promotion kind discounts the units it is given, on their current (possibly already reduced)
 * prices. Every kind takes the grouping best for the shopper, and no unit ever goes below 0. Where a fraction of a
 * fen arises it is rounded once (commerce/money.ts): a percentage per line, a BXGY percentage per unit; a group's
 * saving is spread over its units with allocate().
 */
import type { BasketLine } from './basket-lines.ts';
import { allocate, percentOf, priceForWeight } from './money.ts';
import type { Candidate } from './promotion-candidates.ts';

/** Receives every discount as it is made: line index, candidate index, fen. */
export type DiscountSink = (line: number, candidate: number, amountFen: number) => void;

interface UnitRef {
  line: number;
  unit: number;
  price: number;
}

/** Units of `lineIdx` by current price, dearest first; ties by line then unit, so the result is deterministic. */
function unitsDearestFirst(lineIdx: readonly number[], cur: number[][]): UnitRef[] {
  const units: UnitRef[] = [];
  for (const line of lineIdx) {
    const prices = cur[line] as number[];
    for (let unit = 0; unit < prices.length; unit++) units.push({ line, unit, price: prices[unit] as number });
  }
  units.sort((a, b) => b.price - a.price || a.line - b.line || a.unit - b.unit);
  return units;
}

function take(cur: number[][], ref: UnitRef, amount: number, candidate: number, sink?: DiscountSink): void {
  if (amount <= 0) return;
  const prices = cur[ref.line] as number[];
  prices[ref.unit] = (prices[ref.unit] as number) - amount;
  sink?.(ref.line, candidate, amount);
}

/** Applies candidate `c` to the units of `lineIdx` (all in its target and its lane); returns the fen it took off. */
export function applyItemPromotion(
  c: Candidate,
  lineIdx: readonly number[],
  basket: readonly BasketLine[],
  cur: number[][],
  sink?: DiscountSink,
): number {
  if (lineIdx.length === 0) return 0;
  const p = c.promotion;
  let total = 0;
  switch (p.kind) {
    case 'percent_off':
      for (const line of lineIdx) {
        const prices = cur[line] as number[];
        let net = 0;
        for (const price of prices) net += price;
        const off = percentOf(net, p.percentOff);
        if (off <= 0) continue;
        const shares = allocate(off, prices);
        for (let u = 0; u < prices.length; u++) prices[u] = (prices[u] as number) - (shares[u] as number);
        sink?.(line, c.index, off);
        total += off;
      }
      return total;
    case 'amount_off': {
      const units = unitsDearestFirst(lineIdx, cur);
      for (const ref of c.single ? units.slice(0, 1) : units) {
        const off = Math.min(p.amountOffFen, ref.price);
        take(cur, ref, off, c.index, sink);
        total += off;
      }
      return total;
    }
    case 'member_price':
      for (const line of lineIdx) {
        const b = basket[line] as BasketLine;
        const prices = cur[line] as number[];
        const target = b.product.soldBy === 'weight' ? priceForWeight(p.priceFen, b.input.weightG ?? 0) : p.priceFen;
        for (let u = 0; u < prices.length; u++) {
          const off = Math.max(0, (prices[u] as number) - target);
          if (off > 0) take(cur, { line, unit: u, price: prices[u] as number }, off, c.index, sink);
          total += off;
        }
      }
      return total;
    case 'multi_buy': {
      // Σ max(0, group sum − price) over a fixed number of groups is largest when the dearest units are grouped
      // together, dearest group first; once a group saves nothing, no later (cheaper) group can.
      const units = unitsDearestFirst(lineIdx, cur);
      const groups = Math.min(Math.floor(units.length / p.quantity), c.single ? 1 : Number.MAX_SAFE_INTEGER);
      for (let g = 0; g < groups; g++) {
        const group = units.slice(g * p.quantity, (g + 1) * p.quantity);
        const sum = group.reduce((s, u) => s + u.price, 0);
        const saving = sum - p.priceFen;
        if (saving <= 0) break;
        const shares = allocate(
          saving,
          group.map((u) => u.price),
        );
        group.forEach((u, i) => {
          take(cur, u, shares[i] as number, c.index, sink);
        });
        total += saving;
      }
      return total;
    }
    case 'buy_x_get_y': {
      // Dearest first in groups of buy + get, the last `get` of each group discounted: each discounted unit is
      // paid for by `buy` units at least as dear, which is the most a shopper can get.
      const units = unitsDearestFirst(lineIdx, cur);
      const size = p.buy + p.get;
      const groups = Math.min(Math.floor(units.length / size), c.single ? 1 : Number.MAX_SAFE_INTEGER);
      for (let g = 0; g < groups; g++) {
        for (let k = g * size + p.buy; k < (g + 1) * size; k++) {
          const ref = units[k] as UnitRef;
          const off = percentOf(ref.price, p.getPercentOff);
          take(cur, ref, off, c.index, sink);
          total += off;
        }
      }
      return total;
    }
    default:
      return 0;
  }
}
