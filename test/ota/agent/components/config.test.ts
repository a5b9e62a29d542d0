import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE, ConfigComponentHandler, readSlotSettings } from '../../../../ota/agent/components/config.ts';
import { silentLogger } from '../../../../platform/log.ts';
import { type FleetError, isFleetError } from '../../../../protocol/errors.ts';
import { MAX_CONFIG_BUNDLE_BYTES } from '../../../../protocol/ota/config-bundle.ts';
import { configRelease } from '../../../fixtures/ota/component-releases.ts';
import { tempDir } from '../../../helpers/fleet-harness.ts';
import { FakeConfigHost } from '../../../mocks/fake-config-host.ts';

async function refusal(promise: Promise<unknown>): Promise<FleetError> {
  try {
    await promise;
  } catch (err) {
    if (isFleetError(err)) return err;
    throw err;
  }
  assert.fail('expected a FleetError');
}

describe('ConfigComponentHandler (OTA config releases)', () => {
  let dir: ReturnType<typeof tempDir>;
  let host: FakeConfigHost;
  let handler: ConfigComponentHandler;
  let slot: string;
  let n = 0;
  const never = () => new AbortController().signal;
  const newSlot = () => {
    slot = join(dir.path, `slot-${++n}`);
    mkdirSync(slot);
    return slot;
  };

  beforeEach(() => {
    dir = tempDir();
    host = new FakeConfigHost('cart');
    handler = new ConfigComponentHandler(host, silentLogger());
    newSlot();
  });
  afterEach(() => dir.cleanup());

  it('installs, self-tests and activates a bundle: the runtime checks and applies its own kind’s settings', async () => {
    const release = configRelease(
      dir.path,
      { settings: { telemetryIntervalMs: 10_000, 'cart.lowBatteryPercent': 25, 'speaker.maxVolume': 70 } },
      { deviceKinds: ['cart', 'speaker'] },
    );
    await handler.install(release.file, slot, release.manifest, never());
    assert.ok(existsSync(join(slot, CONFIG_FILE)));
    await handler.selfTest(slot, release.manifest, never());
    await handler.activate(slot, release.manifest);
    const mine = { telemetryIntervalMs: 10_000, 'cart.lowBatteryPercent': 25 };
    assert.deepEqual(host.checked, [mine]);
    assert.deepEqual(host.applied, [mine]);
    assert.deepEqual(await readSlotSettings(slot, release.manifest, 'cart'), mine);
  });

  it('refuses an unknown key at install, naming it, and writes nothing to the slot', async () => {
    const release = configRelease(dir.path, { settings: { telemetryIntervalMs: 10_000, 'cart.turbo': true } });
    const err = await refusal(handler.install(release.file, slot, release.manifest, never()));
    assert.equal(err.code, 'OTA_INSTALL_FAILED');
    assert.match(err.message, /'cart\.turbo' is not a setting a config release may change/);
    assert.equal(existsSync(join(slot, CONFIG_FILE)), false);
    assert.deepEqual(host.applied, []);
  });

  it('refuses bad values, each with its range', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ telemetryIntervalMs: 10 }, /'telemetryIntervalMs' must be an integer from 1000 to 600000/],
      [{ telemetryIntervalMs: 1500.5 }, /'telemetryIntervalMs' must be an integer/],
      [{ 'cart.scale.settleSpreadGrams': '2' }, /'cart\.scale\.settleSpreadGrams' must be a number from 0\.5 to 50/],
      [{ logLevel: 'silent' }, /'logLevel' must be one of fatal, error, warn, info, debug, trace/],
      [{ 'speaker.maxVolume': 50 }, /'speaker\.maxVolume' is a setting of a speaker, not of a cart/],
    ];
    for (const [settings, reason] of cases) {
      const release = configRelease(dir.path, { settings });
      const err = await refusal(handler.install(release.file, newSlot(), release.manifest, never()));
      assert.equal(err.code, 'OTA_INSTALL_FAILED', JSON.stringify(settings));
      assert.match(err.message, reason);
    }
    // Positive control: in range, each passes.
    const ok = configRelease(dir.path, {
      settings: { telemetryIntervalMs: 1000, 'cart.scale.settleSpreadGrams': 2.5, logLevel: 'debug' },
    });
    await handler.install(ok.file, newSlot(), ok.manifest, never());
  });

  it('refuses what is not a bundle: not JSON, another schema, too large', async () => {
    const notJson = configRelease(dir.path, '{"schema": 1, "settings": {');
    assert.match((await refusal(handler.install(notJson.file, slot, notJson.manifest, never()))).message, /not JSON/);
    const schema2 = configRelease(dir.path, JSON.stringify({ schema: 2, settings: {} }));
    const err = await refusal(handler.install(schema2.file, slot, schema2.manifest, never()));
    assert.equal(err.code, 'OTA_INSTALL_FAILED');
    assert.match(err.message, /schema: must be equal to constant/);
    const huge = configRelease(
      dir.path,
      JSON.stringify({ schema: 1, settings: {}, pad: 'x'.repeat(MAX_CONFIG_BUNDLE_BYTES) }),
    );
    assert.match((await refusal(handler.install(huge.file, slot, huge.manifest, never()))).message, /more than 65536/);
  });

  it('fails the self-test when the runtime refuses the settings, and activates nothing', async () => {
    const release = configRelease(dir.path, { settings: { 'cart.scale.settleWindowMs': 100 } });
    await handler.install(release.file, slot, release.manifest, never());
    host.refuse = ['cart.scale.settleWindowMs 100 is under three of this scale’s readings'];
    const err = await refusal(handler.selfTest(slot, release.manifest, never()));
    assert.equal(err.code, 'OTA_HEALTH_CHECK_FAILED');
    assert.match(err.message, /this cart refuses the config: cart\.scale\.settleWindowMs 100/);
    assert.deepEqual(host.applied, []);
  });

  it('fails the self-test of a slot whose file was damaged after the install', async () => {
    const release = configRelease(dir.path, { settings: { telemetryIntervalMs: 10_000 } });
    await handler.install(release.file, slot, release.manifest, never());
    writeFileSync(join(slot, CONFIG_FILE), '{"schema": 1, "settings": {"telemetryIntervalMs": 10');
    const err = await refusal(handler.selfTest(slot, release.manifest, never()));
    assert.equal(err.code, 'OTA_HEALTH_CHECK_FAILED');
    assert.equal(await readSlotSettings(slot, release.manifest, 'cart'), null);
  });

  it('rolls back by activating the previous slot: the whole previous bundle, keys it lacks included', async () => {
    const v1 = configRelease(dir.path, { settings: { telemetryIntervalMs: 5000 } }, { version: '1.0.0' });
    const v2 = configRelease(
      dir.path,
      { settings: { telemetryIntervalMs: 20_000, 'cart.lowBatteryPercent': 30 } },
      { version: '2.0.0' },
    );
    const a = slot;
    await handler.install(v1.file, a, v1.manifest, never());
    const b = newSlot();
    await handler.install(v2.file, b, v2.manifest, never());
    await handler.activate(b, v2.manifest);
    await handler.activate(a, v1.manifest);
    // The host gets v1 whole: `cart.lowBatteryPercent` absent, so back to the config file's value.
    assert.deepEqual(host.applied.at(-1), { telemetryIntervalMs: 5000 });
  });

  it('stops an install whose signal has aborted, with OTA_CANCELED', async () => {
    const release = configRelease(dir.path, { settings: { telemetryIntervalMs: 10_000 } });
    const controller = new AbortController();
    controller.abort();
    const err = await refusal(handler.install(release.file, slot, release.manifest, controller.signal));
    assert.equal(err.code, 'OTA_CANCELED');
    assert.equal(existsSync(join(slot, CONFIG_FILE)), false);
  });
});
