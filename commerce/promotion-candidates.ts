/**
 * Which promotions may apply to which lines of this basket at this time: the candidates the optimiser chooses from.
 * A promotion is a candidate when it targets at least one line (a listed SKU, or a product under a listed category,
 * or everything), its window is open (at `at`, or at each line's `scannedAt`), its member condition holds (a member;
 * of a listed tier) and, if coupon-gated, a valid coupon for it was presented.
 */

import type { MemberContext } from '../protocol/commerce/loyalty.ts';
import type { Promotion } from '../protocol/commerce/promotions.ts';
import type { BasketLine } from './basket-lines.ts';
import type { PricingContext, RankedPromotion } from './pricing-context.ts';
import { isWindowOpenAt, type LocalTime } from './promotion-window.ts';

export interface Candidate {
  /** Position in the candidate list, which is in rank order. */
  index: number;
  promotion: Promotion;
  rank: number;
  exclusive: boolean;
  /** A basket-level promotion (spend threshold). */
  threshold: boolean;
  /** Its value on one line depends on other lines (groups across lines, or a single application). */
  coupling: boolean;
  /** Target lines, ascending. */
  lines: number[];
  /** 1 for a target line, by line index. */
  inTarget: Uint8Array;
  /** The coupon that unlocks it, or null. */
  couponId: string | null;
  /** Coupon-gated: applies once (amount off one unit, one multi-buy or BXGY group, one threshold step). */
  single: boolean;
}

export function isMemberEligible(promotion: Promotion, member: MemberContext | null): boolean {
  if (!promotion.memberOnly && promotion.kind !== 'member_price') return true;
  if (!member) return false;
  return promotion.memberTiers.length === 0 || promotion.memberTiers.includes(member.tierId);
}

export function buildCandidates(
  context: PricingContext,
  lines: readonly BasketLine[],
  member: MemberContext | null,
  couponByPromotion: ReadonlyMap<string, string>,
  lineTimes: readonly LocalTime[],
): Candidate[] {
  const targets = new Map<RankedPromotion, number[]>();
  const add = (list: readonly RankedPromotion[] | undefined, line: number) => {
    if (!list) return;
    for (const ranked of list) {
      const hit = targets.get(ranked);
      if (!hit) targets.set(ranked, [line]);
      else if (hit[hit.length - 1] !== line) hit.push(line);
    }
  };
  for (const line of lines) {
    add(context.promotionsBySku.get(line.product.sku), line.index);
    for (const id of line.categoryPath) add(context.promotionsByCategory.get(id), line.index);
    add(context.promotionsEverywhere, line.index);
  }
  const candidates: Candidate[] = [];
  const open = new Map<LocalTime, boolean>();
  for (const [ranked, hitLines] of targets) {
    const promotion = ranked.promotion;
    if (!isMemberEligible(promotion, member)) continue;
    const couponId = couponByPromotion.get(promotion.id) ?? null;
    if (promotion.couponRequired && couponId === null) continue;
    open.clear();
    const inWindow = hitLines.filter((i) => {
      const time = lineTimes[i] as LocalTime;
      let isOpen = open.get(time);
      if (isOpen === undefined) {
        isOpen = isWindowOpenAt(promotion.window, time);
        open.set(time, isOpen);
      }
      // A member price is per unit of what the shelf price is per unit: a printed label price has no unit to set.
      return isOpen && !(promotion.kind === 'member_price' && (lines[i] as BasketLine).input.labelPriceFen != null);
    });
    if (inWindow.length === 0) continue;
    inWindow.sort((a, b) => a - b);
    const inTarget = new Uint8Array(lines.length);
    for (const i of inWindow) inTarget[i] = 1;
    const single = promotion.couponRequired;
    candidates.push({
      index: 0,
      promotion,
      rank: ranked.rank,
      exclusive: promotion.stacking === 'exclusive',
      threshold: promotion.kind === 'spend_threshold',
      coupling:
        promotion.kind === 'multi_buy' ||
        promotion.kind === 'buy_x_get_y' ||
        (single && promotion.kind === 'amount_off'),
      lines: inWindow,
      inTarget,
      couponId: promotion.couponRequired ? couponId : null,
      single,
    });
  }
  candidates.sort((a, b) => a.rank - b.rank);
  candidates.forEach((c, i) => {
    c.index = i;
  });
  return candidates;
}
