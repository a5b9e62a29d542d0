import type { MemberContext } from '../../protocol/commerce/loyalty.ts';
import type { LoyaltyService } from '../loyalty/loyalty-service.ts';
import type { LoyaltyLedger, PointsHold } from './commerce-ports.ts';

/**
 * Orders' loyalty port over the real `LoyaltyService` (fleet/loyalty/): member-code login, the member as pricing
 * sees them, and the order's points and coupons. Every call is keyed by the order (or refund), as the ledger's
 * unique indexes are, so a retry after a crash does each once.
 */
export class ServiceLoyaltyLedger implements LoyaltyLedger {
  constructor(private readonly loyalty: LoyaltyService) {}

  async login(code: string, storeId: string, at: number): Promise<MemberContext> {
    return this.loyalty.login(code, storeId, at);
  }

  member(memberNumber: string, storeId: string, at: number): MemberContext | undefined {
    const member = this.loyalty.members.byNumber(memberNumber);
    if (!member || member.disabled) return undefined;
    return this.loyalty.memberContext(member, storeId, at);
  }

  /**
   * Points first (one transaction that checks the pool and the store's daily limit), then each coupon; when one
   * is refused, whatever this call took is released before the refusal goes back, so a refused order holds nothing.
   */
  async hold(hold: PointsHold): Promise<void> {
    const { points, coupons } = this.loyalty;
    if (hold.points > 0) await points.holdRedemption(hold.memberId, hold.storeId, hold.orderId, hold.points);
    try {
      for (const couponId of hold.couponIds) {
        await coupons.hold(couponId, hold.memberId, hold.orderId, hold.at, hold.spendFen);
      }
    } catch (err) {
      await this.release(hold.orderId);
      throw err;
    }
  }

  async capture(orderId: string): Promise<void> {
    const hold = this.loyalty.points.holdOfOrder(orderId);
    if (hold?.state === 'held') await this.loyalty.points.captureRedemption(hold.holdId);
    for (const coupon of this.loyalty.coupons.ofOrder(orderId)) {
      if (coupon.state === 'held') await this.loyalty.coupons.use(coupon.id, orderId);
    }
  }

  async release(orderId: string): Promise<void> {
    const hold = this.loyalty.points.holdOfOrder(orderId);
    if (hold?.state === 'held') await this.loyalty.points.releaseRedemption(hold.holdId);
    for (const coupon of this.loyalty.coupons.ofOrder(orderId)) {
      if (coupon.state === 'held') await this.loyalty.coupons.release(coupon.id, orderId);
    }
  }

  async earn(input: { orderId: string; memberId: string; storeId: string; points: number }): Promise<void> {
    await this.loyalty.points.earn(input.memberId, input.storeId, input.orderId, input.points);
  }

  async reverse(input: { orderId: string; refundId: string; refundedFen: number; totalFen: number }) {
    const result = await this.loyalty.points.reverseOrder(input.orderId, input.refundId, {
      refundedFen: input.refundedFen,
      totalFen: input.totalFen,
    });
    return { pointsReversed: result.earnReversed, pointsReturned: result.redeemReturned };
  }
}
