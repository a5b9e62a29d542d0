import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { CartScreenServer } from '../../devices/cart/screen/cart-screen-server.ts';
import { silentLogger } from '../../platform/log.ts';
import type { ScreenRecognition } from '../../protocol/commerce/cart-screen.ts';
import {
  type ConsolePage,
  closeBrowser,
  closePages,
  ensureWebBuilt,
  launchBrowser,
  newConsolePage,
  text,
} from '../helpers/browser.ts';
import { basketScreenState, FakeCartScreenModel } from '../mocks/fake-cart-screen-model.ts';

/** The smallest PNG (1×1, opaque): what a gallery thumbnail's data URL looks like to the page. */
const PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const PICK: ScreenRecognition = {
  decisionId: 'rec-1',
  kind: 'pick',
  options: [
    { sku: 'milk-1l', name: { zh: '鲜牛奶 1L', en: 'Fresh milk 1 L' }, plu: null, confidence: 0.55, thumbnail: PIXEL },
    {
      sku: 'milk-lf',
      name: { zh: '低脂牛奶 1L', en: 'Low-fat milk 1 L' },
      plu: null,
      confidence: 0.4,
      thumbnail: null,
    },
  ],
};

describe('cart screen in a browser: recognition’s pick (top options with photos, "none of these")', function () {
  this.timeout(60_000);
  let browser: Browser;
  let server: CartScreenServer;
  let model: FakeCartScreenModel;
  let open: ConsolePage[] = [];

  before(async () => {
    await ensureWebBuilt();
    browser = await launchBrowser();
  });

  beforeEach(async () => {
    model = new FakeCartScreenModel({
      ...basketScreenState(),
      prompt: { kind: 'scan-added', deltaG: 1032, since: 0 },
    });
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

  async function openScreen(): Promise<Page> {
    const p = await newConsolePage(browser, server.url);
    open.push(p);
    await p.page.goto('/');
    await p.page.getByTestId('cart-screen').waitFor();
    return p.page;
  }

  it('shows the options with their photos over the scan prompt; a tap sends pick-recognized', async () => {
    model.onAct = (action, m) => {
      if (action.type === 'pick-recognized') m.patch({ recognition: null, prompt: null });
    };
    const page = await openScreen();
    assert.equal(await page.getByTestId('cs-prompt').getAttribute('data-kind'), 'scan-added');
    model.patch({ recognition: PICK });
    const pick = page.getByTestId('cs-recognition');
    await pick.waitFor();
    assert.equal(await page.getByTestId('cs-prompt').count(), 0, 'the pick replaces the scan prompt');
    assert.match(await text(pick), /您放入的是哪一件？/);
    assert.match(await text(page.getByTestId('cs-pick-milk-1l')), /鲜牛奶 1L/);
    assert.equal(await page.getByTestId('cs-pick-milk-1l').locator('img').getAttribute('src'), PIXEL);
    assert.equal(await page.getByTestId('cs-pick-milk-lf').locator('img').count(), 0, 'no photo: a blank tile');
    await page.getByTestId('cs-pick-milk-lf').click();
    await pick.waitFor({ state: 'detached' });
    assert.deepEqual(model.actions, [{ type: 'pick-recognized', decisionId: 'rec-1', sku: 'milk-lf' }]);
  });

  it('"none of these" sends reject-recognized and the scan prompt comes back', async () => {
    model.onAct = (action, m) => {
      if (action.type === 'reject-recognized') m.patch({ recognition: null });
    };
    const page = await openScreen();
    model.patch({ recognition: PICK });
    await page.getByTestId('cs-recognition').waitFor();
    await page.getByTestId('cs-pick-none').click();
    await page.getByTestId('cs-recognition').waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('cs-prompt').getAttribute('data-kind'), 'scan-added');
    assert.deepEqual(model.actions, [{ type: 'reject-recognized', decisionId: 'rec-1' }]);
  });
});
