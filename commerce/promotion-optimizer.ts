/**
 * Chooses, for every line, the lane (the stackable promotions, or one exclusive promotion) that gives the shopper the
 * largest total discount. See "Choosing promotions" in commerce/README.md for the argument; in short:
 *
 * 1. Lines are split into components (lane-components.ts): lines whose discounts depend on each other through an item
 *    promotion that groups units across lines (multi-buy, buy X get Y, a coupon's single application). Percent off,
 *    amount off and member price act per line, so they join nothing. Within a component every combination of lanes
 *    is enumerated (exact) when there are at most {@link ENUMERATION_LIMIT}; otherwise coordinate ascent (heuristic).
 * 2. Spend thresholds tie components together only through their bases (a sum over lines), and a threshold's
 *    discount never falls when its base grows. So each component keeps the Pareto frontier of (item discount, base of
 *    each threshold), with bases capped where the discount stops growing, and the frontiers are merged component by
 *    component (frontier-merge.ts).
 *
 * Ties (equal discount) go to the combination met first, with each line's lanes in rank order (priority, then id),
 * so the higher-priority promotion wins and the result never depends on input order.
 *
 * A cart prices its basket on every scan, so this runs often: lanes, components and frontier points live in plain
 * arrays reused within one pricing, and the enumeration writes a point only when it joins the frontier.
 */
import type { BasketLine } from './basket-lines.ts';
import { FRONTIER_LIMIT, mergeFrontiers } from './frontier-merge.ts';
import { ENUMERATION_LIMIT, splitComponents } from './lane-components.ts';
import { evaluateItems, STACK, thresholdBases, thresholdDiscount, thresholdSaturation } from './lane-evaluation.ts';
import { PricingWorkspace } from './pricing-workspace.ts';
import type { Candidate } from './promotion-candidates.ts';

export { ENUMERATION_LIMIT, THRESHOLD_JOIN_LIMIT } from './lane-components.ts';
export { FRONTIER_LIMIT };

export interface PromotionChoice {
  /** Lane of each line: {@link STACK} or the index of an exclusive candidate. */
  lanes: Int32Array;
  /** False when a component or a frontier was too large and a heuristic decided. */
  exact: boolean;
}

const NONE: readonly Candidate[] = [];

/** Whether candidate `c` targets one of `lines`. */
function reaches(c: Candidate, lines: readonly number[]): boolean {
  for (const l of lines) if (c.inTarget[l] === 1) return true;
  return false;
}

export function choosePromotions(
  basket: readonly BasketLine[],
  candidates: readonly Candidate[],
  ws: PricingWorkspace = new PricingWorkspace(),
): PromotionChoice {
  const n = basket.length;
  const lanes = new Int32Array(n).fill(STACK);
  if (candidates.length === 0) return { lanes, exact: true };
  const { items, thresholds, options, external, isExternal, compOf, compStart, compLines, touches } = splitComponents(
    n,
    candidates,
  );
  const components = compStart.length - 1;
  const optionCount = (l: number) => (options.start[l + 1] as number) - (options.start[l] as number);
  const T = external.length;

  const caps = external.map(thresholdSaturation);
  const scratch = ws.unit;
  const cur = ws.unitRows(basket);
  // The component being enumerated: its lines, the item promotions and the joined thresholds that reach them.
  let lineIdx: readonly number[] = [];
  let compItems: readonly Candidate[] = NONE;
  let inside: readonly Candidate[] = NONE;
  const { insideBases, free, digits, laneStore, scratchLanes, bestLanes } = ws.lanes;
  const bases: number[] = new Array(T).fill(0);
  let freeCount = 0;
  // The component's points; `a` is where a point's lanes start in `laneStore` (one lane per component line).
  const frontier = ws.frontier;
  const points = ws.points;
  points.clear(T);
  const pointStart: number[] = new Array(components + 1);
  pointStart[0] = 0;
  let laneTop = 0;
  let scratchTop = 0;

  /** Prices the component's lines in their current lanes; the item discount, `bases` filled (capped). */
  const evaluate = (): number => {
    for (const l of lineIdx) {
      const units = (basket[l] as BasketLine).units;
      const row = cur[l] as number[];
      for (let u = 0; u < units.length; u++) row[u] = units[u] as number;
    }
    let item = evaluateItems(basket, lineIdx, lanes, compItems, cur, undefined, scratch);
    thresholdBases(basket, lineIdx, lanes, inside, cur, insideBases);
    for (let k = 0; k < inside.length; k++) item += thresholdDiscount(inside[k] as Candidate, insideBases[k] as number);
    thresholdBases(basket, lineIdx, lanes, external, cur, bases);
    for (let k = 0; k < T; k++) bases[k] = Math.min(bases[k] as number, caps[k] as number);
    return item;
  };
  const score = (item: number) => {
    let s = item;
    for (let k = 0; k < T; k++) s += thresholdDiscount(external[k] as Candidate, bases[k] as number);
    return s;
  };
  /** Pushes the evaluated choice into `frontier` (lanes into `scratchLanes`); keeps it if nothing there beats it. */
  const offer = (item: number) => {
    const j = frontier.push(item, scratchTop, 0);
    for (let k = 0; k < T; k++) frontier.bases[j * T + k] = bases[k] as number;
    if (frontier.settleLast()) for (const l of lineIdx) scratchLanes[scratchTop++] = lanes[l] as number;
  };

  let exact = true;
  for (let comp = 0; comp < components; comp++) {
    const from = compStart[comp] as number;
    const to = compStart[comp + 1] as number;
    lineIdx = to - from === 1 ? ws.single(compLines[from] as number) : compLines.slice(from, to);
    let itemCount = 0;
    for (const c of items) if (reaches(c, lineIdx)) itemCount++;
    compItems = NONE;
    if (itemCount > 0) {
      const list: Candidate[] = new Array(itemCount);
      itemCount = 0;
      for (const c of items) if (reaches(c, lineIdx)) list[itemCount++] = c;
      compItems = list;
    }
    inside = NONE;
    for (const t of thresholds) {
      if (isExternal[t.index] || compOf[t.lines[0] as number] !== comp) continue;
      if (inside === NONE) inside = [];
      (inside as Candidate[]).push(t);
    }
    freeCount = 0;
    let combinations = 1;
    for (const l of lineIdx) {
      if (optionCount(l) <= 1) continue;
      free[freeCount++] = l;
      combinations = Math.min(combinations * optionCount(l), ENUMERATION_LIMIT + 1);
    }
    frontier.clear(T);
    scratchTop = 0;
    if (combinations <= ENUMERATION_LIMIT) {
      for (let i = 0; i < freeCount; i++) digits[i] = 0;
      for (;;) {
        for (let i = 0; i < freeCount; i++) {
          const l = free[i] as number;
          lanes[l] = options.list[(options.start[l] as number) + (digits[i] as number)] as number;
        }
        offer(evaluate());
        let i = freeCount - 1;
        while (i >= 0 && (digits[i] as number) + 1 >= optionCount(free[i] as number)) digits[i--] = 0;
        if (i < 0) break;
        digits[i] = (digits[i] as number) + 1;
      }
    } else {
      exact = false;
      coordinateAscent();
    }
    for (let j = 0; j < frontier.count; j++) {
      const p = points.append(frontier, j);
      points.a[p] = laneTop;
      const from = frontier.a[j] as number;
      for (let i = 0; i < lineIdx.length; i++) laneStore[laneTop++] = scratchLanes[from + i] as number;
    }
    pointStart[comp + 1] = points.count;
    for (const l of lineIdx) lanes[l] = STACK;
  }

  /** Too many combinations: from all-stack, change one line's lane at a time while that helps (up to 3 passes). */
  function coordinateAscent(): void {
    for (let f = 0; f < freeCount; f++) lanes[free[f] as number] = STACK;
    let bestItem = evaluate();
    let bestScore = score(bestItem);
    const bestBases = bases.slice();
    for (let i = 0; i < lineIdx.length; i++) bestLanes[i] = lanes[lineIdx[i] as number] as number;
    for (let pass = 0, improved = true; pass < 3 && improved; pass++) {
      improved = false;
      for (let f = 0; f < freeCount; f++) {
        const l = free[f] as number;
        const keep = lanes[l] as number;
        for (let o = options.start[l] as number; o < (options.start[l + 1] as number); o++) {
          const lane = options.list[o] as number;
          if (lane === keep) continue;
          lanes[l] = lane;
          const item = evaluate();
          const s = score(item);
          if (s > bestScore) {
            bestItem = item;
            bestScore = s;
            for (let k = 0; k < T; k++) bestBases[k] = bases[k] as number;
            for (let i = 0; i < lineIdx.length; i++) bestLanes[i] = lanes[lineIdx[i] as number] as number;
            improved = true;
          }
        }
        lanes[l] = bestLanes[lineIdx.indexOf(l)] as number;
      }
    }
    const j = frontier.push(bestItem, 0, 0);
    for (let k = 0; k < T; k++) frontier.bases[j * T + k] = bestBases[k] as number;
    for (let i = 0; i < lineIdx.length; i++) scratchLanes[scratchTop++] = bestLanes[i] as number;
  }

  const merged = mergeFrontiers({ points, start: pointStart, touches }, external, caps, ws);
  if (!merged.exact) exact = false;
  for (let comp = 0; comp < components; comp++) {
    const p = merged.chosen[comp] as number;
    if (p < 0) continue;
    const from = merged.points.a[p] as number;
    for (let i = compStart[comp] as number, j = 0; i < (compStart[comp + 1] as number); i++, j++) {
      lanes[compLines[i] as number] = laneStore[from + j] as number;
    }
  }
  return { lanes, exact };
}
