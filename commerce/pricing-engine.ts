/**
 * The one pricing engine (plan decision 4): the cart prices its basket with it offline, the fleet recomputes every
 * order and answers quotes with it. Pure: the snapshot, the basket, the member, the coupons, the points and the time
 * are parameters; the same inputs give a deep-equal answer. Semantics and a worked example: commerce/README.md.
 */
import type { BasketLineInput, CouponRejection, PricedBasket, PricedLine } from '../protocol/commerce/basket.ts';
import type { MemberContext } from '../protocol/commerce/loyalty.ts';
import { fleetError } from '../protocol/errors.ts';
import { type BasketLine, buildBasketLines } from './basket-lines.ts';
import { checkCoupon } from './coupons.ts';
import type { DiscountLedger } from './discount-ledger.ts';
import { applyChoice } from './lane-evaluation.ts';
import { allocateInto } from './money.ts';
import { checkRedemption, pointsEarned } from './points-rules.ts';
import type { PricingContext } from './pricing-context.ts';
import { buildCandidates, type Candidate } from './promotion-candidates.ts';
import { choosePromotions } from './promotion-optimizer.ts';
import { isOpenAt } from './promotion-window.ts';

export { createPricingContext, type PricingContext } from './pricing-context.ts';

export interface PricingRequest {
  lines: readonly BasketLineInput[];
  member: MemberContext | null;
  couponIds: readonly string[];
  pointsToRedeem: number;
  /** Epoch ms: when the basket is priced (coupon validity, earn rules, and promotion windows unless below). */
  at: number;
  /** 'scannedAt': each line's promotion windows are judged at its own `scannedAt` (the fleet's "as shown" check). */
  windowsAt?: 'at' | 'scannedAt';
}

export interface PricingOutcome {
  basket: PricedBasket;
  /** False when the promotion choice came from a heuristic (see promotion-optimizer.ts). */
  exact: boolean;
  candidates: readonly Candidate[];
  lanes: Int32Array;
}

export function priceBasket(context: PricingContext, request: PricingRequest): PricedBasket {
  return priceBasketDetailed(context, request).basket;
}

function checkRequest(request: PricingRequest): void {
  if (!request || typeof request !== 'object') throw fleetError('PRICING_INPUT_INVALID', 'no pricing request');
  if (!Number.isSafeInteger(request.at) || request.at < 0) {
    throw fleetError('PRICING_INPUT_INVALID', 'at must be epoch milliseconds', { at: request.at });
  }
  if (!Array.isArray(request.couponIds) || request.couponIds.some((c) => typeof c !== 'string')) {
    throw fleetError('PRICING_INPUT_INVALID', 'couponIds must be a list of coupon codes');
  }
  if (!Number.isSafeInteger(request.pointsToRedeem) || request.pointsToRedeem < 0) {
    throw fleetError('PRICING_INPUT_INVALID', 'pointsToRedeem must be a whole number ≥ 0', {
      pointsToRedeem: request.pointsToRedeem,
    });
  }
}

export function priceBasketDetailed(context: PricingContext, request: PricingRequest): PricingOutcome {
  checkRequest(request);
  const { snapshot } = context;
  const lines = buildBasketLines(context, request.lines);
  const subtotal = lines.reduce((s, l) => s + l.grossFen, 0);
  const member = request.member;
  const now = context.localTimes.at(request.at);

  // Coupons: each checked on its own; the first valid one per promotion unlocks it.
  const rejected: CouponRejection[] = [];
  const couponByPromotion = new Map<string, string>();
  const presented = new Set<string>();
  for (const couponId of request.couponIds) {
    if (presented.has(couponId)) {
      rejected.push({ couponId, code: 'COUPON_USED', reason: 'presented twice' });
      continue;
    }
    presented.add(couponId);
    const check = checkCoupon({
      couponId,
      member,
      at: request.at,
      subtotalFen: subtotal,
      promotionRunning: (id) => {
        const ranked = context.promotionById.get(id);
        return ranked !== undefined && isOpenAt(ranked.window, now);
      },
    });
    if (!check.ok) rejected.push(check.rejection);
    else if (couponByPromotion.has(check.coupon.promotionId)) {
      rejected.push({ couponId, code: 'COUPON_USED', reason: 'one coupon per offer per basket' });
    } else couponByPromotion.set(check.coupon.promotionId, couponId);
  }

  const lineTimes = lines.map((l) =>
    request.windowsAt === 'scannedAt' ? context.localTimes.ofMinute(Math.floor(l.input.scannedAt / 60_000)) : now,
  );
  const candidates = buildCandidates(context, lines, member, couponByPromotion, lineTimes);
  const { lanes, exact } = choosePromotions(lines, candidates, context.workspace);

  const discounts = context.workspace.ledger;
  discounts.open(lines.length);
  applyChoice(
    lines,
    lanes,
    candidates.filter((c) => !c.threshold),
    candidates.filter((c) => c.threshold),
    context.workspace.unitRows(lines),
    discounts.record,
    context.workspace.unit,
  );
  discounts.close(lines.length);

  const priced: PricedLine[] = lines.map((l) => pricedLine(l, discounts, candidates));
  const discount = priced.reduce((s, l) => s + (l.grossFen - l.netFen), 0);
  const total = subtotal - discount;
  const promotions = promotionTotals(lines, discounts, candidates);

  const redeemedValue = checkRedemption(snapshot.redemption, member, request.pointsToRedeem, total);
  const nets = priced.map((l) => l.netFen);
  const pointsShares: number[] = new Array(nets.length).fill(0);
  if (redeemedValue > 0)
    allocateInto(redeemedValue, nets, nets.length, pointsShares, context.workspace.unit.allocation);
  const earned = member
    ? pointsEarned(
        lines.map((l, i) => ({
          categoryId: l.product.categoryId,
          paidFen: (nets[i] as number) - (pointsShares[i] as number),
        })),
        {
          rules: context.earnRules,
          categories: context.categories,
          local: now,
          multiplierPercent: context.tiers.get(member.tierId)?.earnMultiplierPercent ?? 100,
        },
      )
    : 0;

  const basket: PricedBasket = {
    snapshotVersion: snapshot.version,
    at: request.at,
    lines: priced,
    promotions,
    subtotalFen: subtotal,
    discountFen: discount,
    totalFen: total,
    points: { earned, redeemed: request.pointsToRedeem, redeemedValueFen: redeemedValue },
    payableFen: total - redeemedValue,
    couponsUsed: promotions.flatMap((p) => (p.couponId ? [p.couponId] : [])),
    couponsNotApplied: rejected,
  };
  return { basket, exact, candidates, lanes };
}

function pricedLine(line: BasketLine, ledger: DiscountLedger, candidates: readonly Candidate[]): PricedLine {
  const from = ledger.start[line.index] as number;
  const to = ledger.start[line.index + 1] as number;
  let count = 0;
  for (let e = from; e < to; e++) if ((ledger.entryAmount[e] as number) > 0) count++;
  const list: { promotionId: string; amountFen: number }[] = new Array(count);
  let off = 0;
  for (let e = from, i = 0; e < to; e++) {
    const amountFen = ledger.entryAmount[e] as number;
    if (amountFen <= 0) continue;
    list[i++] = { promotionId: (candidates[ledger.entryCandidate[e] as number] as Candidate).promotion.id, amountFen };
    off += amountFen;
  }
  return {
    lineId: line.input.lineId,
    sku: line.product.sku,
    soldBy: line.product.soldBy,
    quantity: line.input.quantity,
    weightG: line.input.weightG ?? null,
    unitPriceFen: line.unitPriceFen,
    grossFen: line.grossFen,
    discounts: list,
    netFen: line.grossFen - off,
    minAge: line.product.minAge,
    needsAttendant: line.product.needsAttendant,
  };
}

/** Each promotion's discount over the basket and the lines it reduced, in candidate order. */
function promotionTotals(
  lines: readonly BasketLine[],
  ledger: DiscountLedger,
  candidates: readonly Candidate[],
): PricedBasket['promotions'] {
  const amount: number[] = new Array(candidates.length).fill(0);
  const lineIds: (string[] | undefined)[] = new Array(candidates.length);
  for (const l of lines) {
    for (let e = ledger.start[l.index] as number; e < (ledger.start[l.index + 1] as number); e++) {
      const a = ledger.entryAmount[e] as number;
      if (a <= 0) continue;
      const c = ledger.entryCandidate[e] as number;
      amount[c] = (amount[c] as number) + a;
      const ids = lineIds[c];
      if (ids) ids.push(l.input.lineId);
      else lineIds[c] = [l.input.lineId];
    }
  }
  const promotions: PricedBasket['promotions'] = [];
  for (const c of candidates) {
    const amountFen = amount[c.index] as number;
    if (amountFen <= 0) continue;
    promotions.push({
      promotionId: c.promotion.id,
      kind: c.promotion.kind,
      amountFen,
      lineIds: lineIds[c.index] as string[],
      couponId: c.couponId,
    });
  }
  return promotions;
}
