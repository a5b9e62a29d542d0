import assert from 'node:assert/strict';
import { join } from 'node:path';
import type mqttJs from 'mqtt';
import { holdExclusiveLock, WriteLockProbe } from '../../bench/lib/sqlite-lock.ts';
import { commandTopics, dataTopics, shadowTopics } from '../../protocol/topics.ts';
import {
  apiAs,
  apiUser,
  eventually,
  mqttJsClient,
  registerDevice,
  startFleet,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';

interface Arrival {
  topic: string;
  body: { clientToken?: string; version?: number; code?: number; state?: { desired?: Record<string, unknown> } };
  /** Whether another process still held the write lock when the message arrived. */
  locked: boolean;
}

/**
 * A fleet, a device connected over mTLS, and a probe that says whether the database file is write-locked at the
 * moment something answers: "answered while the lock was held" is a condition checked at the answer, not a time.
 */
async function lockScenario(dir: string, thingName: string, overrides = {}) {
  const fleet = await startFleet(dir, overrides);
  const dbPath = join(dir, 'fleet.sqlite');
  const probe = new WriteLockProbe(dbPath);
  const admin = await apiUser(fleet, `admin-${thingName}`, 'hq-admin');
  const device = await registerDevice(fleet, thingName, 'cart');
  const client = await mqttJsClient(fleet.services.broker.tlsPort, device, thingName);
  const arrivals: Arrival[] = [];
  client.on('message', (topic, payload) =>
    arrivals.push({ topic, body: JSON.parse(payload.toString()), locked: probe.locked() }),
  );
  await client.subscribeAsync(`$aws/things/${thingName}/shadow/#`, { qos: 1 });
  const answer = (operation: 'get' | 'update', response: 'accepted' | 'rejected', clientToken?: string) =>
    arrivals.find(
      (a) =>
        a.topic === shadowTopics.response(thingName, operation, response) &&
        (clientToken === undefined || a.body.clientToken === clientToken),
    );
  const request = (operation: 'get' | 'update', body: object) =>
    client.publishAsync(shadowTopics.request(thingName, operation), JSON.stringify(body), { qos: 1 });
  await request('update', { state: { reported: { brightness: 10 } }, clientToken: 'init' });
  await eventually(() => answer('update', 'accepted', 'init'), 5000, 'the shadow created');
  return { fleet, dbPath, probe, admin, device, client, arrivals, answer, request };
}

describe('a database write lock held by another process (real broker, real SQLite file)', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  const closers: (() => unknown)[] = [];

  beforeEach(() => {
    dir = tempDir();
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    dir.cleanup();
  });

  it('shadow gets, HTTP reads and presence answer during the lock; telemetry and a shadow update land after it', async () => {
    const s = await lockScenario(join(dir.path, 'fleet'), 'cart-l1');
    let second: mqttJs.MqttClient | undefined;
    closers.push(
      () => s.fleet.stop(),
      () => s.probe.close(),
      () => s.client.end(true),
      () => second?.end(true),
    );
    const api = apiAs(s.fleet, s.admin.token);
    const versionBefore = s.fleet.services.shadows.find('cart-l1')?.version ?? 0;
    const otherDevice: TestDevice = await registerDevice(s.fleet, 'cart-l2', 'cart');

    const lock = await holdExclusiveLock(s.dbPath);
    let telemetryAcked = false;
    let telemetry: Promise<void>;
    try {
      assert.equal(s.probe.locked(), true, 'the other process holds the lock');
      await s.request('update', { state: { desired: { brightness: 42 } }, clientToken: 'during' });
      telemetry = s.client
        .publishAsync(
          dataTopics.publish('cart-l1', 'telemetry'),
          JSON.stringify({ msgId: 'during-lock', ts: Date.now(), metrics: { 'battery.percent': 33 } }),
          { qos: 1 },
        )
        .then(() => {
          telemetryAcked = true;
        });
      await s.request('get', { clientToken: 'g1' });

      const got = await eventually(() => s.answer('get', 'accepted', 'g1'), 15_000, 'the shadow get answered');
      assert.equal(got.locked, true, 'the MQTT shadow get answered while the database was still locked');
      assert.equal(got.body.version, versionBefore, 'the update waiting for the lock is not in it yet');

      const detail = await api.get('/api/devices/cart-l1');
      assert.equal(detail.statusCode, 200, detail.body);
      const shadow = await api.get('/api/devices/cart-l1/shadow');
      assert.equal(shadow.statusCode, 200, shadow.body);
      assert.equal(s.probe.locked(), true, 'the HTTP reads answered while the database was still locked');

      // Presence is decided and served from memory: a device connecting now is online at once.
      second = await mqttJsClient(s.fleet.services.broker.tlsPort, otherDevice, 'cart-l2');
      await eventually(
        async () =>
          ((await api.get('/api/devices/cart-l2')).json() as { presence: { state: string } }).presence.state ===
          'online',
        5000,
        'cart-l2 online in the API',
      );
      assert.equal(s.probe.locked(), true, 'presence answered while the database was still locked');

      // Positive controls below: both arrive once the lock is gone.
      assert.equal(s.answer('update', 'accepted', 'during'), undefined, 'no update answer before the write lands');
      assert.equal(telemetryAcked, false, 'no PUBACK before the message is stored');
      assert.equal(s.probe.locked(), true);
    } finally {
      await lock.release();
    }

    const accepted = await eventually(() => s.answer('update', 'accepted', 'during'), 10_000, 'the update answered');
    assert.equal(accepted.locked, false);
    assert.equal(accepted.body.version, versionBefore + 1);
    await telemetry;
    const row = s.fleet.services.db.prepare("SELECT metrics FROM telemetry WHERE msg_id = 'during-lock'").get() as
      | { metrics: string }
      | undefined;
    assert.deepEqual(JSON.parse(row?.metrics ?? 'null'), { 'battery.percent': 33 }, 'the telemetry was stored');
    await eventually(
      () =>
        (
          s.fleet.services.db.prepare("SELECT state FROM presence WHERE client_id = 'cart-l2'").get() as {
            state: string;
          }
        )?.state === 'online',
      5000,
      'presence written once the lock was gone',
    );
  });

  it('a write that cannot wait longer answers with a code and changes nothing', async () => {
    const s = await lockScenario(join(dir.path, 'fleet'), 'cart-l3', { storage: { writeDeadlineMs: 300 } });
    closers.push(
      () => s.fleet.stop(),
      () => s.probe.close(),
      () => s.client.end(true),
    );
    const api = apiAs(s.fleet, s.admin.token);
    const before = s.fleet.services.shadows.find('cart-l3');
    const rulesBefore = s.fleet.services.alerts.rules();

    const lock = await holdExclusiveLock(s.dbPath);
    try {
      await s.request('update', { state: { desired: { brightness: 77 } }, clientToken: 'late' });
      const rejected = await eventually(() => s.answer('update', 'rejected'), 10_000, 'the update refused');
      assert.equal(rejected.locked, true, 'refused while the lock was still held');
      assert.equal(rejected.body.code, 500);

      const patch = await api.patch('/api/devices/cart-l3/shadow', { desired: { brightness: 78 } });
      assert.equal(patch.statusCode, 503, patch.body);
      assert.equal(patch.json().code, 'STORAGE_BUSY');
      // A write the fleet makes synchronously (operator actions) is refused at once with the same code.
      const rules = await api.put('/api/alert-rules', [{ id: 'x', cause: 'offline', threshold: 60 }]);
      assert.equal(rules.statusCode, 503, rules.body);
      assert.equal(rules.json().code, 'STORAGE_BUSY');
      assert.equal(s.probe.locked(), true);
    } finally {
      await lock.release();
    }

    // Positive control: the next update lands, on top of the version from before the lock.
    await s.request('update', { state: { desired: { brightness: 20 } }, clientToken: 'after' });
    const accepted = await eventually(() => s.answer('update', 'accepted', 'after'), 5000, 'the next update');
    assert.equal(accepted.body.version, (before?.version ?? 0) + 1, 'the refused updates never landed');
    assert.deepEqual(s.fleet.services.shadows.find('cart-l3')?.state.desired, { brightness: 20 });
    assert.deepEqual(s.fleet.services.alerts.rules(), rulesBefore);
  });

  it('a command answer that arrives during the lock settles its command once the lock is gone', async () => {
    const s = await lockScenario(join(dir.path, 'fleet'), 'cart-l4');
    closers.push(
      () => s.fleet.stop(),
      () => s.probe.close(),
      () => s.client.end(true),
    );
    const { commands } = s.fleet.services;
    const requests: { commandId: string }[] = [];
    s.client.on('message', (topic, payload) => {
      if (topic === commandTopics.request('cart-l4', 'locate')) requests.push(JSON.parse(payload.toString()));
    });
    await s.client.subscribeAsync(commandTopics.deviceFilter('cart-l4'), { qos: 1 });
    await eventually(() => s.fleet.services.broker.isConnected('cart-l4'), 3000, 'connected');
    const command = await eventually(
      () => commands.send({ thingName: 'cart-l4', name: 'locate', params: { seconds: 1 }, requestedBy: 'test' }),
      3000,
      'the command sent',
    );
    const request = await eventually(() => requests.find((r) => r.commandId === command.id), 3000, 'the request');

    const lock = await holdExclusiveLock(s.dbPath);
    try {
      await s.client.publishAsync(
        commandTopics.response('cart-l4', 'locate'),
        JSON.stringify({ commandId: request.commandId, status: 'succeeded', result: { seconds: 1 } }),
        { qos: 1 },
      );
      await eventually(() => s.fleet.services.writer.stats().waiting > 0, 3000, 'the answer waiting for the lock');
      assert.equal(commands.get(command.id)?.status, 'sent', 'read while locked: not stored yet');
      assert.equal(s.probe.locked(), true);
    } finally {
      await lock.release();
    }
    await eventually(() => commands.get(command.id)?.status === 'succeeded', 5000, 'the command settled by its answer');
    assert.deepEqual(commands.get(command.id)?.result, { seconds: 1 });
    assert.equal(commands.stats().answered, 1);
  });
});
