import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CartConfigSchema } from '../../devices/cart/cart-config.ts';
import {
  adcFromVolts,
  CART_PINS,
  tmp36RawFromCelsius,
  voltageFromBatteryPercent,
} from '../../devices/cart/cart-hardware.ts';
import { CartRuntime } from '../../devices/cart/cart-runtime.ts';
import type { VirtualCartRig } from '../../devices/cart/hardware/virtual-cart-rig.ts';
import { VirtualZoneLocator } from '../../devices/cart/zone-locator.ts';
import { VirtualBoardIO } from '../../devices/core/hardware/virtual-board-io.ts';
import { AuditLog } from '../../fleet/audit/audit-log.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { silentLogger } from '../../platform/log.ts';
import type { AttendantRequest } from '../../protocol/commerce/attendant.ts';
import type { Product } from '../../protocol/commerce/catalog.ts';
import type { Order, OrderEvent } from '../../protocol/commerce/orders.ts';
import { isFleetError } from '../../protocol/errors.ts';
import { demoCatalog, loadDemoCatalog } from '../../sim/demo-catalog.ts';
import { type ApiUser, apiAs, apiUser, eventually, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { NetworkCut } from '../helpers/network-cut.ts';
import { FakeClock } from '../mocks/fake-clock.ts';

const STORE = 'hf-shanghai-xuhui';
const THING = 'cart-staff-1';
const DEBOUNCE_MS = 2000;
const BEER = demoCatalog().products.find((p) => p.categoryId === 'alcohol-beer' && p.minAge !== null) as Product;
const invalid = (err: unknown) => isFleetError(err, 'STAFF_CODE_INVALID');

/**
 * Staff codes on a cart whose store network is down (issue 8, items 8, 9, 13), every part real: the fleet (its
 * snapshot rebuilds on a FakeClock the test moves), a cart runtime on virtual hardware reaching the broker through a
 * TCP hop the test cuts and mends (test/helpers/network-cut.ts), the cart's outbox, and the attendants' API.
 */
describe('staff codes offline on a real cart (real fleet, real cart runtime, the store network cut and mended)', function () {
  this.timeout(120_000);
  let dir: ReturnType<typeof tempDir>;
  let clock: FakeClock;
  let fleet: FleetServer;
  let net: NetworkCut;
  let cart: CartRuntime;
  let rig: VirtualCartRig;
  let hq: ApiUser;
  let li: ApiUser;
  let wang: ApiUser;
  let zhao: ApiUser;
  let liCode: string;
  let zhaoCode: string;

  const settle = async () => {
    await clock.advanceAsync(DEBOUNCE_MS);
    await fleet.services.pricing.flush();
  };
  const issue = async (user: ApiUser) => {
    const answer = await apiAs(fleet, user.token).post('/api/attendants/staff-code');
    assert.equal(answer.statusCode, 200, answer.body);
    return answer.json().code as string;
  };
  const wrongFor = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  const offline = async () => {
    net.cut();
    await eventually(() => !cart.commerce.online, 10_000, 'the cart offline');
  };
  const online = async () => {
    net.mend();
    await eventually(() => cart.commerce.online, 20_000, 'the cart back online');
    await eventually(() => cart.core.outbox.size() === 0, 20_000, 'the outbox drained');
  };
  const state = () => cart.shop.state();
  const ageLocked = () => state().locks.some((l) => l.kind === 'age-check');
  const staffCode = (code: string) => cart.shop.act({ type: 'staff-code', code });
  const scanBeer = async () => {
    assert.equal(rig.presentBarcode(BEER.gtins[0] as string), 'read');
    rig.putItem(BEER.nominalWeightG as number, 'placed');
    await eventually(ageLocked, 20_000, 'the age check lock');
  };
  const payAtDesk = async (code: string) => {
    await eventually(() => state().locks.length === 0, 20_000, 'the scale confirmed the basket');
    await cart.shop.act({ type: 'checkout' });
    await eventually(() => state().checkout?.state === 'offline-attendant', 10_000, 'pay at the attendant');
    await assert.rejects(staffCode(wrongFor(code)), invalid);
    assert.equal(state().checkout?.state, 'offline-attendant', 'a wrong code changes nothing');
    await staffCode(code);
    await eventually(() => state().checkout?.state === 'paid', 10_000, 'paid at the desk');
  };
  const requestsOf = (sessionId: string, reason: AttendantRequest['reason']) =>
    (['open', 'approved'] as const)
      .flatMap((s) => fleet.services.attendants.list({ storeIds: null, state: s, limit: 100, offset: 0 }).items)
      .filter((r) => r.thingName === THING && r.sessionId === sessionId && r.reason === reason);
  const audit = (action: string) =>
    new AuditLog(fleet.services.db).search({ storeIds: null, action, limit: 50, offset: 0 }).items;
  const order = async (orderId: string) => {
    const answer = await apiAs(fleet, hq.token).get(`/api/orders/${orderId}`);
    assert.equal(answer.statusCode, 200, answer.body);
    return answer.json() as { order: Order; events: OrderEvent[] };
  };

  before(async () => {
    dir = tempDir();
    clock = new FakeClock(Date.now());
    fleet = await startFleet(
      join(dir.path, 'fleet'),
      { seedDemoData: true, pricing: { snapshotDebounceMs: DEBOUNCE_MS } },
      { clock },
    );
    await loadDemoCatalog(fleet.services);
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    li = await apiUser(fleet, 'att-li', 'attendant', { storeIds: [STORE] });
    wang = await apiUser(fleet, 'att-wang', 'attendant', { storeIds: [STORE] });
    zhao = await apiUser(fleet, 'att-zhao', 'attendant', { storeIds: [STORE] });
    liCode = await issue(li);
    zhaoCode = await issue(zhao);
    await settle();
    net = await NetworkCut.open(fleet.services.broker.tlsPort);
    const registration = await fleet.services.registry.registerDevice({
      thingName: THING,
      kind: 'cart',
      hardwareModel: 'SC-200',
      storeId: STORE,
    });
    const io = new VirtualBoardIO();
    io.setAnalogInput(0, adcFromVolts(voltageFromBatteryPercent(80)));
    io.setAnalogInput(1, tmp36RawFromCelsius(24));
    io.setDigitalInput(CART_PINS.dockContact, false);
    const config = CartConfigSchema.parse({
      thingName: THING,
      endpoint: { host: 'localhost', port: net.port },
      certDir: join(dir.path, THING),
      dataDir: join(dir.path, THING, 'data'),
      reconnect: { minSeconds: 1, maxSeconds: 1 },
      telemetryIntervalMs: 60_000,
      healthIntervalMs: 60_000,
      screen: { enabled: false },
      scanner: { kind: 'virtual', misreadRate: 0 },
    });
    cart = new CartRuntime(
      config,
      {
        certificatePem: registration.certificate.certificatePem,
        privateKeyPem: registration.certificate.privateKeyPem,
        caPem: registration.caPem,
      },
      new VirtualZoneLocator(),
      silentLogger(),
      io,
    );
    await cart.start();
    rig = cart.virtualRig as VirtualCartRig;
    await eventually(
      () => cart.snapshots.current?.staff?.some((s) => s.userId === li.userId),
      20_000,
      "the store's snapshot with Li's verifier on the cart",
    );
  });

  after(async () => {
    await cart?.stop();
    await net?.close();
    await fleet?.stop();
    dir?.cleanup();
  });

  it('offline, a wrong code is refused and changes nothing; the right one approves the beer and pays at the desk; back online the fleet records both as Li’s', async () => {
    await offline();
    await scanBeer();
    await assert.rejects(staffCode(wrongFor(liCode)), invalid);
    assert.ok(ageLocked(), 'a wrong code leaves the beer locked');
    await staffCode(liCode);
    await eventually(() => !ageLocked(), 5_000, 'unlocked by Li’s code');
    const sessionId = state().session.sessionId as string;
    await payAtDesk(liCode);

    await online();
    const [approval] = await eventually(
      () => requestsOf(sessionId, 'age-check').length > 0 && requestsOf(sessionId, 'age-check'),
      10_000,
    );
    assert.equal(requestsOf(sessionId, 'age-check').length, 1, 'the wrong code recorded nothing');
    assert.equal(approval?.state, 'approved');
    assert.equal(approval?.resolvedBy, li.userId);
    assert.equal(approval?.resolvedVia, 'staff-code');
    assert.equal(approval?.offlineApproval?.userId, li.userId);
    assert.equal(approval?.offlineApproval?.refusal, null);
    const entry = audit('attendant.offline-approval').find((e) => e.targetId === approval?.id);
    assert.equal(entry?.actor.id, li.userId);
    assert.equal(entry?.details.thingName, THING);

    const orderId = await eventually(() => state().checkout?.orderId, 10_000, 'the order’s answer on the cart');
    const paid = await order(orderId);
    assert.equal(paid.order.state, 'paid');
    assert.ok(paid.events.some((e) => e.to === 'paid' && e.actor === li.userId));
    assert.equal(
      paid.events.some((e) => e.reason === 'offline approval refused'),
      false,
    );
    await cart.shop.act({ type: 'end-session' });
  });

  it('a code made after the snapshot was built is refused offline until the rebuilt snapshot arrives, then approves', async () => {
    const wangCode = await issue(wang);
    const version = cart.snapshots.current?.version as number;
    assert.equal(fleet.services.pricing.currentVersion(STORE), version, 'not rebuilt before the debounce');

    await offline();
    await scanBeer();
    await assert.rejects(staffCode(wangCode), invalid);
    assert.ok(ageLocked(), 'Wang is not in the cart’s snapshot yet');
    await online();

    await settle();
    assert.equal(fleet.services.pricing.currentVersion(STORE), version + 1, 'rebuilt: Wang may approve here');
    await eventually(
      () =>
        cart.snapshots.current?.version === version + 1 &&
        cart.snapshots.current.staff?.some((s) => s.userId === wang.userId),
      20_000,
      'the rebuilt snapshot on the cart',
    );
    await offline();
    await staffCode(wangCode);
    await eventually(() => !ageLocked(), 5_000, 'unlocked by Wang’s code');
    const sessionId = state().session.sessionId as string;
    await payAtDesk(wangCode);
    await online();
    const [approval] = await eventually(
      () => requestsOf(sessionId, 'age-check').length > 0 && requestsOf(sessionId, 'age-check'),
      10_000,
    );
    assert.equal(approval?.resolvedBy, wang.userId);
    assert.equal(approval?.offlineApproval?.refusal, null);
    await eventually(() => state().checkout?.orderId, 10_000, 'the order’s answer on the cart');
    await cart.shop.act({ type: 'end-session' });
  });

  it('a code rotated while the cart was offline: the fleet refuses the offline approval, audits it, leaves it in the queue, flags the order; the cart hears of no offline approval', async () => {
    const notified: { event: string; body: Record<string, unknown> }[] = [];
    cart.commerce.on('notify', (n) => notified.push(n));
    await offline();
    // Trip 1: Li approves the beer and takes the money; Li then makes a new code (the old one stops working at the
    // fleet; the cart's snapshot, offline, still has it).
    await scanBeer();
    await staffCode(liCode);
    await eventually(() => !ageLocked(), 5_000, 'unlocked offline by Li’s code');
    const sessionId = state().session.sessionId as string;
    await issue(li);
    await payAtDesk(liCode);
    await cart.shop.act({ type: 'end-session' });
    // Trip 2: Zhao approves (the fleet will accept it) and takes the money.
    await scanBeer();
    await staffCode(zhaoCode);
    await eventually(() => !ageLocked(), 5_000, 'unlocked offline by Zhao’s code');
    await payAtDesk(zhaoCode);
    await cart.shop.act({ type: 'end-session' });
    // Trip 3's beer waits for an attendant: the late records of trips 1 and 2 must not unlock it.
    await scanBeer();

    await online();
    const [refused] = await eventually(
      () => requestsOf(sessionId, 'age-check').length > 0 && requestsOf(sessionId, 'age-check'),
      10_000,
    );
    assert.equal(refused?.state, 'open', 'left in the store’s queue for an attendant');
    assert.equal(refused?.resolvedBy, null);
    assert.deepEqual(
      { userId: refused?.offlineApproval?.userId, refusal: refused?.offlineApproval?.refusal },
      { userId: li.userId, refusal: 'STAFF_CODE_INVALID' },
    );
    const entry = audit('attendant.offline-approval-refused').find((e) => e.targetId === refused?.id);
    assert.deepEqual([entry?.actor.id, entry?.actor.username], [null, THING]);

    // The order (its payment code refused too: awaiting payment, an offline-payment call) carries the flag.
    const payment = await eventually(() => requestsOf(sessionId, 'offline-payment')[0], 10_000, 'the payment call');
    const orderId = payment.orderId as string;
    await eventually(
      () => fleet.services.attendants.get(refused!.id)?.orderId === orderId,
      10_000,
      'tied to the order',
    );
    const flagged = await order(orderId);
    assert.equal(flagged.order.state, 'awaiting_payment');
    const flag = flagged.events.find((e) => e.reason === 'offline approval refused');
    assert.equal(flag?.details.requestId, refused?.id);
    assert.equal(flag?.details.refusal, 'STAFF_CODE_INVALID');

    // Positive control: the cart does hear a resolved call — the payment one, approved at the console after the
    // records of trips 1 and 2 were made (their words, had there been any, came first).
    const zhaoApproved = fleet.services.attendants
      .list({ storeIds: null, state: 'approved', limit: 100, offset: 0 })
      .items.find((r) => r.thingName === THING && r.resolvedBy === zhao.userId && r.reason === 'age-check');
    assert.equal(zhaoApproved?.offlineApproval?.refusal, null, 'trip 2’s approval recorded as Zhao’s');
    const approved = await apiAs(fleet, li.token).post(`/api/attendants/requests/${payment.id}/resolve`, {
      decision: 'approve',
    });
    assert.equal(approved.statusCode, 200, approved.body);
    await eventually(
      () => notified.some((n) => n.event === 'attendant-resolved' && n.body.requestId === payment.id),
      10_000,
      'the payment call’s resolution on the cart',
    );
    assert.deepEqual(
      notified.filter((n) => n.event === 'attendant-resolved' && n.body.reason === 'age-check'),
      [],
      'no word of the offline approvals',
    );
    assert.ok(ageLocked(), 'trip 3’s beer is still locked');
  });
});
