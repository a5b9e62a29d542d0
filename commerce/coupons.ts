/**
 * Whether a presented coupon can unlock its promotion in this basket. A coupon is single use: it unlocks one
 * application of its promotion (see commerce/README.md) and the order that uses it consumes it. Minimum spend is
 * measured on the basket's subtotal before any discount, so the answer never depends on which offers win.
 */
import type { CouponRejection } from '../protocol/commerce/basket.ts';
import type { Coupon, MemberContext } from '../protocol/commerce/loyalty.ts';

export type CouponCheck = { ok: true; coupon: Coupon } | { ok: false; rejection: CouponRejection };

export interface CouponCheckInput {
  couponId: string;
  member: MemberContext | null;
  at: number;
  subtotalFen: number;
  /** Whether the coupon's promotion runs in this store at `at` (in the snapshot, window open). */
  promotionRunning: (promotionId: string) => boolean;
}

export function checkCoupon({ couponId, member, at, subtotalFen, promotionRunning }: CouponCheckInput): CouponCheck {
  const reject = (code: CouponRejection['code'], reason: string): CouponCheck => ({
    ok: false,
    rejection: { couponId, code, reason },
  });
  const coupon = member?.coupons.find((c) => c.id === couponId);
  if (!member || !coupon) return reject('COUPON_NOT_FOUND', 'no such coupon for this shopper');
  if (coupon.memberId !== member.memberId) return reject('COUPON_NOT_OWNED', 'the coupon belongs to another member');
  if (coupon.state === 'used' || coupon.state === 'held') {
    return reject('COUPON_USED', coupon.state === 'held' ? 'the coupon is held by another order' : 'already used');
  }
  if (coupon.state === 'expired' || coupon.state === 'revoked' || at < coupon.validFrom || at > coupon.validTo) {
    return reject(
      'COUPON_EXPIRED',
      at < coupon.validFrom ? 'not valid yet' : `the coupon is ${coupon.state === 'revoked' ? 'revoked' : 'expired'}`,
    );
  }
  if (!promotionRunning(coupon.promotionId)) return reject('COUPON_EXPIRED', 'its offer is not running here now');
  if (subtotalFen < coupon.minSpendFen) return reject('COUPON_MIN_SPEND', `needs a spend of ${coupon.minSpendFen} fen`);
  return { ok: true, coupon };
}
