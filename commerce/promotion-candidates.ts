/**
 * Which promotions may apply to which lines of this basket at this time: the candidates the optimiser chooses from.
 * A promotion is a candidate when it targets at least one line (a listed SKU, or a product under a listed category,
 * or everything), its window is open (at `at`, or at each line's `scannedAt`), its member condition holds (a member;
 * of a listed tier) and, if coupon-gated, a valid coupon for it was presented.
 */

import type { MemberContext } from '../protocol/commerce/loyalty.ts';
import type { Promotion } from '../protocol/commerce/promotions.ts';
import type { BasketLine } from './basket-lines.ts';
import { type PricingContext, type RankedPromotion, ranksReaching } from './pricing-context.ts';
import { isOpenAt, type LocalTime } from './promotion-window.ts';

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
  // Every (promotion, line) pair that meets in the target, as rank × n + line: sorted, they come grouped by promotion
  // in rank order, each promotion's lines ascending, a pair reached twice (by SKU and by category) side by side.
  const n = lines.length;
  let pairs = 0;
  for (const line of lines) {
    pairs += context.ranksBySku.get(line.product.sku)?.length ?? 0;
    pairs += (context.ranksByCategory.get(line.product.categoryId) ?? ranksReaching(context, line.categoryPath)).length;
  }
  const hits = context.workspace.hitBuffer(pairs);
  pairs = 0;
  for (const line of lines) {
    const bySku = context.ranksBySku.get(line.product.sku);
    if (bySku) for (const rank of bySku) hits[pairs++] = rank * n + line.index;
    const byCategory =
      context.ranksByCategory.get(line.product.categoryId) ?? ranksReaching(context, line.categoryPath);
    for (const rank of byCategory) hits[pairs++] = rank * n + line.index;
  }
  hits.sort();
  const candidates: Candidate[] = [];
  for (let h = 0; h < pairs; ) {
    const rank = Math.floor((hits[h] as number) / n);
    const first = h;
    let next = h;
    while (next < pairs && Math.floor((hits[next] as number) / n) === rank) next++;
    const ranked = context.promotions[rank] as RankedPromotion;
    const promotion = ranked.promotion;
    h = next;
    if (!isMemberEligible(promotion, member)) continue;
    const couponId = couponByPromotion.get(promotion.id) ?? null;
    if (promotion.couponRequired && couponId === null) continue;
    // A member price is per unit of what the shelf price is per unit: a printed label price has no unit to set.
    const labelsExcluded = promotion.kind === 'member_price';
    // Marked in `inTarget` first, so that `lines` is allocated once, at its size, and only for a candidate.
    let inTarget: Uint8Array | null = null;
    let count = 0;
    for (let k = first; k < next; k++) {
      const i = (hits[k] as number) - rank * n;
      if (inTarget?.[i] === 1) continue;
      if (!isOpenAt(ranked.window, lineTimes[i] as LocalTime)) continue;
      if (labelsExcluded && (lines[i] as BasketLine).input.labelPriceFen != null) continue;
      inTarget ??= new Uint8Array(n);
      inTarget[i] = 1;
      count++;
    }
    if (inTarget === null) continue;
    const inWindow: number[] = new Array(count);
    for (let i = 0, w = 0; w < count; i++) if (inTarget[i] === 1) inWindow[w++] = i;
    const single = promotion.couponRequired;
    candidates.push({
      index: candidates.length,
      promotion,
      rank,
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
  return candidates;
}
