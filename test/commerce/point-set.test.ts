/**
 * The optimiser's building blocks against their definitions: PointSet's Pareto filters (a point leaves when another
 * is at least as good everywhere and better somewhere, or equal and met first) and best-scoring cut, and stableSort
 * against Array.prototype.sort (stable since ES2019), on random data with many ties.
 */
import assert from 'node:assert/strict';
import { PointSet } from '../../commerce/point-set.ts';
import { stableSort } from '../../commerce/stable-sort.ts';
import { rng } from './brute-force.ts';

/** Random points with small coordinates (many ties); bases outside `active` are 0, as the optimiser keeps them. */
function randomSet(random: () => number, count: number, dims: number, active: readonly number[]): PointSet {
  const set = new PointSet();
  set.clear(dims);
  for (let i = 0; i < count; i++) {
    const p = set.push(Math.floor(random() * 6), i, 0);
    for (const k of active) set.bases[p * dims + k] = Math.floor(random() * 6);
  }
  return set;
}

/** The survivors by definition (their `a`, i.e. original positions), in order. */
function frontierByDefinition(set: PointSet, active: readonly number[]): number[] {
  const coords = (i: number) => [set.item[i] as number, ...active.map((k) => set.base(i, k))];
  const kept: number[] = [];
  for (let q = 0; q < set.count; q++) {
    const cq = coords(q);
    const beaten = Array.from({ length: set.count }, (_, p) => p).some((p) => {
      if (p === q) return false;
      const cp = coords(p);
      const atLeast = cp.every((v, k) => v >= (cq[k] as number));
      const equal = cp.every((v, k) => v === cq[k]);
      return atLeast && (!equal || p < q);
    });
    if (!beaten) kept.push(set.a[q] as number);
  }
  return kept;
}

const survivors = (set: PointSet) => Array.from({ length: set.count }, (_, i) => set.a[i] as number);

describe('commerce/point-set', () => {
  it('keeps the Pareto frontier in order, with 0 to 3 active dimensions, the first of equal points', () => {
    const random = rng(11);
    for (let run = 0; run < 300; run++) {
      const dims = 3;
      const active = [[], [1], [0, 2], [0, 1, 2]][run % 4] as number[];
      const set = randomSet(random, 1 + Math.floor(random() * 60), dims, active);
      const expected = frontierByDefinition(set, active);
      set.paretoFilter(active);
      assert.deepEqual(survivors(set), expected, `run ${run}, active ${active}`);
    }
  });

  it('settles each new point against the frontier before it, as the enumeration adds them', () => {
    const random = rng(12);
    for (let run = 0; run < 100; run++) {
      const source = randomSet(random, 1 + Math.floor(random() * 40), 2, [0, 1]);
      const frontier = new PointSet();
      frontier.clear(2);
      for (let i = 0; i < source.count; i++) {
        frontier.append(source, i);
        frontier.settleLast();
      }
      assert.deepEqual(survivors(frontier), frontierByDefinition(source, [0, 1]), `run ${run}`);
    }
  });

  it('cuts to the best-scoring points, best first, equal scores in their order', () => {
    const random = rng(13);
    const set = randomSet(random, 200, 1, [0]);
    const score = (s: PointSet, i: number) => (s.item[i] as number) + s.base(i, 0);
    const expected = Array.from({ length: set.count }, (_, i) => i)
      .sort((x, y) => score(set, y) - score(set, x))
      .slice(0, 50)
      .map((i) => set.a[i]);
    const into = new PointSet();
    set.bestInto(50, score, into);
    assert.deepEqual(survivors(into), expected);
  });

  it('paretoBest gives what paretoFilter then bestInto give: cut or not, ties in score at the cut', () => {
    const random = rng(16);
    // Never falls when the item or a base grows, and flat in places (ties in score between unequal points).
    const score = (s: PointSet, i: number) =>
      (s.item[i] as number) + Math.min(s.base(i, 0), 3) + Math.min(s.base(i, 2), 2);
    let cut = 0;
    let whole = 0;
    for (let run = 0; run < 400; run++) {
      const active = [[0, 2], [0, 1, 2], [1], []][run % 4] as number[];
      const set = randomSet(random, 1 + Math.floor(random() * 80), 3, active);
      const copy = new PointSet();
      copy.clear(3);
      for (let i = 0; i < set.count; i++) copy.append(set, i);
      const frontier = frontierByDefinition(set, active);
      const limit = Math.max(1, frontier.length + Math.floor(random() * 5) - 3); // around the frontier's size
      copy.paretoFilter(active);
      let expected = survivors(copy);
      if (copy.count > limit) {
        const best = new PointSet();
        copy.bestInto(limit, score, best);
        expected = survivors(best);
      }
      const into = new PointSet();
      const didCut = set.paretoBest(active, limit, score, into);
      assert.equal(didCut, frontier.length > limit, `run ${run}`);
      assert.deepEqual(survivors(didCut ? into : set), expected, `run ${run}, limit ${limit}, active ${active}`);
      if (didCut) cut++;
      else whole++;
    }
    assert.ok(cut > 100 && whole > 100, `cut ${cut}, whole ${whole}`);
  });

  it('is reused: clear() starts an empty set of any dimension', () => {
    const set = randomSet(rng(14), 30, 3, [0, 1, 2]);
    set.clear(1);
    set.push(5, 7, 0);
    assert.equal(set.count, 1);
    assert.equal(set.base(0, 0), 0);
    assert.equal(set.a[0], 7);
  });
});

describe('commerce/stable-sort', () => {
  it('sorts like Array.prototype.sort, keeping equal keys in order, below and above the insertion-sort size', () => {
    const random = rng(15);
    for (const n of [0, 1, 2, 15, 16, 17, 31, 33, 100, 1000]) {
      const keys = Array.from({ length: n }, () => Math.floor(random() * 7));
      const byKey = (a: number, b: number) => (keys[a] as number) - (keys[b] as number);
      const expected = Array.from({ length: n }, (_, i) => i).sort(byKey);
      // Garbage beyond n must stay out of it.
      const order = [...Array.from({ length: n }, (_, i) => i), -1, -1];
      stableSort(order, n, [], byKey);
      assert.deepEqual(order.slice(0, n), expected, `n = ${n}`);
      assert.deepEqual(order.slice(n), [-1, -1]);
    }
  });
});
