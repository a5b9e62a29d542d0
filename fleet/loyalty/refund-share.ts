import { FleetError } from '../../protocol/errors.ts';

/**
 * How much of an order has been refunded, cumulatively (this refund and every earlier one of the order), in fen
 * of the order's paid total. Points are reversed in this proportion (PointsService.reverseOrder).
 */
export interface RefundShare {
  refundedFen: number;
  totalFen: number;
}

/** The share as a fraction; the whole order when absent. REFUND_INVALID for a share that is not one. */
export function shareOf(share: RefundShare | undefined): { numerator: number; denominator: number } {
  if (!share) return { numerator: 1, denominator: 1 };
  const { refundedFen, totalFen } = share;
  if (!Number.isSafeInteger(refundedFen) || !Number.isSafeInteger(totalFen) || totalFen <= 0) {
    throw new FleetError('REFUND_INVALID', 'the refund share needs whole fen and a positive total');
  }
  if (refundedFen <= 0 || refundedFen > totalFen) {
    throw new FleetError('REFUND_INVALID', `refunded ${refundedFen} fen of ${totalFen}: not a share of the order`);
  }
  return { numerator: refundedFen, denominator: totalFen };
}
