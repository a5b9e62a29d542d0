/**
 * The first step of choosing promotions (promotion-optimizer.ts): each line's lanes, and the split of the lines into
 * components whose choices can be made apart — lines whose discounts depend on each other through an item promotion
 * that groups units across lines (multi-buy, buy X get Y, a coupon's single application) are one component; percent
 * off, amount off and member price act per line, so they join nothing. A spend threshold joins the components of its
 * lines while they have few combinations together; the others stay outside, as dimensions of the frontiers.
 */
import { STACK } from './lane-evaluation.ts';
import type { Candidate } from './promotion-candidates.ts';

export const ENUMERATION_LIMIT = 4096;
/** A threshold joins its components into one enumeration only while that stays this small (measured, bench/pricing.ts). */
export const THRESHOLD_JOIN_LIMIT = 64;

/** Line l's lanes are `list[start[l]]` … `list[start[l + 1] - 1]`. */
export interface LaneOptions {
  start: number[];
  list: number[];
}

export interface ComponentSplit {
  /** The item-level candidates and the thresholds, each in candidate order. */
  items: Candidate[];
  thresholds: Candidate[];
  options: LaneOptions;
  /** The thresholds left outside (in candidate order), and a 1 by candidate index for each. */
  external: Candidate[];
  isExternal: number[];
  /** Component of each line; component c's lines are `compLines[compStart[c]]` … `compLines[compStart[c + 1] - 1]`,
   * ascending; components come in the order of their first line. */
  compOf: number[];
  compStart: number[];
  compLines: number[];
  /** The components each outside threshold reaches, ascending. */
  touches: number[][];
}

/** Each line's lanes in preference order (the rank of an exclusive promotion, or the best rank of the stackable ones). */
function laneOptions(n: number, candidates: readonly Candidate[]): LaneOptions {
  const stackRank: number[] = new Array(n).fill(Number.POSITIVE_INFINITY);
  const start: number[] = new Array(n + 1).fill(0);
  for (const c of candidates) {
    for (const l of c.lines) {
      if (c.exclusive) start[l + 1] = (start[l + 1] as number) + 1;
      else if (c.rank < (stackRank[l] as number)) stackRank[l] = c.rank;
    }
  }
  for (let l = 0; l < n; l++) start[l + 1] = (start[l + 1] as number) + (start[l] as number) + 1;
  const list: number[] = new Array(start[n] as number);
  const fill = start.slice(0, n);
  const stackPlaced: number[] = new Array(n).fill(0);
  // Candidates come in rank order, so each line's exclusive lanes do too; the stack goes before the first one it
  // outranks.
  for (const c of candidates) {
    if (!c.exclusive) continue;
    for (const l of c.lines) {
      if (!stackPlaced[l] && (stackRank[l] as number) < c.rank) {
        stackPlaced[l] = 1;
        list[fill[l] as number] = STACK;
        fill[l] = (fill[l] as number) + 1;
      }
      list[fill[l] as number] = c.index;
      fill[l] = (fill[l] as number) + 1;
    }
  }
  for (let l = 0; l < n; l++) if (!stackPlaced[l]) list[fill[l] as number] = STACK;
  return { start, list };
}

export function splitComponents(n: number, candidates: readonly Candidate[]): ComponentSplit {
  const items = candidates.filter((c) => !c.threshold);
  const thresholds = candidates.filter((c) => c.threshold);
  const options = laneOptions(n, candidates);
  const optionCount = (l: number) => (options.start[l + 1] as number) - (options.start[l] as number);

  // Components: lines joined by promotions whose value on a line depends on other lines.
  const parent: number[] = new Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
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
  const combos: number[] = new Array(n).fill(1);
  for (let l = 0; l < n; l++) {
    const root = find(l);
    combos[root] = Math.min((combos[root] as number) * optionCount(l), ENUMERATION_LIMIT + 1);
  }
  const external: Candidate[] = [];
  const isExternal: number[] = new Array(candidates.length).fill(0);
  const bySize = [...thresholds].sort((a, b) => a.lines.length - b.lines.length || a.index - b.index);
  const roots: number[] = [];
  const seen: number[] = new Array(n).fill(-1);
  for (const t of bySize) {
    let count = 0;
    let product = 1;
    let root = n;
    for (const l of t.lines) {
      const r = find(l);
      if (seen[r] === t.index) continue;
      seen[r] = t.index;
      roots[count++] = r;
      product = Math.min(product * (combos[r] as number), ENUMERATION_LIMIT + 1);
      root = Math.min(root, r);
    }
    if (product > THRESHOLD_JOIN_LIMIT) {
      external.push(t);
      isExternal[t.index] = 1;
      continue;
    }
    for (let i = 0; i < count; i++) parent[roots[i] as number] = root;
    combos[root] = product;
  }
  external.sort((a, b) => a.index - b.index);

  // Components in the order of their first line, each one's lines ascending, all in one array.
  const compOf: number[] = new Array(n);
  const compOfRoot: number[] = new Array(n).fill(-1);
  const compStart: number[] = [0];
  for (let l = 0; l < n; l++) {
    const root = find(l);
    if (compOfRoot[root] === -1) {
      compOfRoot[root] = compStart.length - 1;
      compStart.push(0);
    }
    const c = compOfRoot[root] as number;
    compOf[l] = c;
    compStart[c + 1] = (compStart[c + 1] as number) + 1;
  }
  const components = compStart.length - 1;
  for (let c = 0; c < components; c++) compStart[c + 1] = (compStart[c + 1] as number) + (compStart[c] as number);
  const compLines: number[] = new Array(n);
  const fill = compStart.slice(0, components);
  for (let l = 0; l < n; l++) {
    const c = compOf[l] as number;
    compLines[fill[c] as number] = l;
    fill[c] = (fill[c] as number) + 1;
  }
  const touches: number[][] = external.map((t) => {
    const list: number[] = [];
    for (let c = 0; c < components; c++) {
      for (let i = compStart[c] as number; i < (compStart[c + 1] as number); i++) {
        if (t.inTarget[compLines[i] as number] === 1) {
          list.push(c);
          break;
        }
      }
    }
    return list;
  });
  return { items, thresholds, options, external, isExternal, compOf, compStart, compLines, touches };
}
