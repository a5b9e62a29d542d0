import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type { CommandRequest } from '../../protocol/commands.ts';
import type { CartScreenState } from '../../protocol/commerce/cart-screen.ts';
import { commerceTopics } from '../../protocol/commerce/commerce-topics.ts';
import { commandTopics } from '../../protocol/topics.ts';
import {
  type ConsolePage,
  closeBrowser,
  closePages,
  ensureWebBuilt,
  launchBrowser,
  newConsolePage,
  signIn,
  text,
} from '../helpers/browser.ts';
import { CommerceCart, registerCart, submission } from '../helpers/commerce-cart.ts';
import { eventually, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { basketScreenState } from '../mocks/fake-cart-screen-model.ts';
import { FakeOrderPricing } from '../mocks/fake-order-pricing.ts';

const XUHUI = 'hf-shanghai-xuhui';
const BINJIANG = 'hf-hangzhou-binjiang';
const USERS = {
  hq: { username: 'hq', role: 'hq-admin' as const, storeIds: undefined },
  manager: { username: 'xuhui-manager', role: 'store-manager' as const, storeIds: [XUHUI] },
  attendant: { username: 'xuhui-attendant', role: 'attendant' as const, storeIds: [XUHUI] },
  viewer: { username: 'viewer', role: 'viewer' as const, storeIds: [XUHUI] },
};
const PASSWORD = 'commerce-console-password-1';
/** Screenshots of the main pages, for reviewers (CONSOLE_SHOTS=/tmp/console-shots). */
const SHOTS = process.env.CONSOLE_SHOTS;

/** Categories, then products: one good import, and the same with a product whose GTIN check digit is wrong. */
function catalogFile(badGtin: boolean) {
  return JSON.stringify({
    categories: [
      { id: 'dairy', parentId: null, name: { zh: '乳品', en: 'Dairy' } },
      { id: 'dairy-milk', parentId: 'dairy', name: { zh: '牛奶', en: 'Milk' } },
    ],
    products: [
      {
        sku: 'imp-milk-1l',
        gtins: ['6901234567892'],
        plu: null,
        name: { zh: '鲜牛奶', en: 'Fresh milk' },
        categoryId: 'dairy-milk',
        soldBy: 'each',
        priceFen: 1230,
        nominalWeightG: 1030,
        weightToleranceG: 30,
        tareG: null,
        minAge: null,
        needsAttendant: false,
        available: true,
      },
      {
        sku: 'imp-yogurt',
        gtins: [badGtin ? '6901234567891' : '6901234567908'],
        plu: null,
        name: { zh: '酸奶', en: 'Yogurt' },
        categoryId: 'dairy-milk',
        soldBy: 'each',
        priceFen: 590,
        nominalWeightG: 200,
        weightToleranceG: 15,
        tareG: null,
        minAge: null,
        needsAttendant: false,
        available: true,
      },
    ],
  });
}

/**
 * The commerce console in Chromium against a real fleet (broker, SQLite, HTTP, socket.io): carts are MQTT clients
 * speaking the commerce topics (the cart runtime has its own tests), orders are priced by a fixed price list.
 */
describe('commerce console in a browser (catalog import, live orders, attendant queue, cart screen, roles)', function () {
  this.timeout(90_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let browser: Browser;
  let base: string;
  let cart: CommerceCart;
  let open: ConsolePage[] = [];

  before(async () => {
    await ensureWebBuilt();
    dir = tempDir('cartfleet-commerce-console-');
    fleet = await startFleet(
      join(dir.path, 'fleet'),
      { seedDemoData: true },
      { extensions: { pricing: new FakeOrderPricing({ milk: 650, bread: 900 }) } },
    );
    base = `http://127.0.0.1:${fleet.services.http.port}`;
    for (const u of Object.values(USERS)) {
      await fleet.services.access.createUser(
        {
          username: u.username,
          displayName: u.username,
          role: u.role,
          ...(u.storeIds ? { storeIds: u.storeIds } : {}),
        },
        PASSWORD,
      );
    }
    cart = await CommerceCart.connect(fleet, await registerCart(fleet, 'cart-cx1', XUHUI));
    await registerCart(fleet, 'cart-bj1', BINJIANG);
    browser = await launchBrowser();
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });

  afterEach(async () => {
    const pages = open;
    open = [];
    await closePages(pages);
  });

  after(async () => {
    cart?.end();
    await closeBrowser(browser);
    await fleet?.stop();
    dir?.cleanup();
  });

  async function as(user: keyof typeof USERS, path = '/'): Promise<Page> {
    const p = await newConsolePage(browser, base);
    open.push(p);
    await signIn(p.page, USERS[user].username, PASSWORD, path);
    await p.page.getByTestId('live-status').and(p.page.locator('[data-state="live"]')).waitFor();
    return p.page;
  }

  async function shot(page: Page, name: string) {
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  async function upload(page: Page, name: string, content: string) {
    await page
      .getByTestId('import-file')
      .setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(content) });
  }

  it('reports every bad row of an import and changes nothing, then imports a good file', async () => {
    const page = await as('hq', '/catalog/import');
    await page.getByTestId('catalog-import-page').waitFor();
    await upload(page, 'bad.json', catalogFile(true));
    await page.getByTestId('import-check').click();
    const problem = page.getByTestId('import-problem');
    await problem.first().waitFor();
    assert.equal(await problem.count(), 1);
    assert.equal(await problem.getAttribute('data-code'), 'GTIN_CHECK_DIGIT');
    const cells = await problem.locator('td').allTextContents();
    assert.equal(cells[0], 'products');
    assert.equal(cells[1], '2', 'the second product');
    assert.match(cells[2] ?? '', /gtin/i, 'the column at fault');
    assert.equal(cells[3], 'GTIN_CHECK_DIGIT');
    assert.equal(await page.getByTestId('import-apply').isDisabled(), true, 'no import after a failed check');
    await shot(page, 'catalog-import-report');
    assert.equal(
      fleet.services.catalog.products.get('imp-milk-1l'),
      undefined,
      'nothing written: not even the good row',
    );

    await upload(page, 'good.json', catalogFile(false));
    assert.equal(await page.getByTestId('import-report').count(), 0, 'a new file clears the old report');
    await page.getByTestId('import-check').click();
    await page.locator('[data-testid="import-report"][data-ok="true"]').waitFor();
    assert.equal(fleet.services.catalog.products.get('imp-milk-1l'), undefined, 'a dry run writes nothing');
    await page.getByTestId('import-apply').click();
    await page.locator('[data-testid="import-report"][data-applied="true"]').waitFor();
    assert.match(await text(page.getByTestId('import-summary')), /2 products created/);
    assert.equal(fleet.services.catalog.products.get('imp-milk-1l')?.priceFen, 1230);

    await page.goto('/catalog?search=6901234567892');
    const row = page.getByTestId('product-row');
    await row.first().waitFor();
    assert.equal(await row.count(), 1);
    assert.equal(await row.getAttribute('data-sku'), 'imp-milk-1l');
    assert.equal(await text(row.getByTestId('product-price')), '¥12.30');
    await shot(page, 'catalog-products');
  });

  it('shows a new order live on the orders page and turns it paid when the sandbox pays it', async () => {
    const page = await as('manager', '/orders');
    await page.getByTestId('orders-page').waitFor();
    const before = await page.getByTestId('order-row').count();

    const answer = await cart.request('order-submit', {
      order: submission(XUHUI, [
        { sku: 'milk', cartNetFen: 650 },
        { sku: 'bread', cartNetFen: 900 },
      ]),
    });
    assert.equal(answer.reply, 'accepted', JSON.stringify(answer.payload));
    const status = answer.payload.order as { orderId: string; payUrl: string };
    const row = page.locator(`[data-testid="order-row"][data-order="${status.orderId}"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute('data-state'), 'awaiting_payment');
    assert.equal(await text(row.getByTestId('order-total')), '¥15.50');
    assert.equal(await page.getByTestId('order-row').count(), before + 1, 'appeared without a reload');

    // The shopper pays on the sandbox pay page; the fleet's signed notification makes it paid.
    const paid = await fetch(status.payUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    assert.equal(paid.status, 303);
    await page.locator(`[data-testid="order-row"][data-order="${status.orderId}"][data-state="paid"]`).waitFor();
    await shot(page, 'orders-live');

    await row.locator('a').first().click();
    await page.locator('[data-testid="order-page"][data-state="paid"]').waitFor();
    assert.equal(await page.getByTestId('order-line').count(), 2);
    assert.equal(await page.getByTestId('refund-open').count(), 1, 'a manager may refund');
    await shot(page, 'order-detail');

    // At the exit: the receipt URL as a scanner types it, PAID, then the check is recorded.
    const receiptUrl = (await page.getByTestId('receipt-link').getAttribute('href')) as string;
    await page.goto('/exit-check');
    await page.getByTestId('exit-input').fill(receiptUrl);
    await page.getByTestId('exit-input').press('Enter');
    assert.equal(await text(page.getByTestId('exit-verdict')), 'PAID');
    await shot(page, 'exit-check');
    await page.getByTestId('exit-verify').click();
    await eventually(
      () => fleet.services.orders.get(status.orderId).state === 'exit_verified',
      5000,
      'the exit recorded',
    );
    await page.getByTestId('exit-verify').waitFor({ state: 'detached' });
  });

  it('shows an attendant request live and approving it notifies the cart; an attendant lands on the queue', async () => {
    const page = await as('attendant');
    await page.getByTestId('attendant-queue-page').waitFor();
    assert.equal(await page.getByTestId('nav-devices').count(), 0, 'an attendant sees no device pages');
    assert.equal(await page.getByTestId('nav-group-commerce').count(), 1);

    const call = await cart.request('attendant-request', {
      request: { reason: 'age-check', details: 'Craft beer 500 ml (18+)', sessionId: 'sess-1' },
    });
    assert.equal(call.reply, 'accepted', JSON.stringify(call.payload));
    const requestId = (call.payload.request as { id: string }).id;
    const card = page.locator(`[data-testid="attendant-request"][data-request="${requestId}"]`);
    await card.waitFor();
    assert.match(await text(card), /Age check/);
    assert.match(await text(card), /cart-cx1/);
    await shot(page, 'attendant-queue');

    await card.getByTestId('request-approve').click();
    const resolved = await eventually(
      () => cart.notifications('attendant-resolved').find((n) => n.requestId === requestId),
      5000,
      'notify/attendant-resolved on the cart',
    );
    assert.equal(resolved.state, 'approved');
    await card.waitFor({ state: 'detached' });
  });

  it("shows the cart's live screen read-only, as the cart publishes it", async () => {
    const commands: CommandRequest[] = [];
    await cart.client.subscribeAsync(commandTopics.request('cart-cx1', 'screen-mirror'), { qos: 1 });
    const publishState = (state: CartScreenState) =>
      cart.client.publishAsync(commerceTopics.screen('cart-cx1'), JSON.stringify({ at: Date.now(), state }), {
        qos: 0,
      });
    cart.client.on('message', (topic, payload) => {
      if (topic !== commandTopics.request('cart-cx1', 'screen-mirror')) return;
      const request = JSON.parse(payload.toString()) as CommandRequest;
      commands.push(request);
      cart.client.publish(
        commandTopics.response('cart-cx1', 'screen-mirror'),
        JSON.stringify({ commandId: request.commandId, status: 'succeeded', result: { seconds: 120, until: 0 } }),
      );
      // As a cart does on the command: its current screen at once.
      void publishState({ ...basketScreenState(), thingName: 'cart-cx1' });
    });

    const page = await as('manager', '/devices/cart-cx1');
    await page.getByTestId('open-screen').click();
    await page.getByTestId('cart-screen-page').waitFor();
    const frame = page.getByTestId('cart-screen-frame');
    await frame.getByTestId('cart-screen').waitFor();
    assert.equal(commands.length, 1);
    assert.deepEqual(commands[0]?.params, { seconds: 120 });
    assert.equal(await frame.getByTestId('cs-line').count(), 3);
    assert.equal(await text(frame.getByTestId('cs-total')), '¥36.11');
    await shot(page, 'cart-screen-viewer');

    // The next state replaces it live.
    const next = basketScreenState();
    await publishState({ ...next, thingName: 'cart-cx1', lines: next.lines.slice(0, 1) });
    await eventually(async () => (await frame.getByTestId('cs-line').count()) === 1, 5000, 'the new state shown');
  });

  it('offers a viewer no write buttons and no commerce pages they may not use', async () => {
    const page = await as('viewer', '/catalog');
    await page.getByTestId('catalog-page').waitFor();
    assert.equal(await page.getByTestId('product-create').count(), 0);
    assert.equal(await page.getByTestId('nav-orders').count(), 0);
    assert.equal(await page.getByTestId('nav-attendants').count(), 0);
    assert.equal(await page.getByTestId('nav-catalog').count(), 1, 'positive control: the catalog is theirs to read');
    await page.getByTestId('product-row').first().waitFor();
    await page.getByTestId('product-row').first().locator('a').click();
    await page.getByTestId('product-form').waitFor();
    assert.equal(await page.getByTestId('product-save').count(), 0);
    assert.equal(await page.getByTestId('store-price-editor').count(), 0);
    await page.goto('/promotions');
    await page.getByTestId('promotions-page').waitFor();
    assert.equal(await page.getByTestId('promotion-create').count(), 0);
    await page.goto('/devices/cart-cx1');
    await page.getByTestId('device-page').waitFor();
    assert.equal(await page.getByTestId('open-screen').count(), 0, 'no carts:screen');

    // Positive control: the manager gets the write buttons on the same pages.
    const manager = await as('manager', '/promotions');
    await manager.getByTestId('promotion-create').waitFor();
    await shot(manager, 'promotions');
  });
});
