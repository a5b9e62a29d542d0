import type { BasketLineInput, PricedBasket } from '../../protocol/commerce/basket.ts';
import type { MemberContext } from '../../protocol/commerce/loyalty.ts';
import type { LocalizedText } from '../../protocol/commerce/text.ts';

/**
 * What orders need from the other commerce subsystems, declared here (structurally) so that the order logic is
 * tested with fakes (test/mocks/) and wired to the real pricing engine, snapshots and loyalty service in the
 * composition root.
 */
export interface PricingRequest {
  storeId: string;
  member: MemberContext | null;
  lines: BasketLineInput[];
  couponIds: string[];
  pointsToRedeem: number;
  /** Epoch ms: the moment whose rules apply. */
  at: number;
}

/** The fleet's recompute with the snapshot the cart claims, and whether that snapshot was current at every scan. */
export interface ClaimedPricing {
  basket: PricedBasket;
  validAtScan: boolean;
}

/** Names for an order's lines and discount lines (receipts), as the store's carts show them. */
export interface OrderNames {
  product(sku: string): LocalizedText | undefined;
  /** Undefined once the promotion is gone. */
  promotion(promotionId: string): LocalizedText | undefined;
}

/** The two prices the order price policy compares (commerce/price-policy.ts), and the names of what they hold. */
export interface OrderPrices {
  /** The store's rules in force at `request.at` (its current snapshot). */
  current: PricedBasket;
  /**
   * The rules of the snapshot the cart claims, promotion windows judged at each line's `scannedAt` (plan decision
   * 7), and whether that version was the store's current one at every line's `scannedAt` (decision 6); `undefined`
   * when the fleet does not know that version's rules (never built, or its bytes pruned).
   */
  claimed: ClaimedPricing | undefined;
  names: OrderNames;
}

export interface OrderPricing {
  /** The store's rules in force at `request.at` (its current snapshot). Throws coded errors (PRODUCT_NOT_FOUND...). */
  price(request: PricingRequest): PricedBasket;
  /**
   * An order's two prices: now, and by the snapshot `version` the cart claims. Where the two cannot differ (the
   * claimed version is the current one and every promotion window is open alike at checkout and at each scan), one
   * pricing may answer both. Throws coded errors as `price` does.
   */
  priceForOrder(version: number, request: PricingRequest): OrderPrices;
}

export interface PointsHold {
  orderId: string;
  memberId: string;
  storeId: string;
  points: number;
  couponIds: string[];
  /** What the order spends (for coupons' minimum spend). */
  spendFen: number;
  at: number;
}

/**
 * The loyalty service as orders use it. Holds are keyed by the order id, so calling again with the same order is
 * harmless (a retried submit holds once). Throws coded errors (MEMBER_*, POINTS_*, COUPON_*), having changed nothing.
 */
export interface LoyaltyLedger {
  /** Verifies a member code (`CFM1....`, RFC 6238 TOTP) and answers what the cart needs for the session. */
  login(code: string, storeId: string, at: number): Promise<MemberContext>;
  /** The member with this number as the store sees it now; `undefined` when there is none. */
  member(memberNumber: string, storeId: string, at: number): MemberContext | undefined;
  hold(hold: PointsHold): Promise<void>;
  /** The order was paid: held points are spent, held coupons used. */
  capture(orderId: string, at: number): Promise<void>;
  /** The order was cancelled or expired: held points and coupons are free again. */
  release(orderId: string, at: number): Promise<void>;
  /** Credits what a paid order earned; once per order whatever the number of calls. */
  earn(input: { orderId: string; memberId: string; storeId: string; points: number; at: number }): Promise<void>;
  /**
   * A refund: `refundedFen` is cumulative (every refund of the order so far, this one included) out of `totalFen`,
   * the order's charged total. Reverses that share of what the order earned and returns that share of what it
   * redeemed, less what earlier refunds booked. Once per `refundId`.
   */
  reverse(input: {
    orderId: string;
    refundId: string;
    refundedFen: number;
    totalFen: number;
    at: number;
  }): Promise<{ pointsReversed: number; pointsReturned: number }>;
}
