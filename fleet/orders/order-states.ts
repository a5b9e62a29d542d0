import type { OrderState } from '../../protocol/commerce/orders.ts';
import { FleetError } from '../../protocol/errors.ts';

/**
 * The moves an order may make; anything else is ORDER_STATE_INVALID and changes nothing. One move is not in this
 * table on purpose: cancelled → paid, made only by `LatePayments` when the money for that very order arrived after
 * it expired (late-payments.ts); no person or cart can make it.
 */
const MOVES: Record<OrderState, readonly OrderState[]> = {
  open: ['awaiting_payment', 'paid', 'cancelled'],
  awaiting_payment: ['paid', 'cancelled'],
  paid: ['exit_verified', 'refunded', 'partially_refunded'],
  exit_verified: ['refunded', 'partially_refunded'],
  partially_refunded: ['partially_refunded', 'refunded', 'exit_verified'],
  cancelled: [],
  refunded: [],
};

export function canMove(from: OrderState, to: OrderState): boolean {
  return MOVES[from].includes(to);
}

export function assertMove(orderId: string, from: OrderState, to: OrderState): void {
  if (!canMove(from, to)) {
    throw new FleetError('ORDER_STATE_INVALID', `order '${orderId}' is ${from}; it cannot become ${to}`, { from, to });
  }
}

/** States in which the order has been paid (and its points earned). */
export function isPaidState(state: OrderState): boolean {
  return state === 'paid' || state === 'exit_verified' || state === 'partially_refunded' || state === 'refunded';
}
