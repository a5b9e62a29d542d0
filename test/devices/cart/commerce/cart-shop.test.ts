import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_BASKET_OPTIONS } from '../../../../devices/cart/basket/basket.ts';
import { CartShop, type ShopRecord } from '../../../../devices/cart/commerce/cart-shop.ts';
import { CommerceClient } from '../../../../devices/cart/commerce/commerce-client.ts';
import {
  OfflineStaffCodes,
  STAFF_THROTTLE_FILE,
  type StaffThrottleRecord,
} from '../../../../devices/cart/commerce/offline-staff.ts';
import { ShopJournal } from '../../../../devices/cart/commerce/shop-journal.ts';
import { silentLogger } from '../../../../platform/log.ts';
import type { CartScreenState } from '../../../../protocol/commerce/cart-screen.ts';
import type { Product } from '../../../../protocol/commerce/catalog.ts';
import type { MemberContext } from '../../../../protocol/commerce/loyalty.ts';
import type { PricingSnapshot } from '../../../../protocol/commerce/snapshot.ts';
import { isFleetError } from '../../../../protocol/errors.ts';
import { demoStoreSnapshot } from '../../../helpers/demo-store-snapshot.ts';
import { FakeClock } from '../../../mocks/fake-clock.ts';
import { FakeCommandTransport } from '../../../mocks/fake-command-transport.ts';
import { eventually } from '../../../mocks/wait-for.ts';

// A Tuesday, 10:00 in Shanghai: the weekday yogurt offer runs, the weekend beer hour does not.
const TUESDAY_10AM = Date.UTC(2026, 11, 1, 2, 0);

function snapshot(): PricingSnapshot {
  return demoStoreSnapshot(TUESDAY_10AM);
}

const SNAPSHOT = snapshot();
const bySku = (sku: string) => SNAPSHOT.products.find((p) => p.sku === sku) as Product;
/** A plain item: each, a GTIN, a known weight, no promotion on it, no age limit. */
const PLAIN = SNAPSHOT.products.find(
  (p) =>
    p.soldBy === 'each' &&
    p.nominalWeightG !== null &&
    p.minAge === null &&
    !p.needsAttendant &&
    p.categoryId.startsWith('household'),
) as Product;
const BEER = SNAPSHOT.products.find((p) => p.minAge !== null && p.categoryId === 'alcohol-beer') as Product;

const MEMBER: MemberContext = {
  memberId: 'm-0001',
  memberNumber: '88000001',
  displayName: 'Li Na',
  tierId: 'silver',
  familyId: null,
  balancePoints: 5000,
  storeRedeemablePoints: 5000,
  coupons: [],
  verified: true,
};

describe('CartShop: the trip on the cart (basket, pricing, member, checkout, journal)', () => {
  let dir: string;
  let clock: FakeClock;
  let transport: FakeCommandTransport;
  let queued: { topic: string; payload: string }[];
  let client: CommerceClient;
  let shop: CartShop;
  let screens: CartScreenState[];

  function newShop(): CartShop {
    const s = new CartShop(
      { thingName: 'cart-1', storeName: 'Xuhui', basket: DEFAULT_BASKET_OPTIONS },
      client,
      new ShopJournal<ShopRecord>(dir),
      new OfflineStaffCodes(new ShopJournal<StaffThrottleRecord>(dir, STAFF_THROTTLE_FILE), clock),
      clock,
      silentLogger(),
    );
    s.setSnapshot(SNAPSHOT);
    s.on('change', (state) => screens.push(state));
    s.start();
    return s;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cart-shop-'));
    clock = new FakeClock(TUESDAY_10AM);
    transport = new FakeCommandTransport();
    queued = [];
    client = new CommerceClient(
      'cart-1',
      transport,
      { enqueue: (topic, payload) => queued.push({ topic, payload }) },
      silentLogger(),
      clock,
    );
    client.start();
    transport.goOnline(false);
    screens = [];
    shop = newShop();
  });
  afterEach(() => {
    shop.stop();
    client.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const latest = async (check: (s: CartScreenState) => boolean) => {
    await eventually(() => check(shop.state()));
    return shop.state();
  };
  const drop = (product: Product, at = shop.state().priced?.subtotalFen) => {
    void at;
    shop.handleScan(product.gtins[0] as string);
  };
  const submitted = () =>
    queued.filter((q) => q.topic === 'cx/cartfleet/cart-1/order-submit').map((q) => JSON.parse(q.payload));

  it('a scanned item confirmed by the scale is priced with the snapshot and named in both languages', async () => {
    drop(PLAIN);
    shop.handleSettled(PLAIN.nominalWeightG as number);
    const state = await latest((s) => s.lines[0]?.confirmedQuantity === 1 && s.priced !== null);
    assert.equal(state.session.state, 'shopping');
    assert.deepEqual(state.lines[0]?.name, PLAIN.name);
    assert.equal(state.priced?.totalFen, PLAIN.priceFen);
    assert.deepEqual(state.locks, []);
  });

  it('a bad barcode shows its code as a notice and changes nothing', async () => {
    drop(PLAIN);
    const good = PLAIN.gtins[0] as string;
    const bad = `${good.slice(0, -1)}${(Number(good.at(-1)) + 1) % 10}`;
    shop.handleScan(bad);
    const state = await latest((s) => s.notice !== null);
    assert.equal(state.notice?.code, 'GTIN_CHECK_DIGIT');
    assert.equal(state.lines.length, 1);
    assert.equal(state.lines[0]?.quantity, 1);
  });

  it('a promotion in its window prices the line down, and names it', async () => {
    const yogurt = SNAPSHOT.products.find((p) => p.categoryId === 'dairy-yogurt' && p.soldBy === 'each') as Product;
    drop(yogurt);
    shop.handleSettled(yogurt.nominalWeightG as number);
    const state = await latest((s) => (s.priced?.discountFen ?? 0) > 0);
    assert.equal(state.priced?.discountFen, Math.round((yogurt.priceFen * 20) / 100));
    assert.deepEqual(Object.keys(state.promotionNames), ['yogurt-weekdays-20']);
  });

  it('a member logs in online with the code the scanner read; the fleet verifies it', async () => {
    shop.handleScan('CFM1.88000001.123456');
    await eventually(() => transport.published.some((p) => p.topic === 'cx/cartfleet/cart-1/member-login'));
    const request = JSON.parse(transport.published.at(-1)?.payload ?? '{}');
    assert.equal(request.code, 'CFM1.88000001.123456');
    transport.deliver('cx/cartfleet/cart-1/member-login/accepted', {
      clientToken: request.clientToken,
      member: MEMBER,
    });
    const state = await latest((s) => s.member !== null);
    assert.equal(state.member?.displayName, 'Li Na');
    assert.equal(state.member?.verified, true);
    assert.deepEqual(state.member?.tierName, { zh: '银卡', en: 'Silver' });
  });

  it('offline, the member shops unverified: member prices yes, paying with points no (POINTS_REDEMPTION_INVALID)', async () => {
    transport.goOffline();
    shop.handleScan('CFM1.88000001.123456');
    const state = await latest((s) => s.member !== null);
    assert.equal(state.member?.verified, false);
    const milk = bySku('DAIRY-MILK-1-1');
    drop(milk);
    shop.handleSettled(milk.nominalWeightG as number);
    const priced = await latest((s) => s.priced?.lines.length === 1);
    assert.equal(priced.priced?.totalFen, 990, 'the member price of whole milk');
    await assert.rejects(shop.act({ type: 'redeem-points', points: 100 }), (err) =>
      isFleetError(err, 'POINTS_REDEMPTION_INVALID'),
    );
  });

  it('checkout is refused while the basket is locked (age check), with ORDER_STATE_INVALID', async () => {
    drop(BEER);
    shop.handleSettled(BEER.nominalWeightG as number);
    await latest((s) => s.locks.some((l) => l.kind === 'age-check'));
    await assert.rejects(shop.act({ type: 'checkout' }), (err) => isFleetError(err, 'ORDER_STATE_INVALID'));
    assert.equal(submitted().length, 0);
  });

  it('online checkout: the order goes through the outbox, the pay QR follows the answer, paid shows the receipt', async () => {
    drop(PLAIN);
    shop.handleSettled(PLAIN.nominalWeightG as number);
    await latest((s) => s.priced !== null && s.locks.length === 0);
    await shop.act({ type: 'checkout' });
    const [order] = submitted();
    assert.equal(order.order.payment.method, 'qr');
    assert.equal(order.clientToken, order.order.idempotencyKey);
    assert.equal(order.order.cartPayableFen, PLAIN.priceFen);
    assert.equal(order.order.lines[0].cartNetFen, PLAIN.priceFen);
    assert.equal(order.order.snapshotVersion, 7);
    const status = {
      orderId: 'ord_aaaaaaaaaaaaaaaaaaaa',
      idempotencyKey: order.order.idempotencyKey,
      state: 'awaiting_payment',
      totalFen: PLAIN.priceFen,
      payableFen: PLAIN.priceFen,
      payUrl: 'http://fleet.example/pay/p1',
      receiptUrl: 'http://fleet.example/receipt/ord_aaaaaaaaaaaaaaaaaaaa?t=x',
    };
    transport.deliver('cx/cartfleet/cart-1/order-submit/accepted', { clientToken: order.clientToken, status });
    const awaiting = await latest((s) => s.checkout?.state === 'awaiting-payment' && s.checkout.payQrSvg !== null);
    assert.match(awaiting.checkout?.payQrSvg ?? '', /^<svg/);
    transport.deliver('cx/cartfleet/cart-1/notify/order-status', { ...status, state: 'paid' });
    const paid = await latest((s) => s.checkout?.state === 'paid' && s.checkout.receiptQrSvg !== null);
    assert.equal(paid.checkout?.receiptUrl, status.receiptUrl);
    // Lifting the paid goods out asks nothing (unpaid, the same decrease asks: test/devices/cart/basket).
    shop.handleSettled(0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(shop.state().prompt, null);
    await shop.act({ type: 'end-session' });
    assert.equal(shop.state().session.state, 'idle');
  });

  it('a restart mid-checkout resumes the same order: no second submission, the same idempotency key', async () => {
    drop(PLAIN);
    shop.handleSettled(PLAIN.nominalWeightG as number);
    await latest((s) => s.priced !== null && s.locks.length === 0);
    await shop.act({ type: 'checkout' });
    const key = submitted()[0].order.idempotencyKey;
    shop.stop(); // kill -9: what the journal holds is all that survives
    shop = newShop();
    const state = await latest((s) => s.checkout !== null);
    assert.equal(state.checkout?.state, 'submitting');
    assert.equal(submitted().length, 1, 'sent once; the outbox holds it across the restart');
    transport.deliver('cx/cartfleet/cart-1/order-submit/accepted', {
      clientToken: key,
      status: { orderId: 'ord_bbbbbbbbbbbbbbbbbbbb', idempotencyKey: key, state: 'paid', receiptUrl: 'http://r' },
    });
    await latest((s) => s.checkout?.state === 'paid');
  });

  it('a checkout journaled but not yet queued when the power went is queued at start with the same key', async () => {
    drop(PLAIN);
    shop.handleSettled(PLAIN.nominalWeightG as number);
    await latest((s) => s.priced !== null && s.locks.length === 0);
    await shop.act({ type: 'checkout' });
    const journal = new ShopJournal<ShopRecord>(dir);
    const record = journal.load() as ShopRecord;
    const key = record.checkout?.idempotencyKey;
    shop.stop();
    journal.save({ ...record, checkout: record.checkout ? { ...record.checkout, sent: false } : null });
    queued.length = 0;
    shop = newShop();
    await eventually(() => submitted().length === 1);
    assert.equal(submitted()[0].order.idempotencyKey, key);
  });

  // Offline checkout and the staff code: cart-shop-staff-codes.test.ts.

  it('the basket survives a restart while shopping', async () => {
    drop(PLAIN);
    shop.handleSettled(PLAIN.nominalWeightG as number);
    await latest((s) => s.lines[0]?.confirmedQuantity === 1);
    shop.stop();
    shop = newShop();
    const state = await latest((s) => s.lines.length === 1);
    assert.equal(state.lines[0]?.sku, PLAIN.sku);
    assert.equal(state.priced?.totalFen, PLAIN.priceFen);
  });
});
