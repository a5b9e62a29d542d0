import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import QRCode from 'qrcode';
import { CartScreenServer } from '../../devices/cart/screen/cart-screen-server.ts';
import { silentLogger } from '../../platform/log.ts';
import type { CartScreenState } from '../../protocol/commerce/cart-screen.ts';
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
import { basketScreenState, FakeCartScreenModel, idleScreenState } from '../mocks/fake-cart-screen-model.ts';
import { eventually } from '../mocks/wait-for.ts';

const PAY_URL = 'http://127.0.0.1:8080/pay/pay-7f3a9c?sig=ab12';

describe('cart screen in a browser (the cart screen server, a scripted cart model)', function () {
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

  async function openScreen(path = '/'): Promise<Page> {
    const p = await newConsolePage(browser, server.url);
    open.push(p);
    await p.page.goto(path);
    await p.page.getByTestId('cart-screen').waitFor();
    return p.page;
  }

  it('shows the basket: lines in Chinese, savings with their promotion, totals, points and what checkout waits for', async () => {
    const page = await openScreen();
    assert.equal(await page.getByTestId('cart-screen').getAttribute('data-locale'), 'zh');
    const lines = page.getByTestId('cs-line');
    assert.equal(await lines.count(), 3);
    const milk = page.locator('[data-testid="cs-line"][data-line="l1"]');
    assert.equal(await text(milk.getByTestId('cs-line-name')), '鲜牛奶 1L');
    assert.equal(await text(milk.getByTestId('cs-line-amount')), '× 2');
    assert.equal(await text(milk.getByTestId('cs-line-price')), '¥20.00');
    assert.equal(await text(milk.getByTestId('cs-line-saving')), '牛奶两件20元-¥4.60');
    const bananas = page.locator('[data-testid="cs-line"][data-line="l2"]');
    assert.equal(await text(bananas.getByTestId('cs-line-amount')), '1.234 kg');
    assert.equal(await text(bananas.getByTestId('cs-line-price')), '¥8.61');
    assert.match(await text(bananas), /¥6\.98\/千克/);
    // the beer is not on the scale yet; the others are
    const beer = page.locator('[data-testid="cs-line"][data-line="l3"]');
    assert.equal(await text(beer.getByTestId('cs-line-waiting')), '等待称重确认');
    assert.equal(await milk.getByTestId('cs-line-waiting').count(), 0);

    assert.equal(await text(page.getByTestId('cs-subtotal')), '¥40.71');
    assert.equal(await text(page.getByTestId('cs-savings')), '-¥4.60');
    assert.equal(await text(page.getByTestId('cs-total')), '¥36.11');
    assert.equal(await text(page.getByTestId('cs-points-earn')), '+36');
    assert.equal(await text(page.getByTestId('cs-member-name')), 'Li Na');
    assert.equal(await text(page.getByTestId('cs-member-balance')), '积分 2480');
    assert.deepEqual(await page.getByTestId('cs-lock').evaluateAll((els) => els.map((e) => e.dataset.lock)), [
      'age-check',
      'unconfirmed-lines',
    ]);
    assert.match(await text(page.getByTestId('cs-blocked')), /年龄核验（18 岁以上）：店员马上就到/);
    assert.equal(await page.getByTestId('cs-checkout').isDisabled(), true);

    // live: the scale confirms the beer and an attendant approves; totals follow without a reload
    const next = basketScreenState();
    next.lines = next.lines.map((l) => ({ ...l, confirmedQuantity: l.quantity }));
    next.locks = [];
    model.set(next);
    await page.getByTestId('cs-line-waiting').waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('cs-checkout').isEnabled(), true);
    await page.getByTestId('cs-checkout').click();
    await eventually(() => model.actions.some((a) => a.type === 'checkout'), 5000, 'checkout sent');
  });

  it('switches the language with the toggle, and starts the next shopper in Chinese', async () => {
    const page = await openScreen();
    const milk = page.locator('[data-testid="cs-line"][data-line="l1"]').getByTestId('cs-line-name');
    assert.equal(await text(milk), '鲜牛奶 1L');
    await page.getByTestId('cs-lang').click();
    assert.equal(await text(milk), 'Fresh milk 1 L');
    assert.equal(await page.getByTestId('cart-screen').getAttribute('data-locale'), 'en');
    assert.equal(await text(page.getByTestId('cs-member-balance')), '2480 points');
    assert.equal(await text(page.getByTestId('cs-checkout')), 'Checkout');
    assert.match(await text(page.getByTestId('cs-blocked')), /Age check \(18\+\): an attendant is coming/);
    await page.getByTestId('cs-lang').click();
    assert.equal(await text(milk), '鲜牛奶 1L');

    await page.getByTestId('cs-lang').click();
    assert.equal(await text(page.getByTestId('cs-checkout')), 'Checkout');
    model.set(idleScreenState());
    await page.getByTestId('cs-welcome').waitFor();
    assert.equal(await page.getByTestId('cart-screen').getAttribute('data-locale'), 'zh');
    assert.match(await text(page.getByTestId('cs-welcome')), /请扫描会员码/);
  });

  it('shows a removal prompt over the basket; its "yes" sends answer-removal and the prompt closes', async () => {
    model.onAct = (action, m) => {
      if (action.type === 'answer-removal') m.patch({ prompt: null });
    };
    const page = await openScreen();
    assert.equal(await page.getByTestId('cs-prompt').count(), 0);
    model.patch({
      prompt: {
        kind: 'confirm-removal',
        lineId: 'l1',
        sku: 'milk-1l',
        name: { zh: '鲜牛奶 1L', en: 'Fresh milk 1 L' },
        deltaG: -1032,
        since: 0,
      },
    });
    const prompt = page.getByTestId('cs-prompt');
    await prompt.waitFor();
    assert.equal(await prompt.getAttribute('data-kind'), 'confirm-removal');
    assert.match(await text(prompt), /您拿出了这件商品吗？/);
    assert.match(await text(prompt), /鲜牛奶 1L/);
    await page.getByTestId('cs-removal-yes').click();
    await prompt.waitFor({ state: 'detached' });
    assert.deepEqual(model.actions, [{ type: 'answer-removal', removed: true }]);

    // an unexplained increase asks for a scan and says how much was added
    model.patch({ prompt: { kind: 'scan-added', deltaG: 350, since: 0 } });
    await prompt.waitFor();
    assert.equal(await text(page.getByTestId('cs-prompt-grams')), '增加了 350 g');
  });

  it("shows coded errors in the shopper's words with the code in small print, from the cart and from a refused action", async () => {
    const page = await openScreen();
    model.patch({ notice: { code: 'GTIN_CHECK_DIGIT', message: 'check digit 3 expected 7', at: 0 } });
    const notice = page.getByTestId('cs-notice');
    await notice.waitFor();
    assert.equal(await notice.getAttribute('data-code'), 'GTIN_CHECK_DIGIT');
    assert.equal(await text(page.getByTestId('cs-notice-text')), '条码没有读对，请重新扫描');
    await page.getByTestId('cs-notice-dismiss').click();
    await eventually(() => model.actions.some((a) => a.type === 'dismiss-notice'), 5000, 'dismiss-notice sent');
    model.patch({ notice: null });
    await notice.waitFor({ state: 'detached' });

    model.failNext('COUPON_EXPIRED', 'coupon SAVE5NOW expired');
    await page.getByTestId('cs-open-coupons').click();
    await page.getByTestId('cs-coupon-apply').click();
    await notice.waitFor();
    assert.equal(await notice.getAttribute('data-code'), 'COUPON_EXPIRED');
    assert.equal(await text(page.getByTestId('cs-notice-text')), '优惠券已过期');
    assert.deepEqual(model.actions.at(-1), { type: 'apply-coupon', couponId: 'SAVE5NOW' });
  });

  it('shows the pay QR for the pay page with the amount, then the receipt', async () => {
    const page = await openScreen();
    const state: CartScreenState = {
      ...basketScreenState(),
      session: { state: 'checkout', sessionId: 'sess-1' },
      locks: [],
      checkout: {
        state: 'awaiting-payment',
        orderId: 'ord-0001',
        payableFen: 3611,
        payUrl: PAY_URL,
        payQrSvg: await QRCode.toString(PAY_URL, { type: 'svg', margin: 2 }),
        receiptUrl: null,
        receiptQrSvg: null,
        error: null,
      },
    };
    model.set(state);
    await page.getByTestId('cs-pay-qr').waitFor();
    assert.equal(await text(page.getByTestId('cs-pay-amount')), '¥36.11');
    assert.equal(await decodeQr(page, 'cs-pay-qr'), PAY_URL);

    const receiptUrl = 'http://127.0.0.1:8080/r/ord-0001';
    model.set({
      ...state,
      checkout: {
        ...(state.checkout as NonNullable<CartScreenState['checkout']>),
        state: 'paid',
        receiptUrl,
        receiptQrSvg: await QRCode.toString(receiptUrl, { type: 'svg', margin: 2 }),
      },
    });
    await page.getByTestId('cs-paid').waitFor();
    assert.equal(await decodeQr(page, 'cs-receipt-qr'), receiptUrl);
  });

  it('renders an SVG with a script as an image: nothing in it runs', async () => {
    const page = await openScreen();
    model.set({
      ...basketScreenState(),
      checkout: {
        state: 'awaiting-payment',
        orderId: 'ord-0002',
        payableFen: 100,
        payUrl: PAY_URL,
        payQrSvg:
          '<svg xmlns="http://www.w3.org/2000/svg" onload="top.pwned=1"><script>top.pwned=1</script><rect width="9" height="9"/></svg>',
        receiptUrl: null,
        receiptQrSvg: null,
        error: null,
      },
    });
    await page.getByTestId('cs-pay-qr').waitFor();
    await page.getByTestId('cs-pay-qr').evaluate((img) => (img as unknown as { decode(): Promise<void> }).decode());
    assert.equal(await page.evaluate(() => (globalThis as { pwned?: number }).pwned), undefined);
  });

  it('offers no action in the read-only view, while the kiosk page has them', async () => {
    const kiosk = await openScreen();
    assert.ok((await kiosk.locator('[data-action]').count()) >= 5, 'the kiosk has action buttons');
    model.patch({
      prompt: { kind: 'confirm-removal', lineId: 'l1', sku: 'milk-1l', deltaG: -1032, since: 0 },
      notice: { code: 'BARCODE_UNKNOWN', message: 'unknown', at: 0 },
    });
    await kiosk.getByTestId('cs-removal-yes').waitFor();

    const view = await openScreen('/?view');
    await view.getByTestId('cs-prompt').waitFor();
    assert.equal(await view.getByTestId('cs-line').count(), 3);
    assert.equal(await text(view.getByTestId('cs-total')), '¥36.11');
    assert.equal(await view.getByTestId('cs-notice').count(), 1);
    assert.equal(await view.locator('[data-action]').count(), 0);
    assert.equal(await view.locator('input').count(), 0);
    // the language toggle is the only button: it changes nothing on the cart
    assert.deepEqual(await view.locator('button').evaluateAll((els) => els.map((e) => e.dataset.testid)), ['cs-lang']);
  });

  it('logs a member in with a code typed on the keypad, or starts a guest session, from the welcome screen', async () => {
    model.set(idleScreenState());
    const page = await openScreen();
    await page.getByTestId('cs-welcome').waitFor();
    await page.getByTestId('cs-type-member-code').click();
    const pad = page.getByTestId('cs-member-pad');
    const ok = pad.getByTestId('cs-key-ok');
    const press = async (keys: string) => {
      for (const k of keys) await pad.getByTestId(k === '.' ? 'cs-key-dot' : `cs-key-${k}`).click();
    };
    assert.equal(await text(pad.getByTestId('cs-member-code')), 'CFM1.', 'the prefix comes by itself');
    await press('.10002345..');
    assert.equal(await text(pad.getByTestId('cs-member-code')), 'CFM1.10002345.', 'one dot, not first');
    await press('12345');
    assert.equal(await ok.isDisabled(), true, 'five digits of the one-time code are not a code');
    await press('67');
    await pad.getByTestId('cs-key-backspace').click();
    assert.equal(await text(pad.getByTestId('cs-member-code')), 'CFM1.10002345.123456');
    assert.equal(await ok.isEnabled(), true);
    await ok.click();
    await pad.waitFor({ state: 'detached' });
    await page.getByTestId('cs-start-guest').click();
    await eventually(() => model.actions.length === 2, 5000, 'two actions');
    assert.deepEqual(model.actions, [{ type: 'member-code', code: 'CFM1.10002345.123456' }, { type: 'start' }]);
  });

  it('picks produce from the grid and asks for it on the scale', async () => {
    model.onAct = (action, m) => {
      if (action.type === 'weigh-produce') {
        m.patch({
          produce: null,
          prompt: { kind: 'weigh-produce', sku: action.sku, name: { zh: '苹果', en: 'Apples' }, tareG: 4, since: 0 },
        });
      }
    };
    const page = await openScreen();
    model.patch({
      produce: {
        query: '',
        results: [
          { sku: 'apple', plu: '4131', name: { zh: '苹果', en: 'Apples' }, priceFen: 1290 },
          { sku: 'banana', plu: '4011', name: { zh: '香蕉', en: 'Bananas' }, priceFen: 698 },
        ],
      },
    });
    const apple = page.locator('[data-testid="cs-produce-item"][data-sku="apple"]');
    assert.match(await text(apple), /PLU 4131/);
    assert.match(await text(apple), /¥12\.90\/千克/);
    await page.getByTestId('cs-key-4').click();
    await page.getByTestId('cs-key-1').click();
    assert.equal(await text(page.getByTestId('cs-produce-query')), '41');
    await apple.getByRole('button').click();
    await page.getByTestId('cs-prompt').and(page.locator('[data-kind="weigh-produce"]')).waitFor();
    assert.match(await text(page.getByTestId('cs-prompt')), /已扣除袋重 4 g/);
    assert.deepEqual(model.actions.at(-1), { type: 'weigh-produce', sku: 'apple' });
    assert.ok(model.actions.some((a) => a.type === 'search-produce' && a.query === '41'));
  });
});
