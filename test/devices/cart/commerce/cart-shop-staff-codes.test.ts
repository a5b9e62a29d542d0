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
import type { PricingSnapshot } from '../../../../protocol/commerce/snapshot.ts';
import { isFleetError } from '../../../../protocol/errors.ts';
import { demoCatalog } from '../../../../sim/demo-catalog.ts';
import { demoStoreSnapshot } from '../../../helpers/demo-store-snapshot.ts';
import { offlineStaffEntry } from '../../../helpers/offline-staff.ts';
import { FakeClock } from '../../../mocks/fake-clock.ts';
import { FakeCommandTransport } from '../../../mocks/fake-command-transport.ts';
import { eventually } from '../../../mocks/wait-for.ts';

const AT = Date.UTC(2026, 11, 1, 2, 0);
const CODE = '482913';
const WRONG = '482914';

/**
 * The staff code on the cart (issue 8, items 8 and 9): online the fleet decides; offline the cart decides with the
 * snapshot's verifiers — an offline checkout accepts only a code that verifies, and an age check is approved locally
 * and recorded for the fleet through the outbox.
 */
describe('CartShop: staff codes offline (checkout at the desk, age check) and online', () => {
  let snapshot: PricingSnapshot;
  let dir: string;
  let clock: FakeClock;
  let transport: FakeCommandTransport;
  let queued: { topic: string; payload: string }[];
  /** What the trip's journal held of approvals when each message was queued: what a power cut would leave. */
  let journaledApprovals: number[];
  let client: CommerceClient;
  let shop: CartShop;

  const catalog = demoCatalog();
  const PLAIN = catalog.products.find(
    (p) => p.soldBy === 'each' && p.nominalWeightG !== null && p.minAge === null && !p.needsAttendant,
  ) as Product;
  const BEER = catalog.products.find((p) => p.minAge !== null && p.categoryId === 'alcohol-beer') as Product;

  function newShop(withSnapshot = snapshot): CartShop {
    const s = new CartShop(
      { thingName: 'cart-1', storeName: 'Xuhui', basket: DEFAULT_BASKET_OPTIONS },
      client,
      new ShopJournal<ShopRecord>(dir),
      new OfflineStaffCodes(new ShopJournal<StaffThrottleRecord>(dir, STAFF_THROTTLE_FILE), clock),
      clock,
      silentLogger(),
    );
    s.setSnapshot(withSnapshot);
    s.start();
    return s;
  }

  before(async () => {
    snapshot = demoStoreSnapshot(AT, {
      staff: [await offlineStaffEntry('u-li', 'li', CODE), await offlineStaffEntry('u-wang', 'wang', '107733')],
    });
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cart-shop-staff-'));
    clock = new FakeClock(AT);
    transport = new FakeCommandTransport();
    queued = [];
    journaledApprovals = [];
    client = new CommerceClient(
      'cart-1',
      transport,
      {
        enqueue: (topic, payload) => {
          queued.push({ topic, payload });
          journaledApprovals.push(new ShopJournal<ShopRecord>(dir).load()?.basket?.approvals.length ?? 0);
        },
      },
      silentLogger(),
      clock,
    );
    client.start();
    transport.goOnline(false);
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
  const put = async (product: Product) => {
    shop.handleScan(product.gtins[0] as string);
    shop.handleSettled(product.nominalWeightG as number); // the only item: the basket weighs what it does
    await latest((s) => s.lines.some((l) => l.sku === product.sku && l.confirmedQuantity === 1));
  };
  const sent = (operation: string) =>
    queued.filter((q) => q.topic === `cx/cartfleet/cart-1/${operation}`).map((q) => JSON.parse(q.payload));
  const invalid = (err: unknown) => isFleetError(err, 'STAFF_CODE_INVALID');

  it('offline checkout: a wrong code is STAFF_CODE_INVALID and changes nothing; the right one sends the order paid at the desk', async () => {
    await put(PLAIN);
    transport.goOffline();
    await shop.act({ type: 'checkout' });
    const waiting = await latest((s) => s.checkout?.state === 'offline-attendant' && s.checkout.payQrSvg !== null);
    assert.match(waiting.checkout?.payUrl ?? '', /^CFO1\./);
    assert.equal(sent('order-submit').length, 0, 'held until the attendant took the payment');

    await assert.rejects(shop.act({ type: 'staff-code', code: WRONG }), invalid);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(shop.state().checkout?.state, 'offline-attendant', 'still waiting for the attendant');
    assert.equal(sent('order-submit').length, 0, 'nothing sent');
    const journal = new ShopJournal<ShopRecord>(dir).load();
    assert.equal(journal?.checkout?.state, 'offline-attendant', 'nor journaled as paid');

    await shop.act({ type: 'staff-code', code: CODE });
    const [order] = sent('order-submit');
    assert.deepEqual(order.order.payment, { method: 'attendant', staffCode: CODE });
    await latest((s) => s.checkout?.state === 'paid');
  });

  it('offline age check: the right code unlocks the beer and records the approval in the outbox, before it unlocks', async () => {
    await put(BEER);
    await latest((s) => s.locks.some((l) => l.kind === 'age-check'));
    transport.goOffline();
    const published = transport.published.length; // the beer's call for an attendant, while online

    await assert.rejects(shop.act({ type: 'staff-code', code: WRONG }), invalid);
    assert.ok(
      shop.state().locks.some((l) => l.kind === 'age-check'),
      'a wrong code leaves the lock',
    );
    assert.equal(sent('attendant-request').length, 0, 'and records nothing');

    clock.advance(5_000);
    await shop.act({ type: 'staff-code', code: CODE });
    await latest((s) => !s.locks.some((l) => l.kind === 'age-check'));
    const [call] = sent('attendant-request');
    assert.deepEqual(call.request, {
      reason: 'age-check',
      details: 'staff code at the cart while offline (age-check)',
      sessionId: shop.state().session.sessionId,
      staffCode: CODE,
      approvedOffline: { userId: 'u-li', at: AT + 5_000 },
    });
    assert.equal(typeof call.clientToken, 'string');
    assert.deepEqual(journaledApprovals, [0], 'queued while the journaled basket was still locked');
    assert.equal(new ShopJournal<ShopRecord>(dir).load()?.basket?.approvals[0]?.method, 'staff-code-offline');
    assert.equal(transport.published.length, published, 'nothing asked of the fleet while offline');
    // Checkout is open now: offline, pay at the attendant.
    await shop.act({ type: 'checkout' });
    await latest((s) => s.checkout?.state === 'offline-attendant');
  });

  it('offline with a snapshot made before verifiers (no `staff`): no code approves, the basket stays locked', async () => {
    shop.stop();
    const { staff: _none, ...bare } = snapshot;
    shop = newShop(bare as PricingSnapshot);
    await put(BEER);
    await latest((s) => s.locks.some((l) => l.kind === 'age-check'));
    transport.goOffline();
    await assert.rejects(shop.act({ type: 'staff-code', code: CODE }), invalid);
    assert.ok(shop.state().locks.some((l) => l.kind === 'age-check'));
    assert.equal(sent('attendant-request').length, 0);
  });

  it('the cart’s throttle outlives the trip and a restart: after 5 wrong codes the right one waits', async () => {
    await put(BEER);
    await latest((s) => s.locks.some((l) => l.kind === 'age-check'));
    transport.goOffline();
    for (let i = 0; i < 5; i++) await assert.rejects(shop.act({ type: 'staff-code', code: WRONG }), invalid);
    shop.stop(); // kill -9
    shop = newShop();
    await latest((s) => s.locks.some((l) => l.kind === 'age-check'));
    await assert.rejects(shop.act({ type: 'staff-code', code: CODE }), (err) => {
      assert.ok(invalid(err));
      assert.equal((err as { details?: { retryAfterMs?: number } }).details?.retryAfterMs, 1000);
      return true;
    });
    assert.ok(shop.state().locks.some((l) => l.kind === 'age-check'));
    clock.advance(1000);
    await shop.act({ type: 'staff-code', code: CODE });
    await latest((s) => !s.locks.some((l) => l.kind === 'age-check'));
  });

  it('online the fleet decides, as before: the code goes in a waiting request, not the outbox, and is not checked locally', async () => {
    await put(BEER);
    await latest((s) => s.locks.some((l) => l.kind === 'age-check'));
    // A code the snapshot does not know (made after it was built): online, the fleet's word is what counts.
    const acting = shop.act({ type: 'staff-code', code: '555555' });
    const request = await eventually(() =>
      transport.answers.find(
        (a) =>
          a.topic === 'cx/cartfleet/cart-1/attendant-request' && (a.body.request as { staffCode?: string }).staffCode,
      ),
    );
    assert.equal((request.body.request as { staffCode: string }).staffCode, '555555');
    assert.equal('approvedOffline' in (request.body.request as object), false);
    transport.deliver('cx/cartfleet/cart-1/attendant-request/accepted', {
      clientToken: request.body.clientToken,
      request: { state: 'approved', resolvedBy: 'u-new' },
    });
    await acting;
    await latest((s) => !s.locks.some((l) => l.kind === 'age-check'));
    assert.equal(sent('attendant-request').length, 0, 'online nothing goes through the outbox');
  });
});
