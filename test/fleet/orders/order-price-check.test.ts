import assert from 'node:assert/strict';
import { checkPrices } from '../../../fleet/orders/order-price-check.ts';
import { canMove } from '../../../fleet/orders/order-states.ts';
import type { PricedBasket } from '../../../protocol/commerce/basket.ts';
import { ORDER_STATES } from '../../../protocol/commerce/orders.ts';
import { isFleetError } from '../../../protocol/errors.ts';

function basket(nets: Record<string, number>): PricedBasket {
  const lines = Object.entries(nets).map(([lineId, netFen]) => ({
    lineId,
    sku: lineId,
    soldBy: 'each' as const,
    quantity: 1,
    weightG: null,
    unitPriceFen: netFen,
    grossFen: netFen,
    discounts: [],
    netFen,
    minAge: null,
    needsAttendant: false,
  }));
  const total = lines.reduce((s, l) => s + l.netFen, 0);
  return {
    snapshotVersion: 2,
    at: 0,
    lines,
    promotions: [],
    subtotalFen: total,
    discountFen: 0,
    totalFen: total,
    points: { earned: 0, redeemed: 0, redeemedValueFen: 0 },
    payableFen: total,
    couponsUsed: [],
    couponsNotApplied: [],
  };
}
const line = (lineId: string, cartNetFen: number) => ({
  lineId,
  sku: lineId,
  quantity: 1,
  weightG: null,
  scannedAt: 0,
  cartNetFen,
});

describe('the price policy at checkout (plan decision 7)', () => {
  it('same price: charged as is, no audit', () => {
    const r = checkPrices([line('a', 500)], basket({ a: 500 }), () => undefined);
    assert.equal(r.audit, null);
    assert.equal(r.lines[0]!.chargedNetFen, 500);
  });

  it('cart higher than now: the lower is charged, flagged charged_lower', () => {
    const r = checkPrices([line('a', 600), line('b', 300)], basket({ a: 500, b: 300 }), () => undefined);
    assert.deepEqual(r.audit, {
      lines: [{ lineId: 'a', cartNetFen: 600, fleetNetFen: 500, chargedNetFen: 500, decision: 'charged_lower' }],
      differenceFen: 0,
    });
  });

  it('cart lower than now but what its snapshot gave at scan time: honoured, flagged', () => {
    const r = checkPrices([line('a', 400)], basket({ a: 500 }), (id) => (id === 'a' ? 400 : undefined));
    assert.equal(r.lines[0]!.chargedNetFen, 400);
    assert.equal(r.audit?.lines[0]?.decision, 'honoured');
    assert.equal(r.audit?.differenceFen, -100);
  });

  it('cart lower than the rules allow (now, and its snapshot then): ORDER_PRICE_BELOW_RULES', () => {
    for (const then of [() => undefined, () => 450]) {
      assert.throws(
        () => checkPrices([line('a', 400)], basket({ a: 500 }), then),
        (err) => isFleetError(err, 'ORDER_PRICE_BELOW_RULES'),
      );
    }
  });
});

describe('order states', () => {
  it('allows exactly the documented moves', () => {
    const allowed = ORDER_STATES.flatMap((from) =>
      ORDER_STATES.filter((to) => canMove(from, to)).map((to) => `${from}>${to}`),
    );
    assert.deepEqual(allowed.sort(), [
      'awaiting_payment>cancelled',
      'awaiting_payment>paid',
      'exit_verified>partially_refunded',
      'exit_verified>refunded',
      'open>awaiting_payment',
      'open>cancelled',
      'open>paid',
      'paid>exit_verified',
      'paid>partially_refunded',
      'paid>refunded',
      'partially_refunded>exit_verified',
      'partially_refunded>partially_refunded',
      'partially_refunded>refunded',
    ]);
  });
});
