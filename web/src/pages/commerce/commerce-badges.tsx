import type { AttendantReason, Order, OrderState } from '../../api/types.ts';
import { Badge } from '../../components/status.tsx';

const ORDER_TONES: Record<OrderState, 'ok' | 'warn' | 'bad' | 'idle' | 'info'> = {
  open: 'info',
  awaiting_payment: 'warn',
  paid: 'ok',
  exit_verified: 'ok',
  cancelled: 'idle',
  refunded: 'bad',
  partially_refunded: 'warn',
};

export const ORDER_STATE_LABELS: Record<OrderState, string> = {
  open: 'Open',
  awaiting_payment: 'Awaiting payment',
  paid: 'Paid',
  exit_verified: 'Exit verified',
  cancelled: 'Cancelled',
  refunded: 'Refunded',
  partially_refunded: 'Partly refunded',
};

export function OrderStateBadge({ state }: { state: OrderState }) {
  return (
    <Badge tone={ORDER_TONES[state]} testId="order-state">
      {ORDER_STATE_LABELS[state]}
    </Badge>
  );
}

/** Whether the money came in (the exit check's PAID). */
export function isPaid(order: Order): boolean {
  return ['paid', 'exit_verified', 'partially_refunded'].includes(order.state);
}

export const REASON_LABELS: Record<AttendantReason, string> = {
  'age-check': 'Age check',
  'weight-mismatch': 'Weight mismatch',
  'unknown-item': 'Unknown item',
  'offline-payment': 'Offline payment',
  help: 'Help',
};
