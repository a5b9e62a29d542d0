import assert from 'node:assert/strict';
import { canMove } from '../../../fleet/orders/order-states.ts';
import { ORDER_STATES } from '../../../protocol/commerce/orders.ts';

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
