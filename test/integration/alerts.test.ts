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
import { silentLogger } from '../../platform/log.ts';
import type { AlertCause } from '../../protocol/api/alert-rules.ts';
import { eventually, registerDevice, startFleet, type TestDevice, tempDir } from '../helpers/fleet-harness.ts';

describe('alerts from a real cart runtime on virtual hardware', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let device: TestDevice;
  let cart: { runtime: CartRuntime; io: VirtualBoardIO } | undefined;
  const changes: Alert[] = [];

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

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(join(dir.path, 'fleet'));
    fleet.bus.on('alert.changed', (e) => changes.push(e.alert));
    // The defaults' minutes, shortened to seconds.
    fleet.services.alerts.replaceRules([
      { id: 'battery', cause: 'battery-low', threshold: 20, clearThreshold: 25, forSeconds: 1 },
      { id: 'offline', cause: 'offline', threshold: 1, forSeconds: 0 },
      { id: 'fault', cause: 'fault', severity: 'critical' },
    ]);
    device = await registerDevice(fleet, 'cart-al1', 'cart');
  });

  after(async () => {
    await cart?.runtime.stop();
    await fleet.stop();
    dir.cleanup();
  });

  it('a low battery opens an alert, and charging on the dock resolves it', async () => {
    const { io } = await startCart(60, false);
    await eventually(() => fleet.services.telemetry.latestOf('cart-al1').telemetry, 5000, 'cart telemetry');
    assert.equal(activeAlert('battery-low'), undefined, 'no alert at 60 %');

    io.setAnalogInput(0, adcFromVolts(voltageFromBatteryPercent(10)));
    const opened = await eventually(() => activeAlert('battery-low'), 10_000, 'battery alert');
    assert.equal(opened.state, 'open');
    assert.equal(opened.severity, 'warning');
    assert.equal(opened.deviceKind, 'cart');
    assert.ok((opened.value as number) < 20, `value ${opened.value}`);
    assert.ok(
      changes.some((a) => a.id === opened.id && a.state === 'open'),
      'announced on the bus',
    );

    io.setDigitalInput(CART_PINS.dockContact, true);
    await eventually(() => fleet.services.alerts.get(opened.id).state === 'resolved', 10_000, 'battery resolved');
    assert.equal(fleet.services.alerts.get(opened.id).resolvedBy, null);
    assert.equal(activeAlert('battery-low'), undefined);
  });

  it('a fault event opens an alert, and fault.cleared resolves it', async () => {
    assert.ok(cart);
    cart.runtime.core.telemetry.publish('events', {
      event: 'fault',
      code: 'SCANNER_JAMMED',
      message: 'barcode scanner does not respond',
    });
    const opened = await eventually(() => activeAlert('fault'), 5000, 'fault alert');
    assert.equal(opened.value, 'SCANNER_JAMMED');
    assert.equal(opened.severity, 'critical');
    assert.match(opened.message, /barcode scanner does not respond/);
    assert.equal(fleet.services.alerts.openCountsByThing().get('cart-al1'), 1);

    cart.runtime.core.telemetry.publish('events', { event: 'fault.cleared', code: 'SCANNER_JAMMED' });
    await eventually(() => fleet.services.alerts.get(opened.id).state === 'resolved', 5000, 'fault resolved');
  });

  it('going offline opens an offline alert, and coming back resolves it', async () => {
    assert.ok(cart);
    await cart.runtime.stop();
    cart = undefined;
    const opened = await eventually(() => activeAlert('offline'), 10_000, 'offline alert');
    assert.equal(opened.state, 'open');
    assert.ok(fleet.services.alerts.counts().open.warning >= 1);

    await startCart(60, true);
    await eventually(() => fleet.services.alerts.get(opened.id).state === 'resolved', 10_000, 'offline resolved');
    assert.equal(
      fleet.services.alerts.list({ state: 'active', storeIds: null, thingName: 'cart-al1', limit: 10, offset: 0 })
        .total,
      0,
    );
  });
});
