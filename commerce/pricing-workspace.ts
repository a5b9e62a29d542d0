/**
 * The work arrays of the engine's hot path (the optimiser's frontiers, unit sorting, discount splits). A cart prices
 * its basket on every scan and the fleet prices every order twice; allocating these afresh each time made most of a
 * pricing's garbage, and the collector's pauses were the latency tail (docs/benchmarks.md, "Pricing"). So each
 * pricing context owns one workspace and every pricing with that context reuses it. Pricing is synchronous, so one
 * pricing never sees another's use of it; every user resets what it reads first (`clear()`, counts), so nothing
 * carries over: the same inputs still give a deep-equal answer.
 */
import { DiscountLedger } from './discount-ledger.ts';
import { UnitScratch } from './item-promotions.ts';
import { PointSet } from './point-set.ts';

export class PricingWorkspace {
  readonly unit = new UnitScratch();
  /** The final pricing's discounts (pricing-engine.ts). */
  readonly ledger = new DiscountLedger();
  /** The component being enumerated (promotion-optimizer.ts). */
  readonly frontier = new PointSet();
  /** Every component's frontier, and the same after dropping unreachable thresholds (frontier-merge.ts). */
  readonly points = new PointSet();
  readonly filtered = new PointSet();
  readonly one = new PointSet();
  /** The merged frontier, the next one, and a spare for truncating (frontier-merge.ts). */
  readonly merged = new PointSet();
  readonly next = new PointSet();
  readonly spare = new PointSet();
  readonly lowerBound = new PointSet();
  /** The enumeration's arrays (promotion-optimizer.ts): each component's thresholds inside, lines with a choice,
   * the odometer over them, every frontier point's lanes, the component's candidates' lanes, the best found. */
  readonly lanes = {
    insideBases: [] as number[],
    free: [] as number[],
    digits: [] as number[],
    laneStore: [] as number[],
    scratchLanes: [] as number[],
    bestLanes: [] as number[],
  };
  /** Each merge step's survivors: their point in the previous step, and the component point they took. */
  readonly historyPrev: number[] = [];
  readonly historyPoint: number[] = [];
  private hits = new Float64Array(256);
  private readonly rows: number[][] = [];
  private readonly singles: number[][] = [];

  /**
   * Each line's unit prices before discounts, in rows to work on (by line index); a row is kept from the last pricing
   * when its line has as many units (a cart reprices the same lines on every scan).
   */
  unitRows(basket: readonly { units: readonly number[] }[]): number[][] {
    for (let l = 0; l < basket.length; l++) {
      const units = (basket[l] as { units: readonly number[] }).units;
      const row = this.rows[l];
      if (row?.length !== units.length) this.rows[l] = units.slice();
      else for (let u = 0; u < units.length; u++) row[u] = units[u] as number;
    }
    return this.rows;
  }

  /** `[line]`, the same array every time (a component of one line). */
  single(line: number): readonly number[] {
    let list = this.singles[line];
    if (!list) {
      list = [line];
      this.singles[line] = list;
    }
    return list;
  }

  /**
   * Room for `count` (promotion, line) pairs meeting in the target (promotion-candidates.ts), as a view of exactly
   * that length (a typed array sorts numerically, natively).
   */
  hitBuffer(count: number): Float64Array {
    if (this.hits.length < count) this.hits = new Float64Array(Math.max(count, 2 * this.hits.length));
    return this.hits.subarray(0, count);
  }
}
