/** The order price policy (plan decision 7) with baskets priced by the real engine under two snapshots. */
import assert from 'node:assert/strict';
import { decideOrderPrice, type ShownPrice } from '../../commerce/price-policy.ts';
import { createPricingContext, priceBasket } from '../../commerce/pricing-engine.ts';
import type { PricedBasket } from '../../protocol/commerce/basket.ts';
import type { Promotion } from '../../protocol/commerce/promotions.ts';
import { isFleetError } from '../../protocol/errors.ts';
import { line, promo, snapshot, WED_NOON } from './commerce-fixture.ts';

const lines = [line('MILK', 2)];
const priced = (promotions: Promotion[], version: number): PricedBasket =>
  priceBasket(createPricingContext(snapshot({ promotions, version })), {
    lines,
    member: null,
    couponIds: [],
    pointsToRedeem: 0,
    at: WED_NOON,
  });
const tenOff = [promo('p10', { kind: 'percent_off', percentOff: 10 }, { target: { skus: ['MILK'] } })];
const twentyOff = [promo('p20', { kind: 'percent_off', percentOff: 20 }, { target: { skus: ['MILK'] } })];
const shownFrom = (b: PricedBasket): ShownPrice => ({
  totalFen: b.totalFen,
  lines: b.lines.map((l) => ({ lineId: l.lineId, netFen: l.netFen })),
});

describe('commerce/price-policy', () => {
  const withTen = priced(tenOff, 7); // 2500 − 250 = 2250
  const full = priced([], 8); // 2500
  const withTwenty = priced(twentyOff, 8); // 2000

  it('refuses a cart showing less than its own snapshot allows', () => {
    const shown = { totalFen: 2249, lines: [{ lineId: withTen.lines[0]!.lineId, netFen: 2249 }] };
    assert.throws(
      () => decideOrderPrice({ shown, claimed: withTen, claimedValidAtScan: true, current: withTen }),
      (e) => isFleetError(e, 'ORDER_PRICE_BELOW_RULES'),
    );
  });

  it('charges as shown when the current price is the same', () => {
    const r = decideOrderPrice({
      shown: shownFrom(withTen),
      claimed: withTen,
      claimedValidAtScan: true,
      current: withTen,
    });
    assert.deepEqual([r.decision, r.charge.totalFen, r.audit], ['as-shown', 2250, []]);
  });

  it('charges the current price when it is lower, and flags it', () => {
    const r = decideOrderPrice({
      shown: shownFrom(withTen),
      claimed: withTen,
      claimedValidAtScan: true,
      current: withTwenty,
    });
    assert.deepEqual([r.decision, r.charge.totalFen, r.audit], ['current-lower', 2000, ['current-lower-than-shown']]);
  });

  it('honours the shown price of a snapshot valid at scan time when the price has gone up, and flags it', () => {
    const r = decideOrderPrice({
      shown: shownFrom(withTen),
      claimed: withTen,
      claimedValidAtScan: true,
      current: full,
    });
    assert.deepEqual(
      [r.decision, r.charge.totalFen, r.audit],
      ['honoured-snapshot', 2250, ['current-higher-than-shown']],
    );
  });

  it('charges the current price when the claimed snapshot was not valid at scan time', () => {
    const r = decideOrderPrice({
      shown: shownFrom(withTen),
      claimed: withTen,
      claimedValidAtScan: false,
      current: full,
    });
    assert.equal(r.decision, 'current-stale-snapshot');
    assert.equal(r.charge.totalFen, 2500);
    assert.deepEqual(r.audit, ['claimed-snapshot-not-valid-at-scan', 'current-higher-than-shown']);
  });

  it('charges the current price when the fleet does not know the claimed snapshot', () => {
    const r = decideOrderPrice({ shown: shownFrom(withTen), claimed: null, claimedValidAtScan: false, current: full });
    assert.deepEqual([r.decision, r.charge.totalFen], ['current-stale-snapshot', 2500]);
    assert.ok(r.audit.includes('claimed-snapshot-unknown'));
  });
});
