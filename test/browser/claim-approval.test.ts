import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { deviceIdentity } from '../../devices/core/claim-provisioner.ts';
import { tmp36RawFromCelsius } from '../../devices/core/hardware/tmp36.ts';
import { VirtualBoardIO } from '../../devices/core/hardware/virtual-board-io.ts';
import { NullSink } from '../../devices/speaker/player/sinks/audio-sink.ts';
import { SpeakerConfigSchema } from '../../devices/speaker/speaker-config.ts';
import { cellVoltageFromPercent } from '../../devices/speaker/speaker-hardware.ts';
import { SpeakerRuntime } from '../../devices/speaker/speaker-runtime.ts';
import { writeClaimBundle } from '../../fleet/provisioning/claim-certificate.ts';
import { systemClock } from '../../platform/clock.ts';
import { silentLogger } from '../../platform/log.ts';
import { signIn } from '../helpers/browser.ts';
import { useConsoleFleet, XUHUI } from '../helpers/console-fleet.ts';
import { type ApiUser, apiAs, apiUser, eventually } from '../helpers/fleet-harness.ts';

const SERIAL = 'SN7001';
const THING = `spk-${SERIAL}`;

describe('approving a speaker provisioned by claim, in a browser (real fleet, real speaker runtime)', function () {
  this.timeout(60_000);
  let technician: ApiUser;
  let viewer: ApiUser;
  let manager: ApiUser;
  const approvals: { thingName: string; by: string }[] = [];
  let speaker: SpeakerRuntime;

  const env = useConsoleFleet('cartfleet-claim-approval-', async ({ fleet, onStop }) => {
    fleet.bus.on('thing.approved', (e) => approvals.push(e));
    technician = await apiUser(fleet, 'xuhui-tech', 'technician', { storeIds: [XUHUI] });
    viewer = await apiUser(fleet, 'xuhui-viewer', 'viewer', { storeIds: [XUHUI] });
    manager = await apiUser(fleet, 'xuhui-manager', 'store-manager', { storeIds: [XUHUI] });

    speaker = await bootSpeakerByClaim();
    onStop(() => speaker.stop());
    const thing = fleet.services.registry.getThing(THING);
    assert.equal(thing?.provisioning, 'pending-approval');
    assert.equal(thing?.storeId, XUHUI);
    assert.equal(thing?.provisioningTemplate, 'speaker-default');
    await eventually(() => fleet.services.presence.get(THING)?.state === 'online', 10_000, `${THING} online`);
  });
  const { openPage } = env;

  /** The speaker's "Pending" badge in its device list row, or "Pending approval" in the device page's hero. */
  const listPending = (page: Page): Locator =>
    page.locator(`[data-testid="device-row"][data-thing="${THING}"] .badge`, { hasText: /^Pending$/ });
  const heroPending = (page: Page): Locator =>
    page.getByTestId('device-page').locator('.device-meta .badge', { hasText: 'Pending approval' });

  /** A new speaker unboxed in Xuhui: only the shared claim bundle of `speaker-default`, no certificate of its own. */
  async function bootSpeakerByClaim(): Promise<SpeakerRuntime> {
    const { fleet, dir } = env;
    const claim = await fleet.services.provisioning.issueClaimCertificate('speaker-default');
    const claimDir = join(dir.path, 'claims', 'speaker-default');
    writeClaimBundle(claimDir, claim);
    const config = SpeakerConfigSchema.parse({
      thingName: THING,
      model: 'promo',
      hardwareModel: 'PX-20',
      endpoint: { host: 'localhost', port: fleet.services.broker.tlsPort },
      certDir: join(dir.path, 'devices', THING, 'certs'),
      dataDir: join(dir.path, 'devices', THING, 'data'),
      telemetryIntervalMs: 200,
      healthIntervalMs: 300,
      reconnect: { minSeconds: 1, maxSeconds: 1 },
      claim: { certDir: claimDir, templateName: 'speaker-default', serialNumber: SERIAL, storeId: XUHUI },
    });
    // As devices/speaker/main.ts boots: provision by claim first, then run on the certificate it got.
    const identity = await deviceIdentity(config, silentLogger(), systemClock, { HardwareModel: config.hardwareModel });
    assert.equal(identity.thingName, THING);
    const io = new VirtualBoardIO();
    io.setAnalogInput(0, (cellVoltageFromPercent(90) / 5) * 1023);
    io.setAnalogInput(1, tmp36RawFromCelsius(28));
    const runtime = new SpeakerRuntime(
      { ...config, thingName: identity.thingName },
      identity.credentials,
      new NullSink(),
      silentLogger(),
      io,
    );
    await runtime.start();
    return runtime;
  }

  it('while pending, the device may report nothing: no shadow, no telemetry stored', async () => {
    // Positive control: the runtime is connected and busy (telemetry every 200 ms, health every 300 ms, its
    // subscriptions asked for again after the fleet refused them), and what it would report waits in its outbox.
    const refusedBefore = env.fleet.services.broker.stats().subscriptionsRefused;
    await eventually(
      () => speaker.core.outbox.size() >= 5 && env.fleet.services.broker.stats().subscriptionsRefused > refusedBefore,
      10_000,
      'the pending speaker queues reports and asks for its subscriptions again',
    );
    assert.ok(env.fleet.services.broker.isConnected(THING), 'connected all along');
    assert.ok(speaker.core.outbox.holding, 'its outbox is held: nothing is published');
    assert.equal(env.fleet.services.shadows.find(THING), undefined, 'no shadow report got through');
    assert.equal(env.fleet.services.telemetry.latestOf(THING).telemetry, undefined, 'no telemetry got through');
  });

  for (const who of ['viewer', 'store manager'] as const) {
    it(`a ${who} of the store sees the device pending but is offered no approval (and the API refuses it)`, async () => {
      const user = who === 'viewer' ? viewer : manager;
      const { page } = await openPage();
      await signIn(page, user.username, user.password, '/devices');
      await listPending(page).waitFor();
      await page
        .locator(`[data-testid="device-row"][data-thing="${THING}"]`)
        .getByRole('link', { name: THING })
        .click();
      await page.locator(`[data-testid="device-page"][data-thing="${THING}"]`).waitFor();
      await heroPending(page).waitFor();
      assert.equal(await page.getByTestId('approve-banner').count(), 0);
      assert.equal(await page.getByTestId('approve-device').count(), 0);

      const refused = await apiAs(env.fleet, user.token).post(`/api/devices/${THING}/approve`);
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal(env.fleet.services.registry.getThing(THING)?.provisioning, 'pending-approval');
      assert.deepEqual(approvals, []);
    });
  }

  it('a technician of the store approves it from the device page; the speaker then reports without a restart', async () => {
    const { page } = await openPage();
    await signIn(page, technician.username, technician.password, '/devices');
    await listPending(page).waitFor();
    await page.locator(`[data-testid="device-row"][data-thing="${THING}"]`).getByRole('link', { name: THING }).click();
    await page.locator(`[data-testid="device-page"][data-thing="${THING}"]`).waitFor();
    await heroPending(page).waitFor();
    const banner = page.getByTestId('approve-banner');
    await banner.waitFor();
    assert.match((await banner.textContent()) ?? '', /waiting for approval/);

    await page.getByTestId('approve-device').click();
    await banner.waitFor({ state: 'detached' });
    await heroPending(page).waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('device-name').textContent(), THING);
    await page
      .getByTestId('identity-panel')
      .locator('dd', { hasText: /^Active$/ })
      .waitFor();

    // The fleet: approved by this technician, through the API.
    assert.equal(env.fleet.services.registry.getThing(THING)?.provisioning, 'active');
    assert.deepEqual(approvals, [{ thingName: THING, by: technician.username }]);
    assert.deepEqual(env.fleet.services.provisioning.pending(), []);
    const viaApi = await apiAs(env.fleet, technician.token).get(`/api/devices/${THING}`);
    assert.equal(viaApi.statusCode, 200);
    assert.equal((viaApi.json() as { provisioning: string }).provisioning, 'active');

    // The running speaker (never restarted) now gets its reports through.
    const reported = await eventually(
      () => env.fleet.services.shadows.find(THING)?.state.reported,
      15_000,
      'the speaker reports its shadow',
    );
    assert.equal(typeof (reported as { volume?: unknown }).volume, 'number');
    const telemetry = await eventually(
      () => env.fleet.services.telemetry.latestOf(THING).telemetry,
      15_000,
      'telemetry of the approved speaker is stored',
    );
    assert.equal(typeof telemetry.metrics, 'object');

    // And the device list no longer marks it pending.
    await page.getByRole('navigation').getByRole('link', { name: 'Devices', exact: true }).first().click();
    await page.locator(`[data-testid="device-row"][data-thing="${THING}"]`).waitFor();
    assert.equal(await listPending(page).count(), 0);
  });
});
