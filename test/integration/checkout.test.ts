import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { signSandboxNotification } from '../../fleet/payments/sandbox-signature.ts';
import { commerceTopics } from '../../protocol/commerce/commerce-topics.ts';
import { CommerceCart, registerCart, submission } from '../helpers/commerce-cart.ts';
import { apiAs, apiUser, eventually, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { FakeLoyaltyLedger } from '../mocks/fake-loyalty-ledger.ts';
import { FakeOrderPricing } from '../mocks/fake-order-pricing.ts';

const STORE = 'hf-shanghai-xuhui';

describe('checkout: a cart over MQTT, the sandbox pay page, signed notifications, receipt and exit (real fleet)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let cart: CommerceCart;
  let pricing: FakeOrderPricing;
  let loyalty: FakeLoyaltyLedger;
  let base: string;
  let manager: Awaited<ReturnType<typeof apiUser>>;

  before(async () => {
    dir = tempDir();
    pricing = new FakeOrderPricing({ milk: 650, beer: 1200, bread: 900 });
    loyalty = new FakeLoyaltyLedger();
    loyalty.addMember('10000001', 500);
    fleet = await startFleet(join(dir.path, 'fleet'), { seedDemoData: true }, { extensions: { pricing, loyalty } });
    base = `http://127.0.0.1:${fleet.services.http.port}`;
    cart = await CommerceCart.connect(fleet, await registerCart(fleet, 'cart-c1', STORE));
    await registerCart(fleet, 'cart-c2', STORE);
    manager = await apiUser(fleet, 'xuhui-mgr', 'store-manager', { storeIds: [STORE] });
  });

  after(async () => {
    cart?.end();
    await fleet?.stop();
    dir?.cleanup();
  });

  /** What bad input must leave untouched: the rows of every checkout table. */
  function rows() {
    const { db } = fleet.services;
    const all = (sql: string) => db.prepare(sql).all();
    return {
      orders: all('SELECT * FROM orders ORDER BY id'),
      events: all('SELECT * FROM order_events ORDER BY id'),
      payments: all('SELECT * FROM payments ORDER BY id'),
      nonces: all('SELECT * FROM payment_nonces ORDER BY nonce'),
      refunds: all('SELECT * FROM order_refunds ORDER BY id'),
      ledger: JSON.parse(JSON.stringify(loyalty.entries)),
    };
  }

  async function submitOrder(
    sub = submission(STORE, [
      { sku: 'milk', cartNetFen: 650 },
      { sku: 'bread', cartNetFen: 900 },
    ]),
  ) {
    const answer = await cart.request('order-submit', { order: sub });
    assert.equal(answer.reply, 'accepted', JSON.stringify(answer.payload));
    return { sub, status: answer.payload.order as Record<string, unknown> };
  }

  async function pay(payUrl: string): Promise<Response> {
    return fetch(payUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
  }

  it('submit → awaiting payment → pay page → signed notification → paid, pushed to the cart → receipt PAID → exit verified', async () => {
    const { status } = await submitOrder();
    assert.equal(status.state, 'awaiting_payment');
    assert.equal(status.payableFen, 1550);
    const payUrl = status.payUrl as string;
    assert.match(payUrl, /^http:\/\/127\.0\.0\.1:\d+\/pay\/pay_[a-z2-7]{26}$/);

    const page = await fetch(`${payUrl}?lang=en`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /¥15\.50/);
    assert.match(html, /<button type="submit">Pay<\/button>/);

    // Before paying, the receipt shows NOT PAID and the exit check refuses.
    const receiptUrl = status.receiptUrl as string;
    assert.match(await (await fetch(`${receiptUrl}&lang=en`)).text(), /NOT PAID/);
    const early = await apiAs(fleet, manager.token).post(`/api/orders/${status.orderId}/verify-exit`);
    assert.equal(early.json().code, 'ORDER_STATE_INVALID');

    const paid = await pay(payUrl);
    assert.equal(paid.status, 303);
    const pushed = await eventually(
      () => cart.notifications('order-status').find((n) => n.orderId === status.orderId && n.state === 'paid'),
      5000,
      'notify/order-status paid',
    );
    assert.equal(pushed.payUrl, null);
    assert.match(await (await fetch(`${payUrl}?lang=en`)).text(), /banner paid">Paid/);
    const receipt = await (await fetch(`${receiptUrl}&lang=en`)).text();
    assert.match(receipt, /banner paid">PAID</);
    assert.match(receipt, /Product milk/);
    assert.doesNotMatch(receipt, /NOT PAID/);
    // A wrong token opens nothing.
    const forged = await fetch(`${base}/receipt/${status.orderId}?t=${'A'.repeat(22)}`);
    assert.equal(forged.status, 404);

    const exit = await apiAs(fleet, manager.token).post(`/api/orders/${status.orderId}/verify-exit`);
    assert.equal(exit.statusCode, 200, exit.body);
    assert.equal(exit.json().state, 'exit_verified');
    const detail = (await apiAs(fleet, manager.token).get(`/api/orders/${status.orderId}`)).json();
    assert.deepEqual(
      detail.events.map(
        (e: { from: string | null; to: string; actorKind: string }) => `${e.from}>${e.to}:${e.actorKind}`,
      ),
      ['null>open:thing', 'open>awaiting_payment:thing', 'awaiting_payment>paid:provider', 'paid>exit_verified:user'],
    );
  });

  it('a duplicate submit answers the same order (no second payment); other content under the key is ORDER_IDEMPOTENCY_CONFLICT', async () => {
    const { sub, status } = await submitOrder();
    const before = rows();
    const again = await cart.request('order-submit', { order: sub });
    assert.equal(again.reply, 'accepted');
    assert.equal((again.payload.order as { orderId: string }).orderId, status.orderId);
    assert.equal(again.payload.duplicate, true);
    assert.deepEqual(rows(), before);

    const other = { ...sub, lines: [{ ...sub.lines[0]!, quantity: 2, cartNetFen: 1300 }], cartTotalFen: 1300 };
    const conflict = await cart.request('order-submit', { order: other });
    assert.equal(conflict.reply, 'rejected');
    assert.equal(conflict.payload.code, 'ORDER_IDEMPOTENCY_CONFLICT');
    assert.deepEqual(rows(), before);
  });

  it('a cart price lower than the rules allow is ORDER_PRICE_BELOW_RULES and creates nothing', async () => {
    const before = rows();
    const answer = await cart.request('order-submit', {
      order: submission(STORE, [{ sku: 'beer', cartNetFen: 1100 }]),
    });
    assert.equal(answer.reply, 'rejected');
    assert.equal(answer.payload.code, 'ORDER_PRICE_BELOW_RULES');
    assert.deepEqual(rows(), before);
  });

  it('malformed payloads are rejected with their code and the clientToken', async () => {
    cart.client.publish(commerceTopics.request('cart-c1', 'order-submit'), '{not json', { qos: 1 });
    const bad = await cart.answer('order-submit', null);
    assert.equal(bad.payload.code, 'PAYLOAD_INVALID_JSON');
    const schema = await cart.request('order-submit', { order: { idempotencyKey: 'x' } }, 'tok-schema');
    assert.deepEqual(
      [schema.reply, schema.payload.code, schema.payload.clientToken],
      ['rejected', 'PAYLOAD_SCHEMA', 'tok-schema'],
    );
  });

  describe('payment notifications: each bad one is refused with its code and changes nothing', () => {
    let payment: { paymentId: string; orderId: string; amountFen: number };
    const key = () => fleet.services.sandbox as unknown as { options: { key: Buffer } };
    // One paidAt: a body is built twice (once to send, once to sign) and must be the same text both times.
    const paidAt = Date.now();
    const body = (over: Record<string, unknown> = {}) =>
      JSON.stringify({ ...payment, status: 'SUCCESS', transactionId: 'tx-1', paidAt, ...over });
    const post = (raw: string, headers: Record<string, string>) =>
      fetch(`${base}/api/payments/sandbox/notify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: raw,
      });
    const signed = (raw: string, opts: { k?: Buffer; ts?: number; nonce?: string } = {}) => {
      const ts = String(Math.floor((opts.ts ?? Date.now()) / 1000));
      const nonce = opts.nonce ?? randomBytes(12).toString('base64url');
      return {
        'x-sandbox-timestamp': ts,
        'x-sandbox-nonce': nonce,
        'x-sandbox-signature': signSandboxNotification(opts.k ?? key().options.key, ts, nonce, raw),
      };
    };

    before(async () => {
      const { status } = await submitOrder();
      const order = fleet.services.orders.get(status.orderId as string);
      payment = { paymentId: order.payment!.paymentId, orderId: order.id, amountFen: order.payment!.amountFen };
    });

    it('bad signature, old timestamp, wrong amount, unknown payment', async () => {
      const before = rows();
      const cases: [string, Record<string, string>, string, number][] = [
        [body(), signed(body(), { k: randomBytes(32) }), 'PAYMENT_SIGNATURE_INVALID', 401],
        [body(), { ...signed(body()), 'x-sandbox-signature': '' }, 'PAYMENT_SIGNATURE_INVALID', 401],
        [body(), signed(body(), { ts: Date.now() - 301_000 }), 'PAYMENT_TIMESTAMP_INVALID', 401],
        [body({ amountFen: 1 }), signed(body({ amountFen: 1 })), 'PAYMENT_AMOUNT_MISMATCH', 409],
        [
          body({ paymentId: `pay_${'a'.repeat(26)}` }),
          signed(body({ paymentId: `pay_${'a'.repeat(26)}` })),
          'PAYMENT_NOT_FOUND',
          404,
        ],
      ];
      for (const [raw, headers, code, httpStatus] of cases) {
        const r = await post(raw, headers);
        assert.deepEqual([r.status, ((await r.json()) as { code: string }).code], [httpStatus, code], code);
      }
      assert.deepEqual(rows(), before);
      assert.equal(fleet.services.orders.get(payment.orderId).state, 'awaiting_payment');
    });

    it('a valid one pays once; its replay is PAYMENT_REPLAYED; a retry with a fresh nonce answers SUCCESS and changes nothing', async () => {
      const raw = body();
      const headers = signed(raw);
      const first = await post(raw, headers);
      assert.deepEqual([first.status, await first.json()], [200, { code: 'SUCCESS', message: 'OK' }]);
      assert.equal(fleet.services.orders.get(payment.orderId).state, 'paid');
      const before = rows();
      const replay = await post(raw, headers);
      assert.deepEqual([replay.status, ((await replay.json()) as { code: string }).code], [409, 'PAYMENT_REPLAYED']);
      assert.deepEqual(rows(), before);
      const retry = await post(raw, signed(raw));
      assert.deepEqual([retry.status, await retry.json()], [200, { code: 'SUCCESS', message: 'already processed' }]);
      const after = rows();
      assert.equal(after.nonces.length, before.nonces.length + 1);
      assert.deepEqual({ ...after, nonces: [] }, { ...before, nonces: [] });
    });
  });

  it('a member order earns points when paid; a refund reverses them through loyalty and the provider', async () => {
    const login = await cart.request('member-login', { code: 'CFM1.10000001.123456' });
    assert.equal(login.reply, 'accepted', JSON.stringify(login.payload));
    const sub = submission(
      STORE,
      [
        { sku: 'beer', quantity: 2, cartNetFen: 2400 },
        { sku: 'milk', cartNetFen: 650 },
      ],
      {
        member: { memberNumber: '10000001', code: null },
        pointsToRedeem: 50,
      },
    );
    const { status } = await submitOrder(sub);
    assert.equal(status.payableFen, 3050 - 50);
    assert.equal(loyalty.balance('m-10000001'), 450, 'the 50 points are held');
    await pay(status.payUrl as string);
    await eventually(
      () => fleet.services.orders.get(status.orderId as string).pointsEarned === 30,
      5000,
      'points earned',
    );
    assert.equal(loyalty.balance('m-10000001'), 480);

    const refund = await apiAs(fleet, manager.token).post(`/api/orders/${status.orderId}/refund`, {
      lines: [{ lineId: 'l1' }],
      reason: 'beer returned',
    });
    assert.equal(refund.statusCode, 200, refund.body);
    assert.equal(refund.json().state, 'partially_refunded');
    const reversals = loyalty.entries.filter((e) => e.kind === 'reversal');
    assert.deepEqual(
      reversals.map((e) => e.points),
      [-Math.floor((30 * 2400) / 3050)],
    );
    const refundRow = fleet.services.db
      .prepare('SELECT * FROM order_refunds WHERE order_id = ?')
      .get(status.orderId) as {
      amount_fen: number;
      points_reversed: number;
    };
    assert.deepEqual([refundRow.amount_fen, refundRow.points_reversed], [Math.round((2400 * 3000) / 3050), 23]);

    const before = rows();
    const over = await apiAs(fleet, manager.token).post(`/api/orders/${status.orderId}/refund`, {
      lines: [{ lineId: 'l1', amountFen: 1 }],
      reason: 'again',
    });
    assert.equal(over.json().code, 'REFUND_INVALID');
    assert.deepEqual(rows(), before);
  });

  it('a cart publishing on another cart’s topic is disconnected and nothing is processed (its own topic works)', async () => {
    const other = await CommerceCart.connect(fleet, await registerCart(fleet, 'cart-c3', STORE));
    const before = rows();
    const closed = new Promise<void>((resolve) => other.client.once('close', () => resolve()));
    other.client.publish(
      commerceTopics.request('cart-c2', 'order-submit'),
      JSON.stringify({ clientToken: 'x', order: submission(STORE, [{ sku: 'milk', cartNetFen: 650 }]) }),
      { qos: 1 },
    );
    await closed;
    other.end();
    assert.deepEqual(rows(), before);
    // Positive control: the same request on cart-c1's own topic is processed.
    const own = await cart.request('order-submit', { order: submission(STORE, [{ sku: 'milk', cartNetFen: 650 }]) });
    assert.equal(own.reply, 'accepted');
    assert.equal(rows().orders.length, before.orders.length + 1);
  });
});
