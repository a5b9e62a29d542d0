import assert from 'node:assert/strict';
import { isFleetError } from '../../../protocol/errors.ts';
import { CHENGDU, type LoyaltyFixture, loyaltyFixture, SHANGHAI, sumOfEntries } from './loyalty-fixture.ts';

const policy = (perStoreDailyLimitPoints: number | null) => ({
  fenPer100Points: 100,
  maxPercentOfTotal: 50,
  minPoints: 100,
  perStoreDailyLimitPoints,
});

describe('points ledger', () => {
  let f: LoyaltyFixture;
  let memberId: string;

  beforeEach(async () => {
    f = loyaltyFixture();
    memberId = (await f.loyalty.createMember({ displayName: 'Zhang Wei' })).id;
  });
  afterEach(() => f.close());

  const balance = () => f.loyalty.points.balance(memberId);

  it('is append-only: SQLite refuses UPDATE and DELETE of an entry (positive control: the row is there)', async () => {
    await f.loyalty.points.earn(memberId, SHANGHAI, 'o-1', 120);
    const row = f.db.prepare('SELECT id, points FROM points_entries').get() as { id: number; points: number };
    assert.equal(row.points, 120);
    assert.throws(
      () => f.db.prepare('UPDATE points_entries SET points = 9999 WHERE id = ?').run(row.id),
      (e: Error & { code?: string }) => e.code === 'SQLITE_CONSTRAINT_TRIGGER' && /append-only/.test(e.message),
    );
    assert.throws(
      () => f.db.prepare('DELETE FROM points_entries WHERE id = ?').run(row.id),
      (e: Error & { code?: string }) => e.code === 'SQLITE_CONSTRAINT_TRIGGER' && /append-only/.test(e.message),
    );
    assert.equal(balance(), 120);
  });

  it('earns once per order: a replay answers the same entry, different points conflict', async () => {
    const first = await f.loyalty.points.earn(memberId, SHANGHAI, 'o-1', 120);
    const again = await f.loyalty.points.earn(memberId, SHANGHAI, 'o-1', 120);
    assert.equal(again.replayed, true);
    assert.equal(again.entryId, first.entryId);
    await assert.rejects(f.loyalty.points.earn(memberId, SHANGHAI, 'o-1', 121), (e) =>
      isFleetError(e, 'ORDER_IDEMPOTENCY_CONFLICT'),
    );
    assert.equal(balance(), 120);
    await assert.rejects(f.loyalty.points.earn(memberId, SHANGHAI, 'o-2', -5), (e) =>
      isFleetError(e, 'POINTS_INVALID'),
    );
    await assert.rejects(f.loyalty.points.earn('m-nobody', SHANGHAI, 'o-3', 5), (e) =>
      isFleetError(e, 'MEMBER_NOT_FOUND'),
    );
    assert.equal(balance(), 120);
  });

  it('holds, captures and releases; settling twice is idempotent, the other way is refused', async () => {
    await f.loyalty.points.earn(memberId, SHANGHAI, 'o-1', 1000);
    const hold = await f.loyalty.points.holdRedemption(memberId, SHANGHAI, 'o-2', 300);
    assert.equal(hold.state, 'held');
    assert.equal(balance(), 700);
    assert.deepEqual(await f.loyalty.points.holdRedemption(memberId, SHANGHAI, 'o-2', 300), hold);
    await assert.rejects(f.loyalty.points.holdRedemption(memberId, SHANGHAI, 'o-2', 400), (e) =>
      isFleetError(e, 'ORDER_IDEMPOTENCY_CONFLICT'),
    );
    assert.equal((await f.loyalty.points.captureRedemption(hold.holdId)).state, 'captured');
    assert.equal((await f.loyalty.points.captureRedemption(hold.holdId)).state, 'captured');
    await assert.rejects(f.loyalty.points.releaseRedemption(hold.holdId), (e) =>
      isFleetError(e, 'POINTS_HOLD_SETTLED'),
    );
    assert.equal(balance(), 700);

    const second = await f.loyalty.points.holdRedemption(memberId, SHANGHAI, 'o-3', 200);
    assert.equal(balance(), 500);
    assert.equal((await f.loyalty.points.releaseRedemption(second.holdId)).state, 'released');
    assert.equal((await f.loyalty.points.releaseRedemption(second.holdId)).state, 'released');
    await assert.rejects(f.loyalty.points.captureRedemption(second.holdId), (e) =>
      isFleetError(e, 'POINTS_HOLD_SETTLED'),
    );
    assert.equal(balance(), 700);
    await assert.rejects(f.loyalty.points.captureRedemption('h-nope'), (e) => isFleetError(e, 'POINTS_HOLD_NOT_FOUND'));
  });

  it('refuses an overdraft and amounts off the redemption step, changing nothing', async () => {
    await f.loyalty.points.earn(memberId, SHANGHAI, 'o-1', 250);
    await assert.rejects(f.loyalty.points.holdRedemption(memberId, SHANGHAI, 'o-2', 300), (e) =>
      isFleetError(e, 'POINTS_INSUFFICIENT'),
    );
    await assert.rejects(f.loyalty.points.holdRedemption(memberId, SHANGHAI, 'o-2', 150), (e) =>
      isFleetError(e, 'POINTS_REDEMPTION_INVALID'),
    );
    await assert.rejects(f.loyalty.points.holdRedemption(memberId, SHANGHAI, 'o-2', 0), (e) =>
      isFleetError(e, 'POINTS_INVALID'),
    );
    assert.equal(balance(), 250);
    // Positive control: what the balance allows is held.
    await f.loyalty.points.holdRedemption(memberId, SHANGHAI, 'o-2', 200);
    assert.equal(balance(), 50);
  });

  it('limits what a store accepts per pool per day, in the store’s zone, resetting at its midnight', async () => {
    // 2027-01-15 23:59:00 in Shanghai (UTC+8) is 15:59:00 UTC.
    f.clock.jump(Date.UTC(2027, 0, 15, 15, 59, 0) - f.clock.now());
    await f.loyalty.settings.setRedemptionPolicy(policy(500));
    await f.loyalty.points.earn(memberId, SHANGHAI, 'o-0', 5000);
    await f.loyalty.points.holdRedemption(memberId, SHANGHAI, 'o-1', 300);
    await assert.rejects(f.loyalty.points.holdRedemption(memberId, SHANGHAI, 'o-2', 300), (e) =>
      isFleetError(e, 'POINTS_LIMIT_EXCEEDED'),
    );
    // Another store has its own limit (the pool is chain-wide).
    await f.loyalty.points.holdRedemption(memberId, CHENGDU, 'o-3', 500);
    // A released hold gives its share of the day back.
    const released = await f.loyalty.points.holdRedemption(memberId, SHANGHAI, 'o-4', 200);
    await assert.rejects(f.loyalty.points.holdRedemption(memberId, SHANGHAI, 'o-5', 100), (e) =>
      isFleetError(e, 'POINTS_LIMIT_EXCEEDED'),
    );
    await f.loyalty.points.releaseRedemption(released.holdId);
    assert.equal(f.loyalty.points.storeRedeemable(memberId, SHANGHAI), 200);
    // 59.999 s later it is still the same local day...
    f.clock.advance(59_999);
    await assert.rejects(f.loyalty.points.holdRedemption(memberId, SHANGHAI, 'o-6', 300), (e) =>
      isFleetError(e, 'POINTS_LIMIT_EXCEEDED'),
    );
    // ... and at local midnight the day is new (while it is still the 15th in UTC).
    f.clock.advance(1);
    assert.equal(f.loyalty.points.storeRedeemable(memberId, SHANGHAI), 500);
    await f.loyalty.points.holdRedemption(memberId, SHANGHAI, 'o-6', 500);
    assert.equal(balance(), 5000 - 300 - 500 - 500);
  });

  it('the day is the store’s own: New York’s midnight is not Shanghai’s', async () => {
    // 2027-01-16 04:59:59 UTC is 23:59:59 on the 15th in New York (UTC−5) and 12:59:59 on the 16th in Shanghai.
    f.clock.jump(Date.UTC(2027, 0, 16, 4, 59, 59) - f.clock.now());
    await f.loyalty.settings.setRedemptionPolicy(policy(100));
    await f.loyalty.points.earn(memberId, SHANGHAI, 'o-0', 1000);
    await f.loyalty.points.holdRedemption(memberId, 'ny-soho', 'o-1', 100);
    assert.equal(f.loyalty.points.storeRedeemable(memberId, 'ny-soho'), 0);
    f.clock.advance(1000);
    assert.equal(f.loyalty.points.storeRedeemable(memberId, 'ny-soho'), 100);
  });

  it('reverses a whole refund: earned points back out, redeemed points back in; idempotent per refund', async () => {
    await f.loyalty.points.earn(memberId, SHANGHAI, 'o-0', 1000);
    const hold = await f.loyalty.points.holdRedemption(memberId, SHANGHAI, 'o-1', 400);
    await f.loyalty.points.captureRedemption(hold.holdId);
    await f.loyalty.points.earn(memberId, SHANGHAI, 'o-1', 57);
    assert.equal(balance(), 657);
    const result = await f.loyalty.points.reverseOrder('o-1', 'r-1');
    assert.deepEqual(result, { orderId: 'o-1', earnReversed: 57, redeemReturned: 400, replayed: false });
    assert.equal(balance(), 1000);
    assert.equal((await f.loyalty.points.reverseOrder('o-1', 'r-1')).replayed, true);
    // Another refund id after the whole order was refunded books nothing more.
    assert.deepEqual(await f.loyalty.points.reverseOrder('o-1', 'r-2'), {
      orderId: 'o-1',
      earnReversed: 0,
      redeemReturned: 0,
      replayed: false,
    });
    assert.equal(balance(), 1000);
    assert.equal(balance(), sumOfEntries(f.db, memberId));
  });

  it('reverses partial refunds in proportion (cumulative share, half up) and the parts add up to the whole', async () => {
    await f.loyalty.points.earn(memberId, SHANGHAI, 'o-0', 1000);
    const hold = await f.loyalty.points.holdRedemption(memberId, SHANGHAI, 'o-1', 300);
    await f.loyalty.points.captureRedemption(hold.holdId);
    await f.loyalty.points.earn(memberId, SHANGHAI, 'o-1', 10);
    // Three refunds of a third of a 3000-fen order: 10 × 1/3 = 3.33 → 3, × 2/3 = 6.67 → 7, × 3/3 → 10.
    const first = await f.loyalty.points.reverseOrder('o-1', 'r-1', { refundedFen: 1000, totalFen: 3000 });
    assert.deepEqual([first.earnReversed, first.redeemReturned], [3, 100]);
    const second = await f.loyalty.points.reverseOrder('o-1', 'r-2', { refundedFen: 2000, totalFen: 3000 });
    assert.deepEqual([second.earnReversed, second.redeemReturned], [4, 100]);
    // A replay of the first refund under a new id books nothing: never less than already reversed.
    const stale = await f.loyalty.points.reverseOrder('o-1', 'r-1b', { refundedFen: 1000, totalFen: 3000 });
    assert.deepEqual([stale.earnReversed, stale.redeemReturned], [0, 0]);
    const third = await f.loyalty.points.reverseOrder('o-1', 'r-3', { refundedFen: 3000, totalFen: 3000 });
    assert.deepEqual([third.earnReversed, third.redeemReturned], [3, 100]);
    assert.equal(balance(), 1000);
    await assert.rejects(f.loyalty.points.reverseOrder('o-1', 'r-4', { refundedFen: 3001, totalFen: 3000 }), (e) =>
      isFleetError(e, 'REFUND_INVALID'),
    );
  });

  it('a refund may leave the pool below zero (points already spent); then redemption waits', async () => {
    await f.loyalty.points.earn(memberId, SHANGHAI, 'o-1', 500);
    const hold = await f.loyalty.points.holdRedemption(memberId, SHANGHAI, 'o-2', 500);
    await f.loyalty.points.captureRedemption(hold.holdId);
    await f.loyalty.points.reverseOrder('o-1', 'r-1');
    assert.equal(balance(), -500);
    assert.equal(f.loyalty.login(f.loyalty.currentCode(memberId).code, SHANGHAI).balancePoints, 0);
    await f.loyalty.points.earn(memberId, SHANGHAI, 'o-3', 600);
    await assert.rejects(f.loyalty.points.holdRedemption(memberId, SHANGHAI, 'o-4', 200), (e) =>
      isFleetError(e, 'POINTS_INSUFFICIENT'),
    );
  });

  it('adjusts with the actor and the reason; never below zero', async () => {
    await f.loyalty.points.adjust(memberId, 300, 'u-admin', 'goodwill: late delivery');
    const entry = f.loyalty.points.ledger(memberId, 10, 0).items[0];
    assert.equal(entry?.kind, 'adjust');
    assert.equal(entry?.actorId, 'u-admin');
    assert.equal(entry?.note, 'goodwill: late delivery');
    await assert.rejects(f.loyalty.points.adjust(memberId, -301, 'u-admin', 'too much'), (e) =>
      isFleetError(e, 'POINTS_INSUFFICIENT'),
    );
    await assert.rejects(f.loyalty.points.adjust(memberId, 0, 'u-admin', 'nothing'), (e) =>
      isFleetError(e, 'POINTS_INVALID'),
    );
    assert.equal(balance(), 300);
  });

  it('the balance equals the sum of the entries after a random mix of operations (and the model’s own count)', async () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let expected = 0;
    const open: { holdId: string; points: number }[] = [];
    const captured: { orderId: string; points: number }[] = [];
    for (let i = 0; i < 300; i++) {
      const r = random();
      const orderId = `o-${i}`;
      try {
        if (r < 0.35) {
          const points = Math.floor(random() * 500);
          await f.loyalty.points.earn(memberId, SHANGHAI, orderId, points);
          expected += points;
        } else if (r < 0.6) {
          const points = 100 * (1 + Math.floor(random() * 5));
          const hold = await f.loyalty.points.holdRedemption(memberId, SHANGHAI, orderId, points);
          expected -= points;
          open.push({ holdId: hold.holdId, points });
        } else if (r < 0.75 && open.length > 0) {
          const hold = open.shift()!;
          await f.loyalty.points.releaseRedemption(hold.holdId);
          expected += hold.points;
        } else if (r < 0.88 && open.length > 0) {
          const hold = open.shift()!;
          const settled = await f.loyalty.points.captureRedemption(hold.holdId);
          captured.push({ orderId: settled.orderId, points: hold.points });
        } else if (captured.length > 0) {
          const { orderId: refunded, points } = captured.shift()!;
          const result = await f.loyalty.points.reverseOrder(refunded, `r-${i}`);
          assert.equal(result.redeemReturned, points);
          expected += points;
        } else {
          await f.loyalty.points.adjust(memberId, 50, 'u-1', 'mix');
          expected += 50;
        }
      } catch (err) {
        if (!isFleetError(err, 'POINTS_INSUFFICIENT')) throw err;
      }
      assert.equal(balance(), expected);
    }
    assert.equal(balance(), sumOfEntries(f.db, memberId));
    assert.ok(balance() >= 0);
  });
});
