import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DeviceConfigSchema } from '../../devices/core/device-config.ts';
import { DeviceRuntime } from '../../devices/core/device-runtime.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { silentLogger } from '../../platform/log.ts';
import { eventually, registerDevice, startFleet, tempDir } from '../helpers/fleet-harness.ts';

/** Each test gets its own data dirs, fleet and online device runtime: none depends on another having run. */
describe('device outbox across a broker restart (real fleet, real device runtime)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleetDir: string;
  let port: number;
  let fleet: FleetServer | undefined;
  let device: DeviceRuntime | undefined;

  const storedIds = () =>
    fleet!.services.db
      .prepare("SELECT msg_id FROM telemetry WHERE thing_name = 'cart-outbox' AND stream = 'telemetry'")
      .all()
      .map((r) => (r as { msg_id: string }).msg_id);
  /** The fleet again on the same data dir and port, as after a restart of its process. */
  const restartFleet = async () => {
    await fleet?.stop();
    fleet = undefined;
    fleet = await startFleet(fleetDir, { mqtt: { tlsPort: port, host: '127.0.0.1' } });
  };

  beforeEach(async () => {
    dir = tempDir();
    fleetDir = join(dir.path, 'fleet');
    fleet = await startFleet(fleetDir);
    port = fleet.services.broker.tlsPort;
    const credentials = await registerDevice(fleet, 'cart-outbox');
    const config = DeviceConfigSchema.parse({
      thingName: 'cart-outbox',
      endpoint: { host: 'localhost', port },
      certDir: join(dir.path, 'unused'),
      dataDir: join(dir.path, 'device'),
      reconnect: { minSeconds: 1, maxSeconds: 2 },
      healthIntervalMs: 3_600_000,
      outbox: { ackTimeoutMs: 2000 },
    });
    device = new DeviceRuntime(config, credentials, silentLogger());
    await device.start();
    await device.connection.waitOnline(10_000);
  });

  afterEach(async () => {
    await device?.stop();
    device = undefined;
    await fleet?.stop();
    fleet = undefined;
    dir.cleanup();
  });

  it('delivers everything queued while the fleet was down, once each', async () => {
    const sent: string[] = [];
    const publish = (n: number) => {
      for (let i = 0; i < n; i++)
        sent.push(device!.telemetry.publish('telemetry', { 'battery.percent': i % 100 }).msgId);
    };

    publish(50);
    await eventually(() => storedIds().length === 50, 10_000, 'first 50 stored');

    await fleet!.stop();
    fleet = undefined;
    await eventually(() => !device!.connection.online, 10_000, 'device notices the broker is gone');
    publish(200);
    assert.equal(device!.outbox.size(), 200, 'messages wait in the outbox while offline');

    await restartFleet();
    await eventually(() => storedIds().length >= 250, 30_000, 'all 250 stored after the restart');
    await eventually(() => device!.outbox.size() === 0, 10_000, 'outbox drained');

    const ids = storedIds();
    assert.equal(ids.length, 250, 'nothing duplicated');
    assert.deepEqual([...ids].sort(), [...sent].sort(), 'nothing lost');
  });

  it('stores a message once however often it is delivered', async () => {
    const message = device!.telemetry.publish('telemetry', { 'battery.percent': 42 });
    await eventually(() => device!.outbox.size() === 0, 10_000, 'sent');
    // Deliver the same message twice more, as a retrying outbox would after a lost PUBACK.
    device!.outbox.enqueue('dt/cartfleet/cart-outbox/telemetry', JSON.stringify(message));
    device!.outbox.enqueue('dt/cartfleet/cart-outbox/telemetry', JSON.stringify(message));
    await eventually(() => device!.outbox.size() === 0, 10_000, 'resent');
    fleet!.services.telemetry.flush();
    assert.deepEqual(storedIds(), [message.msgId], 'stored once');
    assert.equal(fleet!.services.telemetry.stats().duplicates, 2, 'both repeats counted as duplicates');
  });

  it('knows the latest readings of a silent device after its own restart', async () => {
    device!.telemetry.publish('telemetry', { 'battery.percent': 30, zone: 'produce' }, Date.now() - 1000);
    const last = device!.telemetry.publish('telemetry', { 'battery.percent': 7, zone: 'dock' });
    await eventually(() => device!.outbox.size() === 0, 10_000, 'sent');
    await device!.stop();
    device = undefined;
    await restartFleet();
    const latest = fleet!.services.telemetry.latestOf('cart-outbox').telemetry;
    assert.equal(latest?.ts, last.ts);
    assert.deepEqual(latest?.metrics, { 'battery.percent': 7, zone: 'dock' });
  });
});
