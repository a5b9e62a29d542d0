import assert from 'node:assert/strict';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type { AuditPage } from '../../protocol/api/audit.ts';
import type { CouponRecord } from '../../protocol/api/loyalty.ts';
import type { Family, LedgerPage, Member, MemberCode, MemberDetail } from '../../protocol/api/members.ts';
import type { RedemptionPolicy } from '../../protocol/commerce/loyalty.ts';
import { type ApiUser, apiAs, apiUser, startFleet, tempDir } from '../helpers/fleet-harness.ts';

const XUHUI = 'hf-shanghai-xuhui';

/** The loyalty API on a real fleet (HTTP through Fastify inject, a real SQLite file): roles, audit, validation. */
describe('loyalty API (members, families, points, coupons, configuration)', () => {
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let hq: ApiUser;
  let manager: ApiUser;
  let viewer: ApiUser;

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path, { seedDemoData: true });
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    manager = await apiUser(fleet, 'manager', 'store-manager', { storeIds: [XUHUI] });
    viewer = await apiUser(fleet, 'viewer', 'viewer');
  });
  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  const as = (user: ApiUser) => apiAs(fleet, user.token);
  const auditActions = async (targetId: string) =>
    (await as(hq).get(`/api/audit?targetId=${targetId}`)).json<AuditPage>().items.map((e) => e.action);

  it('enrols members, forms a family, and shows the shared pool with who made each entry', async () => {
    const created = await as(hq).post('/api/members', { displayName: 'Chen Jing', phone: '13812345678' });
    assert.equal(created.statusCode, 201, created.body);
    const owner = created.json<Member>();
    assert.match(owner.memberNumber, /^\d{8}$/);
    assert.equal(owner.phoneMasked, '138****5678');
    assert.ok(!created.body.includes('13812345678'), 'the phone number never leaves whole');
    const kid = (
      await as(hq).post('/api/members', { displayName: 'Chen Xiao', memberNumber: '66660001' })
    ).json<Member>();
    await fleet.services.loyalty.points.earn(kid.id, XUHUI, 'o-kid-1', 250);

    const family = await as(hq).post('/api/families', { ownerId: owner.id });
    assert.equal(family.statusCode, 201, family.body);
    const familyId = family.json<Family>().id;
    const added = await as(hq).post(`/api/families/${familyId}/members`, { memberId: kid.id });
    assert.equal(added.json<Family>().members.length, 2);

    const adjust = await as(hq).post(`/api/members/${owner.id}/points/adjust`, { points: 100, note: 'welcome gift' });
    assert.equal(adjust.statusCode, 200, adjust.body);
    const ledger = (await as(manager).get(`/api/members/${kid.id}/ledger`)).json<LedgerPage>();
    assert.equal(ledger.balancePoints, 350);
    assert.equal(ledger.poolId, familyId);
    const adjustment = ledger.items.find((e) => e.kind === 'adjust');
    assert.equal(adjustment?.memberId, owner.id);
    assert.equal(adjustment?.actorId, hq.userId);
    // The kid's own points came with them into the family's pool, under their name.
    assert.equal(ledger.items.find((e) => e.kind === 'transfer')?.memberName, 'Chen Xiao');

    const detail = (await as(manager).get(`/api/members/${owner.id}`)).json<MemberDetail>();
    assert.equal(detail.balancePoints, 350);
    assert.equal(detail.family?.members.length, 2);

    const found = (await as(manager).get('/api/members?q=6666')).json<{ items: Member[]; total: number }>();
    assert.deepEqual(
      found.items.map((m) => m.id),
      [kid.id],
    );
    assert.equal((await as(manager).get('/api/members?q=13812345678')).json<{ total: number }>().total, 1);

    assert.deepEqual(await auditActions(owner.id), ['points.adjust', 'member.create']);
    assert.deepEqual(await auditActions(familyId), ['family.add', 'family.create']);
  });

  it('refuses by role with the existing code: a store manager adjusting points or changing the config', async () => {
    const member = (await as(hq).post('/api/members', { displayName: 'Role Test' })).json<Member>();
    const adjust = await as(manager).post(`/api/members/${member.id}/points/adjust`, { points: 10, note: 'x' });
    assert.equal(adjust.statusCode, 403);
    assert.equal(adjust.json().code, 'NOT_AUTHORIZED');
    const policy = (await as(manager).get('/api/loyalty/redemption-policy')).json<RedemptionPolicy>();
    const put = await as(manager).put('/api/loyalty/redemption-policy', { ...policy, maxPercentOfTotal: 90 });
    assert.equal(put.json().code, 'NOT_AUTHORIZED');
    assert.equal((await as(manager).get(`/api/members/${member.id}/code`)).json().code, 'NOT_AUTHORIZED');
    assert.equal((await as(manager).post('/api/members', { displayName: 'x' })).json().code, 'NOT_AUTHORIZED');
    assert.equal((await as(viewer).get('/api/members')).json().code, 'NOT_AUTHORIZED');
    // Positive control: what the manager's role allows works, and nothing above changed.
    assert.equal((await as(manager).get(`/api/members/${member.id}`)).statusCode, 200);
    assert.equal((await as(manager).get(`/api/members/${member.id}/ledger`)).json<LedgerPage>().balancePoints, 0);
    assert.equal((await as(hq).get('/api/loyalty/redemption-policy')).json<RedemptionPolicy>().maxPercentOfTotal, 50);
  });

  it('issues, lists and revokes coupons (store managers may issue); bad input is refused with its code', async () => {
    const member = (await as(hq).post('/api/members', { displayName: 'Coupon Fan' })).json<Member>();
    const now = Date.now();
    const issued = await as(manager).post('/api/coupons', {
      memberId: member.id,
      promotionId: 'p-20-off-100',
      validFrom: now,
      validTo: now + 86_400_000,
      minSpendFen: 10_000,
    });
    assert.equal(issued.statusCode, 201, issued.body);
    const coupon = issued.json<CouponRecord>();
    assert.equal(coupon.issuedBy, manager.userId);
    const listed = (await as(manager).get(`/api/coupons?memberId=${member.id}`)).json<{ items: CouponRecord[] }>();
    assert.deepEqual(
      listed.items.map((c) => c.id),
      [coupon.id],
    );
    const backwards = await as(manager).post('/api/coupons', {
      memberId: member.id,
      promotionId: 'p',
      validFrom: now,
      validTo: now - 1,
    });
    assert.equal(backwards.json().code, 'COUPON_INVALID');
    const unknown = await as(manager).post('/api/coupons', {
      memberId: 'm-none',
      promotionId: 'p',
      validFrom: 0,
      validTo: 1,
    });
    assert.equal(unknown.json().code, 'MEMBER_NOT_FOUND');
    assert.equal((await as(manager).post(`/api/coupons/${coupon.id}/revoke`)).json<CouponRecord>().state, 'revoked');
    assert.deepEqual(await auditActions(coupon.id), ['coupon.revoke', 'coupon.issue']);
  });

  it('the member code from the API logs the member in at a store (verified context)', async () => {
    const member = (await as(hq).post('/api/members', { displayName: 'Code User' })).json<Member>();
    const code = (await as(hq).get(`/api/members/${member.id}/code`)).json<MemberCode>();
    assert.match(code.code, new RegExp(`^CFM1\\.${member.memberNumber}\\.\\d{6}$`));
    const context = fleet.services.loyalty.login(code.code, XUHUI);
    assert.equal(context.memberId, member.id);
    assert.equal(context.verified, true);
  });

  it('tiers, earn rules and the redemption policy round-trip (HQ) and tell the pricing snapshots', async () => {
    let changes = 0;
    const off = fleet.bus.on('loyalty.changed', () => {
      changes++;
    });
    try {
      const tiers = [
        { id: 'standard', name: { zh: '普卡', en: 'Standard' }, earnMultiplierPercent: 100 },
        { id: 'gold', name: { zh: '金卡', en: 'Gold' }, earnMultiplierPercent: 150 },
      ];
      const put = await as(hq).put('/api/loyalty/tiers', tiers);
      assert.equal(put.statusCode, 200, put.body);
      assert.deepEqual((await as(manager).get('/api/loyalty/tiers')).json(), tiers);
      const rules = [
        {
          id: 'base',
          kind: 'base',
          name: { zh: '每消费1元积1分', en: '1 point per ¥1' },
          categoryIds: [],
          scope: { storeIds: [], regions: [] },
          spendFenPerStep: 100,
          pointsPerStep: 1,
          priority: 0,
        },
      ];
      assert.equal((await as(hq).put('/api/loyalty/earn-rules', rules)).statusCode, 200);
      assert.deepEqual((await as(hq).get('/api/loyalty/earn-rules')).json(), rules);
      const bad = await as(hq).put('/api/loyalty/earn-rules', [{ ...rules[0], kind: 'bonus' }]);
      assert.equal(bad.json().code, 'LOYALTY_CONFIG_INVALID');
      const schemaBad = await as(hq).put('/api/loyalty/redemption-policy', { fenPer100Points: -1 });
      assert.equal(schemaBad.json().code, 'BAD_REQUEST');
      const gold = (await as(hq).post('/api/members', { displayName: 'Gold', tierId: 'gold' })).json<Member>();
      assert.equal(gold.tierId, 'gold');
      const dropGold = await as(hq).put('/api/loyalty/tiers', [tiers[0]]);
      assert.equal(dropGold.json().code, 'LOYALTY_CONFIG_INVALID');
      assert.equal((await as(hq).get('/api/loyalty/tiers')).json<unknown[]>().length, 2);
      assert.equal(changes, 2);
    } finally {
      off();
    }
  });

  it('a bad member body is BAD_REQUEST; a taken number MEMBER_EXISTS; an unknown member MEMBER_NOT_FOUND', async () => {
    assert.equal((await as(hq).post('/api/members', { displayName: '' })).json().code, 'BAD_REQUEST');
    assert.equal(
      (await as(hq).post('/api/members', { displayName: 'x', memberNumber: '12ab56' })).json().code,
      'BAD_REQUEST',
    );
    await as(hq).post('/api/members', { displayName: 'First', memberNumber: '55550001' });
    assert.equal(
      (await as(hq).post('/api/members', { displayName: 'Second', memberNumber: '55550001' })).json().code,
      'MEMBER_EXISTS',
    );
    assert.equal((await as(hq).get('/api/members/m-nobody')).json().code, 'MEMBER_NOT_FOUND');
    assert.equal(
      (await as(hq).post('/api/members/m-nobody/points/adjust', { points: 0, note: 'zero' })).json().code,
      'BAD_REQUEST',
    );
  });
});
