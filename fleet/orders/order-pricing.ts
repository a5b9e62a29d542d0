import { decideOrderPrice, type PricePolicyResult } from '../../commerce/price-policy.ts';
import type { PricedBasket } from '../../protocol/commerce/basket.ts';
import type { OrderLine, OrderSubmission, PriceAudit } from '../../protocol/commerce/orders.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { OrderNames, OrderPricing, PricingRequest } from './commerce-ports.ts';

/** What the fleet charges for a submission, as the order keeps it. */
export interface OrderPrice {
  /** The basket charged: the rules of now, or those of the cart's snapshot when honoured. */
  charge: PricedBasket;
  lines: OrderLine[];
  audit: PriceAudit | null;
}

/**
 * Prices a submission by the engine (the store's rules of now; the rules of the snapshot the cart claims, windows at
 * each line's scan time: one pricing where they cannot differ) and lets the one price policy decide (`commerce/price-policy.ts`, plan
 * decision 7): ORDER_PRICE_BELOW_RULES when the cart shows less than its own snapshot allows. A coupon the charged
 * basket could not apply refuses the order with the coupon's code (the shopper presented it; they must not pay
 * more than they were told without knowing why).
 */
export function priceOrder(pricing: OrderPricing, sub: OrderSubmission, request: PricingRequest): OrderPrice {
  const shownTotal = sub.lines.reduce((sum, l) => sum + l.cartNetFen, 0);
  if (shownTotal !== sub.cartTotalFen) {
    throw new FleetError(
      'ORDER_INVALID',
      `the lines add up to ${shownTotal} fen, the cart's total says ${sub.cartTotalFen}`,
    );
  }
  const { current, claimed, names } = pricing.priceForOrder(sub.snapshotVersion, request);
  const decision = decideOrderPrice({
    shown: { totalFen: sub.cartTotalFen, lines: sub.lines.map((l) => ({ lineId: l.lineId, netFen: l.cartNetFen })) },
    claimed: claimed?.basket ?? null,
    claimedValidAtScan: claimed?.validAtScan ?? false,
    current,
  });
  const refused = decision.charge.couponsNotApplied[0];
  if (refused)
    throw new FleetError(refused.code, `coupon ${refused.couponId}: ${refused.reason}`, { couponId: refused.couponId });
  const lines = orderLines(sub, current, decision.charge, names);
  return { charge: decision.charge, lines, audit: priceAudit(decision, sub.cartTotalFen, current, lines) };
}

/** The charged basket's lines, with the fleet's net of now and the cart's beside what is charged. */
function orderLines(sub: OrderSubmission, current: PricedBasket, charge: PricedBasket, names: OrderNames): OrderLine[] {
  const nowNet = new Map(current.lines.map((l) => [l.lineId, l.netFen]));
  const cartNet = new Map(sub.lines.map((l) => [l.lineId, l.cartNetFen]));
  return charge.lines.map((l) => ({
    lineId: l.lineId,
    sku: l.sku,
    name: names.product(l.sku) ?? null,
    soldBy: l.soldBy,
    quantity: l.quantity,
    weightG: l.weightG,
    unitPriceFen: l.unitPriceFen,
    grossFen: l.grossFen,
    discounts: l.discounts.map((d) => ({ ...d, promotionName: names.promotion(d.promotionId) ?? null })),
    netFen: nowNet.get(l.lineId) ?? l.netFen,
    cartNetFen: cartNet.get(l.lineId) ?? l.netFen,
    chargedNetFen: l.netFen,
    refundedFen: 0,
  }));
}

/** The policy's outcome as the order keeps it; null when the policy flagged nothing. */
function priceAudit(
  decision: PricePolicyResult,
  shownTotalFen: number,
  current: PricedBasket,
  lines: readonly OrderLine[],
): PriceAudit | null {
  if (decision.audit.length === 0) return null;
  return {
    decision: decision.decision,
    reasons: decision.audit,
    shownTotalFen,
    currentTotalFen: current.totalFen,
    chargedTotalFen: decision.charge.totalFen,
    lines: lines
      .filter((l) => l.cartNetFen !== l.netFen || l.chargedNetFen !== l.netFen)
      .map((l) => ({
        lineId: l.lineId,
        cartNetFen: l.cartNetFen,
        fleetNetFen: l.netFen,
        chargedNetFen: l.chargedNetFen,
      })),
    differenceFen: decision.charge.totalFen - current.totalFen,
  };
}
