import assert from 'node:assert/strict';
import { join } from 'node:path';
import type mqttJs from 'mqtt';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { dataTopics } from '../../protocol/topics.ts';
import {
  type ApiUser,
  apiAs,
  apiUser,
  eventually,
  mqttJsClient,
  registerDevice,
  startFleet,
  tempDir,
} from '../helpers/fleet-harness.ts';
import { FakeClock } from '../mocks/fake-clock.ts';

const MINUTE_MS = 60_000;

/**
 * The HTTP API's "now" is the fleet's clock, the time line telemetry is received and ordered on and presence is
 * stamped with: a fleet whose clock is far from the machine's (here the FakeClock's 2027) answers by its own time.
 */
describe('the HTTP API reads the fleet clock (real broker, real SQLite)', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let clock: FakeClock;
  let admin: ApiUser;
  let client: mqttJs.MqttClient | undefined;

  beforeEach(async () => {
    dir = tempDir();
    clock = new FakeClock();
    fleet = await startFleet(join(dir.path, 'fleet'), {}, { clock });
    admin = await apiUser(fleet, 'clock-admin', 'hq-admin');
  });

  afterEach(async () => {
    client?.end(true);
    client = undefined;
    await fleet.stop();
    dir.cleanup();
  });

  it("a telemetry query without from/to covers the last hour of the fleet's clock; an online device is seen now", async () => {
    const device = await registerDevice(fleet, 'cart-c1', 'cart');
    client = await mqttJsClient(fleet.services.broker.tlsPort, device, 'cart-c1');
    await eventually(() => fleet.services.presence.get('cart-c1')?.state === 'online', 5000, 'online');
    for (const [msgId, agoMs] of [
      ['in-the-hour', 30 * MINUTE_MS],
      ['before-the-hour', 90 * MINUTE_MS],
    ] as const) {
      const payload = JSON.stringify({ msgId, ts: clock.now() - agoMs, metrics: { 'battery.percent': 50 } });
      await client.publishAsync(dataTopics.publish('cart-c1', 'telemetry'), payload, { qos: 1 });
    }
    clock.advance(20); // the ingest's flush interval in the harness
    await eventually(
      () =>
        fleet.services.telemetry.history({ thingName: 'cart-c1', from: 0, to: clock.now(), limit: 10 }).length === 2,
      5000,
      'both readings stored',
    );

    const api = apiAs(fleet, admin.token);
    const res = await api.get('/api/devices/cart-c1/telemetry');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(
      (res.json() as { msgId: string }[]).map((p) => p.msgId),
      ['in-the-hour'],
      "the default window ends at the fleet's now",
    );

    const summary = await api.get('/api/devices/cart-c1');
    assert.equal(summary.statusCode, 200, summary.body);
    assert.equal((summary.json() as { lastSeen: number }).lastSeen, clock.now(), 'online: seen at the fleet clock');
  });
});
