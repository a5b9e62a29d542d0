import assert from 'node:assert/strict';
import type { CouponRecord } from '../../../protocol/api/loyalty.ts';
import { isFleetError } from '../../../protocol/errors.ts';
import { type LoyaltyFixture, loyaltyFixture } from './loyalty-fixture.ts';

const DAY = 86_400_000;

describe('coupons', () => {
  let f: LoyaltyFixture;
  let owner: string;
  let sibling: string;
  let coupon: CouponRecord;

  beforeEach(async () => {
    f = loyaltyFixture();
    owner = (await f.loyalty.createMember({ displayName: 'Owner' })).id;
    sibling = (await f.loyalty.createMember({ displayName: 'Sibling' })).id;
    const family = await f.loyalty.createFamily(owner);
    await f.loyalty.addFamilyMember(family.id, sibling);
    const now = f.clock.now();
    coupon = await f.loyalty.coupons.issue(
      { memberId: owner, promotionId: 'p-20-off-100', validFrom: now, validTo: now + 7 * DAY, minSpendFen: 100_00 },
      'u-hq',
    );
  });
  afterEach(() => f.close());

  const refusedWith = (code: string) => (e: unknown) => isFleetError(e, code as never);

  it('is issued with a code, held by one order, then used once', async () => {
    assert.match(coupon.id, /^[A-Z0-9]{10}$/);
    assert.equal(coupon.state, 'issued');
    const held = await f.loyalty.coupons.hold(coupon.id, owner, 'o-1', f.clock.now(), 120_00);
    assert.equal(held.state, 'held');
    assert.equal(held.orderId, 'o-1');
    assert.equal((await f.loyalty.coupons.hold(coupon.id, owner, 'o-1', f.clock.now())).state, 'held');
    assert.equal((await f.loyalty.coupons.use(coupon.id, 'o-1')).state, 'used');
    assert.equal((await f.loyalty.coupons.use(coupon.id, 'o-1')).state, 'used');
    await assert.rejects(f.loyalty.coupons.hold(coupon.id, owner, 'o-2', f.clock.now()), refusedWith('COUPON_USED'));
  });

  it('each refusal has its code and changes nothing', async () => {
    const now = f.clock.now();
    await assert.rejects(f.loyalty.coupons.hold('NOSUCHCODE', owner, 'o-1', now), refusedWith('COUPON_NOT_FOUND'));
    // A family shares points, not coupons.
    await assert.rejects(f.loyalty.coupons.hold(coupon.id, sibling, 'o-1', now), refusedWith('COUPON_NOT_OWNED'));
    await assert.rejects(f.loyalty.coupons.hold(coupon.id, owner, 'o-1', now - 1), refusedWith('COUPON_NOT_YET_VALID'));
    await assert.rejects(f.loyalty.coupons.hold(coupon.id, owner, 'o-1', now + 7 * DAY), refusedWith('COUPON_EXPIRED'));
    await assert.rejects(f.loyalty.coupons.hold(coupon.id, owner, 'o-1', now, 99_99), refusedWith('COUPON_MIN_SPEND'));
    assert.equal(f.loyalty.coupons.get(coupon.id).state, 'issued');
    await f.loyalty.coupons.hold(coupon.id, owner, 'o-1', now);
    await assert.rejects(f.loyalty.coupons.hold(coupon.id, owner, 'o-2', now), refusedWith('COUPON_USED'));
    await assert.rejects(f.loyalty.coupons.use(coupon.id, 'o-2'), refusedWith('COUPON_USED'));
    await assert.rejects(f.loyalty.coupons.release(coupon.id, 'o-2'), refusedWith('COUPON_USED'));
    await assert.rejects(f.loyalty.coupons.revoke(coupon.id), refusedWith('COUPON_USED'));
    assert.equal(f.loyalty.coupons.get(coupon.id).orderId, 'o-1');
  });

  it('a cancelled order releases it for another; a revoked coupon is refused', async () => {
    const now = f.clock.now();
    await f.loyalty.coupons.hold(coupon.id, owner, 'o-1', now);
    assert.equal((await f.loyalty.coupons.release(coupon.id, 'o-1')).state, 'issued');
    assert.equal((await f.loyalty.coupons.release(coupon.id, 'o-1')).state, 'issued');
    assert.equal((await f.loyalty.coupons.hold(coupon.id, owner, 'o-2', now)).orderId, 'o-2');
    await f.loyalty.coupons.release(coupon.id, 'o-2');
    assert.equal((await f.loyalty.coupons.revoke(coupon.id)).state, 'revoked');
    await assert.rejects(f.loyalty.coupons.hold(coupon.id, owner, 'o-3', now), refusedWith('COUPON_REVOKED'));
  });

  it('reads as expired after its validity, and lists by state', async () => {
    f.clock.advance(7 * DAY);
    assert.equal(f.loyalty.coupons.get(coupon.id).state, 'expired');
    assert.equal(f.loyalty.coupons.list({ state: 'expired', limit: 10, offset: 0 }).total, 1);
    assert.equal(f.loyalty.coupons.list({ state: 'issued', limit: 10, offset: 0 }).total, 0);
    assert.deepEqual(f.loyalty.coupons.usable(owner), []);
  });

  it('refuses to issue a coupon with no validity or for an unknown member', async () => {
    const now = f.clock.now();
    await assert.rejects(
      f.loyalty.coupons.issue({ memberId: owner, promotionId: 'p', validFrom: now, validTo: now }, null),
      refusedWith('COUPON_INVALID'),
    );
    await assert.rejects(
      f.loyalty.coupons.issue({ memberId: 'm-none', promotionId: 'p', validFrom: now, validTo: now + 1 }, null),
      refusedWith('MEMBER_NOT_FOUND'),
    );
    assert.equal(f.loyalty.coupons.list({ limit: 10, offset: 0 }).total, 1);
  });
});
