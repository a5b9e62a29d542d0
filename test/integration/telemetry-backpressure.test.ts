import assert from 'node:assert/strict';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import mqttJs from 'mqtt';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { dataTopics } from '../../protocol/topics.ts';
import {
  eventually,
  mqttJsClient,
  registerDevice,
  startFleet,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';

/** An operator's client that may read every device's data (as a data pipeline would). */
const DATA_READER_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'iot:Connect', Resource: 'arn:aws:iot:*:*:client/${iot:Connection.Thing.ThingName}' },
    {
      Effect: 'Allow',
      Action: ['iot:Subscribe', 'iot:Receive'],
      Resource: ['arn:aws:iot:*:*:topicfilter/dt/cartfleet/*', 'arn:aws:iot:*:*:topic/dt/cartfleet/*'],
    },
  ],
};

const MAX_PENDING = 10;
const DEVICES = 3;
const PER_DEVICE = 20;

/** An mqtt.js device that reconnects by itself and, as MQTT clients do, re-sends unacknowledged QoS 1 messages. */
async function reconnectingClient(port: number, device: TestDevice): Promise<mqttJs.MqttClient> {
  const client = mqttJs.connect({
    protocol: 'mqtts',
    host: 'localhost',
    port,
    clientId: device.thingName,
    cert: device.certificatePem,
    key: device.privateKeyPem,
    ca: device.caPem,
    protocolVersion: 4,
    reconnectPeriod: 50,
    connectTimeout: 5000,
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

describe('telemetry backpressure: acknowledged means stored (real broker, locked SQLite file)', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let lock: BetterSqlite3.Database;
  let reader: mqttJs.MqttClient;
  const clients: mqttJs.MqttClient[] = [];
  /** msgId → how often the data reader received it. */
  const delivered = new Map<string, number>();

  before(async () => {
    dir = tempDir();
    // Batches smaller than the backlog: what waited is written in several transactions after the lock.
    fleet = await startFleet(join(dir.path, 'fleet'), { telemetry: { maxPending: MAX_PENDING, batchSize: 4 } });
    lock = new BetterSqlite3(join(dir.path, 'fleet', 'fleet.sqlite'));
    for (let i = 0; i < DEVICES; i++) {
      const device = await registerDevice(fleet, `cart-bp${i}`, 'cart');
      clients.push(await reconnectingClient(fleet.services.broker.tlsPort, device));
    }
    fleet.services.registry.putPolicy('DataReader', DATA_READER_POLICY);
    const dataReader = await registerDevice(fleet, 'data-reader', 'speaker', 'DataReader');
    reader = await mqttJsClient(fleet.services.broker.tlsPort, dataReader, 'data-reader');
    reader.on('message', (_topic, payload) => {
      const { msgId } = JSON.parse(payload.toString()) as { msgId: string };
      delivered.set(msgId, (delivered.get(msgId) ?? 0) + 1);
    });
    await reader.subscribeAsync('dt/cartfleet/#', { qos: 1 });
  });

  after(async () => {
    for (const client of clients) client.end(true);
    reader.end(true);
    if (lock.inTransaction) lock.exec('ROLLBACK');
    lock.close();
    await fleet.stop();
    dir.cleanup();
  });

  it('with the backlog full, new messages are withheld (no PUBACK) and sent again; none acknowledged is lost', async () => {
    const { telemetry, db } = fleet.services;
    const storedIds = () =>
      new Map(
        (
          db.prepare('SELECT msg_id, count(*) AS n FROM telemetry GROUP BY msg_id').all() as {
            msg_id: string;
            n: number;
          }[]
        ).map((r) => [r.msg_id, r.n]),
      );
    const acked = new Set<string>();
    const sent: Promise<unknown>[] = [];

    // Another process holds the write lock (a backup, an operator's sqlite3 shell) while every device publishes.
    lock.exec('BEGIN EXCLUSIVE');
    clients.forEach((client, d) => {
      for (let i = 0; i < PER_DEVICE; i++) {
        const msgId = `bp${d}-${i}`;
        const payload = JSON.stringify({ msgId, ts: Date.now(), metrics: { n: i } });
        sent.push(
          client
            .publishAsync(dataTopics.publish(`cart-bp${d}`, 'telemetry'), payload, { qos: 1 })
            .then(() => acked.add(msgId)),
        );
      }
    });
    const total = DEVICES * PER_DEVICE;
    await eventually(() => telemetry.stats().received >= total, 10_000, 'every message to reach the fleet');
    await new Promise((resolve) => setImmediate(resolve)); // a PUBACK would be on its way by now
    assert.equal(acked.size, 0, 'nothing is acknowledged while it cannot be stored');
    assert.equal(telemetry.stats().pending, MAX_PENDING, 'the backlog is full, and nothing in it was dropped');
    assert.equal(telemetry.stats().withheld, total - MAX_PENDING, 'every message beyond it withheld');
    assert.ok(
      clients.every((c) => c.connected),
      'withheld messages do not close the connection',
    );
    assert.equal(delivered.size, 0, 'no subscriber receives a message before it is stored, nor a withheld one');

    lock.exec('COMMIT');
    await eventually(() => acked.size === MAX_PENDING, 10_000, 'the accepted backlog stored and acknowledged');
    const afterRelease = storedIds();
    for (const msgId of acked) assert.equal(afterRelease.get(msgId), 1, `acknowledged ${msgId} is stored`);
    assert.equal(afterRelease.size, MAX_PENDING, 'nothing withheld was stored');

    // The devices send what was never acknowledged again (mqtt.js after a reconnect; a device outbox on its timer).
    for (const client of clients) client.stream.destroy();
    await Promise.all(sent);
    const stored = storedIds();
    assert.equal(acked.size, total);
    assert.equal(stored.size, total, 'every message stored');
    for (const [msgId, n] of stored) assert.equal(n, 1, `${msgId} stored once`);
    // Positive control for the absence above: every message reaches the subscriber once it is stored, once.
    await eventually(() => delivered.size === total, 5000, 'every message delivered');
    for (const [msgId, n] of delivered) assert.equal(n, 1, `${msgId} delivered once`);
    assert.equal(telemetry.stats().pending, 0);
  });
});
