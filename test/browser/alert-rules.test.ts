import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { CartConfigSchema } from '../../devices/cart/cart-config.ts';
import {
  adcFromVolts,
  CART_PINS,
  tmp36RawFromCelsius,
  voltageFromBatteryPercent,
} from '../../devices/cart/cart-hardware.ts';
import { CartRuntime } from '../../devices/cart/cart-runtime.ts';
import { VirtualZoneLocator } from '../../devices/cart/zone-locator.ts';
import type { DeviceCredentials } from '../../devices/core/device-config.ts';
import { VirtualBoardIO } from '../../devices/core/hardware/virtual-board-io.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { silentLogger } from '../../platform/log.ts';
import {
  type ConsolePage,
  closeBrowser,
  closePages,
  ensureWebBuilt,
  launchBrowser,
  newConsolePage,
  signIn,
} from '../helpers/browser.ts';
import { eventually, sleep, startFleet, tempDir } from '../helpers/fleet-harness.ts';

const XUHUI = 'hf-shanghai-xuhui';
const BINJIANG = 'hf-hangzhou-binjiang';
const HQ = { username: 'hq', password: 'hq-password-for-tests' };
const MANAGER = { username: 'xuhui-manager', password: 'manager-password-for-tests' };
const NEW_RULE_ID = `battery-low-cart-${XUHUI}`;
const text = async (locator: Locator) => (await locator.textContent()) ?? '';

describe('alert rules in the web console (real fleet, real cart runtimes on virtual hardware)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let browser: Browser;
  let baseURL: string;
  const credentials = new Map<string, DeviceCredentials>();
  const carts = new Map<string, CartRuntime>();
  let open: ConsolePage[] = [];

  async function register(thingName: string, storeId: string) {
    const r = await fleet.services.registry.registerDevice({
      thingName,
      kind: 'cart',
      hardwareModel: 'SC-200',
      storeId,
      zoneId: `${storeId}-dock`,
    });
    credentials.set(thingName, {
      certificatePem: r.certificate.certificatePem,
      privateKeyPem: r.certificate.privateKeyPem,
      caPem: r.caPem,
    });
  }

  /** A cart runtime on a virtual board, reporting `battery` % and not docked (so not charging). */
  async function startCart(thingName: string, battery: number) {
    const io = new VirtualBoardIO();
    io.setAnalogInput(0, adcFromVolts(voltageFromBatteryPercent(battery)));
    io.setAnalogInput(1, tmp36RawFromCelsius(25));
    io.setDigitalInput(CART_PINS.dockContact, false);
    const config = CartConfigSchema.parse({
      thingName,
      endpoint: { host: 'localhost', port: fleet.services.broker.tlsPort },
      certDir: join(dir.path, thingName),
      dataDir: join(dir.path, thingName, 'data'),
      telemetryIntervalMs: 250,
      healthIntervalMs: 400,
    });
    const runtime = new CartRuntime(config, credentials.get(thingName)!, new VirtualZoneLocator(), silentLogger(), io);
    await runtime.start();
    carts.set(thingName, runtime);
    await eventually(() => fleet.services.presence.get(thingName)?.state === 'online', 10_000, `${thingName} online`);
  }

  const activeAlerts = (thingName: string) =>
    fleet.services.alerts.list({ state: 'active', storeIds: null, thingName, limit: 10, offset: 0 }).items;

  async function openPage(): Promise<ConsolePage> {
    const p = await newConsolePage(browser, baseURL);
    open.push(p);
    return p;
  }

  /** Fills the rule dialog (opened with "Add rule") and adds the rule to the unsaved set. */
  async function addRule(
    page: Page,
    rule: { cause: string; kind: string; store: string; threshold: string; clear: string; forSeconds: string },
  ) {
    await page.getByTestId('rules-add').click();
    const dialog = page.getByTestId('rule-dialog');
    await dialog.getByTestId('rule-cause').selectOption(rule.cause);
    await dialog.getByTestId('rule-kind').selectOption(rule.kind);
    await dialog.getByTestId('rule-store').selectOption(rule.store);
    await dialog.getByTestId('rule-threshold').fill(rule.threshold);
    await dialog.getByTestId('rule-clear-threshold').fill(rule.clear);
    await dialog.getByTestId('rule-for-seconds').fill(rule.forSeconds);
    await dialog.getByTestId('rule-apply').click();
    await dialog.waitFor({ state: 'detached' });
  }

  before(async () => {
    await ensureWebBuilt();
    dir = tempDir('cartfleet-browser-rules-');
    fleet = await startFleet(join(dir.path, 'fleet'), { seedDemoData: true });
    baseURL = `http://127.0.0.1:${fleet.services.http.port}`;
    const { access } = fleet.services;
    await access.createUser({ username: HQ.username, displayName: 'HQ Operator', role: 'hq-admin' }, HQ.password);
    await access.createUser(
      { username: MANAGER.username, displayName: 'Xuhui Manager', role: 'store-manager', storeIds: [XUHUI] },
      MANAGER.password,
    );
    await register('cart-x1', XUHUI);
    await register('cart-b1', BINJIANG);
    browser = await launchBrowser();
  });

  afterEach(async () => {
    const pages = open;
    open = [];
    await closePages(pages);
  });

  after(async () => {
    await closeBrowser(browser);
    for (const runtime of carts.values()) await runtime.stop();
    await fleet?.stop();
    dir?.cleanup();
  });

  it('lets an hq-admin add a store-specific battery rule that raises a live alert', async () => {
    // the fleet's defaults: a cart at 40 % raises nothing
    assert.equal(
      fleet.services.alerts.rules().find((r) => r.id === 'cart-battery-low')?.threshold,
      20,
      'the default cart rule opens below 20 %',
    );
    const { page } = await openPage();
    await signIn(page, HQ.username, HQ.password, '/alerts');
    await page.getByTestId('alerts-view-rules').click();
    await page.getByTestId('alert-rules-page').waitFor();
    const defaults = page.locator('[data-testid="rule-row"][data-rule="cart-battery-low"]');
    assert.equal(
      await text(defaults.getByTestId('rule-sentence')),
      'Cart battery below 20 % for 60 s → warning; clears at 25 % or when charging',
    );
    assert.equal(await text(defaults.getByTestId('rule-scope')), 'All carts');
    assert.equal(await page.getByTestId('rules-status').getAttribute('data-dirty'), 'false');

    await addRule(page, {
      cause: 'battery-low',
      kind: 'cart',
      store: XUHUI,
      threshold: '50',
      clear: '55',
      forSeconds: '0',
    });
    const row = page.locator(`[data-testid="rule-row"][data-rule="${NEW_RULE_ID}"]`);
    assert.equal(
      await text(row.getByTestId('rule-sentence')),
      'Cart battery below 50 % → warning; clears at 55 % or when charging',
    );
    assert.match(await text(row.getByTestId('rule-scope')), /^Carts in /);
    assert.equal(await page.getByTestId('rules-status').getAttribute('data-dirty'), 'true');
    assert.match(await text(page.getByTestId('rules-status')), /Unsaved changes.*1 added/);
    // nothing is stored before Save
    assert.equal(
      fleet.services.alerts.rules().some((r) => r.id === NEW_RULE_ID),
      false,
    );

    await page.getByTestId('rules-save').click();
    await page.locator('[data-testid="rules-status"][data-dirty="false"]').waitFor();
    const stored = fleet.services.alerts.rules().find((r) => r.id === NEW_RULE_ID);
    assert.deepEqual(stored, {
      id: NEW_RULE_ID,
      cause: 'battery-low',
      deviceKind: 'cart',
      storeId: XUHUI,
      severity: 'warning',
      threshold: 50,
      clearThreshold: 55,
      forSeconds: 0,
      enabled: true,
    });
    assert.equal(fleet.services.alerts.rules().length, 7, 'the six defaults are kept');

    // the alerts page, open while a cart in that store reports 40 %: the alert shows up live
    await page.getByTestId('alerts-view-alerts').click();
    await page.getByTestId('alerts-page').waitFor();
    await startCart('cart-b1', 40); // another store: the default rule (below 20 %) still applies there
    await startCart('cart-x1', 40);
    const alertRow = page.locator('[data-testid="alert-row"][data-thing="cart-x1"]');
    await alertRow.waitFor({ timeout: 15_000 });
    assert.match(await text(alertRow), /Battery low/);
    const [alert] = activeAlerts('cart-x1');
    assert.equal(alert?.cause, 'battery-low');
    assert.equal(alert?.severity, 'warning');
    await sleep(1000);
    assert.deepEqual(activeAlerts('cart-b1'), [], 'no alert in the other store');
    assert.equal(await page.locator('[data-testid="alert-row"][data-thing="cart-b1"]').count(), 0);
  });

  it('shows the server’s validation problems and changes nothing when a rule is invalid', async () => {
    const before = fleet.services.alerts.rules();
    const { page } = await openPage();
    await signIn(page, HQ.username, HQ.password, '/alerts/rules');
    await page.getByTestId('alert-rules-page').waitFor();
    // a high-temperature alert that would clear above the temperature it opens at
    await addRule(page, {
      cause: 'temperature-high',
      kind: 'cart',
      store: XUHUI,
      threshold: '60',
      clear: '70',
      forSeconds: '30',
    });
    await page.getByTestId('rules-save').click();
    const error = page.getByTestId('rules-error');
    await error.waitFor();
    assert.match(await text(error), /nothing was changed/);
    assert.match(await text(error), /a temperature at or below threshold is required/);
    const row = page.locator(`[data-testid="rule-row"][data-rule="temperature-high-cart-${XUHUI}"]`);
    assert.match(await text(row.getByTestId('rule-problems')), /Clears at: a temperature at or below threshold/);
    // the draft is kept, still unsaved, and the server's set is unchanged
    assert.equal(await page.getByTestId('rules-status').getAttribute('data-dirty'), 'true');
    assert.deepEqual(fleet.services.alerts.rules(), before);
    // the problem is shown next to the field when the rule is opened again
    await row.getByTestId('rule-edit').click();
    assert.match(
      await text(page.getByTestId('rule-dialog').getByTestId('rule-field-problem-clearThreshold')),
      /at or below threshold/,
    );
  });

  it('shows a store manager the rules read-only', async () => {
    const { page } = await openPage();
    await signIn(page, MANAGER.username, MANAGER.password, '/alerts');
    await page.getByTestId('alerts-view-rules').click();
    await page.getByTestId('alert-rules-page').waitFor();
    const row = page.locator(`[data-testid="rule-row"][data-rule="${NEW_RULE_ID}"]`);
    assert.equal(
      await text(row.getByTestId('rule-sentence')),
      'Cart battery below 50 % → warning; clears at 55 % or when charging',
    );
    assert.equal(await text(row.getByTestId('rule-enabled-state')), 'Enabled');
    assert.equal(await page.getByTestId('rule-group').count(), 4);
    for (const control of ['rules-bar', 'rules-save', 'rules-add', 'rule-edit', 'rule-delete', 'rule-enabled']) {
      assert.equal(await page.getByTestId(control).count(), 0, `no ${control} for a store manager`);
    }
  });
});
