import assert from 'node:assert/strict';
import { newOrderId, randomId } from '../../../fleet/orders/order-ids.ts';

describe('order ids (random base32 from a pooled CSPRNG buffer)', () => {
  it('prefix and 20 base32 characters', () => {
    assert.match(newOrderId(), /^ord_[a-z2-7]{20}$/);
  });

  it('10,000 ids (the 4 KiB pool refilled ~50 times) are all different', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => randomId('x_', 20)));
    assert.equal(ids.size, 10_000);
  });

  it('uses every character of the alphabet (no bytes wasted on a constant)', () => {
    const seen = new Set(Array.from({ length: 200 }, () => randomId('', 26)).join(''));
    assert.equal(seen.size, 32);
  });

  it('refuses an id longer than the pool rather than repeat bytes', () => {
    assert.throws(() => randomId('', 5000), RangeError);
  });
});
