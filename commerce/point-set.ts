/**
 * Points of the optimiser's Pareto frontiers — (item discount, base of each spend threshold) plus two integers the
 * caller gives a meaning to — stored as columns in plain arrays that are reused (see pricing-workspace.ts), so that
 * enumerating and merging frontiers allocates nothing per point. See promotion-optimizer.ts for what the points stand for.
 */
import { stableSort } from './stable-sort.ts';

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
    // Each point in turn joins the frontier of those before it (kept at the front, so writing never overtakes reading).
    let w = 0;
    for (let q = 0; q < n; q++) {
      let dominated = false;
      for (let p = 0; p < w && !dominated; p++) dominated = this.dominates(p, q);
      if (dominated) continue;
      let v = 0;
      for (let p = 0; p < w; p++) if (!this.dominates(q, p)) this.move(p, v++);
      this.move(q, v);
      w = v + 1;
    }
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
}
