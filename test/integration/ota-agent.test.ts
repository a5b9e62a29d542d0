import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pino } from 'pino';
import { cartBoot } from '../../devices/cart/cart-boot.ts';
import { CartConfigSchema } from '../../devices/cart/cart-config.ts';
import { adcFromVolts, voltageFromBatteryPercent } from '../../devices/cart/cart-hardware.ts';
import { CartRuntime } from '../../devices/cart/cart-runtime.ts';
import { VirtualZoneLocator } from '../../devices/cart/zone-locator.ts';
import { VirtualBoardIO } from '../../devices/core/hardware/virtual-board-io.ts';
import { LogRing } from '../../devices/core/log-ring.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { readBootState } from '../../ota/agent/boot-state.ts';
import { generateSigningKey } from '../../ota/release/signing.ts';
import type { OtaJobDocument, OtaReported } from '../../protocol/ota/index.ts';
import { tinyModelRelease } from '../fixtures/ota/component-releases.ts';
import { goodWeights, INPUT_SIZE, tinyModelForward } from '../fixtures/ota/make-onnx-model.ts';
import { registerDevice, tempDir } from '../helpers/fleet-harness.ts';
import {
  publishRelease,
  queueDocument,
  queueOtaJob,
  startOtaFleet,
  tinyBundle,
  writeVerifyKey,
} from '../helpers/ota-fleet.ts';
import type { LogRecord } from '../mocks/log-capture.ts';
import { eventually } from '../mocks/wait-for.ts';

const THING = 'cart-ota-1';

/**
 * The agent in a real cart runtime (in process, virtual board) against a real fleet: AWS IoT Jobs over the broker
 * with the SDK's IotJobsClient, releases from the fleet's store over mTLS HTTPS (deltas included), the bundle's
 * self-test in a child process, the named shadow `ota` and `softwareVersion` in the classic shadow.
 */
describe('OTA agent in a cart runtime against the fleet', function () {
  this.timeout(60_000);
  const key = generateSigningKey();
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let cart: CartRuntime;
  let records: LogRecord[];
  let io: VirtualBoardIO;

  before(async () => {
    dir = tempDir('cartfleet-ota-int-');
    fleet = await startOtaFleet(join(dir.path, 'fleet'), key);
    const device = await registerDevice(fleet, THING, 'cart');
    const config = CartConfigSchema.parse({
      thingName: THING,
      endpoint: {
        host: 'localhost',
        port: fleet.services.broker.tlsPort,
        contentPort: fleet.services.deviceHttps.port,
      },
      certDir: join(dir.path, 'certs'),
      dataDir: join(dir.path, 'cart'),
      telemetryIntervalMs: 1000,
      softwareVersion: '1.0.0',
      screen: { enabled: false },
      ota: { enabled: true, verifyKeys: [writeVerifyKey(join(dir.path, 'keys'), key)], reserveBytes: 0 },
    });
    // The runtime's ring (a failure's `logs`) and the test's records both get every line.
    const ring = new LogRing();
    records = [];
    const log = pino(
      { level: 'info' },
      pino.multistream([
        { stream: ring },
        { stream: { write: (line: string) => records.push(JSON.parse(line) as LogRecord) } },
      ]),
    );
    // At rest on its dock (a charged battery, room temperature): what the health check's diagnostics expect.
    io = new VirtualBoardIO();
    cartBoot.restingInputs(io);
    cart = new CartRuntime(config, device, new VirtualZoneLocator(), log, io, { logs: ring });
    await cart.start();
  });

  after(async () => {
    await cart?.stop();
    await fleet?.stop();
    dir.cleanup();
  });

  function execution(jobId: string) {
    return fleet.services.jobs.getExecution(jobId, THING);
  }

  async function finished(jobId: string, status: string) {
    const done = await eventually(
      () => {
        const e = execution(jobId);
        return e && ['SUCCEEDED', 'FAILED', 'REJECTED', 'CANCELED', 'TIMED_OUT'].includes(e.status) && e;
      },
      30_000,
      `${jobId} finished`,
    );
    assert.equal(done.status, status, JSON.stringify(done.statusDetails));
    // The agent is idle again (its journal cleared) before the next job is given.
    await eventually(async () => (await cart.core.ota?.running?.slots.current) !== undefined, 5000, 'agent running');
    return done;
  }

  async function software() {
    const read = await readBootState(join(dir.path, 'cart', 'ota', 'boot-state.json'));
    assert.ok(read.state);
    return read.state.components.software;
  }

  it('installs a software release, restarts into it, passes the health check and commits', async () => {
    const bytes = await tinyBundle(dir.path, '1.1.0', { padding: randomBytes(64 * 1024) });
    const release = await publishRelease(fleet, bytes, { version: '1.1.0' }, key);
    const jobId = queueOtaJob(fleet, release.id, [THING]);
    const done = await finished(jobId, 'SUCCEEDED');
    assert.equal(done.statusDetails.step, 'committed');
    assert.equal(done.statusDetails.toVersion, '1.1.0');
    const slots = await software();
    assert.equal(slots.active, 'b');
    assert.equal(slots.trial, null);
    assert.equal(slots.slots.b?.version, '1.1.0');
    await eventually(
      () => fleet.services.shadows.find(THING)?.state.reported?.softwareVersion === '1.1.0',
      10_000,
      'the classic shadow says 1.1.0',
    );
    await eventually(() => fleet.services.registry.getThing(THING)?.softwareVersion === '1.1.0', 10_000, 'inventory');
    const ota = await eventually(
      () => fleet.services.shadows.find(THING, 'ota')?.state.reported as OtaReported | undefined,
      10_000,
      'named shadow ota',
    );
    assert.equal(ota.components.software?.active, 'b');
    assert.equal(ota.components.software?.b?.version, '1.1.0');
  });

  it('a bundle whose self-test fails rolls back to the previous slot: FAILED with the reason and the logs', async () => {
    const bytes = await tinyBundle(dir.path, '1.2.0', { selfTestFails: true });
    const release = await publishRelease(fleet, bytes, { version: '1.2.0' }, key);
    const jobId = queueOtaJob(fleet, release.id, [THING]);
    const done = await finished(jobId, 'FAILED');
    assert.equal(done.statusDetails.reason, 'OTA_HEALTH_CHECK_FAILED');
    assert.equal(done.statusDetails.step, 'rolled-back');
    assert.match(done.statusDetails.message ?? '', /the scanner driver does not load/);
    assert.match(done.statusDetails.logs ?? '', /health check failed/);
    const slots = await software();
    assert.equal(slots.active, 'b', 'back on 1.1.0');
    assert.equal(slots.slots.b?.version, '1.1.0');
    assert.equal(slots.lastRollback?.reason, 'OTA_HEALTH_CHECK_FAILED');
    assert.equal(cart.core.ota?.softwareVersion, '1.1.0');
  });

  it('takes a delta when the job offers one for the installed artifact', async () => {
    const padding = randomBytes(256 * 1024);
    const base = await tinyBundle(join(dir.path, 'delta'), '1.3.0', { padding });
    const first = await publishRelease(fleet, base, { version: '1.3.0' }, key);
    await finished(queueOtaJob(fleet, first.id, [THING]), 'SUCCEEDED');
    // 5 % of the padding changes in the next version.
    const changed = Buffer.from(padding);
    randomBytes(Math.floor(changed.length * 0.05)).copy(changed, 1000);
    const next = await publishRelease(
      fleet,
      await tinyBundle(join(dir.path, 'delta2'), '1.4.0', { padding: changed }),
      { version: '1.4.0' },
      key,
    );
    await eventually(() => fleet.services.releases.readyDeltas(next.id).length > 0, 20_000, 'the fleet made a delta');
    const document = fleet.services.releases.jobDocument(next.id, {
      rolloutId: 'r',
      allowDowngrade: false,
      healthCheckTimeoutSeconds: 30,
      maxTrialBoots: 2,
    });
    assert.ok(document.download.deltas.some((d) => d.fromSha256 === first.manifest.artifact.sha256));
    const jobId = queueOtaJob(fleet, next.id, [THING]);
    await finished(jobId, 'SUCCEEDED');
    const delta = records.find((r) => r.msg === 'artifact rebuilt from a delta');
    assert.ok(delta, 'the delta was used');
    assert.ok((delta.deltaBytes as number) < (delta.artifactBytes as number) * 0.2);
  });

  it('a config release has its own slots: it is activated live and commits without touching the software', async () => {
    // The battery at 30 %: not low for the file's 20 %, low for the release's 35 %.
    io.setAnalogInput(0, adcFromVolts(voltageFromBatteryPercent(30)));
    const lowNow = () => fleet.services.telemetry.latestOf(THING).telemetry?.metrics['battery.low'];
    await eventually(
      () => Math.round(Number(fleet.services.telemetry.latestOf(THING).telemetry?.metrics['battery.percent'])) === 30,
      10_000,
      'the cart at 30 %',
    );
    assert.equal(lowNow(), false);
    const before = await software();
    const bytes = Buffer.from(JSON.stringify({ schema: 1, settings: { 'cart.lowBatteryPercent': 35 } }));
    const release = await publishRelease(
      fleet,
      bytes,
      { component: 'config', name: 'cart-config', version: '1.0.0' },
      key,
    );
    const done = await finished(queueOtaJob(fleet, release.id, [THING]), 'SUCCEEDED');
    assert.equal(done.statusDetails.step, 'committed');
    const state = await readBootState(join(dir.path, 'cart', 'ota', 'boot-state.json'));
    assert.equal(state.state?.components.config.slots.b?.version, '1.0.0');
    assert.equal(state.state?.components.config.active, 'b');
    assert.deepEqual(await software(), before, 'the software slots did not move');
    // Live, without a restart: the cart now calls 30 % low.
    await eventually(() => lowNow() === true, 10_000, 'battery.low after the config');
  });

  it('a model release has its own slots: self-tested with real inference, swapped in live; a broken one rolls back alone', async () => {
    const before = await software();
    const good = tinyModelRelease(dir.path, { version: '1.0.0' });
    const published = await publishRelease(
      fleet,
      good.bytes,
      { component: 'model', name: 'product-embedder', version: '1.0.0', metadata: good.metadata },
      key,
    );
    const done = await finished(queueOtaJob(fleet, published.id, [THING]), 'SUCCEEDED');
    assert.equal(done.statusDetails.step, 'committed');
    const boot = () => readBootState(join(dir.path, 'cart', 'ota', 'boot-state.json'));
    assert.equal((await boot()).state?.components.model.active, 'b');
    // The cart serves the model now: the release's own reference input gives the good weights' answer.
    const input = Float32Array.from({ length: INPUT_SIZE }, (_, i) => (i - 3) / 4);
    const served = await cart.model.infer(input, [1, INPUT_SIZE]);
    const expected = tinyModelForward(goodWeights(), input, 1);
    for (const [i, v] of expected.entries()) assert.ok(Math.abs(Number(served.data[i]) - v) < 1e-4);

    const broken = tinyModelRelease(dir.path, { version: '1.1.0', variant: 'broken' });
    const brokenRelease = await publishRelease(
      fleet,
      broken.bytes,
      { component: 'model', name: 'product-embedder', version: '1.1.0', metadata: broken.metadata },
      key,
    );
    const failed = await finished(queueOtaJob(fleet, brokenRelease.id, [THING]), 'FAILED');
    assert.equal(failed.statusDetails.reason, 'OTA_HEALTH_CHECK_FAILED');
    const after = (await boot()).state?.components.model;
    assert.equal(after?.active, 'b', 'back on the good model');
    assert.equal(after?.slots.b?.version, '1.0.0');
    const still = await cart.model.infer(input, [1, INPUT_SIZE]);
    for (const [i, v] of expected.entries())
      assert.ok(Math.abs(Number(still.data[i]) - v) < 1e-4, 'the good model serves');
    assert.deepEqual(await software(), before, 'the software slots did not move');
  });

  describe('refuses what it must not install: REJECTED with the reason, nothing installed', () => {
    async function rejected(jobId: string, reason: string) {
      const before = await software();
      const done = await finished(jobId, 'REJECTED');
      assert.equal(done.statusDetails.reason, reason);
      assert.deepEqual(await software(), before, 'the slots did not change');
    }

    it('signed by a key the device does not trust: OTA_KEY_UNKNOWN', async () => {
      const other = generateSigningKey();
      const bytes = await tinyBundle(join(dir.path, 'k'), '1.9.0');
      // The fleet trusts only `key`; a document carrying another key's signature reaches the device anyway.
      const release = await publishRelease(fleet, bytes, { version: '1.9.0' }, key);
      const document = fleet.services.releases.jobDocument(release.id, {
        rolloutId: 'r',
        allowDowngrade: false,
        healthCheckTimeoutSeconds: 30,
        maxTrialBoots: 2,
      });
      const { signManifest, loadPrivateKey } = await import('../../ota/release/signing.ts');
      document.release.signatures = [signManifest(document.release.manifest, loadPrivateKey(other.privateKeyPem))];
      await rejected(queueDocument(fleet, document, [THING]), 'OTA_KEY_UNKNOWN');
    });

    it('a manifest changed after it was signed: OTA_SIGNATURE_INVALID', async () => {
      const bytes = await tinyBundle(join(dir.path, 's'), '1.9.1');
      const release = await publishRelease(fleet, bytes, { version: '1.9.1' }, key);
      const document: OtaJobDocument = fleet.services.releases.jobDocument(release.id, {
        rolloutId: 'r',
        allowDowngrade: false,
        healthCheckTimeoutSeconds: 30,
        maxTrialBoots: 2,
      });
      document.release.manifest.deviceKinds = ['cart', 'speaker'];
      await rejected(queueDocument(fleet, document, [THING]), 'OTA_SIGNATURE_INVALID');
    });

    it('a release for speakers: OTA_KIND_MISMATCH', async () => {
      const bytes = await tinyBundle(join(dir.path, 'w'), '1.9.2');
      const release = await publishRelease(fleet, bytes, { version: '1.9.2', deviceKinds: ['speaker'] }, key);
      await rejected(queueOtaJob(fleet, release.id, [THING]), 'OTA_KIND_MISMATCH');
    });

    it('an older version without allowDowngrade: OTA_DOWNGRADE', async () => {
      const bytes = await tinyBundle(join(dir.path, 'd'), '1.0.5');
      const release = await publishRelease(fleet, bytes, { version: '1.0.5' }, key);
      await rejected(queueOtaJob(fleet, release.id, [THING]), 'OTA_DOWNGRADE');
    });

    it('a job document it cannot parse: OTA_DOCUMENT_INVALID', async () => {
      await rejected(
        queueDocument(fleet, { operation: 'cartfleet.ota.install', schema: 1, rolloutId: 'x' }, [THING]),
        'OTA_DOCUMENT_INVALID',
      );
    });
  });
});
