import assert from 'node:assert/strict';
import { join } from 'node:path';
import type mqttJs from 'mqtt';
import type { Alert } from '../../fleet/alerts/alert-repository.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { migrations } from '../../fleet/storage/migrations.ts';
import { silentLogger } from '../../platform/log.ts';
import { openSqlite } from '../../platform/sqlite.ts';
import { dataTopics } from '../../protocol/topics.ts';
import {
  type ApiUser,
  apiAs,
  apiUser,
  eventually,
  mqttJsClient,
  registerDevice,
  startFleet,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';

const TEN_YEARS_MS = 10 * 365 * 86_400_000;
const HOUR_MS = 3_600_000;
// Alerts at once, so that a test can watch one open and clear without waiting out the defaults' minutes.
const RULES = [
  { id: 'battery-low', cause: 'battery-low', severity: 'warning', threshold: 20, clearThreshold: 25, forSeconds: 0 },
  {
    id: 'battery-critical',
    cause: 'battery-low',
    severity: 'critical',
    threshold: 10,
    clearThreshold: 15,
    forSeconds: 0,
  },
];

describe('telemetry time: what the fleet trusts about ts (real broker, real SQLite)', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let fleetDir: string;
  let fleet: FleetServer;
  let admin: ApiUser;
  const devices = new Map<string, TestDevice>();
  const clients: mqttJs.MqttClient[] = [];
  let seq = 0;

  async function restartFleet(): Promise<void> {
    await fleet.stop();
    fleet = await startFleet(fleetDir);
  }

  async function connect(thingName: string): Promise<mqttJs.MqttClient> {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, devices.get(thingName)!, thingName);
    clients.push(client);
    return client;
  }

  /** Publishes at QoS 1 and resolves on the PUBACK; returns the msgId. */
  async function send(client: mqttJs.MqttClient, thingName: string, ts: unknown, metrics: object): Promise<string> {
    const msgId = `m-${++seq}`;
    const payload = `{"msgId":"${msgId}","ts":${String(ts)},"metrics":${JSON.stringify(metrics)}}`;
    await client.publishAsync(dataTopics.publish(thingName, 'telemetry'), payload, { qos: 1 });
    return msgId;
  }

  const stored = (msgId: string) =>
    fleet.services.db.prepare('SELECT ts, typeof(ts) AS type FROM telemetry WHERE msg_id = ?').get(msgId) as
      | { ts: number; type: string }
      | undefined;
  const refusals = (code: string) =>
    (fleet.services.telemetry.stats().rejectedByCode as Record<string, number | undefined>)[code] ?? 0;
  const apiBattery = async (thingName: string) => {
    const res = await apiAs(fleet, admin.token).get(`/api/devices/${thingName}`);
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as { battery: number | null }).battery;
  };
  const batteryAlert = (thingName: string): Alert | undefined =>
    fleet.services.alerts
      .list({ state: 'active', storeIds: null, thingName, limit: 10, offset: 0 })
      .items.find((a) => a.cause === 'battery-low');

  before(async () => {
    dir = tempDir();
    fleetDir = join(dir.path, 'fleet');
    fleet = await startFleet(fleetDir);
    fleet.services.alerts.replaceRules(RULES);
    admin = await apiUser(fleet, 'time-admin', 'hq-admin');
    for (const thingName of ['cart-t1', 'cart-t2', 'cart-t3', 'cart-t4']) {
      devices.set(thingName, await registerDevice(fleet, thingName, 'cart'));
    }
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.end(true);
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('a reading stamped ten years ahead is refused; normal readings show and clear the alert, across a restart', async () => {
    const cart = await connect('cart-t1');
    await send(cart, 'cart-t1', Date.now(), { 'battery.percent': 70 });
    await eventually(async () => (await apiBattery('cart-t1')) === 70, 3000, 'first reading');

    // The attack: one message from "ten years ahead", then normal readings.
    const before = refusals('TELEMETRY_TS_OUT_OF_RANGE');
    const future = await send(cart, 'cart-t1', Date.now() + TEN_YEARS_MS, { 'battery.percent': 5 });
    assert.equal(refusals('TELEMETRY_TS_OUT_OF_RANGE'), before + 1, 'refused with TELEMETRY_TS_OUT_OF_RANGE');
    assert.equal(stored(future), undefined, 'not stored');
    assert.equal(await apiBattery('cart-t1'), 70, 'the refused reading is not the latest');
    assert.equal(batteryAlert('cart-t1'), undefined, 'and opened no alert');

    // Within the accepted window a fast clock is stored, and acted on, but cannot hold its place.
    const ahead = await send(cart, 'cart-t1', Date.now() + 9 * 60_000, { 'battery.percent': 5 });
    assert.equal(stored(ahead)?.type, 'integer', 'a ts 9 minutes ahead is accepted');
    const opened = await eventually(() => batteryAlert('cart-t1'), 3000, 'critical battery alert');
    assert.equal(opened.severity, 'critical');
    assert.equal(await apiBattery('cart-t1'), 5);

    const normal = await send(cart, 'cart-t1', Date.now(), { 'battery.percent': 80 });
    assert.ok(stored(normal));
    assert.equal(await apiBattery('cart-t1'), 80, 'the normal reading that followed is the latest');
    await eventually(() => batteryAlert('cart-t1') === undefined, 3000, 'the alert to clear');

    await restartFleet();
    assert.equal(await apiBattery('cart-t1'), 80, 'after a restart the latest is still the normal reading');
    assert.equal(batteryAlert('cart-t1'), undefined, 'and no battery alert is open');
  });

  it('a device whose clock is an hour behind: stored in its own time, latest and alerts follow its readings', async () => {
    const cart = await connect('cart-t2');
    const behind = () => Date.now() - HOUR_MS;
    const low = await send(cart, 'cart-t2', behind(), { 'battery.percent': 8 });
    await eventually(() => batteryAlert('cart-t2'), 3000, 'battery alert from the slow clock');
    assert.equal(await apiBattery('cart-t2'), 8);
    const high = await send(cart, 'cart-t2', behind(), { 'battery.percent': 90 });
    await eventually(() => batteryAlert('cart-t2') === undefined, 3000, 'the alert to clear');
    assert.equal(await apiBattery('cart-t2'), 90);
    const lowRow = stored(low)!;
    const highRow = stored(high)!;
    assert.ok(Date.now() - highRow.ts >= HOUR_MS - 60_000, 'kept in device time');
    assert.ok(highRow.ts >= lowRow.ts);
    const history = await apiAs(fleet, admin.token).get(
      `/api/devices/cart-t2/telemetry?metric=battery.percent&from=${behind() - 60_000}&to=${Date.now()}`,
    );
    assert.equal(history.statusCode, 200, history.body);
    assert.ok(history.body.includes(high), 'history finds it at its own time');

    await restartFleet();
    assert.equal(await apiBattery('cart-t2'), 90, 'after a restart the latest is its last reading');
  });

  it('refuses a ts that is not a positive integer epoch ms (1e308, 1.5, negative, 0) with a code, and stores nothing', async () => {
    const cart = await connect('cart-t3');
    const schema = refusals('PAYLOAD_SCHEMA');
    const range = refusals('TELEMETRY_TS_OUT_OF_RANGE');
    const refused = [
      await send(cart, 'cart-t3', '1e308', { 'battery.percent': 1 }),
      await send(cart, 'cart-t3', 1.5, { 'battery.percent': 1 }),
      await send(cart, 'cart-t3', -5, { 'battery.percent': 1 }),
      await send(cart, 'cart-t3', 0, { 'battery.percent': 1 }),
    ];
    assert.equal(refusals('PAYLOAD_SCHEMA'), schema + 4, 'each refused with PAYLOAD_SCHEMA');
    const old = await send(cart, 'cart-t3', Date.now() - 8 * 86_400_000, { 'battery.percent': 1 });
    assert.equal(refusals('TELEMETRY_TS_OUT_OF_RANGE'), range + 1, 'eight days old: TELEMETRY_TS_OUT_OF_RANGE');
    // Positive control: a valid message from the same connection in the same test is stored.
    const valid = await send(cart, 'cart-t3', Date.now(), { 'battery.percent': 55 });
    assert.ok(stored(valid), 'a valid message is stored');
    for (const msgId of [...refused, old]) assert.equal(stored(msgId), undefined, `${msgId} not stored`);
    assert.equal(await apiBattery('cart-t3'), 55);
  });

  it('rows stored before the rule (ts of 1e308 or ten years ahead) no longer hold the latest after an upgrade', async () => {
    await fleet.stop();
    // The database as the fleet before migration 10 left it: a forged far-future row, a 1e308 row, then a normal one.
    const legacyDir = join(dir.path, 'legacy');
    const before = migrations.filter((m) => m.version < 10);
    const db = openSqlite(join(legacyDir, 'fleet.sqlite'), before, silentLogger());
    const insert = db.prepare(
      `INSERT INTO telemetry (thing_name, stream, msg_id, ts, received_at, metrics) VALUES ('cart-t4', 'telemetry', ?, ?, ?, ?)`,
    );
    const receivedAt = Date.now() - 60_000;
    insert.run('forged', receivedAt + TEN_YEARS_MS, receivedAt, '{"battery.percent":5}');
    insert.run('huge', 1e308, receivedAt + 1, '{"battery.percent":6}');
    insert.run('normal', receivedAt + 2, receivedAt + 2, '{"battery.percent":81}');
    db.close();
    fleetDir = legacyDir;
    fleet = await startFleet(fleetDir);
    admin = await apiUser(fleet, 'time-admin', 'hq-admin');
    await registerDevice(fleet, 'cart-t4', 'cart');
    fleet.services.telemetry.warmLatest(['cart-t4']);

    assert.equal(await apiBattery('cart-t4'), 81, 'the normal reading is the latest');
    assert.equal(stored('forged')?.ts, receivedAt, 'the forged ts took its receive time');
    assert.deepEqual(stored('huge'), { ts: receivedAt + 1, type: 'integer' }, '1e308 took its receive time');
  });
});
