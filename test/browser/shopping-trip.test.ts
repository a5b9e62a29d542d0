import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
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
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { silentLogger } from '../../platform/log.ts';
import type { OrderDetail } from '../../protocol/api/orders.ts';
import type { Product } from '../../protocol/commerce/catalog.ts';
import { demoCatalog, loadDemoCatalog } from '../../sim/demo-catalog.ts';
import { loadDemoMembers } from '../../sim/demo-members.ts';
import {
  type ConsolePage,
  closeBrowser,
  closePages,
  decodeQr,
  ensureWebBuilt,
  launchBrowser,
  newConsolePage,
  text,
} from '../helpers/browser.ts';
import { apiAs, apiUser, eventually, startFleet, tempDir } from '../helpers/fleet-harness.ts';

const STORE = 'hf-shanghai-xuhui';
const CATALOG = demoCatalog();
/** Household goods: sold each, a GTIN, a known weight, no age limit, no promotion of the demo on them. */
const PLAIN = CATALOG.products.find(
  (p) => p.categoryId.startsWith('household') && p.soldBy === 'each' && p.nominalWeightG !== null,
) as Product;
const BEER = CATALOG.products.find((p) => p.categoryId === 'alcohol-beer' && p.minAge !== null) as Product;

/**
 * The shopper's whole trip, every part real: the fleet with the demo catalog and members, a cart runtime on virtual
 * hardware (its scanner, basket scale and motion sensor in the virtual rig), Chromium on the cart's own screen and a
 * second page as the shopper's phone on the sandbox pay page, and an attendant through the API.
 */
describe('the whole shopping trip (real fleet, real cart runtime on virtual hardware, Chromium on the cart screen and the pay page)', function () {
  this.timeout(120_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let cart: CartRuntime;
  let rig: VirtualCartRig;
  let browser: Browser;
  let manager: ReturnType<typeof apiAs>;
  let pages: ConsolePage[] = [];

  before(async () => {
    await ensureWebBuilt();
    dir = tempDir();
    fleet = await startFleet(dir.path, { seedDemoData: true });
    await loadDemoCatalog(fleet.services);
    await loadDemoMembers(
      fleet.services.loyalty,
      fleet.services.stores.listStores().map((s) => s.id),
    );
    await fleet.services.pricing.flush();
    const user = await apiUser(fleet, 'trip-manager', 'store-manager', { storeIds: [STORE] });
    manager = apiAs(fleet, user.token);
    const registration = await fleet.services.registry.registerDevice({
      thingName: 'cart-trip-1',
      kind: 'cart',
      hardwareModel: 'SC-200',
      storeId: STORE,
    });
    const credentials = {
      certificatePem: registration.certificate.certificatePem,
      privateKeyPem: registration.certificate.privateKeyPem,
      caPem: registration.caPem,
    };
    const io = new VirtualBoardIO();
    io.setAnalogInput(0, adcFromVolts(voltageFromBatteryPercent(80)));
    io.setAnalogInput(1, tmp36RawFromCelsius(24));
    io.setDigitalInput(CART_PINS.dockContact, false);
    const config = CartConfigSchema.parse({
      thingName: 'cart-trip-1',
      endpoint: { host: 'localhost', port: fleet.services.broker.tlsPort },
      certDir: join(dir.path, 'cart-trip-1'),
      dataDir: join(dir.path, 'cart-trip-1', 'data'),
      telemetryIntervalMs: 5_000,
      healthIntervalMs: 10_000,
      screen: { port: 0 },
      // This shopper's scanner reads every code: misreads have their own tests (test/devices/cart/hardware).
      scanner: { kind: 'virtual', misreadRate: 0 },
    });
    cart = new CartRuntime(config, credentials, new VirtualZoneLocator(), silentLogger(), io);
    await cart.start();
    rig = cart.virtualRig as VirtualCartRig;
    await eventually(() => cart.snapshots.current?.storeId === STORE, 20_000);
    browser = await launchBrowser();
  });

  after(async () => {
    await closePages(pages);
    pages = [];
    await closeBrowser(browser);
    await cart?.stop();
    await fleet?.stop();
    dir?.cleanup();
  });

  const open = async (url: string) => {
    const p = await newConsolePage(browser, url);
    pages.push(p);
    return p.page;
  };

  it('scan, drop, an age check approved by an attendant, pay on the phone, receipt PAID', async () => {
    const screen = await open(cart.screen?.url as string);
    await screen.goto('/');
    await screen.getByTestId('cs-start-guest').click();
    await screen.getByTestId('cs-basket-empty').waitFor();

    // A plain item: scanned, dropped in, confirmed by the scale.
    assert.equal(rig.presentBarcode(PLAIN.gtins[0] as string), 'read');
    rig.putItem(PLAIN.nominalWeightG as number);
    await screen.locator('[data-testid="cs-line"]').first().waitFor();
    await eventually(async () => (await screen.getByTestId('cs-line-waiting').count()) === 0, 15_000);

    // A beer: the cart calls an attendant and checkout is locked until they approve.
    assert.equal(rig.presentBarcode(BEER.gtins[0] as string), 'read');
    rig.putItem(BEER.nominalWeightG as number, 'placed');
    await screen.locator('[data-testid="cs-lock"][data-lock="age-check"]').waitFor();
    assert.equal(await screen.getByTestId('cs-checkout').isDisabled(), true);
    const request = await eventually(async () => {
      const answer = await manager.get('/api/attendants/requests?state=open');
      const items = (answer.json() as { items: { id: string; reason: string; thingName: string }[] }).items;
      return items.find((r) => r.thingName === 'cart-trip-1' && r.reason === 'age-check');
    }, 15_000);
    const resolved = await manager.post(`/api/attendants/requests/${request.id}/resolve`, { decision: 'approve' });
    assert.equal(resolved.statusCode, 200, resolved.body);
    await eventually(async () => (await screen.locator('[data-testid="cs-lock"]').count()) === 0, 15_000);

    // Checkout: the pay QR the shopper's phone reads.
    const total = await text(screen.getByTestId('cs-total'));
    await screen.getByTestId('cs-checkout').click();
    await screen.getByTestId('cs-pay-qr').waitFor({ timeout: 15_000 });
    const payUrl = await decodeQr(screen, 'cs-pay-qr');
    assert.ok(payUrl?.includes('/pay/'), `a pay URL in the QR: ${payUrl}`);
    assert.equal(await text(screen.getByTestId('cs-pay-amount')), total);

    // The phone pays on the sandbox provider's page; the provider's signed notice reaches the fleet; the cart hears.
    const phone = await open(new URL(payUrl as string).origin);
    await phone.goto(payUrl as string);
    await phone.locator('form button[type="submit"]').click();
    await screen.getByTestId('cs-paid').waitFor({ timeout: 15_000 });
    await screen.getByTestId('cs-receipt-qr').waitFor();
    const receiptUrl = await decodeQr(screen, 'cs-receipt-qr');
    assert.ok(receiptUrl?.includes('/receipt/'), `a receipt URL in the QR: ${receiptUrl}`);

    // At the exit: the receipt says PAID; the order is paid in the fleet, at the total the screen showed.
    const receipt = await open(new URL(receiptUrl as string).origin);
    await receipt.goto(receiptUrl as string);
    assert.match(await text(receipt.locator('body')), /PAID|已支付/);
    const orderId = new URL(receiptUrl as string).pathname.split('/').at(-1) as string;
    const { order, events } = (await manager.get(`/api/orders/${orderId}`)).json() as OrderDetail;
    assert.equal(order.state, 'paid');
    assert.equal(order.thingName, 'cart-trip-1');
    assert.deepEqual(order.lines.map((l) => l.sku).sort(), [PLAIN.sku, BEER.sku].sort());
    assert.equal(`¥${(order.totalFen / 100).toFixed(2)}`, total);
    assert.equal(order.priceAudit, null, 'the cart and the fleet priced the same');
    assert.deepEqual(
      events.map((e) => e.to),
      ['open', 'awaiting_payment', 'paid'],
    );
  });
});
