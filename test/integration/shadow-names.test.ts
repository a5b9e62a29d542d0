import assert from 'node:assert/strict';
import type mqttJs from 'mqtt';
import type { FleetEvents } from '../../fleet/fleet-events.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import {
  eventually,
  mqttJsClient,
  registerDevice,
  startFleet,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';

/** An operator tool that may use every thing's shadows. */
const SHADOW_OPERATOR_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'iot:Connect', Resource: 'arn:aws:iot:*:*:client/${iot:Connection.Thing.ThingName}' },
    {
      Effect: 'Allow',
      Action: ['iot:Publish', 'iot:Receive'],
      Resource: 'arn:aws:iot:*:*:topic/$aws/things/*/shadow/*',
    },
    { Effect: 'Allow', Action: 'iot:Subscribe', Resource: 'arn:aws:iot:*:*:topicfilter/$aws/things/*/shadow/*' },
  ],
};

describe('shadow requests with malformed thing or shadow names (real broker)', function () {
  this.timeout(20_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let cart: TestDevice;
  let operator: TestDevice;
  const refused: FleetEvents['broker.publishRefused'][] = [];
  const open: mqttJs.MqttClient[] = [];

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path);
    cart = await registerDevice(fleet, 'cart-e1');
    fleet.services.registry.putPolicy('ShadowOperator', SHADOW_OPERATOR_POLICY);
    operator = await registerDevice(fleet, 'operator-e1', 'speaker', 'ShadowOperator');
    fleet.bus.on('broker.publishRefused', (e) => refused.push(e));
  });

  afterEach(async () => {
    for (const client of open.splice(0)) await client.endAsync(true);
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  async function connect(device: TestDevice): Promise<{ client: mqttJs.MqttClient; messages: Map<string, object> }> {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, device, device.thingName);
    open.push(client);
    const messages = new Map<string, object>();
    client.on('message', (topic, payload) => messages.set(topic, JSON.parse(payload.toString())));
    return { client, messages };
  }

  it('answers a request for an invalid thing name with 400 on its rejected topic and keeps the connection', async () => {
    const { client, messages } = await connect(operator);
    const rejected = '$aws/things/bad.name/shadow/get/rejected';
    await client.subscribeAsync([rejected, '$aws/things/cart-e1/shadow/get/rejected'], { qos: 1 });
    // Not awaited: a PUBACK would never come if the broker closed the connection instead.
    client.publish('$aws/things/bad.name/shadow/get', JSON.stringify({ clientToken: 'tok-1' }), { qos: 1 });
    const answer = await eventually(() => messages.get(rejected), 3000, 'the rejection');
    assert.deepEqual(answer, {
      code: 400,
      message: 'Invalid thing name',
      timestamp: (answer as { timestamp: number }).timestamp,
      clientToken: 'tok-1',
    });
    assert.deepEqual(refused, [], 'not refused as a publish to a reserved topic');
    // The same connection goes on: a request for a real thing is answered (404: it has no shadow yet).
    assert.ok(client.connected);
    await client.publishAsync('$aws/things/cart-e1/shadow/get', '', { qos: 1 });
    const notFound = await eventually(() => messages.get('$aws/things/cart-e1/shadow/get/rejected'), 3000, '404');
    assert.equal((notFound as { code: number }).code, 404);
  });

  it("answers a device's update of an invalid named shadow with 400 and stores nothing", async () => {
    const { client, messages } = await connect(cart);
    const topic = '$aws/things/cart-e1/shadow/name/bad.name/update';
    await client.subscribeAsync(`${topic}/rejected`, { qos: 1 });
    const update = { state: { reported: { volume: 3 } }, clientToken: 'tok-2' };
    client.publish(topic, JSON.stringify(update), { qos: 1 });
    const answer = await eventually(() => messages.get(`${topic}/rejected`), 3000, 'the rejection');
    assert.equal((answer as { code: number }).code, 400);
    assert.equal((answer as { message: string }).message, 'Invalid shadow name');
    assert.equal((answer as { clientToken: string }).clientToken, 'tok-2');
    assert.deepEqual(fleet.services.shadows.namesOf('cart-e1'), []);
    assert.deepEqual(refused, []);
    assert.ok(client.connected);
  });

  it('still closes a connection that forges a response on a malformed name (a reserved topic)', async () => {
    const { client } = await connect(operator);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('$aws/things/bad.name/shadow/get/accepted', '{}', { qos: 1 });
    await closed;
    assert.equal(refused.at(-1)?.reason, 'AUTH_ERROR');
    assert.equal(refused.at(-1)?.topic, '$aws/things/bad.name/shadow/get/accepted');
  });
});
