/**
 * Chooses, for every line, the lane (the stackable promotions, or one exclusive promotion) that gives the shopper the
 * largest total discount. See "Choosing promotions" in commerce/README.md for the argument; in short:
 *
 * 1. Lines are split into components: lines whose discounts depend on each other through an item promotion that
 *    groups units across lines (multi-buy, buy X get Y, a coupon's single application). Percent off, amount off and
 *    member price act per line, so they join nothing. Within a component every combination of lanes is enumerated
 *    (exact) when there are at most {@link ENUMERATION_LIMIT}; otherwise coordinate ascent (heuristic).
 * 2. Spend thresholds tie components together only through their bases (a sum over lines), and a threshold's
 *    discount never falls when its base grows. So each component keeps the Pareto frontier of (item discount, base of
 *    each threshold), with bases capped where the discount stops growing, and the frontiers are merged component by
 *    component, pruning points that cannot beat a known complete choice (branch and bound). Exact unless a merged
 *    frontier exceeds {@link FRONTIER_LIMIT} points (then the best-scoring ones are kept: heuristic).
 *
 * Ties (equal discount) go to the combination met first, with each line's lanes in rank order (priority, then id),
 * so the higher-priority promotion wins and the result never depends on input order.
 */
import type { BasketLine } from './basket-lines.ts';
import { evaluateItems, STACK, thresholdBases, thresholdDiscount, thresholdSaturation } from './lane-evaluation.ts';
import type { Candidate } from './promotion-candidates.ts';

export const ENUMERATION_LIMIT = 4096;
export const FRONTIER_LIMIT = 4096;

export interface PromotionChoice {
  /** Lane of each line: {@link STACK} or the index of an exclusive candidate. */
  lanes: Int32Array;
  /** False when a component or a frontier was too large and a heuristic decided. */
  exact: boolean;
}

interface Point {
  item: number;
  bases: number[];
  /** The lanes of the component's lines (component frontiers) or the chain of merged choices. */
  lanes: Int32Array | null;
  prev: Point | null;
  comp: number;
}

function dominates(p: Point, q: Point): boolean {
  if (p.item < q.item) return false;
  for (let k = 0; k < p.bases.length; k++) if ((p.bases[k] as number) < (q.bases[k] as number)) return false;
  return true;
}

/** Adds q unless a point already kept is at least as good everywhere (first met wins ties); drops what q beats. */
function addToFrontier(frontier: Point[], q: Point): void {
  for (const p of frontier) if (dominates(p, q)) return;
  let w = 0;
  for (const p of frontier) if (!dominates(q, p)) frontier[w++] = p;
  frontier.length = w;
  frontier.push(q);
}

export function choosePromotions(basket: readonly BasketLine[], candidates: readonly Candidate[]): PromotionChoice {
  const n = basket.length;
  const lanes = new Int32Array(n).fill(STACK);
  const items = candidates.filter((c) => !c.threshold);
  const thresholds = candidates.filter((c) => c.threshold);
  const caps = thresholds.map(thresholdSaturation);
  const score = (item: number, bases: number[]) => {
    let s = item;
    for (let k = 0; k < thresholds.length; k++) s += thresholdDiscount(thresholds[k] as Candidate, bases[k] as number);
    return s;
  };

  // Each line's lanes in preference order: the rank of an exclusive promotion, or the best rank of the stackable ones.
  const options: number[][] = [];
  const laneRank: number[][] = [];
  const stackRank = new Array<number>(n).fill(Number.POSITIVE_INFINITY);
  for (const c of candidates) {
    if (c.exclusive) continue;
    for (const l of c.lines) if (c.rank < (stackRank[l] as number)) stackRank[l] = c.rank;
  }
  for (let l = 0; l < n; l++) {
    options.push([STACK]);
    laneRank.push([stackRank[l] as number]);
  }
  for (const c of candidates) {
    if (!c.exclusive) continue;
    for (const l of c.lines) {
      (options[l] as number[]).push(c.index);
      (laneRank[l] as number[]).push(c.rank);
    }
  }
  for (let l = 0; l < n; l++) {
    const order = (options[l] as number[]).map((_, i) => i).sort((a, b) => laneRank[l]![a]! - laneRank[l]![b]!);
    options[l] = order.map((i) => options[l]![i]!);
  }

  // Components: lines joined by promotions whose value on a line depends on other lines.
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i] as number] as number;
      i = parent[i] as number;
    }
    return i;
  };
  for (const c of items) {
    if (!c.coupling) continue;
    const first = c.lines[0] as number;
    for (const l of c.lines) {
      const a = find(first);
      const b = find(l);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  }
  const byRoot = new Map<number, number[]>();
  for (let l = 0; l < n; l++) {
    const root = find(l);
    const list = byRoot.get(root);
    if (list) list.push(l);
    else byRoot.set(root, [l]);
  }
  const components = [...byRoot.values()];

  let exact = true;
  const cur: number[][] = basket.map((line) => line.units.slice());
  const bases = new Array<number>(thresholds.length).fill(0);
  const frontiers: Point[][] = [];
  components.forEach((compLines, comp) => {
    const compItems = items.filter((c) => compLines.some((l) => c.inTarget[l] === 1));
    const free = compLines.filter((l) => (options[l] as number[]).length > 1);
    const evaluate = (): Point => {
      for (const l of compLines) {
        const units = (basket[l] as BasketLine).units;
        const row = cur[l] as number[];
        for (let u = 0; u < units.length; u++) row[u] = units[u] as number;
      }
      const item = evaluateItems(basket, compLines, lanes, compItems, cur);
      thresholdBases(basket, compLines, lanes, thresholds, cur, bases);
      const capped = bases.map((b, k) => Math.min(b, caps[k] as number));
      return { item, bases: capped, lanes: Int32Array.from(compLines, (l) => lanes[l] as number), prev: null, comp };
    };
    const frontier: Point[] = [];
    let combinations = 1;
    for (const l of free)
      combinations = Math.min(combinations * (options[l] as number[]).length, ENUMERATION_LIMIT + 1);
    if (combinations <= ENUMERATION_LIMIT) {
      const digits = new Array<number>(free.length).fill(0);
      for (;;) {
        free.forEach((l, i) => {
          lanes[l] = (options[l] as number[])[digits[i] as number] as number;
        });
        addToFrontier(frontier, evaluate());
        let i = free.length - 1;
        while (i >= 0 && (digits[i] as number) + 1 >= (options[free[i] as number] as number[]).length) digits[i--] = 0;
        if (i < 0) break;
        digits[i] = (digits[i] as number) + 1;
      }
    } else {
      exact = false;
      for (const l of free) lanes[l] = STACK;
      let best = evaluate();
      let bestScore = score(best.item, best.bases);
      for (let pass = 0, improved = true; pass < 3 && improved; pass++) {
        improved = false;
        for (const l of free) {
          const keep = lanes[l] as number;
          for (const lane of options[l] as number[]) {
            if (lane === keep) continue;
            lanes[l] = lane;
            const p = evaluate();
            const s = score(p.item, p.bases);
            if (s > bestScore) {
              best = p;
              bestScore = s;
              improved = true;
            }
          }
          lanes[l] = (best.lanes as Int32Array)[compLines.indexOf(l)] as number;
        }
      }
      frontier.push(best);
    }
    for (const l of compLines) lanes[l] = STACK;
    frontiers.push(frontier);
  });

  // Merge the component frontiers. Upper bound of a partial point: its item discount plus the most every later
  // component could add, and each threshold at the largest base it could still reach.
  const T = thresholds.length;
  const laterItem = new Array<number>(frontiers.length + 1).fill(0);
  const laterBase: number[][] = Array.from({ length: frontiers.length + 1 }, () => new Array<number>(T).fill(0));
  for (let i = frontiers.length - 1; i >= 0; i--) {
    const f = frontiers[i] as Point[];
    laterItem[i] = (laterItem[i + 1] as number) + Math.max(...f.map((p) => p.item));
    for (let k = 0; k < T; k++) {
      laterBase[i]![k] = laterBase[i + 1]![k]! + Math.max(...f.map((p) => p.bases[k] as number));
    }
  }
  // A complete choice to beat: in each component the point with the most item discount, or the one keeping most base.
  const lowerBound = Math.max(
    ...[(p: Point) => p.item, (p: Point) => p.bases.reduce((s, b) => s + b, 0)].map((key) => {
      let item = 0;
      const b = new Array<number>(T).fill(0);
      for (const f of frontiers) {
        const best = f.reduce((x, y) => (key(y) > key(x) ? y : x));
        item += best.item;
        for (let k = 0; k < T; k++) b[k] = (b[k] as number) + (best.bases[k] as number);
      }
      return score(item, b);
    }),
  );
  let merged: Point[] = [{ item: 0, bases: new Array<number>(T).fill(0), lanes: null, prev: null, comp: -1 }];
  frontiers.forEach((f, i) => {
    const next: Point[] = [];
    for (const p of merged) {
      for (const q of f) {
        const sum: Point = {
          item: p.item + q.item,
          bases: p.bases.map((b, k) => Math.min(b + (q.bases[k] as number), caps[k] as number)),
          lanes: q.lanes,
          prev: p,
          comp: q.comp,
        };
        const optimistic = score(
          sum.item + (laterItem[i + 1] as number),
          sum.bases.map((b, k) => b + laterBase[i + 1]![k]!),
        );
        if (optimistic < lowerBound) continue;
        if (T === 0 && next.length === 1) {
          if (sum.item > (next[0] as Point).item) next[0] = sum;
        } else addToFrontier(next, sum);
      }
    }
    if (next.length > FRONTIER_LIMIT) {
      exact = false;
      next.sort((a, b) => score(b.item, b.bases) - score(a.item, a.bases));
      next.length = FRONTIER_LIMIT;
    }
    merged = next;
  });
  let best: Point | null = null;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const p of merged) {
    const s = score(p.item, p.bases);
    if (s > bestScore) {
      best = p;
      bestScore = s;
    }
  }
  for (let p = best; p?.lanes; p = p.prev) {
    const compLines = components[p.comp] as number[];
    compLines.forEach((l, i) => {
      lanes[l] = (p.lanes as Int32Array)[i] as number;
    });
  }
  return { lanes, exact };
}
