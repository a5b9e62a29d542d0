import assert from 'node:assert/strict';
import { isFleetError } from '../../../protocol/errors.ts';
import { type LoyaltyFixture, loyaltyFixture, SHANGHAI, sumOfEntries } from './loyalty-fixture.ts';

describe('family accounts', () => {
  let f: LoyaltyFixture;
  let ids: string[];

  beforeEach(async () => {
    f = loyaltyFixture();
    ids = [];
    for (let i = 0; i < 8; i++) ids.push((await f.loyalty.createMember({ displayName: `Member ${i}` })).id);
  });
  afterEach(() => f.close());

  const id = (i: number) => ids[i] as string;

  it('shares one pool: the members’ own balances move in, each entry names who made it', async () => {
    await f.loyalty.points.earn(id(0), SHANGHAI, 'o-0', 300);
    await f.loyalty.points.earn(id(1), SHANGHAI, 'o-1', 200);
    const family = await f.loyalty.createFamily(id(0));
    await f.loyalty.addFamilyMember(family.id, id(1));
    assert.equal(f.loyalty.points.balance(family.id), 500);
    assert.equal(f.loyalty.points.balance(id(0)), 0);
    assert.equal(f.loyalty.points.balance(id(1)), 0);
    await f.loyalty.points.earn(id(1), SHANGHAI, 'o-2', 40);
    const hold = await f.loyalty.points.holdRedemption(id(0), SHANGHAI, 'o-3', 500);
    assert.equal(hold.poolId, family.id);
    const ledger = f.loyalty.points.ledger(id(1), 50, 0);
    assert.equal(ledger.poolId, family.id);
    assert.equal(ledger.balancePoints, 40);
    assert.deepEqual(
      ledger.items.map((e) => [e.kind, e.memberId, e.points]),
      [
        ['redeem-hold', id(0), -500],
        ['earn', id(1), 40],
        ['transfer', id(1), 200],
        ['transfer', id(0), 300],
      ],
    );
    assert.equal(ledger.balancePoints, sumOfEntries(f.db, family.id));
    assert.equal(f.loyalty.detail(id(1)).family?.ownerId, id(0));
  });

  it('an owner and 5 members; the 6th member is FAMILY_FULL and changes nothing', async () => {
    const family = await f.loyalty.createFamily(id(0));
    for (let i = 1; i <= 5; i++) await f.loyalty.addFamilyMember(family.id, id(i));
    assert.equal(f.loyalty.family(family.id).members.length, 6);
    await assert.rejects(f.loyalty.addFamilyMember(family.id, id(6)), (e) => isFleetError(e, 'FAMILY_FULL'));
    assert.equal(f.loyalty.member(id(6)).familyId, null);
    assert.equal(f.loyalty.family(family.id).members.length, 6);
  });

  it('the database refuses a 7th member even past the service (trigger)', async () => {
    const family = await f.loyalty.createFamily(id(0));
    for (let i = 1; i <= 5; i++) await f.loyalty.addFamilyMember(family.id, id(i));
    assert.throws(
      () => f.db.prepare('UPDATE members SET family_id = ? WHERE id = ?').run(family.id, id(6)),
      (e: Error & { code?: string }) => e.code === 'SQLITE_CONSTRAINT_TRIGGER' && e.message === 'FAMILY_FULL',
    );
  });

  it('a member of another family is FAMILY_INVALID; adding a member twice changes nothing', async () => {
    const a = await f.loyalty.createFamily(id(0));
    const b = await f.loyalty.createFamily(id(1));
    await f.loyalty.addFamilyMember(a.id, id(2));
    await f.loyalty.addFamilyMember(a.id, id(2));
    assert.equal(f.loyalty.family(a.id).members.length, 2);
    await assert.rejects(f.loyalty.addFamilyMember(b.id, id(2)), (e) => isFleetError(e, 'FAMILY_INVALID'));
    await assert.rejects(f.loyalty.addFamilyMember(b.id, id(0)), (e) => isFleetError(e, 'FAMILY_INVALID'));
    await assert.rejects(f.loyalty.createFamily(id(2)), (e) => isFleetError(e, 'FAMILY_INVALID'));
    await assert.rejects(f.loyalty.addFamilyMember('f-none', id(3)), (e) => isFleetError(e, 'FAMILY_NOT_FOUND'));
    assert.equal(f.loyalty.member(id(2)).familyId, a.id);
  });

  it('removing: the owner cannot leave; a member leaves without the shared points; not while holding points', async () => {
    const family = await f.loyalty.createFamily(id(0));
    await f.loyalty.addFamilyMember(family.id, id(1));
    await f.loyalty.points.earn(id(1), SHANGHAI, 'o-1', 800);
    await assert.rejects(f.loyalty.removeFamilyMember(family.id, id(0)), (e) => isFleetError(e, 'FAMILY_INVALID'));
    await assert.rejects(f.loyalty.removeFamilyMember(family.id, id(2)), (e) => isFleetError(e, 'FAMILY_INVALID'));
    const hold = await f.loyalty.points.holdRedemption(id(1), SHANGHAI, 'o-2', 100);
    await assert.rejects(f.loyalty.removeFamilyMember(family.id, id(1)), (e) => isFleetError(e, 'FAMILY_INVALID'));
    await f.loyalty.points.captureRedemption(hold.holdId);
    await f.loyalty.removeFamilyMember(family.id, id(1));
    assert.equal(f.loyalty.member(id(1)).familyId, null);
    assert.equal(f.loyalty.points.balance(family.id), 700);
    assert.equal(f.loyalty.points.balance(id(1)), 0);
    // A refund of an order made in the family settles into the member's current pool.
    const reversal = await f.loyalty.points.reverseOrder('o-1', 'r-1');
    assert.equal(reversal.earnReversed, 800);
    assert.equal(f.loyalty.points.balance(id(1)), -800);
  });
});
