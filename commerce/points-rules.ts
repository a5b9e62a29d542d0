/**
 * Points: what a basket earns and what may be redeemed.
 *
 * Earning (per line, on what the shopper pays with money: the net after discounts minus the line's share of the
 * points part-payment): the line's base rule is the one whose category is the most specific match (a rule on
 * "Dining › Hot food" beats one on "Dining", which beats one on every category), then the higher priority, then the
 * smaller id; it gives `pointsPerStep` per `spendFenPerStep`, pro rata. Every open bonus rule matching the line adds
 * its `bonusPercent` of that base; the member's tier multiplies the lot (`earnMultiplierPercent`). The sum over the
 * basket is floored once, at the end, so splitting a basket into lines never loses a point.
 *
 * Redemption: a multiple of `minPoints`, within the pool's balance and the store's remaining daily limit, worth at
 * most `maxPercentOfTotal` % of the total, and only for a member the fleet verified online (plan decision 8).
 */
import type { EarnRule, MemberContext, RedemptionPolicy } from '../protocol/commerce/loyalty.ts';
import { fleetError } from '../protocol/errors.ts';
import type { CategoryTree } from './category-tree.ts';
import { mulDivRound } from './money.ts';
import { isWindowOpenAt, type LocalTime } from './promotion-window.ts';

export interface EarnLine {
  categoryId: string;
  /** Fen paid with money on this line. */
  paidFen: number;
}

export interface EarnSetting {
  rules: readonly EarnRule[];
  categories: CategoryTree;
  /** The store's wall clock at checkout (bonus and base rule windows). */
  local: LocalTime;
  /** The member's tier multiplier, in percent (100: none). */
  multiplierPercent: number;
}

function matchDepth(rule: EarnRule, path: readonly string[]): number | null {
  if (rule.categoryIds.length === 0) return -1;
  let best: number | null = null;
  for (let i = 0; i < path.length; i++) {
    if (rule.categoryIds.includes(path[i] as string)) {
      const depth = path.length - 1 - i;
      if (best === null || depth > best) best = depth;
    }
  }
  return best;
}

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));

/** a × b exactly: a number while safe, else a BigInt (which throws, as BigInt() does, on a fraction). */
function times(a: number | bigint, b: number): number | bigint {
  if (typeof a === 'number' && Number.isSafeInteger(a) && Number.isSafeInteger(b) && Number.isSafeInteger(a * b)) {
    return a * b;
  }
  return BigInt(a) * BigInt(b);
}

/**
 * The basket's points before flooring: Σ paid × points/step × (100 + bonus) × multiplier / (step × 10,000) over its
 * lines, exactly. Numerators are summed per step (a basket's rules have one or two), as numbers while they stay safe
 * integers (no BigInt per line), and the fractions added up once.
 */
class PointsSum {
  private readonly steps: number[] = [];
  private readonly nums: (number | bigint)[] = [];

  add(paid: number, pointsPerStep: number, bonusFactor: number, multiplier: number, step: number): void {
    const num = times(times(times(paid, pointsPerStep), bonusFactor), multiplier);
    let i = this.steps.indexOf(step);
    if (i < 0) {
      i = this.steps.length;
      this.steps.push(step);
      this.nums.push(0);
    }
    const sum = this.nums[i] as number | bigint;
    if (typeof sum === 'number' && typeof num === 'number' && Number.isSafeInteger(sum + num)) this.nums[i] = sum + num;
    else this.nums[i] = BigInt(sum) + BigInt(num);
  }

  /** The sum, rounded towards zero (it is never negative). */
  truncated(): number {
    const d = (this.steps[0] as number) * 10_000;
    if (this.steps.length === 1 && typeof this.nums[0] === 'number' && Number.isSafeInteger(d)) {
      const n = this.nums[0];
      return (n - (n % d)) / d;
    }
    let num = 0n;
    let den = 1n;
    for (let i = 0; i < this.steps.length; i++) {
      const lineDen = BigInt(this.steps[i] as number) * 10_000n;
      const common = (den / gcd(den, lineDen)) * lineDen;
      num = num * (common / den) + BigInt(this.nums[i] as number | bigint) * (common / lineDen);
      den = common;
    }
    return Number(num / den);
  }
}

/** The points a basket earns (floored once over the basket). */
export function pointsEarned(lines: readonly EarnLine[], setting: EarnSetting): number {
  const open = setting.rules.filter((r) => !r.window || isWindowOpenAt(r.window, setting.local));
  const bases = open.filter((r) => r.kind === 'base');
  const bonuses = open.filter((r) => r.kind === 'bonus');
  const sum = new PointsSum();
  for (const line of lines) {
    if (line.paidFen <= 0) continue;
    const path = setting.categories.pathOf(line.categoryId);
    let base: EarnRule | null = null;
    let baseDepth = -2;
    for (const rule of bases) {
      const depth = matchDepth(rule, path);
      if (depth === null) continue;
      const better =
        base === null ||
        depth > baseDepth ||
        (depth === baseDepth &&
          (rule.priority > base.priority || (rule.priority === base.priority && rule.id < base.id)));
      if (better) {
        base = rule;
        baseDepth = depth;
      }
    }
    if (!base?.spendFenPerStep || !base.pointsPerStep) continue;
    let bonusPercent = 0;
    for (const rule of bonuses) if (matchDepth(rule, path) !== null) bonusPercent += rule.bonusPercent ?? 0;
    // paid × points/step × (100 + bonus)/100 × multiplier/100, added exactly as a fraction.
    sum.add(line.paidFen, base.pointsPerStep, 100 + bonusPercent, setting.multiplierPercent, base.spendFenPerStep);
  }
  return sum.truncated();
}

/** What `points` are worth, in fen (rounded by the one rule). */
export function pointsValueFen(policy: RedemptionPolicy, points: number): number {
  return mulDivRound(points, policy.fenPer100Points, 100);
}

function withinShare(policy: RedemptionPolicy, valueFen: number, totalFen: number): boolean {
  return valueFen * 100 <= totalFen * policy.maxPercentOfTotal;
}

/**
 * Checks a redemption of `points` against a basket total; returns its value in fen. POINTS_REDEMPTION_INVALID (no
 * verified member, not a multiple of minPoints), POINTS_INSUFFICIENT (more than the pool holds),
 * POINTS_LIMIT_EXCEEDED (beyond the store's daily limit or the share of the total).
 */
export function checkRedemption(
  policy: RedemptionPolicy,
  member: MemberContext | null,
  points: number,
  totalFen: number,
): number {
  if (!Number.isSafeInteger(points) || points < 0) {
    throw fleetError('PRICING_INPUT_INVALID', 'pointsToRedeem must be a whole number ≥ 0', { points });
  }
  if (points === 0) return 0;
  if (!member) throw fleetError('POINTS_REDEMPTION_INVALID', 'only a logged-in member can pay with points');
  if (!member.verified) {
    throw fleetError('POINTS_REDEMPTION_INVALID', 'paying with points needs the member verified online');
  }
  if (policy.minPoints > 0 && points % policy.minPoints !== 0) {
    throw fleetError('POINTS_REDEMPTION_INVALID', `points are redeemed in multiples of ${policy.minPoints}`, {
      points,
      minPoints: policy.minPoints,
    });
  }
  if (points > member.balancePoints) {
    throw fleetError('POINTS_INSUFFICIENT', 'not enough points', { points, balance: member.balancePoints });
  }
  if (member.storeRedeemablePoints !== null && points > member.storeRedeemablePoints) {
    throw fleetError('POINTS_LIMIT_EXCEEDED', 'beyond what this store accepts today', {
      points,
      storeRedeemablePoints: member.storeRedeemablePoints,
    });
  }
  const value = pointsValueFen(policy, points);
  if (!withinShare(policy, value, totalFen)) {
    throw fleetError('POINTS_LIMIT_EXCEEDED', `points may pay at most ${policy.maxPercentOfTotal} % of the total`, {
      points,
      valueFen: value,
      totalFen,
    });
  }
  return value;
}

/** The most points the shopper may redeem on a total (0 without a verified member): for the screen's slider. */
export function maxRedeemablePoints(policy: RedemptionPolicy, member: MemberContext | null, totalFen: number): number {
  if (!member?.verified || totalFen <= 0) return 0;
  let most = member.balancePoints;
  if (member.storeRedeemablePoints !== null) most = Math.min(most, member.storeRedeemablePoints);
  most = Math.min(most, Math.floor((totalFen * policy.maxPercentOfTotal) / policy.fenPer100Points));
  const step = Math.max(1, policy.minPoints);
  most -= most % step;
  while (most > 0 && !withinShare(policy, pointsValueFen(policy, most), totalFen)) most -= step;
  return Math.max(0, most);
}
