import assert from 'node:assert/strict';
import {
  AllocationScratch,
  allocate,
  allocateInto,
  divRound,
  formatYuan,
  mulDivRound,
  percentOf,
  priceForWeight,
} from '../../commerce/money.ts';
import { isFleetError } from '../../protocol/errors.ts';
import { rng } from './brute-force.ts';

/** The largest-remainder rule, stated with exact fractions (BigInt): the oracle for allocate's fast paths. */
function largestRemainder(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  const w = sum === 0 ? weights.map(() => 1) : weights;
  const d = BigInt(sum === 0 ? weights.length : sum);
  const shares = w.map((x) => Number((BigInt(total) * BigInt(x)) / d));
  const remainders = w.map((x) => (BigInt(total) * BigInt(x)) % d);
  const order = w
    .map((_, i) => i)
    .sort((a, b) => {
      const ra = remainders[a] as bigint;
      const rb = remainders[b] as bigint;
      return ra === rb ? a - b : rb > ra ? 1 : -1;
    });
  for (let k = 0, left = total - shares.reduce((s, x) => s + x, 0); left > 0; k++, left--) {
    const i = order[k] as number;
    shares[i] = (shares[i] as number) + 1;
  }
  return shares;
}

describe('commerce/money: the one rounding rule', () => {
  it('rounds half away from zero, once', () => {
    assert.deepEqual(
      [divRound(5, 2), divRound(-5, 2), divRound(3, 2), divRound(1, 3), divRound(2, 3)],
      [3, -3, 2, 0, 1],
    );
    assert.equal(percentOf(333, 15), 50); // 49.95
    assert.equal(percentOf(35, 10), 4); // 3.5
    assert.equal(percentOf(25, 10), 3); // 2.5
    assert.equal(percentOf(24, 10), 2); // 2.4
    assert.equal(priceForWeight(699, 500), 350); // 349.5
    assert.equal(priceForWeight(1598, 755), 1206); // 1206.49
  });

  it('stays exact where a product exceeds 2^53', () => {
    // (2^53 − 1) × 3 / 2 = 13510798882111486.5 → …487 (a double would say …488)
    assert.equal(mulDivRound(Number.MAX_SAFE_INTEGER, 3, 6), 4503599627370496); // 4503599627370495.5 → …496
    assert.equal(mulDivRound(2 ** 40 + 1, 2 ** 20, 2 ** 21), 549755813889); // (2^40 + 1) / 2 = …888.5 → …889
    assert.throws(
      () => mulDivRound(0.5, 2, 1),
      (e) => isFleetError(e, 'PRICING_INPUT_INVALID'),
    );
    assert.throws(
      () => mulDivRound(1, 2, 0),
      (e) => isFleetError(e, 'PRICING_INPUT_INVALID'),
    );
  });

  it('allocates by largest remainder: exact sums, ties to the lower index', () => {
    assert.deepEqual(allocate(100, [1, 1, 1]), [34, 33, 33]);
    assert.deepEqual(allocate(2, [1, 1, 1]), [1, 1, 0]);
    assert.deepEqual(allocate(10, [1, 2, 7]), [1, 2, 7]);
    assert.deepEqual(allocate(10, [3, 3, 4]), [3, 3, 4]);
    assert.deepEqual(allocate(7, [0, 0]), [4, 3]);
    assert.deepEqual(allocate(0, [5, 5]), [0, 0]);
    assert.deepEqual(allocate(300, [2500, 0]), [300, 0]);
    // remainders 0.6 (index 1) beat 0.4 (index 0, 2): 1000 × (2, 3, 2) / 7 = 285.7, 428.6, 285.7
    assert.deepEqual(allocate(1000, [2, 3, 2]), [286, 428, 286]);
    for (let n = 1; n < 200; n++) {
      const weights = [n, 2 * n + 1, 3, 7 * n];
      const shares = allocate(n * 13, weights);
      assert.equal(
        shares.reduce((s, x) => s + x, 0),
        n * 13,
      );
      shares.forEach((s, i) => {
        assert.ok(s <= Math.ceil((n * 13 * (weights[i] as number)) / weights.reduce((a, b) => a + b, 0)));
      });
    }
    assert.throws(
      () => allocate(-1, [1]),
      (e) => isFleetError(e, 'PRICING_INPUT_INVALID'),
    );
    assert.throws(
      () => allocate(1, []),
      (e) => isFleetError(e, 'PRICING_INPUT_INVALID'),
    );
  });

  it('splits into reused arrays as the rule says: equal weights, one weight, long lists, beyond 2^53', () => {
    const random = rng(3);
    const scratch = new AllocationScratch();
    const out: number[] = [];
    const cases: [number, number[]][] = [
      [7, [5]],
      [10, [300, 300, 300]],
      [10, [0, 0, 0, 0]],
      [Number.MAX_SAFE_INTEGER, [3, 3, 5]], // total × sum beyond 2^53: the BigInt path
      [2 ** 52, [2 ** 40, 1, 2 ** 30]],
    ];
    for (let run = 0; run < 300; run++) {
      const count = 1 + Math.floor(random() * (run % 3 === 0 ? 200 : 40));
      const equal = random() < 0.3;
      const first = Math.floor(random() * 500);
      const weights = Array.from({ length: count }, () => (equal ? first : Math.floor(random() * 500)));
      cases.push([Math.floor(random() * 20_000), weights]);
    }
    for (const [total, weights] of cases) {
      const expected = largestRemainder(total, weights);
      // Written over what a longer split left in the same arrays.
      out.length = 0;
      out.push(...Array.from({ length: weights.length + 3 }, () => -1));
      allocateInto(total, [...weights, 9, 9, 9], weights.length, out, scratch);
      assert.deepEqual(out.slice(0, weights.length), expected, `${total} over ${weights}`);
      assert.deepEqual(allocate(total, weights), expected);
    }
  });

  it('formats yuan for screens', () => {
    assert.equal(formatYuan(123456), '¥1,234.56');
    assert.equal(formatYuan(5), '¥0.05');
    assert.equal(formatYuan(-100), '-¥1.00');
  });
});
