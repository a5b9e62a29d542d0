import type { Clock } from '../../platform/clock.ts';
import type { CouponListQuery, CouponRecord } from '../../protocol/api/loyalty.ts';
import { FleetError } from '../../protocol/errors.ts';
import { type DatabaseWriter, GROUP_COMMIT } from '../storage/database-writer.ts';
import type { CouponRepository } from './coupon-repository.ts';
import { newCouponCode } from './loyalty-ids.ts';
import type { MemberRepository } from './member-repository.ts';

export interface IssueCouponInput {
  memberId: string;
  promotionId: string;
  validFrom: number;
  validTo: number;
  minSpendFen?: number;
}

/**
 * Coupons issued to one member, single use: issued → held by an order → used, or released back to issued when the
 * order is cancelled; revoked by staff. A coupon is the member's own: a family shares its points pool, not its
 * coupons (a coupon is a personal offer, often tied to the member's tier or history), so another family member's
 * coupon is COUPON_NOT_OWNED like anyone else's. Each transition is one write transaction.
 */
export class CouponService {
  constructor(
    private readonly coupons: CouponRepository,
    private readonly members: MemberRepository,
    private readonly writer: DatabaseWriter,
    private readonly clock: Clock,
  ) {}

  get(id: string): CouponRecord {
    const coupon = this.coupons.row(id);
    if (!coupon) throw new FleetError('COUPON_NOT_FOUND', `no coupon '${id}'`);
    const { stored: _stored, ...record } = coupon;
    return {
      ...record,
      state: record.state === 'issued' && record.validTo <= this.clock.now() ? 'expired' : record.state,
    };
  }

  list(query: Omit<CouponListQuery, 'limit' | 'offset'> & { limit: number; offset: number }): {
    items: CouponRecord[];
    total: number;
  } {
    return this.coupons.list(query, this.clock.now());
  }

  /** What a member can use now (the `member-login` answer). */
  usable(memberId: string, at = this.clock.now()): CouponRecord[] {
    return this.coupons.usable(memberId, at);
  }

  /** Coupons an order holds or used (capture and release at checkout find them by the order). */
  ofOrder(orderId: string): CouponRecord[] {
    return this.coupons.ofOrder(orderId);
  }

  /** Issues one coupon (coupons:issue). The promotion it unlocks is the promotions' own (not checked here). */
  async issue(input: IssueCouponInput, issuedBy: string | null): Promise<CouponRecord> {
    const minSpendFen = input.minSpendFen ?? 0;
    if (
      !Number.isSafeInteger(input.validFrom) ||
      !Number.isSafeInteger(input.validTo) ||
      input.validTo <= input.validFrom
    ) {
      throw new FleetError('COUPON_INVALID', 'validTo must be after validFrom');
    }
    if (!Number.isSafeInteger(minSpendFen) || minSpendFen < 0) {
      throw new FleetError('COUPON_INVALID', 'minSpendFen must be whole fen, not negative');
    }
    const at = this.clock.now();
    const id = newCouponCode();
    await this.writer.write('coupon.issue', () => {
      if (!this.members.get(input.memberId)) throw new FleetError('MEMBER_NOT_FOUND', `no member '${input.memberId}'`);
      this.coupons.insert({ ...input, id, minSpendFen, issuedAt: at, issuedBy });
    });
    return this.get(id);
  }

  /**
   * Holds a coupon for an order (checkout). Refusals: COUPON_NOT_FOUND, COUPON_NOT_OWNED (another member's, family
   * included), COUPON_NOT_YET_VALID / COUPON_EXPIRED (outside its validity at `at`), COUPON_USED (used, or held by
   * another order), COUPON_REVOKED, COUPON_MIN_SPEND (when the order's spend is given and below the minimum).
   * Holding it again for the same order answers the same.
   */
  async hold(
    couponId: string,
    memberId: string,
    orderId: string,
    at: number,
    spendFen?: number,
  ): Promise<CouponRecord> {
    await this.writer.write(
      'coupon.hold',
      () => {
        const coupon = this.coupons.row(couponId);
        if (!coupon) throw new FleetError('COUPON_NOT_FOUND', `no coupon '${couponId}'`);
        if (coupon.memberId !== memberId)
          throw new FleetError('COUPON_NOT_OWNED', 'this coupon was issued to another member');
        if (coupon.stored === 'held' && coupon.orderId === orderId) return;
        if (coupon.stored === 'revoked') throw new FleetError('COUPON_REVOKED', 'this coupon was revoked');
        if (coupon.stored !== 'issued')
          throw new FleetError(
            'COUPON_USED',
            `this coupon was already ${coupon.stored === 'used' ? 'used' : 'taken by another order'}`,
          );
        if (at < coupon.validFrom)
          throw new FleetError('COUPON_NOT_YET_VALID', 'this coupon is not valid yet', { validFrom: coupon.validFrom });
        if (at >= coupon.validTo)
          throw new FleetError('COUPON_EXPIRED', 'this coupon has expired', { validTo: coupon.validTo });
        if (spendFen !== undefined && spendFen < coupon.minSpendFen) {
          throw new FleetError('COUPON_MIN_SPEND', `this coupon needs a spend of ${coupon.minSpendFen} fen`, {
            minSpendFen: coupon.minSpendFen,
            spendFen,
          });
        }
        this.coupons.setState(couponId, 'held', orderId, this.clock.now());
      },
      GROUP_COMMIT,
    );
    return this.get(couponId);
  }

  /** The order was paid: the coupon is spent. Idempotent for that order. */
  async use(couponId: string, orderId: string): Promise<CouponRecord> {
    await this.writer.write(
      'coupon.use',
      () => {
        const coupon = this.heldBy(couponId, orderId, 'used');
        if (coupon) this.coupons.setState(couponId, 'used', orderId, this.clock.now());
      },
      GROUP_COMMIT,
    );
    return this.get(couponId);
  }

  /** The order was cancelled: the coupon is the member's again. Idempotent. */
  async release(couponId: string, orderId: string): Promise<CouponRecord> {
    await this.writer.write(
      'coupon.release',
      () => {
        const coupon = this.coupons.row(couponId);
        if (!coupon) throw new FleetError('COUPON_NOT_FOUND', `no coupon '${couponId}'`);
        if (coupon.stored === 'issued' || coupon.stored === 'revoked') return;
        if (coupon.orderId !== orderId || coupon.stored === 'used') {
          throw new FleetError('COUPON_USED', `the coupon is ${coupon.stored} by another order or already used`);
        }
        this.coupons.setState(couponId, 'issued', null, this.clock.now());
      },
      GROUP_COMMIT,
    );
    return this.get(couponId);
  }

  /** Withdraws an unused coupon (coupons:issue). COUPON_USED once used or held by an order. */
  async revoke(couponId: string): Promise<CouponRecord> {
    await this.writer.write('coupon.revoke', () => {
      const coupon = this.coupons.row(couponId);
      if (!coupon) throw new FleetError('COUPON_NOT_FOUND', `no coupon '${couponId}'`);
      if (coupon.stored === 'revoked') return;
      if (coupon.stored !== 'issued') throw new FleetError('COUPON_USED', `the coupon is ${coupon.stored} by an order`);
      this.coupons.setState(couponId, 'revoked', null, this.clock.now());
    });
    return this.get(couponId);
  }

  /** The coupon if it is held by `orderId` and may move on; undefined when already in `target` for that order. */
  private heldBy(couponId: string, orderId: string, target: 'used'): CouponRecord | undefined {
    const coupon = this.coupons.row(couponId);
    if (!coupon) throw new FleetError('COUPON_NOT_FOUND', `no coupon '${couponId}'`);
    if (coupon.orderId === orderId && coupon.stored === target) return undefined;
    if (coupon.stored !== 'held' || coupon.orderId !== orderId) {
      throw new FleetError('COUPON_USED', `the coupon is not held by order '${orderId}'`);
    }
    return coupon;
  }
}
