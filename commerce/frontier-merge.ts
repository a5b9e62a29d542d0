/**
 * The second half of the optimiser (promotion-optimizer.ts, commerce/README.md "Choosing promotions"): every
 * component has its Pareto frontier of (item discount, base of each outside spend threshold); this picks one point
 * per component so that the item discounts plus the thresholds' discounts on the summed bases are largest.
 *
 * The frontiers are merged component by component, in an order that finishes each threshold's components early:
 * once the last component a threshold touches is merged, its base is final, its discount moves into the item
 * discount and its dimension is dropped (points that differed only there collapse). Points whose optimistic bound
 * cannot reach a known complete choice are dropped (branch and bound). Exact unless a merged frontier exceeds
 * {@link FRONTIER_LIMIT} points (then the best-scoring ones are kept: heuristic).
 */
import { thresholdDiscount } from './lane-evaluation.ts';
import type { PointSet } from './point-set.ts';
import type { PricingWorkspace } from './pricing-workspace.ts';
import type { Candidate } from './promotion-candidates.ts';

export const FRONTIER_LIMIT = 512;

export interface ComponentFrontiers {
  /** Every component's points, component after component (payload `a`: the caller's; `b` unused). */
  points: PointSet;
  /** Component c's points are `start[c]` ≤ i < `start[c + 1]`. */
  start: number[];
  /** Component c touches outside threshold k: `touches[k]` lists c, ascending. */
  touches: readonly (readonly number[])[];
}

export interface MergedChoice {
  /** Index into `points` of the point chosen in each component. */
  chosen: number[];
  exact: boolean;
}

/** The discount of a point: its item discount and every outside threshold on its (capped) base. */
function scoreOf(external: readonly Candidate[], set: PointSet, i: number): number {
  let s = set.item[i] as number;
  for (let k = 0; k < external.length; k++) s += thresholdDiscount(external[k] as Candidate, set.base(i, k));
  return s;
}

/** Drops the thresholds no choice can reach (their dimension would only keep points apart); returns the others. */
function reachable(
  frontiers: ComponentFrontiers,
  external: readonly Candidate[],
  ws: PricingWorkspace,
): ComponentFrontiers & { active: boolean[] } {
  const { points, start } = frontiers;
  const components = start.length - 1;
  const T = external.length;
  const active: boolean[] = [];
  for (let k = 0; k < T; k++) {
    let most = 0;
    for (let c = 0; c < components; c++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let i = start[c] as number; i < (start[c + 1] as number); i++) max = Math.max(max, points.base(i, k));
      most += max;
    }
    active[k] = thresholdDiscount(external[k] as Candidate, most) > 0;
    if (!active[k]) for (let i = 0; i < points.count; i++) points.bases[i * T + k] = 0;
  }
  if (active.every((x) => x)) return { ...frontiers, active };
  const activeList = activeDims(active);
  const filtered = ws.filtered;
  const one = ws.one;
  filtered.clear(T);
  const newStart = [0];
  for (let c = 0; c < components; c++) {
    one.clear(T);
    for (let i = start[c] as number; i < (start[c + 1] as number); i++) one.append(points, i);
    one.paretoFilter(activeList);
    for (let i = 0; i < one.count; i++) filtered.append(one, i);
    newStart.push(filtered.count);
  }
  return { points: filtered, start: newStart, touches: frontiers.touches, active };
}

function activeDims(active: readonly boolean[]): number[] {
  const list: number[] = [];
  for (let k = 0; k < active.length; k++) if (active[k]) list.push(k);
  return list;
}

/**
 * Chooses one point per component. Ties go to the combination met first: components in their merge order, each
 * component's points in frontier order.
 */
export function mergeFrontiers(
  input: ComponentFrontiers,
  external: readonly Candidate[],
  caps: readonly number[],
  ws: PricingWorkspace,
): MergedChoice & { points: PointSet } {
  const T = external.length;
  const { points: F, start, touches, active } = reachable(input, external, ws);
  const components = start.length - 1;
  const size = (c: number) => (start[c + 1] as number) - (start[c] as number);

  // Components without a choice first: while the merged frontier is one point, merging them costs nothing.
  const order: number[] = [];
  const placed: number[] = new Array(components).fill(0);
  for (let c = 0; c < components; c++) {
    if (size(c) === 1) {
      placed[c] = 1;
      order.push(c);
    }
  }
  const byReach = external.map((_, k) => k);
  byReach.sort((a, b) => (touches[a] as number[]).length - (touches[b] as number[]).length || a - b);
  for (const k of byReach) {
    for (const c of touches[k] as number[]) {
      if (placed[c]) continue;
      placed[c] = 1;
      order.push(c);
    }
  }
  for (let c = 0; c < components; c++) if (!placed[c]) order.push(c);
  const stepOf: number[] = new Array(components);
  order.forEach((c, i) => {
    stepOf[c] = i;
  });
  const lastStep = external.map((_, k) => {
    let last = -1;
    for (const c of touches[k] as number[]) last = Math.max(last, stepOf[c] as number);
    return last;
  });

  // Upper bound of a partial point: its item discount plus the most every later component could add, and each
  // threshold at the largest base it could still reach.
  const steps = order.length;
  const laterItem: number[] = new Array(steps + 1).fill(0);
  const laterBase: number[] = new Array((steps + 1) * T).fill(0);
  for (let i = steps - 1; i >= 0; i--) {
    const c = order[i] as number;
    let maxItem = Number.NEGATIVE_INFINITY;
    for (let p = start[c] as number; p < (start[c + 1] as number); p++)
      maxItem = Math.max(maxItem, F.item[p] as number);
    laterItem[i] = (laterItem[i + 1] as number) + maxItem;
    for (let k = 0; k < T; k++) {
      let maxBase = Number.NEGATIVE_INFINITY;
      for (let p = start[c] as number; p < (start[c + 1] as number); p++) maxBase = Math.max(maxBase, F.base(p, k));
      laterBase[i * T + k] = (laterBase[(i + 1) * T + k] as number) + maxBase;
    }
  }
  // A complete choice to beat: in each component the point with the most item discount, or the one keeping most base.
  let lowerBound = Number.NEGATIVE_INFINITY;
  for (const byBase of [false, true]) {
    const key = (p: number) => {
      if (!byBase) return F.item[p] as number;
      let s = 0;
      for (let k = 0; k < T; k++) s += F.base(p, k);
      return s;
    };
    const sum = ws.lowerBound;
    sum.clear(T);
    sum.push(0, 0, 0);
    for (let c = 0; c < components; c++) {
      let best = start[c] as number;
      for (let p = best + 1; p < (start[c + 1] as number); p++) if (key(p) > key(best)) best = p;
      sum.item[0] = (sum.item[0] as number) + (F.item[best] as number);
      for (let k = 0; k < T; k++)
        sum.bases[k] = Math.min((sum.bases[k] as number) + F.base(best, k), caps[k] as number);
    }
    lowerBound = Math.max(lowerBound, scoreOf(external, sum, 0));
  }

  // The merged frontier; each step's survivors remember (as `a`) their point in the previous step and (as `b`) the
  // component point they took, in `history`.
  const score = (set: PointSet, j: number) => scoreOf(external, set, j);
  let activeList = activeDims(active);
  let merged = ws.merged;
  let next = ws.next;
  let spare = ws.spare;
  merged.clear(T);
  next.clear(T);
  spare.clear(T);
  merged.push(0, -1, -1);
  const historyStart: number[] = new Array(steps);
  const { historyPrev, historyPoint } = ws;
  let historyTop = 0;
  let exact = true;
  for (let i = 0; i < steps; i++) {
    const c = order[i] as number;
    const first = start[c] as number;
    const end = start[c + 1] as number;
    const choices = end - first;
    next.clear(T);
    const later = (i + 1) * T;
    for (let p = 0; p < merged.count; p++) {
      for (let q = first; q < end; q++) {
        const item = (merged.item[p] as number) + (F.item[q] as number);
        if (choices > 1) {
          // The bound first, without writing: most pairs are dropped here.
          let optimistic = item + (laterItem[i + 1] as number);
          for (let k = 0; k < T; k++) {
            const b = merged.base(p, k) + F.base(q, k) + (laterBase[later + k] as number);
            optimistic += thresholdDiscount(external[k] as Candidate, b);
          }
          if (optimistic < lowerBound) continue;
        }
        const j = next.push(item, p, q);
        for (let k = 0; k < T; k++) {
          next.bases[j * T + k] = Math.min(merged.base(p, k) + F.base(q, k), caps[k] as number);
        }
      }
    }
    let eliminated = false;
    for (let k = 0; k < T; k++) {
      if (lastStep[k] !== i || !active[k]) continue;
      eliminated = true;
      active[k] = false;
      activeList = activeDims(active);
      for (let j = 0; j < next.count; j++) {
        next.item[j] = (next.item[j] as number) + thresholdDiscount(external[k] as Candidate, next.base(j, k));
        next.bases[j * T + k] = 0;
      }
    }
    if (choices > 1 || eliminated) {
      if (next.paretoBest(activeList, FRONTIER_LIMIT, score, spare)) {
        exact = false;
        const cut = spare;
        spare = next;
        next = cut;
      }
    }
    historyStart[i] = historyTop;
    for (let j = 0; j < next.count; j++) {
      historyPrev[historyTop] = next.a[j] as number;
      historyPoint[historyTop++] = next.b[j] as number;
    }
    const done = merged;
    merged = next;
    next = done;
  }
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let p = 0; p < merged.count; p++) {
    const s = scoreOf(external, merged, p);
    if (s > bestScore) {
      best = p;
      bestScore = s;
    }
  }
  const chosen: number[] = new Array(components).fill(-1);
  for (let i = steps - 1, p = best; i >= 0 && p >= 0; i--) {
    const h = (historyStart[i] as number) + p;
    chosen[order[i] as number] = historyPoint[h] as number;
    p = historyPrev[h] as number;
  }
  return { chosen, exact, points: F };
}
