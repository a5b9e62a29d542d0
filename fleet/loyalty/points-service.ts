import type { Clock } from '../../platform/clock.ts';
import type { LedgerPage } from '../../protocol/api/members.ts';
import { FleetError } from '../../protocol/errors.ts';
import { type DatabaseWriter, GROUP_COMMIT } from '../storage/database-writer.ts';
import type { LoyaltyConfigRepository } from './loyalty-config-repository.ts';
import { newId } from './loyalty-ids.ts';
import type { MemberRecord, MemberRepository } from './member-repository.ts';
import type { Hold, PointsLedger } from './points-ledger.ts';
import { type RefundShare, shareOf } from './refund-share.ts';
import { storeDay } from './store-day.ts';

export interface PointsServiceDeps {
  members: MemberRepository;
  ledger: PointsLedger;
  config: LoyaltyConfigRepository;
  /** The store's IANA zone (its day bounds the daily redemption limit), undefined for an unknown store. */
  timeZoneOf: (storeId: string) => string | undefined;
  writer: DatabaseWriter;
  clock: Clock;
}

export interface EarnResult {
  entryId: number | null;
  poolId: string;
  points: number;
  /** The order had already earned: nothing new was written. */
  replayed: boolean;
}

export interface ReversalResult {
  orderId: string;
  /** Earned points taken back by this refund (≥ 0). */
  earnReversed: number;
  /** Redeemed points given back by this refund (≥ 0). */
  redeemReturned: number;
  /** This refund id was booked before: nothing new was written. */
  replayed: boolean;
}

/** The pool a member's points live in: their family's, or their own. */
export function poolOf(member: Pick<MemberRecord, 'id' | 'familyId'>): string {
  return member.familyId ?? member.id;
}

/**
 * The points ledger's operations. Each one is a single `BEGIN IMMEDIATE` transaction through the fleet's
 * `DatabaseWriter`: the checks (balance, the store's daily limit, idempotency) and the entry they allow are made
 * under the database's write lock, so no other writer (another request of this process, or another process on the
 * same file) can spend the same points between the check and the write (plan decision 9). Idempotency is also
 * enforced by unique indexes on the ledger, whichever code writes.
 *
 * Settlements (release, refund, reversal) are booked to the current pool of the member who made the original
 * entry: a member who joined a family brought their balance with them (a `transfer`), so what their earlier
 * orders earned or held is now in the family's pool. Family changes are refused while the member holds points.
 */
export class PointsService {
  constructor(private readonly deps: PointsServiceDeps) {}

  balance(poolId: string): number {
    return this.deps.ledger.balance(poolId);
  }

  /** A member's pool: its entries (newest first) and its balance, which is their sum. */
  ledger(memberId: string, limit: number, offset: number): LedgerPage {
    const member = this.member(memberId);
    const poolId = poolOf(member);
    return {
      poolId,
      balancePoints: this.deps.ledger.balance(poolId),
      ...this.deps.ledger.entries(poolId, limit, offset),
    };
  }

  /** The redemption hold of an order, in whatever state it is now. */
  holdOfOrder(orderId: string): Hold | undefined {
    return this.deps.ledger.holdOfOrder(orderId);
  }

  /** What a store still accepts today from a pool, or null without a daily limit. */
  storeRedeemable(poolId: string, storeId: string, at = this.deps.clock.now()): number | null {
    const limit = this.deps.config.redemptionPolicy().perStoreDailyLimitPoints;
    if (limit === null) return null;
    const { start, end } = storeDay(at, this.timeZone(storeId));
    return Math.max(0, limit - this.deps.ledger.redeemedInStore(poolId, storeId, start, end));
  }

  /** Credits what an order earned. Idempotent per order: a replayed order earns once (the same points again). */
  async earn(memberId: string, storeId: string, orderId: string, points: number): Promise<EarnResult> {
    wholePoints(points, 0);
    const at = this.deps.clock.now();
    return this.deps.writer.write(
      'points.earn',
      () => {
        const member = this.activeMember(memberId);
        const earlier = this.deps.ledger.earnOfOrder(orderId);
        if (earlier) {
          if (earlier.points !== points || earlier.memberId !== memberId) {
            throw new FleetError(
              'ORDER_IDEMPOTENCY_CONFLICT',
              `order '${orderId}' already earned ${earlier.points} points`,
            );
          }
          return { entryId: earlier.id, poolId: earlier.poolId, points, replayed: true };
        }
        const poolId = poolOf(member);
        if (points === 0) return { entryId: null, poolId, points, replayed: false };
        const entryId = this.deps.ledger.append({
          poolId,
          memberId,
          storeId,
          kind: 'earn',
          points,
          orderId,
          createdAt: at,
        });
        return { entryId, poolId, points, replayed: false };
      },
      GROUP_COMMIT,
    );
  }

  /**
   * Holds points for an order's part-payment: refused beyond the pool's balance (POINTS_INSUFFICIENT) or beyond
   * what the store accepts from the pool today in its own time zone (POINTS_LIMIT_EXCEEDED). One hold per order:
   * asking again for the same order answers the same hold (in whatever state it is now).
   */
  async holdRedemption(memberId: string, storeId: string, orderId: string, points: number): Promise<Hold> {
    wholePoints(points, 1);
    const policy = this.deps.config.redemptionPolicy();
    if (points % policy.minPoints !== 0) {
      throw new FleetError('POINTS_REDEMPTION_INVALID', `points are redeemed in multiples of ${policy.minPoints}`);
    }
    const { start, end } = storeDay(this.deps.clock.now(), this.timeZone(storeId));
    const at = this.deps.clock.now();
    return this.deps.writer.write(
      'points.hold',
      () => {
        const member = this.activeMember(memberId);
        const earlier = this.deps.ledger.holdOfOrder(orderId);
        if (earlier) {
          if (earlier.points !== points || earlier.memberId !== memberId) {
            throw new FleetError(
              'ORDER_IDEMPOTENCY_CONFLICT',
              `order '${orderId}' already holds ${earlier.points} points`,
            );
          }
          return earlier;
        }
        const poolId = poolOf(member);
        const balance = this.deps.ledger.balance(poolId);
        if (balance < points) {
          throw new FleetError('POINTS_INSUFFICIENT', `the pool has ${Math.max(0, balance)} points`, {
            balance,
            requested: points,
          });
        }
        const limit = this.deps.config.redemptionPolicy().perStoreDailyLimitPoints;
        if (limit !== null) {
          const used = this.deps.ledger.redeemedInStore(poolId, storeId, start, end);
          if (used + points > limit) {
            throw new FleetError(
              'POINTS_LIMIT_EXCEEDED',
              `this store accepts ${Math.max(0, limit - used)} more points today`,
              {
                limit,
                used,
                remaining: Math.max(0, limit - used),
              },
            );
          }
        }
        const holdId = newId('h');
        this.deps.ledger.append({
          poolId,
          memberId,
          storeId,
          kind: 'redeem-hold',
          points: -points,
          orderId,
          holdId,
          createdAt: at,
        });
        return this.deps.ledger.hold(holdId) as Hold;
      },
      GROUP_COMMIT,
    );
  }

  /** The order was paid: the held points are spent. Idempotent; a released hold cannot be captured. */
  async captureRedemption(holdId: string): Promise<Hold> {
    return this.settle(holdId, 'captured');
  }

  /** The order was cancelled or paid otherwise: the held points come back. Idempotent; captured cannot. */
  async releaseRedemption(holdId: string): Promise<Hold> {
    return this.settle(holdId, 'released');
  }

  /**
   * A refund of an order: takes back what it earned and gives back what it redeemed (a captured hold), in
   * proportion to the refunded share. `share` is cumulative (every refund of the order so far, this one included;
   * absent: the whole order), and each refund books the difference between the rounded cumulative amount and what
   * earlier refunds booked, so partial refunds that add up to the whole reverse exactly the whole. Rounding: half
   * up, on whole points. Idempotent per `refundId`, and a replayed older refund books nothing (never less than
   * already booked). Earned points are taken back even if the pool goes below zero: the member spent points an
   * order they returned had earned; the pool recovers from later earnings, and redemption waits until it does.
   */
  async reverseOrder(orderId: string, refundId: string, share?: RefundShare): Promise<ReversalResult> {
    const fraction = shareOf(share);
    const at = this.deps.clock.now();
    return this.deps.writer.write('points.reverse', () => {
      const none = { orderId, earnReversed: 0, redeemReturned: 0, replayed: false };
      if (this.deps.ledger.hasRefund(refundId)) return { ...none, replayed: true };
      const result = { ...none };
      const earned = this.deps.ledger.earnOfOrder(orderId);
      if (earned) {
        const already = -this.deps.ledger.orderSum(orderId, 'earn-reversal');
        const delta = Math.max(0, roundShare(earned.points, fraction) - already);
        if (delta > 0) {
          this.deps.ledger.append({
            poolId: poolOf(this.member(earned.memberId)),
            memberId: earned.memberId,
            storeId: earned.storeId,
            kind: 'earn-reversal',
            points: -delta,
            orderId,
            refundId,
            createdAt: at,
          });
          result.earnReversed = delta;
        }
      }
      const hold = this.deps.ledger.holdOfOrder(orderId);
      if (hold?.state === 'captured') {
        const already = this.deps.ledger.orderSum(orderId, 'redeem-refund');
        const delta = Math.max(0, roundShare(hold.points, fraction) - already);
        if (delta > 0) {
          this.deps.ledger.append({
            poolId: poolOf(this.member(hold.memberId)),
            memberId: hold.memberId,
            storeId: hold.storeId,
            kind: 'redeem-refund',
            points: delta,
            orderId,
            holdId: hold.holdId,
            refundId,
            createdAt: at,
          });
          result.redeemReturned = delta;
        }
      }
      return result;
    });
  }

  /**
   * A correction by a person (points:adjust): added to the member's pool, attributed to the member, with the
   * user and the reason. A negative adjustment may not take the pool below zero (POINTS_INSUFFICIENT).
   */
  async adjust(
    memberId: string,
    points: number,
    actorId: string,
    note: string,
  ): Promise<{ entryId: number; balance: number }> {
    if (!Number.isSafeInteger(points) || points === 0)
      throw new FleetError('POINTS_INVALID', 'a non-zero whole number of points');
    const at = this.deps.clock.now();
    return this.deps.writer.write('points.adjust', () => {
      const poolId = poolOf(this.member(memberId));
      const balance = this.deps.ledger.balance(poolId);
      if (balance + points < 0) {
        throw new FleetError('POINTS_INSUFFICIENT', `the pool has ${balance} points`, { balance, requested: -points });
      }
      const entryId = this.deps.ledger.append({
        poolId,
        memberId,
        storeId: null,
        kind: 'adjust',
        points,
        actorId,
        note,
        createdAt: at,
      });
      return { entryId, balance: balance + points };
    });
  }

  private async settle(holdId: string, to: 'captured' | 'released'): Promise<Hold> {
    const at = this.deps.clock.now();
    return this.deps.writer.write(
      `points.${to}`,
      () => {
        const hold = this.deps.ledger.hold(holdId);
        if (!hold) throw new FleetError('POINTS_HOLD_NOT_FOUND', `no redemption hold '${holdId}'`);
        if (hold.state === to) return hold;
        if (hold.state !== 'held') throw new FleetError('POINTS_HOLD_SETTLED', `the hold was already ${hold.state}`);
        this.deps.ledger.append({
          poolId: poolOf(this.member(hold.memberId)),
          memberId: hold.memberId,
          storeId: hold.storeId,
          kind: to === 'captured' ? 'redeem-capture' : 'redeem-release',
          points: to === 'captured' ? 0 : hold.points,
          orderId: hold.orderId,
          holdId,
          createdAt: at,
        });
        return { ...hold, state: to };
      },
      GROUP_COMMIT,
    );
  }

  private member(memberId: string): MemberRecord {
    const member = this.deps.members.get(memberId);
    if (!member) throw new FleetError('MEMBER_NOT_FOUND', `no member '${memberId}'`);
    return member;
  }

  private activeMember(memberId: string): MemberRecord {
    const member = this.member(memberId);
    if (member.disabled) throw new FleetError('MEMBER_INVALID', `member '${memberId}' is disabled`);
    return member;
  }

  private timeZone(storeId: string): string {
    const zone = this.deps.timeZoneOf(storeId);
    if (!zone) throw new FleetError('STORE_NOT_FOUND', `no store '${storeId}'`);
    return zone;
  }
}

function wholePoints(points: number, minimum: number): void {
  if (!Number.isSafeInteger(points) || points < minimum || points > 1_000_000_000) {
    throw new FleetError('POINTS_INVALID', `points must be a whole number from ${minimum}`);
  }
}

/** round(points × numerator / denominator), half up, exactly (BigInt: points × fen may pass 2^53). */
function roundShare(points: number, fraction: { numerator: number; denominator: number }): number {
  const n = BigInt(points) * BigInt(fraction.numerator) * 2n + BigInt(fraction.denominator);
  return Number(n / (2n * BigInt(fraction.denominator)));
}
