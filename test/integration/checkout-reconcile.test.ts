import assert from 'node:assert/strict';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createPricingContext, priceBasket } from '../../commerce/pricing-engine.ts';
import { FleetServer } from '../../fleet/fleet-server.ts';
import type { LoyaltyLedger } from '../../fleet/orders/commerce-ports.ts';
import { ServiceLoyaltyLedger } from '../../fleet/orders/loyalty-ledger.ts';
import { silentLogger } from '../../platform/log.ts';
import type { MemberContext } from '../../protocol/commerce/loyalty.ts';
import type { PricingSnapshot } from '../../protocol/commerce/snapshot.ts';
import { loadDemoCatalog } from '../../sim/demo-catalog.ts';
import { loadDemoMembers } from '../../sim/demo-members.ts';
import { CommerceCart, registerCart, submission } from '../helpers/commerce-cart.ts';
import { eventually, startFleet, tempDir, testConfig } from '../helpers/fleet-harness.ts';
import { FakeClock } from '../mocks/fake-clock.ts';

const STORE = 'hf-shanghai-xuhui';
const MEMBER = 'demo-m-05';

/**
 * The reconcile `OrderService` runs at start: a fleet stops after an order's payment and its points' capture but
 * before the points are earned (the loyalty port fails there, then the fleet is stopped: a crash between the steps);
 * the next start on the same data dir finishes the order's points, once.
 */
describe('checkout: a stop between payment and points is finished at the next start', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer | undefined;
  let cart: CommerceCart | undefined;

  after(async () => {
    cart?.end();
    await fleet?.stop();
    dir?.cleanup();
  });

  it('captured but not earned before the stop; earned once after the restart', async () => {
    dir = tempDir();
    const dataDir = join(dir.path, 'fleet');
    const clock = new FakeClock(Date.parse('2026-03-11T10:00:00+08:00'));
    let crashed = 0;
    // The real ledger, failing on earn: what a process killed between capture and earn leaves behind.
    const real = () => new ServiceLoyaltyLedger(fleet!.services.loyalty);
    const crashing: LoyaltyLedger = {
      login: (...a) => real().login(...a),
      member: (...a) => real().member(...a),
      hold: (h) => real().hold(h),
      capture: (orderId) => real().capture(orderId),
      release: (orderId) => real().release(orderId),
      reverse: (r) => real().reverse(r),
      earn: async () => {
        crashed++;
        throw new Error('simulated crash between capture and earn');
      },
    };
    fleet = await startFleet(dataDir, { seedDemoData: true }, { clock, extensions: { loyalty: crashing } });
    await loadDemoCatalog(fleet.services);
    await loadDemoMembers(fleet.services.loyalty, [STORE]);
    await fleet.services.pricing.flush();
    const version = fleet.services.pricing.currentVersion(STORE)!;
    const context = createPricingContext(
      JSON.parse(gunzipSync(fleet.services.pricing.bytes(STORE, version)!).toString('utf8')) as PricingSnapshot,
    );
    cart = await CommerceCart.connect(fleet, await registerCart(fleet, 'cart-k1', STORE));
    const code = fleet.services.loyalty.currentCode(MEMBER).code;
    const login = await cart.request('member-login', { code });
    assert.equal(login.reply, 'accepted', JSON.stringify(login.payload));
    const member = login.payload.member as MemberContext;
    const lines = [{ lineId: 'l1', sku: 'DAIRY-MILK-1-1', quantity: 3, weightG: null, scannedAt: clock.now() }];
    const priced = priceBasket(context, { lines, member, couponIds: [], pointsToRedeem: 100, at: clock.now() });
    const sub = submission(STORE, [{ sku: 'DAIRY-MILK-1-1', quantity: 3, cartNetFen: priced.totalFen }], {
      member: { memberNumber: member.memberNumber, code: null },
      pointsToRedeem: 100,
      snapshotVersion: version,
      cartPayableFen: priced.payableFen,
    });
    sub.lines[0]!.scannedAt = clock.now();
    const answer = await cart.request('order-submit', { order: sub });
    assert.equal(answer.reply, 'accepted', JSON.stringify(answer.payload));
    const { orderId, payUrl } = answer.payload.order as { orderId: string; payUrl: string };
    await fetch(payUrl, { method: 'POST', redirect: 'manual', body: '' });
    await eventually(() => crashed > 0, 5000, 'the simulated crash');
    const kinds = () =>
      (
        fleet!.services.db
          .prepare('SELECT kind, points FROM points_entries WHERE order_id = ? ORDER BY id')
          .all(orderId) as { kind: string; points: number }[]
      ).map((r) => `${r.kind}:${r.points}`);
    assert.equal(fleet.services.orders.get(orderId).state, 'paid');
    assert.deepEqual(kinds(), ['redeem-hold:-100', 'redeem-capture:0']);
    cart.end();
    cart = undefined;
    await fleet.stop();

    // The next start, with the fleet's own ledger: the order's points are finished by the reconcile.
    fleet = new FleetServer(testConfig(dataDir, { seedDemoData: true }), silentLogger(), clock);
    await fleet.start();
    await fleet.services.orders.ready;
    assert.deepEqual(kinds(), ['redeem-hold:-100', 'redeem-capture:0', `earn:${priced.points.earned}`]);
    const order = fleet.services.orders.get(orderId);
    assert.equal(order.pointsEarned, priced.points.earned);
    assert.ok(priced.points.earned > 0);
    // Once: another reconcile finds nothing left.
    assert.equal(await fleet.services.orders.reconcile(), 0);
    assert.equal(kinds().length, 3);
  });
});
