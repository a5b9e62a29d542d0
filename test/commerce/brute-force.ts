/**
 * Helpers for testing the promotion optimiser against brute force: a seeded PRNG (so a failure replays) and the best
 * discount over every combination of lanes, priced with the same evaluation the engine charges with.
 */
import type { BasketLine } from '../../commerce/basket-lines.ts';
import { applyChoice, STACK, unitCopies } from '../../commerce/lane-evaluation.ts';
import type { Candidate } from '../../commerce/promotion-candidates.ts';

/** mulberry32: a tiny seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each line's lanes: the stack, and every exclusive candidate that targets it. */
export function laneOptions(basket: readonly BasketLine[], candidates: readonly Candidate[]): number[][] {
  return basket.map((l) => [
    STACK,
    ...candidates.filter((c) => c.exclusive && c.inTarget[l.index]).map((c) => c.index),
  ]);
}

/** The discount of one choice of lanes, as the engine charges it. */
export function discountOf(basket: readonly BasketLine[], candidates: readonly Candidate[], lanes: Int32Array): number {
  return applyChoice(
    basket,
    lanes,
    candidates.filter((c) => !c.threshold),
    candidates.filter((c) => c.threshold),
    unitCopies(basket),
  );
}

/** The largest discount over every combination of lanes, and how many combinations there were. */
export function bruteForceBest(
  basket: readonly BasketLine[],
  candidates: readonly Candidate[],
): { best: number; combinations: number } {
  const options = laneOptions(basket, candidates);
  const lanes = new Int32Array(basket.length);
  let best = -1;
  let combinations = 0;
  const walk = (i: number): void => {
    if (i === basket.length) {
      combinations++;
      best = Math.max(best, discountOf(basket, candidates, lanes));
      return;
    }
    for (const lane of options[i] as number[]) {
      lanes[i] = lane;
      walk(i + 1);
    }
  };
  walk(0);
  return { best, combinations };
}
