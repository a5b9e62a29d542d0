import assert from 'node:assert/strict';
import type { FleetEvents } from '../../../fleet/fleet-events.ts';
import { LatePayments } from '../../../fleet/orders/late-payments.ts';
import { OrderRepository } from '../../../fleet/orders/order-repository.ts';
import { OrderService } from '../../../fleet/orders/order-service.ts';
import { OrderSettlement } from '../../../fleet/orders/order-settlement.ts';
import { ReceiptLinks } from '../../../fleet/orders/receipt-links.ts';
import type { PaymentNotification, PaymentProvider } from '../../../fleet/payments/payment-provider.ts';
import { PaymentRepository } from '../../../fleet/payments/payment-repository.ts';
import { type Database, openDatabase } from '../../../fleet/storage/database.ts';
import { DatabaseWriter } from '../../../fleet/storage/database-writer.ts';
import { EventBus } from '../../../platform/event-bus.ts';
import { silentLogger } from '../../../platform/log.ts';
import { FleetError, isFleetError } from '../../../protocol/errors.ts';
import { submission } from '../../helpers/commerce-cart.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';
import { FakeLoyaltyLedger } from '../../mocks/fake-loyalty-ledger.ts';
import { FakeOrderPricing } from '../../mocks/fake-order-pricing.ts';

const STORE = 's1';

/**
 * Checkout's writes join their event-loop turn's group commit (DatabaseWriter `groupCommit`): what arrives in one
 * turn is written in one transaction, each write in its own savepoint. Idempotency, refusals and the audit must not
 * notice. Real SQLite file; pricing, loyalty and the provider are fakes (the provider's notification is the body as
 * given, its nonce a header).
 */
describe('checkout under group commit: submits and payment notifications of one turn share a transaction', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database;
  let clock: FakeClock;
  let writer: DatabaseWriter;
  let service: OrderService;
  let settlement: OrderSettlement;

  beforeEach(() => {
    dir = tempDir();
    db = openDatabase(dir.path, silentLogger(), { busyTimeoutMs: 0 });
    clock = new FakeClock();
    writer = new DatabaseWriter(db, { retryMinMs: 5, retryMaxMs: 50 }, silentLogger(), clock);
    let created = 0;
    const provider: PaymentProvider = {
      name: 'fake',
      async createPayment(_o, expiresAt) {
        created++;
        return { paymentId: `pay_${String(created).padStart(26, 'a')}`, payUrl: 'http://pay', expiresAt };
      },
      refund: async () => ({ refundId: 'r' }),
      verifyNotification: (headers, rawBody) => ({
        nonce: String(headers['x-nonce']),
        notification: JSON.parse(rawBody) as PaymentNotification,
      }),
    };
    const orders = new OrderRepository(db);
    const payments = new PaymentRepository(db);
    const loyalty = new FakeLoyaltyLedger();
    const bus = new EventBus<FleetEvents>(silentLogger());
    service = new OrderService(
      {
        orders,
        payments,
        writer,
        pricing: new FakeOrderPricing({ milk: 650, beer: 1200 }, clock.now() - 3_600_000),
        loyalty,
        provider,
        receipts: new ReceiptLinks(Buffer.alloc(32, 3), () => 'http://fleet'),
        staffCode: () => {
          throw new FleetError('STAFF_CODE_INVALID', 'none here');
        },
        memberVerified: () => true,
        storeName: () => 'Store 1',
        bus,
        clock,
        log: silentLogger(),
      },
      { paymentTimeoutMs: 900_000, expirySweepMs: 60_000 },
    );
    const now = () => clock.now();
    const late = new LatePayments({
      db,
      orders,
      payments,
      writer,
      provider,
      loyalty,
      service,
      now,
      log: silentLogger(),
    });
    settlement = new OrderSettlement({
      db,
      orders,
      payments,
      writer,
      provider,
      loyalty,
      service,
      late,
      now,
      nonceRetentionMs: 600_000,
    });
  });

  afterEach(() => {
    writer.stop();
    db.close();
    dir.cleanup();
  });

  const count = (sql: string, ...params: unknown[]) =>
    (db.prepare(`SELECT COUNT(*) AS n FROM ${sql}`).get(...params) as { n: number }).n;
  const transactions = () => writer.stats().transactions;

  /** The provider's notification that this order's payment was taken. */
  function notification(orderId: string, nonce: string, amountFen?: number) {
    const payment = service.get(orderId).payment!;
    const body: PaymentNotification = {
      paymentId: payment.paymentId,
      orderId,
      amountFen: amountFen ?? payment.amountFen,
      status: 'SUCCESS',
      transactionId: `tx-${nonce}`,
      paidAt: clock.now(),
    };
    return settlement.notification({ 'x-nonce': nonce }, JSON.stringify(body));
  }

  it('three carts and a resend in one turn: one transaction, three orders, the resend answered with its order', async () => {
    const before = transactions();
    const milk = submission(STORE, [{ sku: 'milk', cartNetFen: 650 }]);
    const [a, b, c, again] = await Promise.all([
      service.submit('cart-1', STORE, milk),
      service.submit('cart-2', STORE, submission(STORE, [{ sku: 'beer', cartNetFen: 1200 }])),
      service.submit('cart-3', STORE, milk),
      service.submit('cart-1', STORE, milk),
    ]);
    assert.equal(transactions() - before, 1, 'the three submits were one commit');
    assert.deepEqual(
      [a, b, c].map((r) => r.duplicate),
      [false, false, false],
    );
    assert.equal(again.duplicate, true);
    assert.equal(again.order.id, a.order.id);
    assert.deepEqual(
      [count('orders'), count('payments'), count("order_events WHERE to_state = 'awaiting_payment'")],
      [3, 3, 3],
    );
  });

  it('the same key with other content in the same turn: ORDER_IDEMPOTENCY_CONFLICT, the first order kept whole', async () => {
    const [first, other] = await Promise.allSettled([
      service.submit('cart-1', STORE, submission(STORE, [{ sku: 'milk', cartNetFen: 650 }], { idempotencyKey: 'k1' })),
      service.submit('cart-1', STORE, submission(STORE, [{ sku: 'beer', cartNetFen: 1200 }], { idempotencyKey: 'k1' })),
    ]);
    assert.equal(first.status, 'fulfilled');
    assert.ok(other.status === 'rejected' && isFleetError(other.reason, 'ORDER_IDEMPOTENCY_CONFLICT'));
    assert.equal(count('orders'), 1);
    assert.equal(
      service.record((first as PromiseFulfilledResult<{ order: { id: string } }>).value.order.id)?.totalFen,
      650,
    );
  });

  it('notifications of one turn: a replayed nonce and a wrong amount are refused alone; the others are paid', async () => {
    const orders = await Promise.all(
      ['cart-1', 'cart-2', 'cart-3', 'cart-4'].map((cart) =>
        service.submit(cart, STORE, submission(STORE, [{ sku: 'milk', cartNetFen: 650 }])),
      ),
    );
    const [o1, o2, o3, o4] = orders.map((r) => r.order.id) as [string, string, string, string];
    const before = transactions();
    const outcomes = await Promise.allSettled([
      notification(o1, 'nonce-1'),
      notification(o2, 'nonce-1'), // the same nonce again, inside the same transaction
      notification(o3, 'nonce-3', 1), // not what the payment is for
      notification(o4, 'nonce-4'),
    ]);
    const codes = outcomes.map((o) => (o.status === 'fulfilled' ? o.value.outcome : (o.reason as FleetError).code));
    assert.deepEqual(codes, ['paid', 'PAYMENT_REPLAYED', 'PAYMENT_AMOUNT_MISMATCH', 'paid']);
    assert.equal(transactions() - before, 1, 'one commit for the four notifications');
    assert.deepEqual(
      [o1, o2, o3, o4].map((id) => service.get(id).state),
      ['paid', 'awaiting_payment', 'awaiting_payment', 'paid'],
    );
    assert.deepEqual(
      [o1, o2, o3, o4].map((id) => service.get(id).payment?.state),
      ['paid', 'pending', 'pending', 'paid'],
      'the refused ones changed nothing',
    );
    assert.equal(count('payment_nonces'), 2);
    // The audit: each paid order has its event, the refused ones none.
    assert.equal(count("order_events WHERE to_state = 'paid'"), 2);
    assert.equal(count("order_events WHERE to_state = 'paid' AND order_id IN (?, ?)", o2, o3), 0);
  });
});
