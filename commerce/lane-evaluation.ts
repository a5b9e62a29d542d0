/**
 * The value of one choice of promotions. A choice gives every line a lane: the stack lane (all stackable item
 * promotions, in rank order, each on the price the previous ones left; then the stackable spend thresholds on the
 * item-discounted net) or one exclusive promotion (item-level, or a spend threshold counted on the gross of the lines
 * that chose it). The optimiser and the final pricing use the same functions, so what was chosen is what is charged.
 */
import type { BasketLine } from './basket-lines.ts';
import { applyItemPromotion, type DiscountSink } from './item-promotions.ts';
import { allocate } from './money.ts';
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
): number {
  let total = 0;
  const chosen: number[] = [];
  for (const c of itemCandidates) {
    const lane = c.exclusive ? c.index : STACK;
    chosen.length = 0;
    for (const line of lineIdx) if (lanes[line] === lane && c.inTarget[line] === 1) chosen.push(line);
    if (chosen.length > 0) total += applyItemPromotion(c, chosen, basket, cur, sink);
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
        for (const price of cur[line] as number[]) base += price;
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
): number {
  const all = basket.map((l) => l.index);
  let total = evaluateItems(basket, all, lanes, itemCandidates, cur, sink);
  const bases = new Array<number>(thresholds.length).fill(0);
  thresholdBases(basket, all, lanes, thresholds, cur, bases);
  for (let k = 0; k < thresholds.length; k++) {
    const t = thresholds[k] as Candidate;
    const lines = all.filter((l) => (t.exclusive ? lanes[l] === t.index : lanes[l] === STACK && t.inTarget[l] === 1));
    const nets = lines.map((l) => (cur[l] as number[]).reduce((s, p) => s + p, 0));
    const left = nets.reduce((s, n) => s + n, 0);
    const off = Math.min(thresholdDiscount(t, bases[k] as number), left);
    if (off <= 0) continue;
    const shares = allocate(off, nets);
    lines.forEach((line, i) => {
      const share = shares[i] as number;
      if (share <= 0) return;
      const prices = cur[line] as number[];
      const unitShares = allocate(share, prices);
      for (let u = 0; u < prices.length; u++) prices[u] = (prices[u] as number) - (unitShares[u] as number);
      sink?.(line, t.index, share);
    });
    total += off;
  }
  return total;
}
