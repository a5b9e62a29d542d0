import assert from 'node:assert/strict';
import { type CartConfig, CartConfigSchema } from '../../../../devices/cart/cart-config.ts';
import { CartRuntime } from '../../../../devices/cart/cart-runtime.ts';
import { CartConfigHost } from '../../../../devices/cart/ota/cart-config-host.ts';
import { VirtualZoneLocator } from '../../../../devices/cart/zone-locator.ts';
import { silentLogger } from '../../../../platform/log.ts';
import { mergeConfigSettings } from '../../../../protocol/ota/config-bundle.ts';
import { FakeClock } from '../../../mocks/fake-clock.ts';

const NO_CREDENTIALS = { certificatePem: '', privateKeyPem: '', caPem: '' };

describe('CartConfigHost (config releases on a cart)', () => {
  let clock: FakeClock;
  let file: CartConfig;
  let runtime: CartRuntime;
  let host: CartConfigHost;

  beforeEach(() => {
    clock = new FakeClock();
    file = CartConfigSchema.parse({
      thingName: 'cart-ota-1',
      certDir: '/nonexistent',
      dataDir: '/nonexistent',
      screen: { enabled: false },
    });
    // Never started: the host's effects are on the runtime's own state and timers.
    runtime = new CartRuntime(file, NO_CREDENTIALS, new VirtualZoneLocator(), silentLogger(), undefined, { clock });
    host = new CartConfigHost(runtime, file);
  });

  it('refuses a settle window shorter than three of the scale’s readings', () => {
    assert.deepEqual(host.check({ 'cart.scale.settleWindowMs': 149 }), [
      "cart.scale.settleWindowMs 149 is under three of this scale's readings (one every 50 ms)",
    ]);
    assert.deepEqual(host.check({ 'cart.scale.settleWindowMs': 150 }), []);
  });

  it('re-arms the telemetry beat live, and puts it back when a bundle no longer sets it', () => {
    let beats = 0;
    runtime.core.beginReporting(() => beats++);
    runtime.core.health.stop();
    beats = 0;
    clock.advance(5000);
    assert.equal(beats, 1, 'the config file’s 5 s');
    assert.deepEqual(host.apply({ telemetryIntervalMs: 60_000 }), { live: ['telemetryIntervalMs'], atRestart: [] });
    clock.advance(59_999);
    assert.equal(beats, 1);
    clock.advance(1);
    assert.equal(beats, 2);
    host.apply({});
    clock.advance(5000);
    assert.equal(beats, 3);
  });

  it('says which settings wait for the next start: those the running config does not have yet', () => {
    assert.deepEqual(host.apply({ healthIntervalMs: 60_000, 'cart.lowBatteryPercent': 30 }), {
      live: ['cart.lowBatteryPercent'],
      atRestart: ['healthIntervalMs'],
    });
    // After a restart whose boot merged the bundle over the file, nothing waits any more.
    const merged = mergeConfigSettings(file, 'cart', { healthIntervalMs: 60_000 });
    assert.equal(merged.healthIntervalMs, 60_000);
    assert.equal(file.healthIntervalMs, 30_000, 'the file config is not changed');
    const restarted = new CartRuntime(merged, NO_CREDENTIALS, new VirtualZoneLocator(), silentLogger(), undefined, {
      clock,
    });
    const after = new CartConfigHost(restarted, file);
    assert.deepEqual(after.apply({ healthIntervalMs: 60_000 }).atRestart, []);
    // Rolled back to a bundle without it: the file's value waits for the next start again.
    assert.deepEqual(after.apply({}).atRestart, ['healthIntervalMs']);
  });
});
