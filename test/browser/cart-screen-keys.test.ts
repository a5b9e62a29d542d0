/**
 * The cart screen's on-screen keys (web/src/cart-screen/on-screen-keys.tsx): a cart's screen is a touch panel with
 * no keyboard, so every code and search is typed by tapping keys. Taps are real touch events (a context with
 * `hasTouch`); one test drives the same keys with a mouse.
 */
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { CatalogIndex } from '../../commerce/catalog-index.ts';
import { CartScreenServer } from '../../devices/cart/screen/cart-screen-server.ts';
import { silentLogger } from '../../platform/log.ts';
import type { CartScreenState } from '../../protocol/commerce/cart-screen.ts';
import { demoCatalog } from '../../sim/demo-catalog.ts';
import {
  type ConsolePage,
  closeBrowser,
  closePages,
  ensureWebBuilt,
  launchBrowser,
  newConsolePage,
  text,
} from '../helpers/browser.ts';
import { basketScreenState, FakeCartScreenModel, idleScreenState } from '../mocks/fake-cart-screen-model.ts';
import { eventually } from '../mocks/wait-for.ts';

/** What the cart's screen state holds for a produce search (devices/cart/commerce/screen-state.ts), from the real index. */
function produceFor(index: CatalogIndex, query: string): NonNullable<CartScreenState['produce']> {
  return {
    query,
    results: index
      .searchProduce(query, 'zh', 24)
      .map((p) => ({ sku: p.sku, plu: p.plu, name: p.name, priceFen: p.priceFen })),
  };
}

/** Elements that take typed text: focusing one opens the OS keyboard over a kiosk. A range slider does not. */
const TEXT_FIELDS = 'input:not([type="range"]), textarea, select, [contenteditable]:not([contenteditable="false"])';

describe('cart screen on-screen keys in a browser (touch and mouse, no OS keyboard)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let server: CartScreenServer;
  let model: FakeCartScreenModel;
  let open: ConsolePage[] = [];
  const demo = demoCatalog();
  const index = new CatalogIndex(demo.products, demo.layouts);

  before(async () => {
    await ensureWebBuilt();
    browser = await launchBrowser();
  });

  beforeEach(async () => {
    model = new FakeCartScreenModel(basketScreenState());
    server = new CartScreenServer(model, { host: '127.0.0.1', port: 0, log: silentLogger() });
    await server.start();
  });

  afterEach(async () => {
    const pages = open;
    open = [];
    await closePages(pages);
    await server.stop();
  });

  after(async () => {
    await closeBrowser(browser);
  });

  /** The kiosk on a touch panel: `tap()` sends touch events, as a finger on the cart's screen does. */
  async function openTouchScreen(): Promise<Page> {
    const context = await browser.newContext({
      baseURL: server.url,
      viewport: { width: 1280, height: 800 },
      locale: 'en-US',
      hasTouch: true,
    });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const entry: ConsolePage = { context, page, pageErrors: [] };
    page.on('pageerror', (err) => entry.pageErrors.push(err));
    open.push(entry);
    await page.goto('/');
    await page.getByTestId('cart-screen').waitFor();
    return page;
  }

  async function openMouseScreen(): Promise<Page> {
    const p = await newConsolePage(browser, server.url);
    open.push(p);
    await p.page.goto('/');
    await p.page.getByTestId('cart-screen').waitFor();
    return p.page;
  }

  // The test compiles without the DOM's types: the page's globals are typed here as far as they are used.
  const focusedTag = (page: Page) =>
    page.evaluate(
      () =>
        (globalThis as unknown as { document: { activeElement: { tagName: string } | null } }).document.activeElement
          ?.tagName ?? null,
    );

  it('types the staff code by tapping the keypad: masked, backspace and clear work, six digits at most, OK sends staff-code', async () => {
    const page = await openTouchScreen();
    await page.getByTestId('cs-open-staff').tap();
    const pad = page.getByTestId('cs-staff');
    const display = pad.getByTestId('cs-staff-code');
    const ok = pad.getByTestId('cs-key-ok');
    const tap = async (keys: string) => {
      for (const k of keys) await pad.getByTestId(`cs-key-${k}`).tap();
    };

    assert.equal(await text(display), '○○○○○○');
    await tap('123');
    assert.equal(await display.getAttribute('data-filled'), '3');
    assert.equal(await text(display), '●●●○○○', 'three dots, never the digits');
    assert.equal(await ok.isDisabled(), true);
    await pad.getByTestId('cs-key-backspace').tap();
    assert.equal(await text(display), '●●○○○○');
    await pad.getByTestId('cs-key-clear').tap();
    assert.equal(await text(display), '○○○○○○');

    await tap('4829175');
    assert.equal(await text(display), '●●●●●●', 'the seventh digit is not taken');
    const outsideKeys = await pad.locator('.cs-card > :not(.cs-keys)').allTextContents();
    assert.doesNotMatch(outsideKeys.join(' '), /\d/, 'no digit of the code anywhere on the card but on the keys');
    assert.equal(await ok.isEnabled(), true);
    assert.notEqual(await focusedTag(page), 'INPUT');
    assert.equal(await page.locator(TEXT_FIELDS).count(), 0);
    await ok.tap();
    await pad.waitFor({ state: 'detached' });
    await eventually(() => model.actions.length === 1, 5000, 'one action');
    assert.deepEqual(model.actions, [{ type: 'staff-code', code: '482917' }]);
  });

  it('labels the keypad in both languages and works with a mouse in English', async () => {
    const page = await openMouseScreen();
    await page.getByTestId('cs-open-staff').click();
    const pad = page.getByTestId('cs-staff');
    assert.match(await text(pad.locator('h2')), /店员码/);
    assert.equal(await text(pad.getByTestId('cs-key-clear')), '清空');
    assert.equal(await text(pad.getByTestId('cs-key-ok')), '确认');
    assert.equal(await pad.getByTestId('cs-key-backspace').getAttribute('aria-label'), '删除');

    await pad.getByTestId('cs-staff-close').click();
    await page.getByTestId('cs-lang').click();
    await page.getByTestId('cs-open-staff').click();
    assert.equal(await text(pad.locator('h2')), 'Staff code');
    assert.equal(await text(pad.getByTestId('cs-key-clear')), 'Clear');
    assert.equal(await text(pad.getByTestId('cs-key-ok')), 'OK');
    assert.equal(await pad.getByTestId('cs-key-backspace').getAttribute('aria-label'), 'Delete');
    for (const k of '9990011') await pad.getByTestId(`cs-key-${k}`).click();
    await pad.getByTestId('cs-key-backspace').click();
    await pad.getByTestId('cs-key-1').click();
    await pad.getByTestId('cs-key-ok').click();
    await eventually(() => model.actions.length === 1, 5000, 'one action');
    assert.deepEqual(model.actions, [{ type: 'staff-code', code: '999001' }]);

    // a wrong code comes back as the cart's coded refusal, in the shopper's language
    model.failNext('STAFF_CODE_INVALID', 'wrong code');
    await page.getByTestId('cs-open-staff').click();
    for (const k of '123456') await pad.getByTestId(`cs-key-${k}`).click();
    await pad.getByTestId('cs-key-ok').click();
    assert.equal(await page.getByTestId('cs-notice').getAttribute('data-code'), 'STAFF_CODE_INVALID');
    assert.equal(await text(page.getByTestId('cs-notice-text')), 'Wrong staff code');
  });

  it('asks for the CJK font a cart image ships before any other', async () => {
    const page = await openMouseScreen();
    const family = await page
      .getByTestId('cart-screen')
      .evaluate(
        (el) =>
          (globalThis as unknown as { getComputedStyle(e: unknown): { fontFamily: string } }).getComputedStyle(el)
            .fontFamily,
      );
    assert.match(family, /^"Noto Sans CJK SC", /);
  });

  it('finds produce by tapping pinyin initials on the letter keys, and picks it for the scale', async () => {
    model.onAct = (action, m) => {
      if (action.type === 'search-produce') m.patch({ produce: produceFor(index, action.query) });
      if (action.type === 'weigh-produce') {
        const product = index.product(action.sku);
        m.patch({ produce: null, prompt: { kind: 'weigh-produce', sku: action.sku, name: product?.name, since: 0 } });
      }
    };
    const page = await openTouchScreen();
    await page.getByTestId('cs-open-produce').tap();
    const picker = page.getByTestId('cs-produce');
    await picker.waitFor();
    const query = picker.getByTestId('cs-produce-query');
    assert.match(await text(query), /拼音首字母/, 'the empty search says what to type');
    const names = () => picker.locator('[data-testid="cs-produce-item"] .cs-produce-name').allTextContents();

    await picker.getByTestId('cs-key-p').tap();
    await picker.getByTestId('cs-key-g').tap();
    assert.equal(await text(query), 'pg');
    await eventually(async () => (await query.getAttribute('data-query')) === 'pg', 5000, 'the cart searched pg');
    assert.deepEqual((await names()).sort(), ['富士苹果', '有机苹果'], 'fspg and yjpg hold pg');
    assert.deepEqual(
      model.actions.map((a) => (a.type === 'search-produce' ? a.query : a.type)),
      ['', 'p', 'pg'],
      'the opening search, then one search per key with the whole query',
    );

    // backspace, then initials from the start: 西红柿 is xhs, 有机西红柿 only contains it
    await picker.getByTestId('cs-key-clear').tap();
    for (const k of 'xh') await picker.getByTestId(`cs-key-${k}`).tap();
    await picker.getByTestId('cs-key-backspace').tap();
    await picker.getByTestId('cs-key-h').tap();
    await picker.getByTestId('cs-key-s').tap();
    await eventually(async () => (await query.getAttribute('data-query')) === 'xhs', 5000, 'the cart searched xhs');
    assert.deepEqual(await names(), ['西红柿', '有机西红柿']);
    assert.equal(await page.locator(TEXT_FIELDS).count(), 0);
    assert.notEqual(await focusedTag(page), 'INPUT');

    const tomato = demo.products.find((p) => p.name.zh === '西红柿');
    assert.ok(tomato);
    await picker.locator(`[data-testid="cs-produce-item"][data-sku="${tomato.sku}"] button`).tap();
    await page.getByTestId('cs-prompt').and(page.locator('[data-kind="weigh-produce"]')).waitFor();
    assert.deepEqual(model.actions.at(-1), { type: 'weigh-produce', sku: tomato.sku });
  });

  it('searches produce in English by name, and by PLU on the digit row', async () => {
    model.onAct = (action, m) => {
      if (action.type === 'search-produce') m.patch({ produce: produceFor(index, action.query) });
    };
    const page = await openTouchScreen();
    await page.getByTestId('cs-lang').tap();
    await page.getByTestId('cs-open-produce').tap();
    const picker = page.getByTestId('cs-produce');
    const query = picker.getByTestId('cs-produce-query');
    assert.equal(await text(query), 'Type a name or PLU code');
    assert.equal(await text(picker.getByTestId('cs-key-space')), 'Space');
    assert.equal(await text(picker.getByTestId('cs-key-clear')), 'Clear');
    assert.equal(await text(picker.getByTestId('cs-key-w')), 'W', 'capitals on the keys');

    for (const k of 'water') await picker.getByTestId(`cs-key-${k}`).tap();
    await eventually(async () => (await query.getAttribute('data-query')) === 'water', 5000, 'the cart searched water');
    assert.deepEqual(await picker.locator('[data-testid="cs-produce-item"] .cs-produce-name').allTextContents(), [
      'Watermelon',
    ]);
    assert.deepEqual(
      model.actions.map((a) => (a.type === 'search-produce' ? a.query : a.type)),
      ['', 'w', 'wa', 'wat', 'wate', 'water'],
    );

    const banana = demo.products.find((p) => p.name.zh === '香蕉');
    assert.ok(banana?.plu);
    await picker.getByTestId('cs-key-clear').tap();
    for (const k of banana.plu) await picker.getByTestId(`cs-key-${k}`).tap();
    await eventually(
      async () => (await query.getAttribute('data-query')) === banana.plu,
      5000,
      'the cart searched the PLU',
    );
    assert.deepEqual(
      await picker.locator('[data-testid="cs-produce-item"]').evaluateAll((els) => els.map((e) => e.dataset.sku)),
      [banana.sku],
    );
  });

  it('has no text field on the kiosk for the OS keyboard to open over: staff keypad, produce search, member code', async () => {
    const page = await openTouchScreen();
    // positive control: the points slider is an input that the page does have; a range opens no keyboard
    await page.getByTestId('cs-open-coupons').tap();
    await page.getByTestId('cs-points-slider').waitFor();
    assert.equal(await page.locator('input').count(), 1);
    assert.equal(await page.locator(TEXT_FIELDS).count(), 0);
    await page.getByTestId('cs-coupons-close').tap();

    await page.getByTestId('cs-open-staff').tap();
    await page.getByTestId('cs-staff').getByTestId('cs-numeric-keypad').waitFor();
    assert.equal(await page.locator(TEXT_FIELDS).count(), 0);
    await page.getByTestId('cs-staff-close').tap();

    model.patch({ produce: produceFor(index, '') });
    await page.getByTestId('cs-letter-keyboard').waitFor();
    assert.equal(await page.locator(TEXT_FIELDS).count(), 0);

    model.set(idleScreenState());
    await page.getByTestId('cs-type-member-code').tap();
    await page.getByTestId('cs-member-pad').getByTestId('cs-numeric-keypad').waitFor();
    assert.equal(await page.locator(TEXT_FIELDS).count(), 0);
    assert.notEqual(await focusedTag(page), 'INPUT');
  });
});
