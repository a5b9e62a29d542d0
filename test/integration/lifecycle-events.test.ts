import assert from 'node:assert/strict';
import type mqttJs from 'mqtt';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import {
  eventually,
  mqttJsClient,
  registerDevice,
  startFleet,
  subscribeReturnCodes,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';
import { connectPacket, rawTlsClient } from '../helpers/raw-mqtt.ts';

const MONITOR_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'iot:Connect', Resource: 'arn:aws:iot:*:*:client/${iot:Connection.Thing.ThingName}' },
    {
      Effect: 'Allow',
      Action: ['iot:Subscribe', 'iot:Receive'],
      Resource: ['arn:aws:iot:*:*:topicfilter/$aws/events/*', 'arn:aws:iot:*:*:topic/$aws/events/*'],
    },
  ],
};

/** An operator tool's policy: any client id may connect with its certificate. */
const ANY_CLIENT_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: 'arn:aws:iot:*:*:client/*' }],
};

interface Received {
  topic: string;
  body: Record<string, unknown>;
}

describe('lifecycle events (real broker): subscriptions, versionNumber across restarts, hostile client ids', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let cart: TestDevice;
  let monitor: TestDevice;
  let ops: TestDevice;
  let watcher: mqttJs.MqttClient | undefined;
  let events: Received[] = [];

  async function registerWithPolicy(thingName: string, policyName: string): Promise<TestDevice> {
    return registerDevice(fleet, thingName, 'speaker', policyName);
  }

  async function watch(): Promise<void> {
    events = [];
    watcher = await mqttJsClient(fleet.services.broker.tlsPort, monitor, 'monitor-l1');
    watcher.on('message', (topic, payload) => events.push({ topic, body: JSON.parse(payload.toString()) }));
    await watcher.subscribeAsync('$aws/events/#', { qos: 1 });
  }

  function eventsOn(prefix: string): Received[] {
    return events.filter((e) => e.topic.startsWith(prefix));
  }

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path);
    cart = await registerDevice(fleet, 'cart-l1');
    fleet.services.registry.putPolicy('LifecycleMonitor', MONITOR_POLICY);
    fleet.services.registry.putPolicy('AnyClient', ANY_CLIENT_POLICY);
    monitor = await registerWithPolicy('monitor-l1', 'LifecycleMonitor');
    ops = await registerWithPolicy('ops-l1', 'AnyClient');
    await watch();
  });

  after(async () => {
    await watcher?.endAsync();
    await fleet.stop();
    dir.cleanup();
  });

  it('announces the filters a SUBSCRIBE was granted and those an UNSUBSCRIBE ended', async () => {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, cart, 'cart-l1');
    try {
      const connected = await eventually(
        () => events.find((e) => e.topic === '$aws/events/presence/connected/cart-l1'),
        3000,
        'connected event',
      );
      const own = ['$aws/things/cart-l1/shadow/update/delta', 'cmd/cartfleet/cart-l1/#'];
      const codes = await subscribeReturnCodes(client, [
        own[0]!,
        '$aws/things/cart-other/shadow/update/delta',
        own[1]!,
      ]);
      assert.deepEqual(codes, [0, 128, 0]);
      const subscribed = await eventually(
        () => events.find((e) => e.topic === '$aws/events/subscriptions/subscribed/cart-l1'),
        3000,
        'subscribed event',
      );
      assert.deepEqual(subscribed.body, {
        clientId: 'cart-l1',
        timestamp: subscribed.body.timestamp,
        eventType: 'subscribed',
        sessionIdentifier: connected.body.sessionIdentifier,
        principalIdentifier: cart.certificateId,
        topics: own,
      });
      assert.equal(typeof subscribed.body.timestamp, 'number');

      // A SUBSCRIBE refused whole gets no event; the next granted one does, and is the next event.
      assert.deepEqual(await subscribeReturnCodes(client, ['dt/cartfleet/#']), [128]);
      assert.deepEqual(await subscribeReturnCodes(client, ['$aws/things/cart-l1/shadow/get/accepted']), [0]);
      await eventually(
        () => eventsOn('$aws/events/subscriptions/subscribed/cart-l1').length === 2,
        3000,
        '2nd subscribed',
      );
      assert.deepEqual(eventsOn('$aws/events/subscriptions/subscribed/cart-l1')[1]?.body.topics, [
        '$aws/things/cart-l1/shadow/get/accepted',
      ]);

      await client.unsubscribeAsync([own[0]!, 'never/subscribed']);
      const unsubscribed = await eventually(
        () => events.find((e) => e.topic === '$aws/events/subscriptions/unsubscribed/cart-l1'),
        3000,
        'unsubscribed event',
      );
      assert.equal(unsubscribed.body.eventType, 'unsubscribed');
      assert.equal(unsubscribed.body.sessionIdentifier, connected.body.sessionIdentifier);
      assert.deepEqual(unsubscribed.body.topics, [own[0]]);
    } finally {
      await client.endAsync();
    }
    // Ending a clean session drops its subscriptions without an UNSUBSCRIBE: no unsubscribed event for that.
    await eventually(() => events.some((e) => e.topic === '$aws/events/presence/disconnected/cart-l1'), 3000, 'gone');
    assert.equal(eventsOn('$aws/events/subscriptions/unsubscribed/cart-l1').length, 1);
  });

  it('keeps the versionNumber of a client id growing across a fleet restart', async () => {
    const versions: number[] = [];
    const connectOnce = async () => {
      const count = eventsOn('$aws/events/presence/connected/cart-l1').length;
      const client = await mqttJsClient(fleet.services.broker.tlsPort, cart, 'cart-l1');
      const event = await eventually(
        () => eventsOn('$aws/events/presence/connected/cart-l1')[count],
        3000,
        'connected event',
      );
      versions.push(event.body.versionNumber as number);
      await client.endAsync();
    };
    await connectOnce();
    await connectOnce();
    assert.equal(versions[1], versions[0]! + 1);

    await watcher?.endAsync();
    await fleet.stop();
    fleet = await startFleet(dir.path);
    await watch();
    await connectOnce();
    assert.ok(versions[2]! > versions[1]!, `version after the restart (${versions[2]}) above ${versions[1]}`);
  });

  it('never lets a client id add topic levels: ids that cannot be one level get no events', async () => {
    const attempt = async (clientId: string): Promise<number | undefined> => {
      const raw = await rawTlsClient(fleet.services.broker.tlsPort, cart);
      raw.socket.write(connectPacket(clientId));
      await eventually(() => raw.connackCode() !== undefined || raw.closed, 3000, `CONNACK for ${clientId}`);
      raw.socket.destroy();
      return raw.connackCode();
    };
    const hostile = ['cart-l1/../cart-x', 'cart-l1/connected/cart-x', 'a+b', 'a#b', `bad\u0000id`, 'c'.repeat(129)];
    const codes = [];
    for (const id of hostile) codes.push(await attempt(id));
    // Refused by policy (not the certificate's thing), or at once as an identifier (NUL, over 128 characters).
    assert.deepEqual(codes, [5, 5, 5, 5, 2, 2]);
    // Ids that are one topic level, among them the odd ones, are announced where they belong.
    assert.equal(await attempt('..'), 5);
    assert.equal(await attempt('c'.repeat(128)), 5);
    assert.equal(await attempt(''), 5, 'aedes names an empty client id; the policy refuses the name');
    // The positive control, last: once its event is in, every earlier one would have been too (QoS 1, in order).
    assert.equal(await attempt('cart-l1-impostor'), 5);
    await eventually(
      () => events.some((e) => e.topic === '$aws/events/presence/connect_failed/cart-l1-impostor'),
      3000,
      'the control event',
    );

    const failed = eventsOn('$aws/events/presence/connect_failed/');
    for (const event of failed) {
      const levels = event.topic.split('/');
      assert.equal(levels.length, 5, `one level for the client id: ${event.topic}`);
      assert.equal(event.body.clientId, levels[4]);
    }
    const announced = failed.map((e) => e.body.clientId as string);
    for (const id of hostile) assert.ok(!announced.includes(id), `no event for ${JSON.stringify(id)}`);
    assert.ok(announced.includes('..'));
    assert.ok(announced.includes('c'.repeat(128)));
    assert.ok(announced.some((id) => id.startsWith('aedes_')));
  });

  it('lets a policy admit a client id with "/", but announces none of its connection', async () => {
    const from = events.length;
    const slashed = await mqttJsClient(fleet.services.broker.tlsPort, ops, 'ops-l1/../cart-l1');
    assert.ok(fleet.services.broker.isConnected('ops-l1/../cart-l1'));
    await slashed.endAsync();
    const control = await mqttJsClient(fleet.services.broker.tlsPort, ops, 'ops-l1');
    await eventually(
      () => events.some((e) => e.topic === '$aws/events/presence/connected/ops-l1'),
      3000,
      'the control event',
    );
    await control.endAsync();
    const seen = events.slice(from);
    assert.ok(
      seen.every((e) => e.topic.split('/').length === 5),
      `every event topic has 5 levels: ${seen.map((e) => e.topic)}`,
    );
    assert.ok(!seen.some((e) => (e.body.clientId as string).includes('/')));
  });
});
