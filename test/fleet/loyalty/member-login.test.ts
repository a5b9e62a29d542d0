import assert from 'node:assert/strict';
import { formatMemberCode, parseMemberCode } from '../../../protocol/commerce/loyalty.ts';
import { isFleetError } from '../../../protocol/errors.ts';
import { type LoyaltyFixture, loyaltyFixture, SHANGHAI } from './loyalty-fixture.ts';

const code = (f: LoyaltyFixture, id: string) => f.loyalty.currentCode(id).code;

describe('member codes and member login', () => {
  let f: LoyaltyFixture;
  let memberId: string;

  beforeEach(async () => {
    // On a step boundary: 1_800_000_010 s is 60_000_000 × 30 + 10 s, so the step ends 20 s later.
    f = loyaltyFixture(1_800_000_010_000);
    memberId = (await f.loyalty.createMember({ displayName: 'Wang Fang', memberNumber: '80001234' })).id;
  });
  afterEach(() => f.close());

  it('the code is CFM1.{memberNumber}.{6 digits} and expires at the end of its 30 s step', () => {
    const current = f.loyalty.currentCode(memberId);
    assert.match(current.code, /^CFM1\.80001234\.\d{6}$/);
    assert.equal(current.expiresAt, 1_800_000_030_000);
    assert.deepEqual(parseMemberCode(current.code), { memberNumber: '80001234', otp: current.code.slice(-6) });
    assert.equal(parseMemberCode('6901234567892'), null);
  });

  it('logs in with the current code, and with it one step later, not two steps later (fake clock)', () => {
    const shown = code(f, memberId);
    const context = f.loyalty.login(shown, SHANGHAI);
    assert.equal(context.memberId, memberId);
    assert.equal(context.verified, true);
    assert.equal(context.balancePoints, 0);
    assert.equal(context.storeRedeemablePoints, null);
    // Still accepted during the next step (the phone's clock or the network lagged)...
    f.clock.advance(20_000 + 29_999);
    assert.equal(f.loyalty.login(shown, SHANGHAI).memberId, memberId);
    // ... and refused once that one has ended too.
    f.clock.advance(1);
    assert.throws(
      () => f.loyalty.login(shown, SHANGHAI),
      (e) => isFleetError(e, 'MEMBER_CODE_INVALID'),
    );
  });

  it('accepts a code from the step before now (the phone is a step ahead), refuses two steps ahead', () => {
    const ahead = f.loyalty.codes.current('80001234', f.loyalty.member(memberId).totpSecret, f.clock.now() + 30_000);
    assert.equal(f.loyalty.login(ahead.code, SHANGHAI).memberId, memberId);
    const farAhead = f.loyalty.codes.current('80001234', f.loyalty.member(memberId).totpSecret, f.clock.now() + 60_000);
    assert.throws(
      () => f.loyalty.login(farAhead.code, SHANGHAI),
      (e) => isFleetError(e, 'MEMBER_CODE_INVALID'),
    );
  });

  it('the same code logs in twice within its step (two carts of one family): documented as allowed', () => {
    const shown = code(f, memberId);
    assert.equal(f.loyalty.login(shown, SHANGHAI).memberId, memberId);
    assert.equal(f.loyalty.login(shown, SHANGHAI).memberId, memberId);
  });

  it('refuses a wrong code, an unknown number and a disabled member with the same code', async () => {
    const shown = code(f, memberId);
    const wrong = formatMemberCode(
      '80001234',
      shown.endsWith('0') ? `${shown.slice(-6, -1)}1` : `${shown.slice(-6, -1)}0`,
    );
    assert.throws(
      () => f.loyalty.login(wrong, SHANGHAI),
      (e) => isFleetError(e, 'MEMBER_CODE_INVALID'),
    );
    assert.throws(
      () => f.loyalty.login(formatMemberCode('80009999', shown.slice(-6)), SHANGHAI),
      (e) => isFleetError(e, 'MEMBER_CODE_INVALID'),
    );
    assert.throws(
      () => f.loyalty.login('not a code', SHANGHAI),
      (e) => isFleetError(e, 'MEMBER_CODE_INVALID'),
    );
    await f.loyalty.updateMember(memberId, { disabled: true });
    assert.throws(
      () => f.loyalty.login(shown, SHANGHAI),
      (e) => isFleetError(e, 'MEMBER_CODE_INVALID'),
    );
  });

  it('another member’s secret does not open this member', async () => {
    const other = await f.loyalty.createMember({ displayName: 'Li Lei', memberNumber: '80005678' });
    const theirs = code(f, other.id).slice(-6);
    const mine = code(f, memberId).slice(-6);
    if (theirs === mine) return; // one chance in a million: nothing to show
    assert.throws(
      () => f.loyalty.login(formatMemberCode('80001234', theirs), SHANGHAI),
      (e) => isFleetError(e, 'MEMBER_CODE_INVALID'),
    );
  });

  it('throttles guessing: after 10 failures for one number even the right code waits (LOGIN_THROTTLED)', () => {
    const right = code(f, memberId);
    const wrong = formatMemberCode(
      '80001234',
      right.endsWith('0') ? `${right.slice(-6, -1)}1` : `${right.slice(-6, -1)}0`,
    );
    for (let i = 0; i < 10; i++) {
      assert.throws(
        () => f.loyalty.login(wrong, SHANGHAI),
        (e) => isFleetError(e, 'MEMBER_CODE_INVALID'),
      );
    }
    assert.throws(
      () => f.loyalty.login(right, SHANGHAI),
      (e) => isFleetError(e, 'LOGIN_THROTTLED'),
    );
    f.clock.advance(1000);
    assert.equal(f.loyalty.login(code(f, memberId), SHANGHAI).memberId, memberId);
  });

  it('login answers the pool balance, the store’s remaining daily points and usable coupons', async () => {
    await f.loyalty.settings.setRedemptionPolicy({
      fenPer100Points: 100,
      maxPercentOfTotal: 50,
      minPoints: 100,
      perStoreDailyLimitPoints: 2000,
    });
    await f.loyalty.points.earn(memberId, SHANGHAI, 'o-1', 1500);
    await f.loyalty.points.holdRedemption(memberId, SHANGHAI, 'o-2', 500);
    const now = f.clock.now();
    const usable = await f.loyalty.coupons.issue(
      { memberId, promotionId: 'p-1', validFrom: now - 1, validTo: now + 86_400_000 },
      null,
    );
    await f.loyalty.coupons.issue(
      { memberId, promotionId: 'p-2', validFrom: now + 86_400_000, validTo: now + 2 * 86_400_000 },
      null,
    );
    const context = f.loyalty.login(code(f, memberId), SHANGHAI);
    assert.equal(context.balancePoints, 1000);
    assert.equal(context.storeRedeemablePoints, 1500);
    assert.deepEqual(
      context.coupons.map((c) => c.id),
      [usable.id],
    );
    assert.throws(
      () => f.loyalty.login(code(f, memberId), 'no-such-store'),
      (e) => isFleetError(e, 'STORE_NOT_FOUND'),
    );
  });
});
