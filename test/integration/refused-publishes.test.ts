import assert from 'node:assert/strict';
import { join } from 'node:path';
import type mqttJs from 'mqtt';
import { DeviceConfigSchema } from '../../devices/core/device-config.ts';
import { DeviceRuntime } from '../../devices/core/device-runtime.ts';
import type { FleetEvents } from '../../fleet/fleet-events.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { silentLogger } from '../../platform/log.ts';
import { dataTopics } from '../../protocol/topics.ts';
import {
  eventually,
  mqttJsClient,
  registerDevice,
  startFleet,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';

function reading(msgId: string): string {
  return JSON.stringify({ msgId, ts: Date.now(), metrics: { 'battery.percent': 50 } });
}

describe('refused publishes: AWS behaviour on the fleet, no endless resend on the device (real broker)', function () {
  this.timeout(40_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let cart: TestDevice;
  let device: DeviceRuntime | undefined;
  const refused: FleetEvents['broker.publishRefused'][] = [];
  const disconnects: FleetEvents['broker.clientDisconnected'][] = [];

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(join(dir.path, 'fleet'));
    cart = await registerDevice(fleet, 'cart-f1');
    await registerDevice(fleet, 'cart-f2');
    fleet.bus.on('broker.publishRefused', (e) => refused.push(e));
    fleet.bus.on('broker.clientDisconnected', (e) => disconnects.push(e));
  });

  after(async () => {
    await device?.stop();
    await fleet.stop();
    dir.cleanup();
  });

  /** Publishes once on a new connection; resolves with the refusal and the disconnect it caused. */
  async function refusedOnce(publish: (client: mqttJs.MqttClient) => void) {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, cart, 'cart-f1');
    const before = { refused: refused.length, disconnects: disconnects.length };
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    publish(client);
    await closed;
    client.end(true);
    const disconnect = await eventually(() => disconnects[before.disconnects], 3000, 'the disconnect');
    assert.equal(refused.length, before.refused + 1);
    return { refusal: refused[before.refused]!, disconnect };
  }

  it('closes the connection for a refused QoS 0 and QoS 1 publish alike, and reports each refusal', async () => {
    const other = dataTopics.publish('cart-f2', 'telemetry');
    for (const qos of [0, 1] as const) {
      const { refusal, disconnect } = await refusedOnce((c) => c.publish(other, reading(`q${qos}`), { qos }));
      assert.deepEqual(
        { topic: refusal.topic, qos: refusal.qos, reason: refusal.reason, cause: refusal.cause },
        { topic: other, qos, reason: 'AUTH_ERROR', cause: 'the policy does not allow iot:Publish' },
      );
      assert.equal(disconnect.reason, 'AUTH_ERROR');
    }
    const retained = await refusedOnce((c) =>
      c.publish(dataTopics.publish('cart-f1', 'telemetry'), reading('r'), { qos: 1, retain: true }),
    );
    assert.equal(retained.refusal.cause, 'the policy does not allow iot:Publish with iot:RetainPublish');
    const reserved = await refusedOnce((c) => c.publish('$aws/events/presence/connected/cart-f2', '{}', { qos: 1 }));
    assert.equal(reserved.refusal.cause, 'the topic is reserved for the fleet');
    assert.equal(reserved.disconnect.reason, 'AUTH_ERROR');
    assert.equal(
      fleet.services.telemetry.history({ thingName: 'cart-f2', from: 0, to: Date.now(), limit: 5 }).length,
      0,
    );
  });

  it('a device runtime gives a refused message up after outbox.maxAttempts and stops resending it', async () => {
    const config = DeviceConfigSchema.parse({
      thingName: 'cart-f1',
      endpoint: { host: 'localhost', port: fleet.services.broker.tlsPort },
      certDir: join(dir.path, 'unused'),
      dataDir: join(dir.path, 'device'),
      reconnect: { minSeconds: 1, maxSeconds: 1 },
      healthIntervalMs: 3_600_000,
      outbox: { ackTimeoutMs: 500, maxAttempts: 3 },
    });
    device = new DeviceRuntime(config, cart, silentLogger());
    const given: { topic: string; attempts: number }[] = [];
    let refusalsOnNewConnection: number | undefined;
    device.outbox.onUndeliverable((message) => {
      given.push(message);
      device!.connection.once('online', () => {
        refusalsOnNewConnection = refused.length;
      });
    });
    await device.start();
    await device.connection.waitOnline(10_000);
    await eventually(() => !device!.outbox.holding, 10_000, 'the outbox released');

    const forbidden = dataTopics.publish('cart-f2', 'telemetry');
    const before = refused.length;
    device.outbox.enqueue(forbidden, reading('not-mine'));
    await eventually(() => given.length === 1, 20_000, 'the refused message given up');
    assert.deepEqual(given, [{ topic: forbidden, attempts: 3 }]);
    assert.equal(device.outbox.stats().undeliverable, 1);
    assert.ok(refused.length - before >= 3, 'the fleet refused it on each attempt');

    // Positive control: the renewed connection carries a message of its own to the fleet. The SDK re-sends what it
    // holds first thing after a connect, so had it kept the refused message, it would have been refused again.
    device.outbox.enqueue(dataTopics.publish('cart-f1', 'telemetry'), reading('mine'));
    await eventually(
      () =>
        fleet.services.telemetry
          .history({ thingName: 'cart-f1', from: 0, to: Date.now(), limit: 10 })
          .some((p) => p.msgId === 'mine'),
      10_000,
      'the next message stored',
    );
    assert.notEqual(refusalsOnNewConnection, undefined, 'the connection was renewed');
    assert.equal(refused.length, refusalsOnNewConnection, 'nothing refused on the renewed connection');
    assert.ok(device.connection.online);
  });
});
