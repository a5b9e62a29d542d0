import assert from 'node:assert/strict';
import { DEMO_FAMILY_ID, loadDemoMembers } from '../../../sim/demo-members.ts';
import { CHENGDU, type LoyaltyFixture, loyaltyFixture, SHANGHAI, sumOfEntries } from './loyalty-fixture.ts';

describe('demo members (sim/demo-members.ts)', () => {
  let f: LoyaltyFixture;
  beforeEach(() => {
    f = loyaltyFixture();
  });
  afterEach(() => f.close());

  it('loads tiers, rules, 20 members and a family of 4 sharing a pool with history; loading again changes nothing', async () => {
    const { memberIds, familyId } = await loadDemoMembers(f.loyalty, [SHANGHAI, CHENGDU]);
    assert.equal(memberIds.length, 20);
    assert.equal(familyId, DEMO_FAMILY_ID);
    assert.deepEqual(
      f.loyalty.settings.tiers().map((t) => t.id),
      ['standard', 'silver', 'gold'],
    );
    assert.equal(f.loyalty.family(familyId).members.length, 4);
    // 1280 + 640 transferred in, 86 + 152 + 73 earned, 500 redeemed, 200 adjusted.
    assert.equal(f.loyalty.points.balance(familyId), 1931);
    assert.equal(sumOfEntries(f.db, familyId), 1931);
    const who = new Set(f.loyalty.points.ledger(memberIds[2] as string, 50, 0).items.map((e) => e.memberId));
    assert.equal(who.size, 4);
    const entries = (f.db.prepare('SELECT count(*) AS n FROM points_entries').get() as { n: number }).n;
    await loadDemoMembers(f.loyalty, [SHANGHAI, CHENGDU]);
    assert.equal((f.db.prepare('SELECT count(*) AS n FROM points_entries').get() as { n: number }).n, entries);
  });
});
