import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { FleetEvents } from '../../fleet/fleet-events.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { withTimeout } from '../../platform/clock.ts';
import {
  eventually,
  mqttJsClient,
  registerDevice,
  startFleet,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';
import { FakeClock } from '../mocks/fake-clock.ts';
import { captureLogs, type LogRecord, WARN } from '../mocks/log-capture.ts';

const GRACE_MS = 400;

const MONITOR_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'iot:Connect', Resource: 'arn:aws:iot:*:*:client/${iot:Connection.Thing.ThingName}' },
    {
      Effect: 'Allow',
      Action: ['iot:Subscribe', 'iot:Receive'],
      Resource: ['arn:aws:iot:*:*:topicfilter/$aws/events/presence/*', 'arn:aws:iot:*:*:topic/$aws/events/presence/*'],
    },
  ],
};

/**
 * The fleet runs on a fake clock: the offline debounce and the ingest's flush retries happen when a test moves time,
 * so "no offline within the grace period" is checked at the grace period's end, not after a guessed sleep.
 */
describe('presence and device data (real broker)', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let cart: TestDevice;
  let monitor: TestDevice;
  let clock: FakeClock;
  let logs: LogRecord[];
  const presence: FleetEvents['presence.changed'][] = [];
  const disconnects: FleetEvents['broker.clientDisconnected'][] = [];
  const start = () => {
    const captured = captureLogs('warn');
    logs = captured.records;
    return startFleet(dir.path, { presence: { offlineGraceMs: GRACE_MS } }, { clock, log: captured.log });
  };

  before(async () => {
    dir = tempDir();
    clock = new FakeClock(Date.now());
    fleet = await start();
    cart = await registerDevice(fleet, 'cart-p1');
    fleet.services.registry.putPolicy('PresenceMonitor', MONITOR_POLICY);
    monitor = await registerDevice(fleet, 'monitor-1', 'speaker', 'PresenceMonitor');
    fleet.bus.on('presence.changed', (e) => presence.push(e));
    fleet.bus.on('broker.clientDisconnected', (e) => disconnects.push(e));
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('publishes AWS lifecycle events and debounces offline', async () => {
    const watcher = await mqttJsClient(fleet.services.broker.tlsPort, monitor, 'monitor-1');
    const events: { topic: string; body: Record<string, unknown> }[] = [];
    watcher.on('message', (topic, payload) => events.push({ topic, body: JSON.parse(payload.toString()) }));
    await watcher.subscribeAsync('$aws/events/presence/+/cart-p1', { qos: 1 });

    const first = await mqttJsClient(fleet.services.broker.tlsPort, cart, 'cart-p1');
    await eventually(() => events.length === 1, 3000, 'connected event');
    const connected = events[0]!;
    assert.equal(connected.topic, '$aws/events/presence/connected/cart-p1');
    assert.equal(connected.body.eventType, 'connected');
    assert.equal(connected.body.clientId, 'cart-p1');
    assert.equal(connected.body.principalIdentifier, cart.certificateId);
    assert.equal(typeof connected.body.sessionIdentifier, 'string');
    assert.equal(connected.body.ipAddress, '127.0.0.1');
    assert.equal(typeof connected.body.versionNumber, 'number');
    await eventually(() => fleet.services.presence.get('cart-p1')?.state === 'online', 2000, 'online');

    // A quick reconnect (within the grace period) never reports offline.
    first.stream.destroy();
    await eventually(() => events.length === 2, 3000, 'disconnected event');
    clock.advance(GRACE_MS - 1);
    const second = await mqttJsClient(fleet.services.broker.tlsPort, cart, 'cart-p1');
    await eventually(() => events.length === 3, 3000, 'connected event of the reconnect');
    clock.advance(10 * GRACE_MS);
    assert.deepEqual(
      presence.filter((e) => e.clientId === 'cart-p1').map((e) => e.state),
      ['online'],
      'no offline flap for a reconnect 1 ms before the grace period ends',
    );
    const lost = events[1]!;
    assert.equal(lost.body.eventType, 'disconnected');
    assert.equal(lost.body.disconnectReason, 'CONNECTION_LOST');
    assert.equal(lost.body.clientInitiatedDisconnect, false);
    assert.equal(lost.body.versionNumber, connected.body.versionNumber, 'a connection shares its version number');

    // A refused CONNECT (wrong client id for this certificate) is announced as connect_failed.
    await watcher.subscribeAsync('$aws/events/presence/connect_failed/+', { qos: 1 });
    const { default: mqttJs } = await import('mqtt');
    const impostor = mqttJs.connect({
      protocol: 'mqtts',
      host: 'localhost',
      port: fleet.services.broker.tlsPort,
      clientId: 'cart-p1-impostor',
      cert: cart.certificatePem,
      key: cart.privateKeyPem,
      ca: cart.caPem,
      reconnectPeriod: 0,
    });
    impostor.on('error', () => {});
    const failed = await eventually(
      () => events.find((e) => e.topic === '$aws/events/presence/connect_failed/cart-p1-impostor'),
      3000,
      'connect_failed event',
    );
    assert.equal(failed.body.connectFailureReason, 'AUTHORIZATION_FAILED');
    assert.equal(failed.body.principalIdentifier, cart.certificateId);
    impostor.end(true);
    events.splice(events.indexOf(failed), 1);

    // A clean DISCONNECT, then staying away: offline once the grace period is over, not a millisecond before.
    await second.endAsync();
    await eventually(() => events.length === 4, 3000, 'second connected+disconnected');
    assert.equal(events[3]!.body.disconnectReason, 'CLIENT_INITIATED_DISCONNECT');
    assert.equal(events[3]!.body.clientInitiatedDisconnect, true);
    assert.ok((events[2]!.body.versionNumber as number) > (connected.body.versionNumber as number));
    clock.advance(GRACE_MS - 1);
    assert.equal(fleet.services.presence.get('cart-p1')?.state, 'online', 'still online within the grace period');
    clock.advance(1);
    assert.equal(fleet.services.presence.get('cart-p1')?.state, 'offline', 'offline when the grace period ends');
    assert.equal(fleet.services.presence.get('cart-p1')?.disconnectReason, 'CLIENT_INITIATED_DISCONNECT');
    assert.deepEqual(
      presence.filter((e) => e.clientId === 'cart-p1').map((e) => [e.state, e.reason]),
      [
        ['online', null],
        ['offline', 'CLIENT_INITIATED_DISCONNECT'],
      ],
    );
    await watcher.endAsync();
  });

  it('notices a device that falls silent (keep-alive) and delivers its last will', async () => {
    const { default: mqttJs } = await import('mqtt');
    const silent = mqttJs.connect({
      protocol: 'mqtts',
      host: 'localhost',
      port: fleet.services.broker.tlsPort,
      clientId: 'cart-p1',
      cert: cart.certificatePem,
      key: cart.privateKeyPem,
      ca: cart.caPem,
      keepalive: 1,
      reconnectPeriod: 0,
      will: {
        topic: 'dt/cartfleet/cart-p1/status',
        payload: Buffer.from(JSON.stringify({ msgId: 'will-test-1', ts: Date.now(), metrics: { state: 'offline' } })),
        qos: 1,
        retain: false,
      },
    });
    silent.on('error', () => {});
    await new Promise<void>((resolve) => silent.once('connect', () => resolve()));
    await eventually(() => fleet.services.presence.get('cart-p1')?.state === 'online', 3000, 'online');
    // The device hangs: nothing more reaches the broker, not even PINGREQ, and (unlike mqtt.js) it does not give up
    // on its own, so the broker's keep-alive (1.5 x 1 s) is what ends the connection.
    silent.keepaliveManager?.destroy();
    silent.stream.cork();
    await eventually(
      () => disconnects.some((e) => e.clientId === 'cart-p1' && e.reason === 'MQTT_KEEP_ALIVE_TIMEOUT'),
      6000,
      "the broker's keep-alive timeout",
    );
    clock.advance(GRACE_MS);
    assert.equal(fleet.services.presence.get('cart-p1')?.state, 'offline');
    assert.equal(fleet.services.presence.get('cart-p1')?.disconnectReason, 'MQTT_KEEP_ALIVE_TIMEOUT');
    await eventually(
      () => fleet.services.telemetry.latestOf('cart-p1').status?.metrics.state === 'offline',
      3000,
      'will stored',
    );
    silent.end(true);
  });

  it('drops malformed, mistyped, oversized and unknown data with a reason, and keeps serving', async () => {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, cart, 'cart-p1');
    const before = fleet.services.telemetry.stats();
    await client.publishAsync('dt/cartfleet/cart-p1/telemetry', '{not json', { qos: 1 });
    await client.publishAsync(
      'dt/cartfleet/cart-p1/telemetry',
      JSON.stringify({ msgId: 'x', ts: 'yesterday', metrics: {} }),
      { qos: 1 },
    );
    await client.publishAsync(
      'dt/cartfleet/cart-p1/telemetry',
      JSON.stringify({ msgId: 'big', ts: Date.now(), metrics: { blob: 'x'.repeat(200) } }).replace(
        '"x',
        `"${'y'.repeat(20_000)}`,
      ),
      { qos: 1 },
    );
    await client.publishAsync(
      'dt/cartfleet/cart-p1/bogus',
      JSON.stringify({ msgId: 'u1', ts: Date.now(), metrics: {} }),
      { qos: 1 },
    );
    await client.publishAsync(
      'dt/cartfleet/cart-p1/telemetry',
      JSON.stringify({ msgId: 'good-1', ts: Date.now(), metrics: { 'battery.percent': 90 } }),
      { qos: 1 },
    );
    await eventually(() => fleet.services.telemetry.stats().stored === before.stored + 1, 3000, 'valid message stored');
    assert.equal(fleet.services.telemetry.stats().rejected, before.rejected + 4);
    assert.deepEqual(
      logs.filter((l) => l.level === WARN && l.component === 'telemetry' && l.code).map((l) => [l.topic, l.code]),
      [
        ['dt/cartfleet/cart-p1/telemetry', 'PAYLOAD_INVALID_JSON'],
        ['dt/cartfleet/cart-p1/telemetry', 'PAYLOAD_SCHEMA'],
        ['dt/cartfleet/cart-p1/telemetry', 'PAYLOAD_TOO_LARGE'],
        ['dt/cartfleet/cart-p1/bogus', 'TOPIC_UNKNOWN'],
      ],
      'each drop is logged with its topic and reason code, in order',
    );
    const after = fleet.services.telemetry.stats();
    for (const code of ['PAYLOAD_INVALID_JSON', 'PAYLOAD_SCHEMA', 'PAYLOAD_TOO_LARGE', 'TOPIC_UNKNOWN'] as const) {
      const counted = (after.rejectedByCode[code] ?? 0) - (before.rejectedByCode[code] ?? 0);
      assert.equal(counted, 1, `counted as ${code}`);
    }
    assert.match(
      logs.find((l) => l.code === 'PAYLOAD_SCHEMA')?.msg ?? '',
      /ts/,
      'the schema reason names the field that is wrong',
    );
    assert.ok(client.connected, 'a bad payload does not cost the device its connection');
    assert.deepEqual(
      fleet.services.telemetry
        .history({ thingName: 'cart-p1', stream: 'telemetry', from: 0, to: Date.now(), limit: 10 })
        .map((p) => p.msgId),
      ['good-1'],
    );
    assert.equal(fleet.services.telemetry.latestOf('cart-p1').telemetry?.metrics['battery.percent'], 90);
    await client.endAsync();
  });

  it('acknowledges device data only once it is stored (PUBACK follows the commit)', async () => {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, cart, 'cart-p1');
    const repository = (fleet.services.telemetry as unknown as { repository: { insertMany: (r: unknown[]) => number } })
      .repository;
    const insertMany = repository.insertMany;
    let attempts = 0;
    repository.insertMany = () => {
      attempts++;
      throw new Error('disk unavailable (test)');
    };
    let acked = false;
    const published = client
      .publishAsync(
        'dt/cartfleet/cart-p1/telemetry',
        JSON.stringify({ msgId: 'held-1', ts: Date.now(), metrics: { 'battery.percent': 55 } }),
        { qos: 1 },
      )
      .then(() => {
        acked = true;
      });
    try {
      await eventually(() => attempts === 1, 3000, 'the first write attempt (group commit)');
      for (let i = 0; i < 3; i++) await clock.advanceAsync(fleet.config.telemetry.flushIntervalMs);
      assert.equal(attempts, 4, 'retried at every flush interval');
      assert.equal(acked, false, 'no PUBACK while the message cannot be stored');
    } finally {
      repository.insertMany = insertMany;
    }
    await clock.advanceAsync(fleet.config.telemetry.flushIntervalMs);
    await published;
    assert.ok(
      fleet.services.telemetry
        .history({ thingName: 'cart-p1', stream: 'telemetry', from: 0, to: Date.now(), limit: 50 })
        .some((p) => p.msgId === 'held-1'),
    );
    await client.endAsync();
  });

  it('keeps every status message, even when a device repeats its last-will msgId', async () => {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, cart, 'cart-p1');
    const will = JSON.stringify({ msgId: 'will-boot-1', ts: Date.now(), metrics: { state: 'offline' } });
    await client.publishAsync('dt/cartfleet/cart-p1/status', will, { qos: 1 });
    // Each receipt is its own event, keyed by its receive time (the ingest's clock).
    clock.advance(1);
    await client.publishAsync('dt/cartfleet/cart-p1/status', will, { qos: 1 });
    await eventually(
      () =>
        fleet.services.telemetry
          .history({ thingName: 'cart-p1', stream: 'status', from: 0, to: Date.now(), limit: 50 })
          .filter((p) => p.msgId.startsWith('will-boot-1@')).length === 2,
      3000,
      'both status messages stored',
    );
    await client.endAsync();
  });

  it('stops promptly with a client stuck in the TLS handshake', async () => {
    const { connect } = await import('node:net');
    const port = fleet.services.broker.tlsPort;
    const stuck = connect(port, '127.0.0.1');
    stuck.on('error', () => {});
    await once(stuck, 'connect');
    const closed = once(stuck, 'close');
    // The TLS handshake timeout is 10 s: stop() must close the half-open connection, not wait it out.
    const started = Date.now();
    await withTimeout(fleet.stop(), 2000);
    await withTimeout(closed, 2000);
    assert.ok(Date.now() - started < 2000, 'stopped and the stuck socket closed within 2 s');
    fleet = await startFleet(
      dir.path,
      { presence: { offlineGraceMs: GRACE_MS }, mqtt: { tlsPort: port, host: '127.0.0.1' } },
      { clock },
    );
  });

  it('disconnects a client whose payload exceeds the MQTT limit; others carry on', async () => {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, cart, 'cart-p1');
    const watcher = await mqttJsClient(fleet.services.broker.tlsPort, monitor, 'monitor-1');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('dt/cartfleet/cart-p1/telemetry', Buffer.alloc(200 * 1024, 0x61), { qos: 1 });
    await closed;
    assert.ok(watcher.connected);
    const again = await mqttJsClient(fleet.services.broker.tlsPort, cart, 'cart-p1');
    await again.publishAsync(
      'dt/cartfleet/cart-p1/telemetry',
      JSON.stringify({ msgId: 'after-big', ts: Date.now(), metrics: { ok: true } }),
      { qos: 1 },
    );
    await eventually(
      () =>
        fleet.services.telemetry
          .history({ thingName: 'cart-p1', stream: 'telemetry', from: 0, to: Date.now(), limit: 10 })
          .some((p) => p.msgId === 'after-big'),
      3000,
    );
    await again.endAsync();
    await watcher.endAsync();
  });
});
