import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CartConfigSchema } from '../../devices/cart/cart-config.ts';
import {
  adcFromVolts,
  CART_PINS,
  tmp36RawFromCelsius,
  voltageFromBatteryPercent,
} from '../../devices/cart/cart-hardware.ts';
import { CartRuntime } from '../../devices/cart/cart-runtime.ts';
import { VirtualZoneLocator } from '../../devices/cart/zone-locator.ts';
import { VirtualBoardIO } from '../../devices/core/hardware/virtual-board-io.ts';
import type { Alert } from '../../fleet/alerts/alert-repository.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type { Clock } from '../../platform/clock.ts';
import { silentLogger } from '../../platform/log.ts';
import type { AlertCause } from '../../protocol/api/alert-rules.ts';
import { eventually, registerDevice, startFleet, type TestDevice, tempDir } from '../helpers/fleet-harness.ts';
import { FakeClock } from '../mocks/fake-clock.ts';

/**
 * Each test has its own fleet and cart, the fleet on a fake clock: the battery rule's minimum durations and the
 * offline rule's threshold (counted from the broker's disconnect stamp, which reads the same clock) are checked a
 * millisecond before and at their end. The cart runs on the real clock.
 */
describe('alerts from a real cart runtime on virtual hardware', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let device: TestDevice;
  let cart: { runtime: CartRuntime; io: VirtualBoardIO } | undefined;
  let changes: Alert[];

  async function startFleetWithRules(clock: Clock) {
    dir = tempDir();
    fleet = await startFleet(join(dir.path, 'fleet'), {}, { clock });
    changes = [];
    fleet.bus.on('alert.changed', (e) => changes.push(e.alert));
    // The battery defaults' minutes shortened to a second; the offline rule as a default's: a minute away.
    fleet.services.alerts.replaceRules([
      { id: 'battery', cause: 'battery-low', threshold: 20, clearThreshold: 25, forSeconds: 1 },
      { id: 'offline', cause: 'offline', threshold: 60, forSeconds: 0 },
      { id: 'fault', cause: 'fault', severity: 'critical' },
    ]);
    device = await registerDevice(fleet, 'cart-al1', 'cart');
  }

  async function startCart(batteryPercent: number, docked: boolean) {
    const io = new VirtualBoardIO();
    io.setAnalogInput(0, adcFromVolts(voltageFromBatteryPercent(batteryPercent)));
    io.setAnalogInput(1, tmp36RawFromCelsius(25));
    io.setDigitalInput(CART_PINS.dockContact, docked);
    const config = CartConfigSchema.parse({
      thingName: 'cart-al1',
      endpoint: { host: 'localhost', port: fleet.services.broker.tlsPort },
      certDir: join(dir.path, 'cart-al1'),
      dataDir: join(dir.path, 'cart-al1', 'data'),
      telemetryIntervalMs: 200,
      healthIntervalMs: 300,
      screen: { port: 0 },
    });
    const runtime = new CartRuntime(config, device, new VirtualZoneLocator(), silentLogger(), io);
    await runtime.start();
    cart = { runtime, io };
    return cart;
  }

  const activeAlert = (cause: AlertCause) =>
    fleet.services.alerts
      .list({ state: 'active', storeIds: null, thingName: 'cart-al1', limit: 10, offset: 0 })
      .items.find((a) => a.cause === cause);
  const latest = () => fleet.services.telemetry.latestOf('cart-al1').telemetry?.metrics;

  afterEach(async () => {
    await cart?.runtime.stop();
    cart = undefined;
    await fleet?.stop();
    dir?.cleanup();
  });

  it('a low battery opens an alert after forSeconds, and charging on the dock resolves it after forSeconds', async () => {
    const clock = new FakeClock(Date.now());
    await startFleetWithRules(clock);
    const { io } = await startCart(60, false);
    await eventually(() => latest()?.['battery.percent'] === 60, 5000, 'cart telemetry at 60 %');
    assert.equal(activeAlert('battery-low'), undefined, 'no alert at 60 %');

    io.setAnalogInput(0, adcFromVolts(voltageFromBatteryPercent(10)));
    await eventually(() => latest()?.['battery.percent'] === 10, 5000, 'the 10 % reading received');
    clock.advance(999);
    assert.equal(activeAlert('battery-low'), undefined, 'not before forSeconds');
    clock.advance(1);
    const opened = activeAlert('battery-low');
    assert.equal(opened?.state, 'open', 'open at forSeconds');
    assert.equal(opened.severity, 'warning');
    assert.equal(opened.deviceKind, 'cart');
    assert.equal(opened.value, 10);
    assert.deepEqual(
      changes.filter((a) => a.id === opened.id).map((a) => a.state),
      ['open'],
      'announced on the bus once',
    );

    io.setDigitalInput(CART_PINS.dockContact, true);
    await eventually(() => latest()?.['battery.charging'] === true, 5000, 'charging received');
    clock.advance(999);
    assert.equal(fleet.services.alerts.get(opened.id).state, 'open', 'not resolved before forSeconds');
    clock.advance(1);
    assert.equal(fleet.services.alerts.get(opened.id).state, 'resolved');
    assert.equal(fleet.services.alerts.get(opened.id).resolvedBy, null);
    assert.equal(activeAlert('battery-low'), undefined);
  });

  it('a fault event opens an alert, and fault.cleared resolves it', async () => {
    await startFleetWithRules(new FakeClock(Date.now()));
    const { runtime } = await startCart(60, true);
    runtime.core.telemetry.publish('events', {
      event: 'fault',
      code: 'SCANNER_JAMMED',
      message: 'barcode scanner does not respond',
    });
    const opened = await eventually(() => activeAlert('fault'), 5000, 'fault alert');
    assert.equal(opened.value, 'SCANNER_JAMMED');
    assert.equal(opened.severity, 'critical');
    assert.match(opened.message, /barcode scanner does not respond/);
    assert.equal(fleet.services.alerts.openCountsByThing().get('cart-al1'), 1);

    runtime.core.telemetry.publish('events', { event: 'fault.cleared', code: 'SCANNER_JAMMED' });
    await eventually(() => fleet.services.alerts.get(opened.id).state === 'resolved', 5000, 'fault resolved');
  });

  it('going offline opens an offline alert once the threshold has passed since the disconnect, and coming back resolves it', async () => {
    const clock = new FakeClock(Date.now());
    await startFleetWithRules(clock);
    const disconnects: number[] = [];
    fleet.bus.on('broker.clientDisconnected', (e) => {
      if (e.clientId === 'cart-al1') disconnects.push(e.at);
    });
    const { runtime } = await startCart(60, true);
    await eventually(() => fleet.services.presence.get('cart-al1')?.state === 'online', 5000, 'online');
    await runtime.stop();
    cart = undefined;
    await eventually(() => disconnects.length === 1, 5000, 'the broker to see the disconnect');
    assert.deepEqual(disconnects, [clock.now()], 'the broker stamps the disconnect with the fleet clock');

    // The presence grace (200 ms in the harness) passes first; the threshold is counted from the disconnect.
    clock.advance(200);
    assert.equal(fleet.services.presence.get('cart-al1')?.state, 'offline');
    clock.advance(59_799);
    assert.equal(activeAlert('offline'), undefined, 'not before 60 s away');
    clock.advance(1);
    const opened = activeAlert('offline');
    assert.equal(opened?.state, 'open', 'open at 60 s away');
    assert.equal(opened.value, 60, 'seconds away when it opened');
    assert.equal(opened.severity, 'warning');
    assert.equal(fleet.services.alerts.counts().open.warning, 1);

    await startCart(60, true);
    await eventually(() => fleet.services.alerts.get(opened.id).state === 'resolved', 10_000, 'offline resolved');
    assert.equal(
      fleet.services.alerts.list({ state: 'active', storeIds: null, thingName: 'cart-al1', limit: 10, offset: 0 })
        .total,
      0,
    );
  });
});
