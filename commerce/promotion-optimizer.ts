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
export const FRONTIER_LIMIT = 512;
/** A threshold joins its components into one enumeration only while that stays this small (measured, bench/pricing.ts). */
export const THRESHOLD_JOIN_LIMIT = 64;

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

/**
 * The points no other point matches or beats in every coordinate (item discount and the `active` threshold bases),
 * in their original order (the first of equal points stays). Up to one active dimension: a sort and a sweep; more:
 * pairwise.
 */
function paretoFrontier(points: Point[], active: readonly number[]): Point[] {
  if (points.length <= 1) return points;
  if (active.length <= 1) {
    const k = active[0];
    const base = (p: Point) => (k === undefined ? 0 : (p.bases[k] as number));
    const order = points.map((_, i) => i);
    // Base descending, then item descending, then first met: a point survives when its item beats every point with
    // at least its base seen before it.
    order.sort(
      (a, b) =>
        base(points[b] as Point) - base(points[a] as Point) ||
        (points[b] as Point).item - (points[a] as Point).item ||
        a - b,
    );
    const keep = new Uint8Array(points.length);
    let bestItem = Number.NEGATIVE_INFINITY;
    for (const i of order) {
      const p = points[i] as Point;
      if (p.item > bestItem) {
        keep[i] = 1;
        bestItem = p.item;
      }
    }
    return points.filter((_, i) => keep[i] === 1);
  }
  const frontier: Point[] = [];
  for (const p of points) addToFrontier(frontier, p);
  return frontier;
}

export function choosePromotions(basket: readonly BasketLine[], candidates: readonly Candidate[]): PromotionChoice {
  const n = basket.length;
  const lanes = new Int32Array(n).fill(STACK);
  const items = candidates.filter((c) => !c.threshold);
  const thresholds = candidates.filter((c) => c.threshold);

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
  // A spend threshold whose lines fall in a few small components joins them: its discount is then decided inside one
  // enumeration. Only thresholds too wide for that (a store-wide "¥100 − ¥20" over a basket with many choices) stay
  // outside, as dimensions of the frontier.
  const combos = new Map<number, number>();
  for (let l = 0; l < n; l++) {
    const root = find(l);
    combos.set(root, Math.min((combos.get(root) ?? 1) * (options[l] as number[]).length, ENUMERATION_LIMIT + 1));
  }
  const external: Candidate[] = [];
  const bySize = [...thresholds].sort((a, b) => a.lines.length - b.lines.length || a.index - b.index);
  for (const t of bySize) {
    const roots = [...new Set(t.lines.map(find))];
    let product = 1;
    for (const r of roots) product = Math.min(product * (combos.get(r) as number), ENUMERATION_LIMIT + 1);
    if (product > THRESHOLD_JOIN_LIMIT) {
      external.push(t);
      continue;
    }
    const root = Math.min(...roots);
    for (const r of roots) parent[r] = root;
    combos.set(root, product);
  }
  external.sort((a, b) => a.index - b.index);
  const byRoot = new Map<number, number[]>();
  for (let l = 0; l < n; l++) {
    const root = find(l);
    const list = byRoot.get(root);
    if (list) list.push(l);
    else byRoot.set(root, [l]);
  }
  const components = [...byRoot.values()];

  const caps = external.map(thresholdSaturation);
  const score = (item: number, bases: number[]) => {
    let s = item;
    for (let k = 0; k < external.length; k++) s += thresholdDiscount(external[k] as Candidate, bases[k] as number);
    return s;
  };

  let exact = true;
  const cur: number[][] = basket.map((line) => line.units.slice());
  const bases = new Array<number>(external.length).fill(0);
  const frontiers: Point[][] = [];
  components.forEach((compLines, comp) => {
    const compItems = items.filter((c) => compLines.some((l) => c.inTarget[l] === 1));
    const inside = thresholds.filter((t) => !external.includes(t) && compLines.includes(t.lines[0] as number));
    const insideBases = new Array<number>(inside.length).fill(0);
    const free = compLines.filter((l) => (options[l] as number[]).length > 1);
    const evaluate = (): Point => {
      for (const l of compLines) {
        const units = (basket[l] as BasketLine).units;
        const row = cur[l] as number[];
        for (let u = 0; u < units.length; u++) row[u] = units[u] as number;
      }
      let item = evaluateItems(basket, compLines, lanes, compItems, cur);
      thresholdBases(basket, compLines, lanes, inside, cur, insideBases);
      inside.forEach((t, k) => {
        item += thresholdDiscount(t, insideBases[k] as number);
      });
      thresholdBases(basket, compLines, lanes, external, cur, bases);
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

  // Merge the component frontiers, in an order that finishes each threshold's components early: once the last
  // component a threshold touches is merged, its base is final, its discount moves into the item discount and its
  // dimension is dropped (points that differed only there collapse). Wide thresholds stay dimensions to the end.
  const T = external.length;
  // A threshold no choice can reach is dropped before merging (its dimension would only keep points apart).
  const active = new Set<number>();
  for (let k = 0; k < T; k++) {
    let most = 0;
    for (const f of frontiers) most += Math.max(...f.map((p) => p.bases[k] as number));
    if (thresholdDiscount(external[k] as Candidate, most) > 0) active.add(k);
    else for (const f of frontiers) for (const p of f) p.bases[k] = 0;
  }
  if (active.size < T) {
    for (let c = 0; c < frontiers.length; c++) frontiers[c] = paretoFrontier(frontiers[c] as Point[], [...active]);
  }
  const touches = external.map((t) =>
    components.map((_, c) => c).filter((c) => components[c]!.some((l) => t.inTarget[l] === 1)),
  );
  // Components without a choice first: while the merged frontier is one point, merging them costs nothing.
  const order: number[] = [];
  const placed = new Uint8Array(components.length);
  frontiers.forEach((f, c) => {
    if (f.length === 1) {
      placed[c] = 1;
      order.push(c);
    }
  });
  for (const k of external.map((_, k) => k).sort((a, b) => touches[a]!.length - touches[b]!.length || a - b)) {
    for (const c of touches[k] as number[]) {
      if (placed[c]) continue;
      placed[c] = 1;
      order.push(c);
    }
  }
  for (let c = 0; c < components.length; c++) if (!placed[c]) order.push(c);
  const lastStep = external.map((_, k) => Math.max(-1, ...touches[k]!.map((c) => order.indexOf(c))));

  // Upper bound of a partial point: its item discount plus the most every later component could add, and each
  // threshold at the largest base it could still reach.
  const laterItem = new Array<number>(order.length + 1).fill(0);
  const laterBase: number[][] = Array.from({ length: order.length + 1 }, () => new Array<number>(T).fill(0));
  for (let i = order.length - 1; i >= 0; i--) {
    const f = frontiers[order[i] as number] as Point[];
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
        for (let k = 0; k < T; k++) b[k] = Math.min((b[k] as number) + (best.bases[k] as number), caps[k] as number);
      }
      return score(item, b);
    }),
  );
  let merged: Point[] = [{ item: 0, bases: new Array<number>(T).fill(0), lanes: null, prev: null, comp: -1 }];
  order.forEach((c, i) => {
    const f = frontiers[c] as Point[];
    const next: Point[] = [];
    const later = laterBase[i + 1] as number[];
    for (const p of merged) {
      for (const q of f) {
        const item = p.item + q.item;
        if (f.length > 1) {
          // The bound first, without allocating: most pairs are dropped here.
          let optimistic = item + (laterItem[i + 1] as number);
          for (let k = 0; k < T; k++) {
            const b = (p.bases[k] as number) + (q.bases[k] as number) + (later[k] as number);
            optimistic += thresholdDiscount(external[k] as Candidate, b);
          }
          if (optimistic < lowerBound) continue;
        }
        const bases = new Array<number>(T);
        for (let k = 0; k < T; k++) {
          bases[k] = Math.min((p.bases[k] as number) + (q.bases[k] as number), caps[k] as number);
        }
        next.push({ item, bases, lanes: q.lanes, prev: p, comp: q.comp });
      }
    }
    let eliminated = false;
    for (let k = 0; k < T; k++) {
      if (lastStep[k] !== i || !active.has(k)) continue;
      eliminated = true;
      active.delete(k);
      for (const p of next) {
        p.item += thresholdDiscount(external[k] as Candidate, p.bases[k] as number);
        p.bases[k] = 0;
      }
    }
    merged = f.length > 1 || eliminated ? paretoFrontier(next, [...active]) : next;
    if (merged.length > FRONTIER_LIMIT) {
      exact = false;
      merged.sort((a, b) => score(b.item, b.bases) - score(a.item, a.bases));
      merged.length = FRONTIER_LIMIT;
    }
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
