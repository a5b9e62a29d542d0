/**
 * The value of one choice of promotions. A choice gives every line a lane: the stack lane (all stackable item
 * promotions, in rank order, each on the price the previous ones left; then the stackable spend thresholds on the
 * item-discounted net) or one exclusive promotion (item-level, or a spend threshold counted on the gross of the lines
 * that chose it). The optimiser and the final pricing use the same functions, so what was chosen is what is charged.
 */
import type { BasketLine } from './basket-lines.ts';
import { applyItemPromotion, type DiscountSink, UnitScratch } from './item-promotions.ts';
import { allocateInto } from './money.ts';
import type { Candidate } from './promotion-candidates.ts';

/** The lane of a line that takes the stackable promotions. */
export const STACK = -1;

export function unitCopies(basket: readonly BasketLine[]): number[][] {
  return basket.map((line) => line.units.slice());
}

/** Applies the item-level candidates to the lines of `lineIdx` in their lanes; returns the fen taken off. */
export function evaluateItems(
  basket: readonly BasketLine[],
  lineIdx: readonly number[],
  lanes: Int32Array,
  itemCandidates: readonly Candidate[],
  cur: number[][],
  sink?: DiscountSink,
  scratch: UnitScratch = new UnitScratch(),
): number {
  let total = 0;
  const chosen = scratch.chosen;
  for (const c of itemCandidates) {
    const lane = c.exclusive ? c.index : STACK;
    let count = 0;
    for (const line of lineIdx) if (lanes[line] === lane && c.inTarget[line] === 1) chosen[count++] = line;
    if (count > 0) total += applyItemPromotion(c, chosen, count, basket, cur, sink, scratch);
  }
  return total;
}

/**
 * What each spend threshold counts from the lines of `lineIdx`: for an exclusive one, the gross of the lines in its
 * lane; for a stackable one, the item-discounted net of its target lines in the stack lane.
 */
export function thresholdBases(
  basket: readonly BasketLine[],
  lineIdx: readonly number[],
  lanes: Int32Array,
  thresholds: readonly Candidate[],
  cur: number[][],
  out: number[],
): void {
  for (let k = 0; k < thresholds.length; k++) {
    const t = thresholds[k] as Candidate;
    let base = 0;
    for (const line of lineIdx) {
      if (t.exclusive) {
        if (lanes[line] === t.index) base += (basket[line] as BasketLine).grossFen;
      } else if (lanes[line] === STACK && t.inTarget[line] === 1) {
        const prices = cur[line] as number[];
        for (let u = 0; u < prices.length; u++) base += prices[u] as number;
      }
    }
    out[k] = base;
  }
}

/** What a spend threshold takes off a base: `amountOffFen` per reached `minSpendFen` (once unless `repeat`). */
export function thresholdDiscount(t: Candidate, base: number): number {
  const p = t.promotion;
  if (p.kind !== 'spend_threshold' || base <= 0 || base < p.minSpendFen) return 0;
  const times = p.repeat && !t.single && p.minSpendFen > 0 ? Math.floor(base / p.minSpendFen) : 1;
  return Math.min(times * p.amountOffFen, base);
}

/** Above this base a threshold's discount no longer grows (repeating ones: never). */
export function thresholdSaturation(t: Candidate): number {
  const p = t.promotion;
  if (p.kind !== 'spend_threshold') return 0;
  if (p.repeat && !t.single && p.minSpendFen > 0) return Number.POSITIVE_INFINITY;
  return Math.max(p.minSpendFen, p.amountOffFen);
}

/**
 * Prices a whole choice: item promotions, then the thresholds in rank order, each discount spread over its lines by
 * their current nets with allocate() and capped by what is left on them. Returns the fen taken off.
 */
export function applyChoice(
  basket: readonly BasketLine[],
  lanes: Int32Array,
  itemCandidates: readonly Candidate[],
  thresholds: readonly Candidate[],
  cur: number[][],
  sink?: DiscountSink,
  scratch: UnitScratch = new UnitScratch(),
): number {
  const all = basket.map((l) => l.index);
  let total = evaluateItems(basket, all, lanes, itemCandidates, cur, sink, scratch);
  const bases = new Array<number>(thresholds.length).fill(0);
  thresholdBases(basket, all, lanes, thresholds, cur, bases);
  const { chosen, weights: nets, lineShares, shares, allocation } = scratch;
  for (let k = 0; k < thresholds.length; k++) {
    const t = thresholds[k] as Candidate;
    let count = 0;
    let left = 0;
    for (const l of all) {
      if (t.exclusive ? lanes[l] !== t.index : lanes[l] !== STACK || t.inTarget[l] !== 1) continue;
      const prices = cur[l] as number[];
      let net = 0;
      for (let u = 0; u < prices.length; u++) net += prices[u] as number;
      chosen[count] = l;
      nets[count++] = net;
      left += net;
    }
    const off = Math.min(thresholdDiscount(t, bases[k] as number), left);
    if (off <= 0) continue;
    allocateInto(off, nets, count, lineShares, allocation);
    for (let i = 0; i < count; i++) {
      const share = lineShares[i] as number;
      if (share <= 0) continue;
      const line = chosen[i] as number;
      const prices = cur[line] as number[];
      allocateInto(share, prices, prices.length, shares, allocation);
      for (let u = 0; u < prices.length; u++) prices[u] = (prices[u] as number) - (shares[u] as number);
      sink?.(line, t.index, share);
    }
    total += off;
  }
  return total;
}
