import assert from 'node:assert/strict';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createPricingContext, type PricingContext, priceBasket } from '../../commerce/pricing-engine.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type { PricedBasket } from '../../protocol/commerce/basket.ts';
import type { MemberContext } from '../../protocol/commerce/loyalty.ts';
import type { OrderSubmission } from '../../protocol/commerce/orders.ts';
import type { PricingSnapshot } from '../../protocol/commerce/snapshot.ts';
import { demoCatalog, loadDemoCatalog } from '../../sim/demo-catalog.ts';
import { loadDemoMembers } from '../../sim/demo-members.ts';
import { CommerceCart, registerCart, submission } from '../helpers/commerce-cart.ts';
import { apiAs, apiUser, eventually, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { FakeClock } from '../mocks/fake-clock.ts';

const STORE = 'hf-shanghai-xuhui';
/** A Wednesday morning in Shanghai: the weekday yogurt offer runs, the weekend beer happy hour does not. */
const WEDNESDAY = Date.parse('2026-03-11T10:00:00+08:00');
const ZHANG = 'demo-m-01';
const PAYMENT_TIMEOUT_MS = 60_000;

const catalog = demoCatalog();
const skuOf = (categoryId: string) => catalog.products.find((p) => p.categoryId === categoryId)!.sku;
const YOGURT = skuOf('dairy-yogurt');
const WINE = skuOf('alcohol-wine');
const MILK = 'DAIRY-MILK-1-1';
const BREAD = skuOf('bakery-bread');

interface LedgerRow {
  kind: string;
  points: number;
  member_id: string;
  order_id: string | null;
}

/**
 * Checkout with every real part: the demo catalog and loyalty program loaded through the fleet's own services, the
 * pricing snapshot built by the fleet, the member logged in over MQTT with a real TOTP code, the order recomputed by
 * the pricing engine, points and coupons held, captured, earned and reversed in the real ledger, payment through
 * the sandbox provider's signed notification. The fleet runs on a fake clock pinned to a Wednesday morning.
 */
describe('checkout with every real part (engine, snapshots, loyalty ledger, sandbox provider, MQTT)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let clock: FakeClock;
  let fleet: FleetServer;
  let cart: CommerceCart;
  let hq: Awaited<ReturnType<typeof apiUser>>;
  let manager: Awaited<ReturnType<typeof apiUser>>;
  let context: PricingContext;
  let couponId: string;

  before(async () => {
    dir = tempDir();
    clock = new FakeClock(WEDNESDAY);
    fleet = await startFleet(
      join(dir.path, 'fleet'),
      { seedDemoData: true, orders: { paymentTimeoutMs: PAYMENT_TIMEOUT_MS, expirySweepMs: 1000 } },
      { clock },
    );
    await loadDemoCatalog(fleet.services);
    await loadDemoMembers(fleet.services.loyalty, [STORE]);
    // The rebuild the catalog and loyalty changes scheduled, without waiting for its debounce.
    await fleet.services.pricing.flush();
    const version = fleet.services.pricing.currentVersion(STORE)!;
    const snapshot = JSON.parse(
      gunzipSync(fleet.services.pricing.bytes(STORE, version)!).toString('utf8'),
    ) as PricingSnapshot;
    assert.deepEqual(
      snapshot.tiers.map((t) => t.id),
      ['gold', 'silver', 'standard'],
      'the snapshot carries the loyalty program',
    );
    context = createPricingContext(snapshot);
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    manager = await apiUser(fleet, 'xuhui-mgr', 'store-manager', { storeIds: [STORE] });
    const coupon = await apiAs(fleet, hq.token).post('/api/coupons', {
      memberId: ZHANG,
      promotionId: 'wine-coupon-30',
      validFrom: WEDNESDAY - 86_400_000,
      validTo: WEDNESDAY + 30 * 86_400_000,
    });
    assert.equal(coupon.statusCode, 201, coupon.body);
    couponId = coupon.json().id;
    cart = await CommerceCart.connect(fleet, await registerCart(fleet, 'cart-r1', STORE));
  });

  after(async () => {
    cart?.end();
    await fleet?.stop();
    dir?.cleanup();
  });

  const ledger = (orderId?: string): LedgerRow[] =>
    fleet.services.db
      .prepare(
        `SELECT kind, points, member_id, order_id FROM points_entries ${orderId ? 'WHERE order_id = ?' : ''} ORDER BY id`,
      )
      .all(...(orderId ? [orderId] : [])) as LedgerRow[];
  const balance = () => fleet.services.loyalty.points.balance('demo-family-zhang');
  const couponState = () => fleet.services.loyalty.coupons.get(couponId).state;
  const orderCount = () => (fleet.services.db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n;

  /** The member logs in over MQTT with the code their app shows now (RFC 6238 TOTP on the fleet clock). */
  async function login(): Promise<MemberContext> {
    const code = await apiAs(fleet, hq.token).get(`/api/members/${ZHANG}/code`);
    assert.equal(code.statusCode, 200, code.body);
    const answer = await cart.request('member-login', { code: code.json().code });
    assert.equal(answer.reply, 'accepted', JSON.stringify(answer.payload));
    return answer.payload.member as MemberContext;
  }

  /** What the cart does at checkout: prices its basket with the same engine and the snapshot it holds. */
  function cartOrder(
    member: MemberContext | null,
    lines: { sku: string; quantity?: number }[],
    options: { couponIds?: string[]; pointsToRedeem?: number } = {},
  ): { sub: OrderSubmission; priced: PricedBasket } {
    const input = lines.map((l, i) => ({
      lineId: `l${i + 1}`,
      sku: l.sku,
      quantity: l.quantity ?? 1,
      weightG: null,
      barcode: null,
      scannedAt: clock.now(),
    }));
    const priced = priceBasket(context, {
      lines: input,
      member,
      couponIds: options.couponIds ?? [],
      pointsToRedeem: options.pointsToRedeem ?? 0,
      at: clock.now(),
    });
    const base = submission(
      STORE,
      priced.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, cartNetFen: l.netFen })),
      {
        member: member ? { memberNumber: member.memberNumber, code: null } : null,
        couponIds: options.couponIds ?? [],
        pointsToRedeem: options.pointsToRedeem ?? 0,
        snapshotVersion: context.snapshot.version,
        cartPayableFen: priced.payableFen,
        createdAt: clock.now(),
      },
    );
    return { sub: { ...base, lines: base.lines.map((l, i) => ({ ...l, scannedAt: input[i]!.scannedAt })) }, priced };
  }

  async function submit(sub: OrderSubmission) {
    const answer = await cart.request('order-submit', { order: sub });
    assert.equal(answer.reply, 'accepted', JSON.stringify(answer.payload));
    return answer.payload.order as { orderId: string; state: string; payableFen: number; payUrl: string };
  }

  const pay = (payUrl: string) =>
    fetch(payUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });

  it('a member order with a promotion, a coupon and points: recomputed, held, paid, captured and earned; a refund reverses them', async () => {
    const member = await login();
    assert.equal(member.memberId, ZHANG);
    assert.ok(member.coupons.some((c) => c.id === couponId));
    const startBalance = balance();
    const { sub, priced } = cartOrder(member, [{ sku: YOGURT, quantity: 2 }, { sku: WINE }, { sku: MILK }], {
      couponIds: [couponId],
      pointsToRedeem: 300,
    });
    // The engine applied what the test means to exercise.
    assert.deepEqual(priced.promotions.map((p) => p.promotionId).sort(), [
      'members-milk',
      'wine-coupon-30',
      'yogurt-weekdays-20',
    ]);
    assert.equal(priced.points.redeemedValueFen, 300);
    assert.ok(priced.points.earned > 0);

    const status = await submit(sub);
    assert.equal(status.state, 'awaiting_payment');
    assert.equal(status.payableFen, priced.payableFen);
    const order = fleet.services.orders.get(status.orderId);
    assert.equal(order.priceAudit, null, 'the fleet priced exactly what the cart showed');
    assert.deepEqual(order.couponIds, [couponId]);
    // Lines name their product and their discounts' promotions, from the catalog and the promotions of now.
    for (const orderLine of order.lines) {
      assert.deepEqual(orderLine.name, fleet.services.catalog.getProduct(orderLine.sku).name);
      for (const d of orderLine.discounts) {
        assert.deepEqual(d.promotionName, fleet.services.promotions.repository.get(d.promotionId)?.promotion.name);
        assert.ok(d.promotionName?.en, `promotion ${d.promotionId} named`);
      }
    }
    assert.ok(
      order.lines.some((l) => l.discounts.length > 0),
      'a line with a discount (positive control)',
    );
    // Held: 300 points out of the family pool, the coupon taken by this order.
    assert.deepEqual(
      ledger(order.id).map((r) => [r.kind, r.points]),
      [['redeem-hold', -300]],
    );
    assert.equal(balance(), startBalance - 300);
    assert.equal(couponState(), 'held');

    assert.equal((await pay(status.payUrl)).status, 303);
    await eventually(
      () => fleet.services.orders.get(order.id).pointsEarned === priced.points.earned,
      5000,
      'points earned',
    );
    assert.deepEqual(
      ledger(order.id).map((r) => [r.kind, r.points, r.member_id]),
      [
        ['redeem-hold', -300, ZHANG],
        ['redeem-capture', 0, ZHANG],
        ['earn', priced.points.earned, ZHANG],
      ],
    );
    assert.equal(couponState(), 'used');
    assert.equal(balance(), startBalance - 300 + priced.points.earned);

    const refund = await apiAs(fleet, manager.token).post(`/api/orders/${order.id}/refund`, { reason: 'returned' });
    assert.equal(refund.statusCode, 200, refund.body);
    assert.equal(refund.json().state, 'refunded');
    assert.deepEqual(
      ledger(order.id)
        .slice(3)
        .map((r) => [r.kind, r.points]),
      [
        ['earn-reversal', -priced.points.earned],
        ['redeem-refund', 300],
      ],
    );
    assert.equal(balance(), startBalance);
  });

  it('a cart claiming less than its snapshot’s rules is ORDER_PRICE_BELOW_RULES and holds nothing', async () => {
    const coupon = await fleet.services.loyalty.coupons.issue(
      { memberId: ZHANG, promotionId: 'wine-coupon-30', validFrom: WEDNESDAY - 1000, validTo: WEDNESDAY + 86_400_000 },
      null,
    );
    const member = await login();
    const { sub } = cartOrder(member, [{ sku: WINE }, { sku: BREAD }], { couponIds: [coupon.id], pointsToRedeem: 100 });
    const cheaper = {
      ...sub,
      lines: sub.lines.map((l, i) => (i === 1 ? { ...l, cartNetFen: l.cartNetFen - 10 } : l)),
      cartTotalFen: sub.cartTotalFen - 10,
    };
    const before = { ledger: ledger(), orders: orderCount(), coupon: fleet.services.loyalty.coupons.get(coupon.id) };
    const refused = await cart.request('order-submit', { order: cheaper });
    assert.deepEqual([refused.reply, refused.payload.code], ['rejected', 'ORDER_PRICE_BELOW_RULES']);
    assert.deepEqual(
      { ledger: ledger(), orders: orderCount(), coupon: fleet.services.loyalty.coupons.get(coupon.id) },
      before,
    );
    // Positive control: the same basket at its rules' prices is taken and holds the points and the coupon.
    const status = await submit(sub);
    assert.deepEqual(
      ledger(status.orderId).map((r) => [r.kind, r.points]),
      [['redeem-hold', -100]],
    );
    assert.equal(fleet.services.loyalty.coupons.get(coupon.id).state, 'held');
    await cart.request('order-cancel', { orderId: status.orderId });
  });

  it('POST /api/quote prices a basket with the engine for a member: promotions, member price and points', async () => {
    const quote = await apiAs(fleet, manager.token).post('/api/quote', {
      storeId: STORE,
      memberNumber: '80000001',
      lines: [
        { lineId: 'a', sku: YOGURT, quantity: 3, weightG: null, scannedAt: clock.now() },
        { lineId: 'b', sku: MILK, quantity: 2, weightG: null, scannedAt: clock.now() },
      ],
    });
    assert.equal(quote.statusCode, 200, quote.body);
    const basket = quote.json() as PricedBasket;
    const member = fleet.services.loyalty.memberContext(fleet.services.loyalty.member(ZHANG), STORE, clock.now());
    const expected = priceBasket(context, {
      lines: [
        { lineId: 'a', sku: YOGURT, quantity: 3, weightG: null, scannedAt: clock.now() },
        { lineId: 'b', sku: MILK, quantity: 2, weightG: null, scannedAt: clock.now() },
      ],
      member,
      couponIds: [],
      pointsToRedeem: 0,
      at: clock.now(),
    });
    assert.deepEqual(basket.promotions.map((p) => p.promotionId).sort(), ['members-milk', 'yogurt-weekdays-20']);
    assert.equal(basket.lines[1]!.netFen, 2 * 990, 'the member price of milk');
    assert.deepEqual([basket.totalFen, basket.points.earned], [expected.totalFen, expected.points.earned]);
    // Without the member: no member price, no points.
    const anonymous = await apiAs(fleet, manager.token).post('/api/quote', {
      storeId: STORE,
      lines: [{ lineId: 'b', sku: MILK, quantity: 2, weightG: null, scannedAt: clock.now() }],
    });
    assert.equal(anonymous.json().points.earned, 0);
    assert.ok(anonymous.json().totalFen > 2 * 990);
    const unknown = await apiAs(fleet, manager.token).post('/api/quote', {
      storeId: STORE,
      lines: [{ lineId: 'b', sku: 'NO-SUCH-SKU', quantity: 1, weightG: null, scannedAt: clock.now() }],
    });
    assert.equal(unknown.json().code, 'PRODUCT_NOT_FOUND');
  });

  describe('a valid payment notification after the order expired', () => {
    const notify = (order: { id: string; payment: { paymentId: string; amountFen: number } | null }, tx: string) =>
      fleet.services.sandbox.notify(
        JSON.stringify({
          paymentId: order.payment!.paymentId,
          orderId: order.id,
          amountFen: order.payment!.amountFen,
          status: 'SUCCESS',
          transactionId: tx,
          paidAt: clock.now(),
        }),
        clock.now(),
      );

    async function expiredOrder(options: { pointsToRedeem?: number } = {}) {
      const member = await login();
      const { sub, priced } = cartOrder(member, [{ sku: BREAD }, { sku: MILK }], options);
      const status = await submit(sub);
      await clock.advanceAsync(PAYMENT_TIMEOUT_MS + 1000);
      await eventually(() => fleet.services.orders.get(status.orderId).state === 'cancelled', 5000, 'expired');
      return { order: fleet.services.orders.get(status.orderId), priced };
    }

    it('is accepted into a paid order when nothing it held needs taking again (points earned once)', async () => {
      const { order, priced } = await expiredOrder();
      const answer = await notify(order, 'tx-late-accept');
      assert.deepEqual([answer.status, answer.body], [200, { code: 'SUCCESS', message: 'OK' }]);
      const paid = fleet.services.orders.get(order.id);
      assert.equal(paid.state, 'paid');
      assert.equal(paid.pointsEarned, priced.points.earned);
      assert.deepEqual(
        ledger(order.id).map((r) => [r.kind, r.points]),
        [['earn', priced.points.earned]],
      );
      const events = (await apiAs(fleet, manager.token).get(`/api/orders/${order.id}`)).json().events;
      assert.deepEqual(
        events.map((e: { from: string | null; to: string; reason: string | null }) => `${e.from}>${e.to}:${e.reason}`),
        [
          'null>open:null',
          'open>awaiting_payment:null',
          'awaiting_payment>cancelled:payment expired',
          'cancelled>paid:late payment accepted',
          'paid>paid:points settled',
        ],
      );
      // The provider's retry changes nothing.
      const retry = await notify(order, 'tx-late-accept');
      assert.deepEqual(retry.body, { code: 'SUCCESS', message: 'already processed' });
      assert.equal(ledger(order.id).length, 1);
      assert.deepEqual(fleet.services.sandbox.refundsOf(order.payment!.paymentId), []);
    });

    it('is refunded through the provider, automatically and once, when its redeemed points were released', async () => {
      const { order } = await expiredOrder({ pointsToRedeem: 100 });
      assert.deepEqual(
        ledger(order.id).map((r) => [r.kind, r.points]),
        [
          ['redeem-hold', -100],
          ['redeem-release', 100],
        ],
      );
      const answer = await notify(order, 'tx-late-refund');
      assert.deepEqual([answer.status, answer.body], [200, { code: 'SUCCESS', message: 'refunded' }]);
      assert.equal(fleet.services.orders.get(order.id).state, 'cancelled');
      const refunds = fleet.services.sandbox.refundsOf(order.payment!.paymentId);
      assert.deepEqual(
        refunds.map((r) => r.amountFen),
        [order.payment!.amountFen],
      );
      const payment = fleet.services.db
        .prepare('SELECT state, refunded_fen, provider_transaction_id FROM payments WHERE order_id = ?')
        .get(order.id);
      assert.deepEqual(payment, {
        state: 'refunded',
        refunded_fen: order.payment!.amountFen,
        provider_transaction_id: 'tx-late-refund',
      });
      const row = fleet.services.db
        .prepare('SELECT amount_fen, provider_refund_id, by_user FROM order_refunds WHERE order_id = ?')
        .all(order.id);
      assert.deepEqual(row, [
        { amount_fen: order.payment!.amountFen, provider_refund_id: refunds[0]!.refundId, by_user: 'fleet' },
      ]);
      // No points move: the hold stays released, nothing earned.
      assert.equal(ledger(order.id).length, 2);
      const retry = await notify(order, 'tx-late-refund');
      assert.deepEqual(retry.body, { code: 'SUCCESS', message: 'already processed' });
      assert.equal(fleet.services.sandbox.refundsOf(order.payment!.paymentId).length, 1);
    });
  });
});
