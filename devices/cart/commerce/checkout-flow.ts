import { randomUUID } from 'node:crypto';
import QRCode from 'qrcode';
import type { PricedBasket } from '../../../protocol/commerce/basket.ts';
import type { ScreenCheckout, ScreenCheckoutState, ScreenNotice } from '../../../protocol/commerce/cart-screen.ts';
import type { OrderStatus, OrderSubmission, SubmittedLine } from '../../../protocol/commerce/orders.ts';
import type { BasketLine } from '../basket/basket-types.ts';
import { type CommerceReplyMessage, rejection } from './commerce-client.ts';

/** What the journal keeps of a checkout: enough to resume it after a power cut with the same idempotency key. */
export interface CheckoutRecord {
  state: ScreenCheckoutState;
  idempotencyKey: string;
  submission: OrderSubmission;
  /** Queued in the outbox (false while an offline checkout waits for the attendant's staff code). */
  sent: boolean;
  orderId: string | null;
  payUrl: string | null;
  receiptUrl: string | null;
  payableFen: number;
  error: ScreenNotice | null;
}

export interface SubmissionInput {
  storeId: string;
  sessionId: string | null;
  member: { memberNumber: string; code: string | null } | null;
  lines: BasketLine[];
  priced: PricedBasket;
  couponIds: string[];
  pointsToRedeem: number;
  snapshotVersion: number;
  method: 'qr' | 'attendant';
  at: number;
}

/** The order as the cart submits it: each line with the net the shopper saw (plan decision 7). */
export function buildSubmission(input: SubmissionInput): OrderSubmission {
  const nets = new Map(input.priced.lines.map((l) => [l.lineId, l.netFen]));
  const lines: SubmittedLine[] = input.lines.map((l) => ({
    lineId: l.lineId,
    sku: l.sku,
    quantity: l.quantity,
    weightG: l.weightG,
    barcode: l.barcode,
    labelPriceFen: l.labelPriceFen,
    scannedAt: l.scannedAt,
    cartNetFen: nets.get(l.lineId) ?? 0,
  }));
  return {
    idempotencyKey: randomUUID(),
    storeId: input.storeId,
    sessionId: input.sessionId,
    member: input.member,
    lines,
    couponIds: input.couponIds,
    pointsToRedeem: input.pointsToRedeem,
    snapshotVersion: input.snapshotVersion,
    cartTotalFen: input.priced.totalFen,
    cartPayableFen: input.priced.payableFen,
    payment: { method: input.method },
    createdAt: input.at,
  };
}

export function newCheckout(submission: OrderSubmission, sent: boolean): CheckoutRecord {
  return {
    state: submission.payment.method === 'attendant' ? 'offline-attendant' : 'submitting',
    idempotencyKey: submission.idempotencyKey,
    submission,
    sent,
    orderId: null,
    payUrl: null,
    receiptUrl: null,
    payableFen: submission.cartPayableFen,
    error: null,
  };
}

/** The fleet's answer to the order, or a status push: where the checkout stands now (null: not ours). */
export function applyStatus(record: CheckoutRecord, status: Partial<OrderStatus>): CheckoutRecord | null {
  if (status.idempotencyKey !== undefined && status.idempotencyKey !== record.idempotencyKey) return null;
  if (status.idempotencyKey === undefined && status.orderId !== record.orderId) return null;
  const next: CheckoutRecord = {
    ...record,
    orderId: status.orderId ?? record.orderId,
    payUrl: status.payUrl ?? record.payUrl,
    receiptUrl: status.receiptUrl ?? record.receiptUrl,
    payableFen: status.payableFen ?? record.payableFen,
    error: null,
  };
  switch (status.state) {
    case 'open':
    case 'awaiting_payment':
      next.state = record.submission.payment.method === 'attendant' ? 'paid' : 'awaiting-payment';
      break;
    case 'paid':
    case 'exit_verified':
      next.state = 'paid';
      break;
    case 'cancelled':
    case 'refunded':
    case 'partially_refunded':
      next.state = 'failed';
      next.error = { code: 'ORDER_STATE_INVALID', message: `the order was ${status.state}`, at: status.at ?? 0 };
      break;
    default:
      break;
  }
  return next;
}

/** A reply to our order-submit (matched by clientToken = idempotency key). */
export function applyReply(record: CheckoutRecord, reply: CommerceReplyMessage, at: number): CheckoutRecord | null {
  if (reply.operation !== 'order-submit' || reply.clientToken !== record.idempotencyKey) return null;
  if (!reply.accepted) {
    const err = rejection(reply.body);
    return { ...record, state: 'failed', error: { code: err.code, message: err.message, at } };
  }
  const status = (reply.body.status ?? reply.body.order ?? reply.body) as Partial<OrderStatus>;
  return applyStatus(record, { ...status, idempotencyKey: record.idempotencyKey });
}

/** What the screen shows of a checkout, QR codes included (rendered as SVG documents). */
export async function screenCheckout(record: CheckoutRecord): Promise<ScreenCheckout> {
  const svg = (text: string | null) =>
    text ? QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) : Promise.resolve(null);
  // Offline, the order's QR lets the attendant's desk find the order (key and amount) once it syncs.
  const offlineCode =
    record.state === 'offline-attendant' ? `CFO1.${record.idempotencyKey}.${record.submission.cartPayableFen}` : null;
  return {
    state: record.state,
    orderId: record.orderId,
    payableFen: record.payableFen,
    payUrl: record.payUrl ?? offlineCode,
    payQrSvg: record.state === 'awaiting-payment' ? await svg(record.payUrl) : await svg(offlineCode),
    receiptUrl: record.receiptUrl,
    receiptQrSvg: record.state === 'paid' ? await svg(record.receiptUrl) : null,
    error: record.error,
  };
}
