import assert from 'node:assert/strict';
import { allocate, divRound, formatYuan, mulDivRound, percentOf, priceForWeight } from '../../commerce/money.ts';
import { isFleetError } from '../../protocol/errors.ts';

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

  it('formats yuan for screens', () => {
    assert.equal(formatYuan(123456), '¥1,234.56');
    assert.equal(formatYuan(5), '¥0.05');
    assert.equal(formatYuan(-100), '-¥1.00');
  });
});
