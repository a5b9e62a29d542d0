import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AuditLog } from '../../fleet/audit/audit-log.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type { AttendantCall } from '../../protocol/commerce/attendant.ts';
import { submission } from '../helpers/commerce-cart.ts';
import { type ApiUser, apiAs, apiUser, eventually, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { FakeLoyaltyLedger } from '../mocks/fake-loyalty-ledger.ts';
import { FakeOrderPricing } from '../mocks/fake-order-pricing.ts';

const STORE = 'hf-shanghai-xuhui';
const CART = { thingName: 'cart-oa1', storeId: STORE, zoneId: null };

/**
 * An approval a cart made offline, as the fleet records it when it syncs (AttendantService): the code checked again,
 * either outcome audited, a refusal left in the queue and flagged on the trip's order whichever arrives first
 * (OfflineApprovalFlags). Real fleet, services called as the commerce gateway calls them.
 */
describe('offline approvals recorded by the fleet', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let li: ApiUser;
  let wang: ApiUser;
  let liCode: string;
  let session = 0;

  const offlineCall = (sessionId: string, staffCode: string | undefined, userId: string): AttendantCall => ({
    reason: 'age-check',
    details: 'staff code at the cart while offline (age-check)',
    sessionId,
    ...(staffCode ? { staffCode } : {}),
    approvedOffline: { userId, at: Date.parse('2026-03-11T10:00:00+08:00') },
  });
  const order = (sessionId: string) =>
    fleet.services.orders.submit(
      CART.thingName,
      STORE,
      submission(STORE, [{ sku: 'beer', cartNetFen: 1200 }], { sessionId, payment: { method: 'attendant' } }),
    );
  const flags = async (orderId: string) =>
    (await apiAs(fleet, li.token).get(`/api/orders/${orderId}`))
      .json()
      .events.filter((e: { reason: string | null }) => e.reason === 'offline approval refused');
  const audited = (action: string, id: string) =>
    new AuditLog(fleet.services.db)
      .search({ storeIds: null, action, limit: 10, offset: 0 })
      .items.find((e) => e.targetId === id);

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(
      join(dir.path, 'fleet'),
      { seedDemoData: true },
      { extensions: { pricing: new FakeOrderPricing({ beer: 1200 }), loyalty: new FakeLoyaltyLedger() } },
    );
    await fleet.services.registry.registerDevice({
      thingName: CART.thingName,
      kind: 'cart',
      hardwareModel: 'SC-200',
      storeId: STORE,
    });
    li = await apiUser(fleet, 'att-li', 'attendant', { storeIds: [STORE] });
    wang = await apiUser(fleet, 'att-wang', 'attendant', { storeIds: [STORE] });
    liCode = (await apiAs(fleet, li.token).post('/api/attendants/staff-code')).json().code;
  });
  beforeEach(() => {
    session++;
  });
  after(async () => {
    await fleet?.stop();
    dir?.cleanup();
  });

  it('the right code of the person the cart named: approved by them, audited as theirs, no flag', async () => {
    const sessionId = `s-${session}`;
    const request = await fleet.services.attendants.call(CART, offlineCall(sessionId, liCode, li.userId));
    assert.equal(request.state, 'approved');
    assert.deepEqual([request.resolvedBy, request.resolvedVia], [li.userId, 'staff-code']);
    assert.deepEqual(request.offlineApproval, {
      userId: li.userId,
      at: Date.parse('2026-03-11T10:00:00+08:00'),
      refusal: null,
    });
    assert.match(request.note ?? '', /offline/);
    assert.equal(audited('attendant.offline-approval', request.id)?.actor.id, li.userId);
    const { order: placed } = await order(sessionId);
    await fleet.services.offlineApprovalFlags.settled();
    assert.deepEqual(await flags(placed.id), []);
    assert.equal(fleet.services.attendants.get(request.id)?.orderId, null);
  });

  for (const [what, code, claimed] of [
    ['a wrong code', () => String((Number(liCode) + 1) % 1e6).padStart(6, '0'), () => li.userId],
    ['Li’s code claimed as Wang’s', () => liCode, () => wang.userId],
    ['no code at all', () => undefined, () => li.userId],
  ] as const) {
    it(`${what}: refused, left open in the queue, audited by the cart`, async () => {
      const sessionId = `s-${session}`;
      const request = await fleet.services.attendants.call(CART, offlineCall(sessionId, code(), claimed()));
      assert.equal(request.state, 'open');
      assert.equal(request.resolvedBy, null);
      assert.equal(request.offlineApproval?.refusal, 'STAFF_CODE_INVALID');
      assert.match(
        request.details,
        /^Approved on the cart offline; the fleet refused the staff code \(STAFF_CODE_INVALID\)/,
      );
      assert.deepEqual(audited('attendant.offline-approval-refused', request.id)?.actor, {
        id: null,
        username: CART.thingName,
      });
    });
  }

  it('a refusal arriving before its order: the order, when it comes, is flagged and the call tied to it', async () => {
    const sessionId = `s-${session}`;
    const request = await fleet.services.attendants.call(CART, offlineCall(sessionId, '000000', li.userId));
    await fleet.services.offlineApprovalFlags.settled();
    assert.equal(fleet.services.attendants.get(request.id)?.orderId, null, 'no order yet');
    const { order: placed } = await order(sessionId);
    await eventually(() => fleet.services.attendants.get(request.id)?.orderId === placed.id, 5000, 'tied');
    const [flag, ...more] = await flags(placed.id);
    assert.deepEqual(more, []);
    assert.equal(flag.details.requestId, request.id);
    assert.equal(flag.from, flag.to, 'the order’s state does not move');
  });

  it('a refusal arriving after its order: flagged at once; another trip’s order is not', async () => {
    const sessionId = `s-${session}`;
    const { order: other } = await order(`${sessionId}-other`);
    const { order: placed } = await order(sessionId);
    const request = await fleet.services.attendants.call(CART, offlineCall(sessionId, '000000', li.userId));
    await eventually(() => fleet.services.attendants.get(request.id)?.orderId === placed.id, 5000, 'tied');
    assert.equal((await flags(placed.id)).length, 1);
    assert.deepEqual(await flags(other.id), []);
  });
});
