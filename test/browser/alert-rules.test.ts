import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { DEFAULT_ALERT_RULES } from '../../protocol/api/alert-rules.ts';
import { signIn, text } from '../helpers/browser.ts';
import { BINJIANG, createConsoleUsers, HQ, MANAGER, useConsoleFleet, XUHUI } from '../helpers/console-fleet.ts';
import { eventually } from '../helpers/fleet-harness.ts';

const NEW_RULE_ID = `battery-low-cart-${XUHUI}`;

describe('alert rules in the web console (real fleet, real cart runtimes on virtual hardware)', function () {
  this.timeout(60_000);
  const env = useConsoleFleet('cartfleet-browser-rules-', async ({ fleet, registerCart }) => {
    await createConsoleUsers(fleet);
    await registerCart('cart-x1', XUHUI);
    await registerCart('cart-b1', BINJIANG);
  });
  const { openPage, startCart } = env;

  const activeAlerts = (thingName: string) =>
    env.fleet.services.alerts.list({ state: 'active', storeIds: null, thingName, limit: 10, offset: 0 }).items;

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

  it('lets an hq-admin add a store-specific battery rule that raises a live alert', async () => {
    // the fleet's defaults: a cart at 40 % raises nothing
    assert.equal(
      env.fleet.services.alerts.rules().find((r) => r.id === 'cart-battery-low')?.threshold,
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
      env.fleet.services.alerts.rules().some((r) => r.id === NEW_RULE_ID),
      false,
    );

    await page.getByTestId('rules-save').click();
    await page.locator('[data-testid="rules-status"][data-dirty="false"]').waitFor();
    const stored = env.fleet.services.alerts.rules().find((r) => r.id === NEW_RULE_ID);
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
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    assert.deepEqual(
      env.fleet.services.alerts
        .rules()
        .filter((r) => r.id !== NEW_RULE_ID)
        .sort(byId),
      [...DEFAULT_ALERT_RULES].sort(byId),
      'the defaults are kept',
    );

    // the alerts page, open while a cart in that store reports 40 %: the alert shows up live
    await page.getByTestId('alerts-view-alerts').click();
    await page.getByTestId('alerts-page').waitFor();
    await startCart('cart-b1', { battery: 40 }); // another store: the default rule (below 20 %) still applies there
    await startCart('cart-x1', { battery: 40 });
    const alertRow = page.locator('[data-testid="alert-row"][data-thing="cart-x1"]');
    await alertRow.waitFor({ timeout: 15_000 });
    assert.match(await text(alertRow), /Battery low/);
    const [alert] = activeAlerts('cart-x1');
    assert.equal(alert?.cause, 'battery-low');
    assert.equal(alert?.severity, 'warning');
    // The engine decides on each reading as it is received: once cart-b1's 40 % is in, it has been judged.
    await eventually(
      () => env.fleet.services.telemetry.latestOf('cart-b1').telemetry?.metrics['battery.percent'] === 40,
      10_000,
      "cart-b1's 40 % received",
    );
    assert.deepEqual(activeAlerts('cart-b1'), [], 'no alert in the other store');
    assert.equal(await page.locator('[data-testid="alert-row"][data-thing="cart-b1"]').count(), 0);
  });

  it('shows the server’s validation problems and changes nothing when a rule is invalid', async () => {
    const before = env.fleet.services.alerts.rules();
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
    assert.deepEqual(env.fleet.services.alerts.rules(), before);
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
