import assert from 'node:assert/strict';
import type { FleetEvents } from '../../../fleet/fleet-events.ts';
import { OrderRepository } from '../../../fleet/orders/order-repository.ts';
import { OrderService } from '../../../fleet/orders/order-service.ts';
import { ReceiptLinks } from '../../../fleet/orders/receipt-links.ts';
import type { PaymentProvider } from '../../../fleet/payments/payment-provider.ts';
import { PaymentRepository } from '../../../fleet/payments/payment-repository.ts';
import { type Database, openDatabase } from '../../../fleet/storage/database.ts';
import { DatabaseWriter } from '../../../fleet/storage/database-writer.ts';
import { EventBus } from '../../../platform/event-bus.ts';
import { silentLogger } from '../../../platform/log.ts';
import { FleetError, isFleetError } from '../../../protocol/errors.ts';
import { submission } from '../../helpers/commerce-cart.ts';
import { eventually, tempDir } from '../../helpers/fleet-harness.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';
import { FakeLoyaltyLedger } from '../../mocks/fake-loyalty-ledger.ts';
import { FakeOrderPricing } from '../../mocks/fake-order-pricing.ts';

const STORE = 's1';

describe('OrderService: idempotency, price policy, holds and expiry (fakes, real SQLite file, fake clock)', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database;
  let clock: FakeClock;
  let writer: DatabaseWriter;
  let pricing: FakeOrderPricing;
  let loyalty: FakeLoyaltyLedger;
  let service: OrderService;
  let created: number;
  const changes: FleetEvents['order.changed'][] = [];

  beforeEach(() => {
    dir = tempDir();
    db = openDatabase(dir.path, silentLogger());
    clock = new FakeClock();
    writer = new DatabaseWriter(db, { retryMinMs: 5, retryMaxMs: 50 }, silentLogger(), clock);
    pricing = new FakeOrderPricing({ milk: 650, beer: 1200 }, clock.now() - 3_600_000);
    loyalty = new FakeLoyaltyLedger();
    loyalty.addMember('10000001', 500);
    created = 0;
    changes.length = 0;
    const provider: PaymentProvider = {
      name: 'fake',
      async createPayment(_o, expiresAt) {
        created++;
        return { paymentId: `pay_${String(created).padStart(26, 'a')}`, payUrl: 'http://pay', expiresAt };
      },
      refund: async () => ({ refundId: 'r' }),
      verifyNotification: () => {
        throw new FleetError('PAYMENT_SIGNATURE_INVALID', 'no');
      },
    };
    const bus = new EventBus<FleetEvents>(silentLogger());
    bus.on('order.changed', (e) => changes.push(e));
    service = new OrderService(
      {
        orders: new OrderRepository(db),
        payments: new PaymentRepository(db),
        writer,
        pricing,
        loyalty,
        provider,
        receipts: new ReceiptLinks(Buffer.alloc(32, 3), () => 'http://fleet'),
        staffCode: (code) => {
          if (code !== '246810') throw new FleetError('STAFF_CODE_INVALID', 'wrong');
          return { userId: 'u-att', username: 'attendant' };
        },
        memberVerified: () => true,
        storeName: () => 'Store 1',
        bus,
        clock,
        log: silentLogger(),
      },
      { paymentTimeoutMs: 900_000, expirySweepMs: 5000 },
    );
    service.start();
  });

  afterEach(() => {
    service.stop();
    writer.stop();
    db.close();
    dir.cleanup();
  });

  const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

  it('two identical submissions at once make one order and one payment', async () => {
    const sub = submission(STORE, [{ sku: 'milk', cartNetFen: 650 }]);
    const [a, b] = await Promise.all([service.submit('cart-1', STORE, sub), service.submit('cart-1', STORE, sub)]);
    assert.equal(a.order.id, b.order.id);
    assert.deepEqual([a.duplicate, b.duplicate], [false, true]);
    assert.deepEqual([count('orders'), count('payments'), created], [1, 1, 1]);
  });

  it('the same key from another cart is another order (keys are per cart)', async () => {
    const sub = submission(STORE, [{ sku: 'milk', cartNetFen: 650 }]);
    const a = await service.submit('cart-1', STORE, sub);
    const b = await service.submit('cart-2', STORE, sub);
    assert.notEqual(a.order.id, b.order.id);
  });

  it('honours the price of a snapshot valid at scan time; a stale one is charged at the rules of now; below its own rules is refused', async () => {
    const scanned = clock.now() - 60_000;
    pricing.reprice({ beer: 1500 }, clock.now() - 1000);
    const honoured = await service.submit(
      'cart-1',
      STORE,
      submission(STORE, [{ sku: 'beer', cartNetFen: 1200, scannedAt: scanned }], { snapshotVersion: 1 }),
    );
    assert.equal(honoured.order.totalFen, 1200);
    assert.deepEqual(
      [
        honoured.order.priceAudit?.decision,
        honoured.order.priceAudit?.reasons,
        honoured.order.priceAudit?.differenceFen,
      ],
      ['honoured-snapshot', ['current-higher-than-shown'], -300],
    );
    // Scanned after version 1 was superseded: the cart showed a stale price; the rules of now are charged, flagged.
    const stale = await service.submit(
      'cart-1',
      STORE,
      submission(STORE, [{ sku: 'beer', cartNetFen: 1200, scannedAt: clock.now() }], { snapshotVersion: 1 }),
    );
    assert.equal(stale.order.totalFen, 1500);
    assert.equal(stale.order.priceAudit?.decision, 'current-stale-snapshot');
    assert.deepEqual(stale.order.priceAudit?.lines, [
      { lineId: 'l1', cartNetFen: 1200, fleetNetFen: 1500, chargedNetFen: 1500 },
    ]);
    // Less than the claimed snapshot's own rules: refused, nothing created.
    const before = count('orders');
    await assert.rejects(
      service.submit(
        'cart-1',
        STORE,
        submission(STORE, [{ sku: 'beer', cartNetFen: 1100, scannedAt: scanned }], { snapshotVersion: 1 }),
      ),
      (err) => isFleetError(err, 'ORDER_PRICE_BELOW_RULES'),
    );
    assert.equal(count('orders'), before);
  });

  it('an unpaid order expires after paymentTimeoutMs on the fleet clock, releasing its held points', async () => {
    const sub = submission(STORE, [{ sku: 'beer', cartNetFen: 1200 }], {
      member: { memberNumber: '10000001', code: null },
      pointsToRedeem: 100,
    });
    const { order } = await service.submit('cart-1', STORE, sub);
    assert.equal(loyalty.balance('m-10000001'), 400);
    clock.advance(899_999);
    await service.expireOverdue();
    assert.equal(service.get(order.id).state, 'awaiting_payment');
    // The sweep timer (every expirySweepMs on the fake clock) finds it due now.
    clock.advance(1);
    await eventually(() => changes.some((c) => c.order.state === 'cancelled'), 2000, 'the order expired');
    const expired = service.get(order.id);
    assert.deepEqual([expired.state, expired.payment?.state], ['cancelled', 'expired']);
    assert.equal(loyalty.balance('m-10000001'), 500);
    assert.equal(changes.at(-1)?.previous, 'awaiting_payment');
    assert.equal(service.get(order.id).state, 'cancelled');
  });

  it('a points overdraft is refused with the loyalty code and leaves no order', async () => {
    const sub = submission(STORE, [{ sku: 'beer', cartNetFen: 1200 }], {
      member: { memberNumber: '10000001', code: null },
      pointsToRedeem: 900,
    });
    await assert.rejects(service.submit('cart-1', STORE, sub), (err) => isFleetError(err, 'POINTS_INSUFFICIENT'));
    assert.deepEqual([count('orders'), count('order_events'), count('payments')], [0, 0, 0]);
  });

  it('offline checkout: a valid staff code makes the order paid by that attendant; a wrong one leaves it to confirm', async () => {
    const paid = await service.submit(
      'cart-1',
      STORE,
      submission(STORE, [{ sku: 'milk', cartNetFen: 650 }], { payment: { method: 'attendant', staffCode: '246810' } }),
    );
    assert.equal(paid.order.state, 'paid');
    const wrong = await service.submit(
      'cart-1',
      STORE,
      submission(STORE, [{ sku: 'milk', cartNetFen: 650 }], { payment: { method: 'attendant', staffCode: '000000' } }),
    );
    assert.deepEqual([wrong.order.state, wrong.order.payment], ['awaiting_payment', null]);
    assert.equal(created, 0, 'no provider payment for an offline order');
  });
});
