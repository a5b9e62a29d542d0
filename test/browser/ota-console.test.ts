import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { FleetConfigInput } from '../../fleet/config.ts';
import { generateSigningKey } from '../../ota/release/signing.ts';
import type { ReleaseDetail, StagedArtifact } from '../../protocol/api/releases.ts';
import type { Rollout, RolloutPage, RolloutSpec } from '../../protocol/api/rollouts.ts';
import { OTA_LOG_LINE_SEPARATOR } from '../../protocol/ota/device-ota.ts';
import { signIn, text } from '../helpers/browser.ts';
import { BINJIANG, createConsoleUsers, HQ, MANAGER, useConsoleFleet, XUHUI } from '../helpers/console-fleet.ts';
import { type ApiUser, apiAs, apiUser, eventually } from '../helpers/fleet-harness.ts';
import { ScriptedOtaDevice, softwareSlots } from '../helpers/scripted-ota-device.ts';

const TECH = { username: 'xuhui-tech', password: 'technician-password-for-tests' };
const BASE_SHA = 'b'.repeat(64);
/** Four carts in Xuhui, two in Binjiang (all on cart-runtime 1.0.0), and a speaker in Xuhui. */
const CARTS = [
  ...[1, 2, 3, 4].map((i) => ({ thingName: `cart-xh-${i}`, storeId: XUHUI })),
  ...[1, 2].map((i) => ({ thingName: `cart-bj-${i}`, storeId: BINJIANG })),
];

/** A rollout spec for the API (the console tests' own rollouts are made in the wizard). */
function spec(releaseId: string, targets: RolloutSpec['targets']): RolloutSpec {
  return {
    releaseId,
    targets,
    phases: [{ name: 'All', percent: 100, start: { kind: 'immediately' } }],
    ratePerMinute: null,
    storeBandwidthKbps: null,
    // Only timeouts count: the failure the test scripts must not abort the rollout it then retries.
    abort: { failureTypes: ['TIMED_OUT'], thresholdPercent: 100, minFinished: 1 },
    retries: { FAILED: 0, TIMED_OUT: 0 },
    inProgressTimeoutMinutes: 60,
    useMaintenanceWindows: false,
    allowDowngrade: false,
    healthCheckTimeoutSeconds: 120,
    maxTrialBoots: 3,
  };
}

/** Records every state the upload progress element shows (fractions while sending, then the fleet's check). */
async function recordProgress(page: Page): Promise<void> {
  // A string, not a function: tsx would compile a function with a `__name` helper the page does not have.
  await page.evaluate(`(() => {
    window.__progress = [];
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid="upload-progress"]');
      if (!el) return;
      const bar = el.querySelector('progress');
      const entry = el.getAttribute('data-state') === 'sending' ? 'sending:' + (bar ? bar.value : '') : el.getAttribute('data-state');
      if (window.__progress[window.__progress.length - 1] !== entry) window.__progress.push(entry);
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  })()`);
}

/** The wizard's preview once it answers for the spec as it stands. */
async function previewCount(page: Page, testId = 'preview-devices'): Promise<number> {
  await page.locator('[data-testid="rollout-preview"][data-state="current"]').waitFor();
  const count = await page.getByTestId(testId).getAttribute('data-count');
  return Number(count);
}

describe('OTA console in a browser (releases, the rollout wizard, live rollouts, roles)', function () {
  this.timeout(180_000);
  const devices = new Map<string, ScriptedOtaDevice>();
  let hqApi: ApiUser;
  let baseRelease: ReleaseDetail;
  const env = useConsoleFleet(
    'cartfleet-ota-console-',
    async ({ fleet, onStop }) => {
      await createConsoleUsers(fleet);
      await fleet.services.access.createUser(
        { username: TECH.username, displayName: 'Xuhui Technician', role: 'technician', storeIds: [XUHUI] },
        TECH.password,
      );
      hqApi = await apiUser(fleet, 'hq-api', 'hq-admin');
      const things = [...CARTS, { thingName: 'speaker-xh-1', storeId: XUHUI, kind: 'speaker' as const }];
      for (const t of things) {
        const kind = 'kind' in t ? t.kind : ('cart' as const);
        const r = await fleet.services.registry.registerDevice({
          thingName: t.thingName,
          kind,
          hardwareModel: kind === 'cart' ? 'SC-200' : 'BX-100',
          storeId: t.storeId,
        });
        const device = new ScriptedOtaDevice(t.thingName, fleet.services.broker.tlsPort, {
          certificatePem: r.certificate.certificatePem,
          privateKeyPem: r.certificate.privateKeyPem,
          caPem: r.caPem,
        });
        await device.start();
        if (kind === 'cart') await device.reportSlots(softwareSlots('cart-runtime', '1.0.0', BASE_SHA));
        devices.set(t.thingName, device);
      }
      onStop(async () => {
        for (const d of devices.values()) await d.stop();
      });
      // A release published through the API (fleet-signed) for the rollouts the role checks start from.
      const bytes = randomBytes(64 * 1024);
      const staged = await fleet.services.http.instance!.inject({
        method: 'POST',
        url: '/api/releases/artifacts',
        headers: { authorization: `Bearer ${hqApi.token}`, 'content-type': 'application/octet-stream' },
        payload: bytes,
      });
      assert.equal(staged.statusCode, 200, staged.body);
      const artifact = staged.json<StagedArtifact>();
      const published = await apiAs(fleet, hqApi.token).post('/api/releases', {
        manifest: {
          schema: 1,
          component: 'software',
          name: 'cart-runtime',
          version: '1.9.0',
          deviceKinds: ['cart'],
          hardwareModels: [],
          upgradeFrom: '*',
          artifact: { sha256: artifact.sha256, size: artifact.size, mediaType: 'application/x-tar' },
          createdAt: new Date().toISOString(),
        },
      });
      assert.equal(published.statusCode, 201, published.body);
      baseRelease = published.json<ReleaseDetail>();
    },
    (dir) => {
      // The fleet signs what the console publishes without a signature: its key file, outside the database.
      const key = generateSigningKey();
      const file = join(dir, 'signing-key.pem');
      writeFileSync(file, key.privateKeyPem, { mode: 0o600 });
      return { ota: { signingKeyFile: file } } as FleetConfigInput;
    },
  );

  it('HQ uploads and publishes a release, rolls it out from the wizard and watches, pauses, resumes and aborts it live', async () => {
    const { page } = await env.openPage();
    await signIn(page, HQ.username, HQ.password, '/');
    await page.getByTestId('nav-updates').click();
    await page.getByTestId('rollouts-page').waitFor();
    await page.getByTestId('ota-nav-releases').click();
    await page.getByTestId('publish-release').click();

    // Upload with progress over a slow uplink (about 300 KB/s): ~1.2 MB take seconds.
    const file = join(env.dir.path, 'cart-runtime-2.0.0.tar');
    const bytes = randomBytes(1200 * 1024);
    writeFileSync(file, bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 300 * 1024,
    });
    await page.getByTestId('release-file').setInputFiles(file);
    await recordProgress(page);
    await page.getByTestId('release-upload').click();
    await page.getByTestId('staged-sha256').waitFor({ timeout: 60_000 });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    const states = await page.evaluate(() => (globalThis as unknown as { __progress: string[] }).__progress);
    const fractions = states.filter((s) => s.startsWith('sending:')).map((s) => Number(s.slice(8)));
    assert.ok(
      fractions.some((f) => f > 0.05 && f < 0.95),
      `progress between 0 and 1 was shown: ${states.join(' ')}`,
    );
    assert.deepEqual(
      fractions,
      [...fractions].sort((a, b) => a - b),
      'progress only moves forward',
    );
    assert.equal(await text(page.getByTestId('staged-sha256')), sha256, 'the fleet hashed the bytes sent');
    assert.equal(await page.getByTestId('staged-size').getAttribute('data-bytes'), String(bytes.length));

    // The manifest form starts from the file name; a bad version is refused at its field before anything is sent.
    assert.equal(await page.getByTestId('release-name').inputValue(), 'cart-runtime');
    assert.equal(await page.getByTestId('release-version').inputValue(), '2.0.0');
    await page.getByTestId('release-version').fill('2.0');
    await page.getByTestId('release-publish').click();
    await page.getByTestId('problem-version').waitFor();
    await page.getByTestId('release-version').fill('2.0.0');
    await page.getByTestId('release-upgrade-from').fill('>=1.0.0 <2.0.0');
    await page.getByTestId('release-notes').fill('Faster scale settling.');
    await page.getByTestId('release-publish').click();

    // The release page: signed by the fleet's own (trusted) key, the bytes uploaded, its compatibility.
    const releasePage = page.getByTestId('release-page');
    await releasePage.waitFor();
    const releaseId = (await releasePage.getAttribute('data-release'))!;
    assert.equal(await text(page.getByTestId('release-sha256')), sha256);
    const signature = page.getByTestId('signature-row');
    assert.equal(await signature.count(), 1);
    assert.equal(await text(signature.getByTestId('signature-trusted')), 'Trusted');
    assert.equal(await text(signature.getByTestId('signature-valid')), 'Valid');
    assert.equal(await text(page.getByTestId('release-upgrade-from')), '>=1.0.0 <2.0.0');
    assert.equal(await text(page.getByTestId('release-models')), 'any model');
    await shot(page, 'release');

    // The wizard, from the release: every choice shows how many devices it reaches.
    await page.getByTestId('roll-out').click();
    await page.getByTestId('wizard-targets').waitFor();
    assert.equal(await previewCount(page), 6, 'every cart of both stores (the speaker is not a cart)');
    assert.equal(Number(await page.getByTestId(`preview-store-${BINJIANG}`).getAttribute('data-count')), 2);
    await page.getByTestId('target-kind-cart').uncheck();
    await page.locator('[data-testid="rollout-preview"][data-state="updating"]').waitFor();
    assert.equal(await previewCount(page, 'preview-excluded-kind'), 1, 'the speaker is left out for its kind');
    await page.getByTestId('target-kind-cart').check();
    await page.getByTestId(`target-store-${XUHUI}`).check();
    await page.locator('[data-testid="rollout-preview"][data-state="updating"]').waitFor();
    assert.equal(await previewCount(page), 4, 'Xuhui’s carts only');
    assert.equal(await page.getByTestId(`preview-store-${BINJIANG}`).count(), 0);

    // Phases: a canary of one, then the rest once it succeeded; waves over 100 % are refused by the fleet.
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('phase-remove-2').click();
    await page.getByTestId('phase-amount-0').fill('1');
    await page.getByTestId('phase-amount-1').fill('100');
    await page.getByTestId('phase-success-1').fill('100');
    await page.getByTestId('phase-add').click();
    await page.getByTestId('phase-amount-2').fill('20');
    await page.locator('[data-testid="rollout-preview"][data-state="updating"]').waitFor();
    await page.locator('[data-testid="rollout-preview"][data-state="current"]').waitFor();
    assert.match(await text(page.getByTestId('preview-problems')), /100 %/);
    await page.getByTestId('wizard-tab-review').click();
    assert.equal(await page.getByTestId('wizard-create').isDisabled(), true, 'no rollout while problems remain');
    await page.getByTestId('wizard-tab-phases').click();
    await page.getByTestId('phase-remove-2').click();
    await page.locator('[data-testid="rollout-preview"][data-state="updating"]').waitFor();
    await previewCount(page);
    // What is left is the abort criterion: 5 finished devices of a target of 4 could never abort (set below).
    assert.match(await text(page.getByTestId('preview-problems')), /minFinished/);
    assert.doesNotMatch(await text(page.getByTestId('preview-problems')), /100 %/);
    assert.equal(Number(await page.getByTestId('phase-count-0').getAttribute('data-count')), 1);
    assert.equal(Number(await page.getByTestId('phase-count-1').getAttribute('data-count')), 3);

    // Safety: no rate limit; keeping to windows needs a window in Xuhui (set here), then it is turned off again.
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('safety-rate-on').uncheck();
    await page.getByTestId('safety-abort-min').fill('2');
    await page.locator('[data-testid="rollout-preview"][data-state="updating"]').waitFor();
    await previewCount(page);
    assert.equal(await page.getByTestId('preview-problems').count(), 0, 'the rollout adds up');
    await page.getByTestId('safety-windows').check();
    const xuhuiWindows = page.getByTestId(`store-windows-${XUHUI}`);
    await eventually(async () => (await xuhuiWindows.getAttribute('data-count')) === '0', 10_000, 'no window yet');
    await page.locator('[data-testid="rollout-preview"][data-state="current"]').waitFor();
    assert.match(await text(page.getByTestId('preview-problems')), /window/);
    await xuhuiWindows.getByTestId('store-windows-edit').click();
    await page.getByTestId('window-preset').first().click();
    assert.equal(await page.getByTestId('window-words-0').textContent(), 'every day at 02:00 for 3 h (Asia/Shanghai)');
    await page.getByTestId('windows-save').click();
    await eventually(async () => (await xuhuiWindows.getAttribute('data-count')) === '1', 10_000, 'the window saved');
    await page.locator('[data-testid="windows-dialog"] [aria-label="Close"]').click();
    await page.locator('[data-testid="rollout-preview"][data-state="current"]').waitFor();
    assert.equal(await page.getByTestId('preview-problems').count(), 0, 'a window in every store reached');
    await page.getByTestId('safety-windows').uncheck();

    await page.getByTestId('wizard-next').click();
    await page.getByTestId('wizard-review').waitFor();
    await page.locator('[data-testid="rollout-preview"][data-state="current"]').waitFor();
    await shot(page, 'wizard-review');
    await page.getByTestId('wizard-create').click();

    // The rollout, live: the canary's agent reports its steps and the page follows without a reload.
    const rolloutPage = page.getByTestId('rollout-page');
    await rolloutPage.waitFor();
    const rolloutId = (await rolloutPage.getAttribute('data-rollout'))!;
    await page.evaluate('window.__sameDocument = true');
    const rollout = (await apiAs(env.fleet, hqApi.token).get(`/api/rollouts/${rolloutId}`)).json<Rollout>();
    assert.equal(rollout.releaseId, releaseId);
    const canaryRow = page.locator('[data-testid="rollout-device-row"][data-status="QUEUED"]');
    await canaryRow.waitFor();
    const canary = devices.get((await canaryRow.getAttribute('data-thing'))!)!;
    assert.equal(await canaryRow.count(), 1, 'one canary queued');
    const execution = await canary.startNext({ step: 'downloading', progress: '0' });
    assert.ok(execution, 'the canary has its job');
    assert.equal(execution.jobId, rollout.jobId);
    await canary.update(execution.jobId, 'IN_PROGRESS', { step: 'downloading', progress: '50' });
    const row = page.locator(`[data-testid="rollout-device-row"][data-thing="${canary.thingName}"]`);
    // start-next already showed `downloading` at 0 %: wait for the 50 % update itself, not the step.
    await row.locator('[data-testid="device-progress"][data-progress="50"]').waitFor();
    assert.equal(await row.getAttribute('data-step'), 'downloading');
    await canary.update(execution.jobId, 'SUCCEEDED', { step: 'committed' });
    await page
      .locator(`[data-testid="rollout-device-row"][data-thing="${canary.thingName}"][data-status="SUCCEEDED"]`)
      .waitFor();
    await page.locator('[data-testid="phase-progress-0"][data-succeeded="1"]').waitFor();
    // The canary succeeded (100 %): the wave's three carts are queued.
    await page.locator('[data-testid="phase-row"][data-phase="1"][data-state="running"]').waitFor();
    await page.locator('[data-testid="rollout-progress"][data-queued="3"]').waitFor();

    await page.getByTestId('rollout-pause').click();
    await page.getByTestId('rollout-reason').fill('checking the canary');
    await page.getByTestId('rollout-confirm-submit').click();
    await page.locator('[data-testid="rollout-page"][data-state="paused"]').waitFor();
    await page.getByTestId('rollout-resume').click();
    await page.getByTestId('rollout-confirm-submit').click();
    await page.locator('[data-testid="rollout-page"][data-state="running"]').waitFor();
    await page.getByTestId('rollout-abort').click();
    await page.getByTestId('rollout-reason').fill('bad build');
    await page.getByTestId('rollout-confirm-submit').click();
    await page.locator('[data-testid="rollout-page"][data-state="aborted"]').waitFor();
    assert.match(await text(page.getByTestId('rollout-state-reason')), /bad build/);
    await page.locator('[data-testid="rollout-progress"][data-canceled="3"]').waitFor();
    assert.equal(await page.getByTestId('rollout-actions').locator('button').count(), 0, 'nothing to do once aborted');
    assert.equal(await page.evaluate('window.__sameDocument'), true, 'followed live, never reloaded');
    await shot(page, 'rollout-aborted');
  });

  it('a store manager sees only rollouts touching their store, read-only; a technician retries a failed device', async () => {
    const hq = apiAs(env.fleet, hqApi.token);
    const created = async (targets: RolloutSpec['targets']) => {
      const res = await hq.post('/api/rollouts', spec(baseRelease.id, targets));
      assert.equal(res.statusCode, 201, res.body);
      return res.json<Rollout>();
    };
    // Two devices: one fails, the other stays queued, so the rollout is still running when the failure is retried.
    const xuhui = await created({ thingNames: ['cart-xh-3', 'cart-xh-4'] });
    const binjiang = await created({ thingNames: ['cart-bj-1'] });
    const all = (await hq.get('/api/rollouts')).json<RolloutPage>().items.map((r) => r.id);
    assert.ok(all.includes(xuhui.id) && all.includes(binjiang.id), 'HQ sees both');
    const device = devices.get('cart-xh-4')!;
    const execution = await eventually(() => device.startNext({ step: 'downloading' }), 10_000, 'queued');
    await device.update(execution.jobId, 'FAILED', {
      step: 'rolled-back',
      reason: 'OTA_HEALTH_CHECK_FAILED',
      message: 'self-test: the scale did not settle',
      logs: ['agent: health check', 'scale: no settle in 5000 ms', 'agent: back on slot a'].join(
        OTA_LOG_LINE_SEPARATOR,
      ),
    });

    const manager = (await env.openPage()).page;
    await signIn(manager, MANAGER.username, MANAGER.password, '/updates');
    await manager.getByTestId('rollouts-table').waitFor();
    assert.equal(await manager.getByTestId('ota-nav-releases').count(), 0, 'no releases for a store manager');
    assert.equal(await manager.getByTestId('new-rollout').count(), 0);
    await manager.locator(`[data-testid="rollout-row"][data-rollout="${xuhui.id}"]`).waitFor();
    assert.equal(await manager.locator(`[data-testid="rollout-row"][data-rollout="${binjiang.id}"]`).count(), 0);
    await manager.locator(`[data-testid="rollout-row"][data-rollout="${xuhui.id}"] a`).click();
    const failedRow = manager.locator(
      '[data-testid="rollout-device-row"][data-thing="cart-xh-4"][data-status="FAILED"]',
    );
    await failedRow.waitFor();
    assert.equal(await text(failedRow.getByTestId('device-reason')), 'OTA_HEALTH_CHECK_FAILED');
    await failedRow.click();
    assert.deepEqual((await text(manager.getByTestId('device-logs'))).split('\n'), [
      'agent: health check',
      'scale: no settle in 5000 ms',
      'agent: back on slot a',
    ]);
    assert.equal(await manager.getByTestId('rollout-actions').count(), 0, 'no pause, resume or abort');
    assert.equal(await manager.getByTestId('device-retry').count(), 0, 'no retry');
    await shot(manager, 'rollout-store-manager');

    const tech = (await env.openPage()).page;
    await signIn(tech, TECH.username, TECH.password, `/updates/rollouts/${xuhui.id}`);
    const techRow = tech.locator('[data-testid="rollout-device-row"][data-thing="cart-xh-4"]');
    await tech.locator('[data-testid="rollout-device-row"][data-thing="cart-xh-4"][data-status="FAILED"]').waitFor();
    assert.equal(await tech.getByTestId('rollout-actions').count(), 0, 'a technician does not run rollouts');
    await techRow.getByTestId('device-retry').click();
    await tech.locator('[data-testid="rollout-device-row"][data-thing="cart-xh-4"][data-status="QUEUED"]').waitFor();
    // The manager's page follows the retry live too.
    await manager.locator('[data-testid="rollout-device-row"][data-thing="cart-xh-4"][data-status="QUEUED"]').waitFor();
    const retried = await eventually(() => device.startNext({ step: 'downloading' }), 10_000, 'queued again');
    assert.equal(retried.jobId, execution.jobId);
    assert.ok(retried.executionNumber > execution.executionNumber, 'a retry is a new execution of the same job');

    // The device page: its slots as the agent reports them and its update history.
    await tech.goto('/devices/cart-xh-4');
    const updates = tech.getByTestId('device-updates');
    await updates.waitFor();
    const slots = updates.getByTestId('slots-software');
    assert.equal(await slots.getAttribute('data-active'), 'a');
    assert.match(await text(slots), /cart-runtime 1\.0\.0/);
    await updates.locator('[data-testid="update-history-row"][data-status="IN_PROGRESS"]').waitFor();
    await shot(tech, 'device-updates');
  });
});

const SHOTS = process.env.CONSOLE_SHOTS;
async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `ota-${name}.png`), fullPage: true });
}
