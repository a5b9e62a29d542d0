/**
 * Points of the optimiser's Pareto frontiers — (item discount, base of each spend threshold) plus two integers the
 * caller gives a meaning to — stored as columns in plain arrays that are reused (see pricing-workspace.ts), so that
 * enumerating and merging frontiers allocates nothing per point. See promotion-optimizer.ts for what the points stand for.
 */
import { stableSort } from './stable-sort.ts';

const ascending = (x: number, y: number): number => x - y;

/** Whether `values[from..from + a)` is at least `bases[0..a)` everywhere. */
function covers(values: readonly number[], from: number, bases: readonly number[], a: number): boolean {
  for (let j = 0; j < a; j++) if ((values[from + j] as number) < (bases[j] as number)) return false;
  return true;
}

export class PointSet {
  count = 0;
  readonly item: number[] = [];
  /** `dims` bases per point, point after point. */
  readonly bases: number[] = [];
  readonly a: number[] = [];
  readonly b: number[] = [];
  private readonly order: number[] = [];
  private readonly tmp: number[] = [];
  private readonly keep: number[] = [];
  /** The base compared by paretoOrder (-1: none). */
  private sortDim = -1;
  /** Base descending, then item descending, then first met. */
  private readonly paretoOrder = (x: number, y: number): number => {
    const k = this.sortDim;
    const byBase = k < 0 ? 0 : this.base(y, k) - this.base(x, k);
    return byBase || (this.item[y] as number) - (this.item[x] as number) || x - y;
  };
  /** Item descending, then the sum in `keep` descending, then first met. */
  private readonly itemThenSum = (x: number, y: number): number =>
    (this.item[y] as number) - (this.item[x] as number) || (this.keep[y] as number) - (this.keep[x] as number) || x - y;
  private readonly keptBases: number[] = [];
  private readonly sums: number[] = [];
  /** Score (in `keep`), item, sum of the active bases (in `sums`), all descending, then first met. */
  private readonly scoreItemSum = (x: number, y: number): number =>
    (this.keep[y] as number) - (this.keep[x] as number) ||
    (this.item[y] as number) - (this.item[x] as number) ||
    (this.sums[y] as number) - (this.sums[x] as number) ||
    x - y;
  private readonly marks: number[] = [];
  private readonly candidateBases: number[] = [];
  /** Score (in `keep`) descending, then first met. */
  private readonly scoreOrder = (x: number, y: number): number =>
    (this.keep[y] as number) - (this.keep[x] as number) || x - y;

  /** Bases per point. */
  dims = 0;

  /** Empties the set for points of `dims` bases (the arrays keep their room: a set is reused pricing after pricing). */
  clear(dims: number = this.dims): void {
    this.count = 0;
    this.dims = dims;
  }

  /** Appends a point with `item`, bases 0 and the payload; returns its index (write its bases after). */
  push(item: number, a: number, b: number): number {
    const i = this.count++;
    this.item[i] = item;
    this.a[i] = a;
    this.b[i] = b;
    const d = this.dims;
    for (let k = 0; k < d; k++) this.bases[i * d + k] = 0;
    return i;
  }

  base(i: number, k: number): number {
    return this.bases[i * this.dims + k] as number;
  }

  /** Point `from` of `source` (same dims) appended here. */
  append(source: PointSet, from: number): number {
    const i = this.push(source.item[from] as number, source.a[from] as number, source.b[from] as number);
    const d = this.dims;
    for (let k = 0; k < d; k++) this.bases[i * d + k] = source.bases[from * d + k] as number;
    return i;
  }

  /** Whether point p is at least as good as point q everywhere: item and every base. */
  dominates(p: number, q: number): boolean {
    if ((this.item[p] as number) < (this.item[q] as number)) return false;
    const d = this.dims;
    for (let k = 0; k < d; k++) {
      if ((this.bases[p * d + k] as number) < (this.bases[q * d + k] as number)) return false;
    }
    return true;
  }

  private move(from: number, to: number): void {
    if (from === to) return;
    this.item[to] = this.item[from] as number;
    this.a[to] = this.a[from] as number;
    this.b[to] = this.b[from] as number;
    const d = this.dims;
    for (let k = 0; k < d; k++) this.bases[to * d + k] = this.bases[from * d + k] as number;
  }

  /**
   * The last point pushed joins the frontier formed by the points before it, unless one of them is at least as good
   * everywhere (then it is dropped: the first met wins ties); the points it beats leave. Returns whether it stayed.
   */
  settleLast(): boolean {
    const q = this.count - 1;
    for (let p = 0; p < q; p++) {
      if (this.dominates(p, q)) {
        this.count = q;
        return false;
      }
    }
    let w = 0;
    for (let p = 0; p < q; p++) if (!this.dominates(q, p)) this.move(p, w++);
    this.move(q, w);
    this.count = w + 1;
    return true;
  }

  /**
   * Keeps the points no other point matches or beats in every coordinate (item and the `active` bases; the other
   * bases are 0 in every point), in their order (the first of equal points stays). Up to one active dimension: a sort
   * and a sweep; more: pairwise.
   */
  paretoFilter(active: readonly number[]): void {
    const n = this.count;
    if (n <= 1) return;
    if (active.length <= 1) {
      const order = this.order;
      for (let i = 0; i < n; i++) order[i] = i;
      // Base descending, then item descending, then first met: a point survives when its item beats every point with
      // at least its base seen before it.
      this.sortDim = active[0] ?? -1;
      stableSort(order, n, this.tmp, this.paretoOrder);
      const keep = this.keep;
      for (let i = 0; i < n; i++) keep[i] = 0;
      let bestItem = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < n; j++) {
        const i = order[j] as number;
        if ((this.item[i] as number) > bestItem) {
          keep[i] = 1;
          bestItem = this.item[i] as number;
        }
      }
      let w = 0;
      for (let i = 0; i < n; i++) if (keep[i] === 1) this.move(i, w++);
      this.count = w;
      return;
    }
    // Item descending, then the sum of the active bases descending, then first met: whatever is at least as good as a
    // point everywhere comes before it, so a point stays unless a point kept before it is at least as good (one that
    // was dropped is itself beaten by a kept one). Only the active bases are compared: the others are 0 everywhere.
    const order = this.order;
    const sums = this.keep;
    const a = active.length;
    for (let i = 0; i < n; i++) {
      order[i] = i;
      let sum = 0;
      for (let j = 0; j < a; j++) sum += this.base(i, active[j] as number);
      sums[i] = sum;
    }
    stableSort(order, n, this.tmp, this.itemThenSum);
    // The kept points' active bases, side by side (the inner loop reads them in order).
    const kept = this.keptBases;
    const marks = this.marks;
    for (let i = 0; i < n; i++) marks[i] = 0;
    const qb = this.candidateBases;
    let k = 0;
    // The kept point that beat the last one tried first: the same few strong points beat most.
    let last = 0;
    for (let o = 0; o < n; o++) {
      const q = order[o] as number;
      for (let j = 0; j < a; j++) qb[j] = this.base(q, active[j] as number);
      let beaten = k > 0 && covers(kept, last * a, qb, a);
      for (let p = 0; p < k && !beaten; p++) {
        if (p !== last && covers(kept, p * a, qb, a)) {
          beaten = true;
          last = p;
        }
      }
      if (beaten) continue;
      for (let j = 0; j < a; j++) kept[k * a + j] = qb[j] as number;
      k++;
      marks[q] = 1;
    }
    let w = 0;
    for (let i = 0; i < n; i++) if (marks[i] === 1) this.move(i, w++);
    this.count = w;
  }

  /** Keeps the `limit` best points by `score`, best first (stable: equal scores keep their order), in `into`. */
  bestInto(limit: number, score: (set: PointSet, i: number) => number, into: PointSet): void {
    const n = this.count;
    const order = this.order;
    for (let i = 0; i < n; i++) {
      order[i] = i;
      this.keep[i] = score(this, i);
    }
    stableSort(order, n, this.tmp, this.scoreOrder);
    into.clear(this.dims);
    for (let j = 0; j < Math.min(limit, n); j++) into.append(this, order[j] as number);
  }

  /**
   * paretoFilter(active), then, if more than `limit` points are left, bestInto(limit, score, into) — the same
   * result, without comparing every pair when the frontier is large (a merge of frontiers at their limit keeps most
   * of its points, and the pairwise filter was the optimiser's worst case). `score` never falls when the item or a
   * base grows. Returns whether it cut: the points are then in `into`; else they stay here, filtered.
   */
  paretoBest(
    active: readonly number[],
    limit: number,
    score: (set: PointSet, i: number) => number,
    into: PointSet,
  ): boolean {
    const n = this.count;
    if (active.length <= 1 || n <= 1) {
      this.paretoFilter(active);
      if (this.count <= limit) return false;
      this.bestInto(limit, score, into);
      return true;
    }
    // Score descending, item descending, sum of the active bases descending, first met: whatever is at least as good
    // as a point everywhere (so scores at least as much) comes before it. A point is on the frontier unless a point
    // on the frontier before it is at least as good; walking in this order, the frontier's best-scoring points come
    // first, so the walk stops once more than `limit` are found and every one scoring as much as the limit-th is.
    const a = active.length;
    const order = this.order;
    const scores = this.keep;
    const sums = this.sums;
    for (let i = 0; i < n; i++) {
      order[i] = i;
      scores[i] = score(this, i);
      let sum = 0;
      for (let j = 0; j < a; j++) sum += this.base(i, active[j] as number);
      sums[i] = sum;
    }
    stableSort(order, n, this.tmp, this.scoreItemSum);
    const kept = this.keptBases;
    const stride = a + 1;
    const qb = this.candidateBases;
    const found = this.marks;
    let k = 0;
    let last = 0;
    for (let o = 0; o < n; o++) {
      const q = order[o] as number;
      if (k > limit && (scores[q] as number) < (scores[found[limit - 1] as number] as number)) break;
      qb[0] = this.item[q] as number;
      for (let j = 0; j < a; j++) qb[j + 1] = this.base(q, active[j] as number);
      let beaten = k > 0 && covers(kept, last * stride, qb, stride);
      for (let p = 0; p < k && !beaten; p++) {
        if (p !== last && covers(kept, p * stride, qb, stride)) {
          beaten = true;
          last = p;
        }
      }
      if (beaten) continue;
      for (let j = 0; j < stride; j++) kept[k * stride + j] = qb[j] as number;
      found[k++] = q;
    }
    if (k > limit) {
      // Best first, equal scores in their order: as bestInto would order the whole frontier.
      stableSort(found, k, this.tmp, this.scoreOrder);
      into.clear(this.dims);
      for (let j = 0; j < limit; j++) into.append(this, found[j] as number);
      return true;
    }
    // The whole frontier, back in its order.
    stableSort(found, k, this.tmp, ascending);
    for (let j = 0; j < k; j++) this.move(found[j] as number, j);
    this.count = k;
    return false;
  }
}
