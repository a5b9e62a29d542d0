import assert from 'node:assert/strict';
import type mqttJs from 'mqtt';
import type { FleetEvents } from '../../fleet/fleet-events.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { streamTopics } from '../../protocol/topics.ts';
import {
  eventually,
  mqttJsClient,
  registerDevice,
  startFleet,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';

interface Reply {
  topic: string;
  payload: Buffer;
}

describe('stream requests with an invalid stream id (real broker)', function () {
  this.timeout(20_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let cart: TestDevice;
  const refused: FleetEvents['broker.publishRefused'][] = [];
  let client: mqttJs.MqttClient;
  const replies: Reply[] = [];
  const reply = (topic: string) => replies.find((r) => r.topic === topic);

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path);
    cart = await registerDevice(fleet, 'cart-st1');
    fleet.bus.on('broker.publishRefused', (e) => refused.push(e));
    fleet.services.streams.putStream('fw-1', [{ fileId: 0, bytes: Buffer.from('firmware') }], { audience: 'fleet' });
    client = await mqttJsClient(fleet.services.broker.tlsPort, cart, cart.thingName);
    client.on('message', (topic, payload) => replies.push({ topic, payload }));
    // What a device following AWS's guide subscribes to (the default policy grants its own streams/*).
    await client.subscribeAsync(['$aws/things/cart-st1/streams/+/+/json', '$aws/things/cart-st1/streams/+/+/cbor'], {
      qos: 1,
    });
  });

  after(async () => {
    await client.endAsync(true);
    await fleet.stop();
    dir.cleanup();
  });

  it("answers InvalidTopic on the request's rejected topic with its client token, and keeps the connection", async () => {
    const bad = '$aws/things/cart-st1/streams/bad id!/get/json';
    // Not awaited: a PUBACK would never come if the broker closed the connection instead.
    client.publish(bad, JSON.stringify({ c: 'tok-1', f: 0, l: 256 }), { qos: 1 });
    const answer = await eventually(
      () => reply('$aws/things/cart-st1/streams/bad id!/rejected/json'),
      3000,
      'the rejection',
    );
    const body = JSON.parse(answer.payload.toString());
    assert.equal(body.o, 'InvalidTopic');
    assert.equal(body.c, 'tok-1');
    assert.match(body.m, /stream id/);
    assert.deepEqual(refused, [], 'not refused as a publish to a reserved topic');
    // Positive control on the same connection: a valid stream id is described.
    assert.ok(client.connected);
    await client.publishAsync(streamTopics.request('cart-st1', 'fw-1', 'describe'), JSON.stringify({ c: 'tok-2' }), {
      qos: 1,
    });
    const described = await eventually(
      () => reply('$aws/things/cart-st1/streams/fw-1/description/json'),
      3000,
      'the description',
    );
    assert.deepEqual(JSON.parse(described.payload.toString()), { c: 'tok-2', s: 1, d: '', r: [{ f: 0, z: 8 }] });
  });

  it('a stream id over 128 characters and a describe in CBOR are answered InvalidTopic too', async () => {
    const long = 's'.repeat(129);
    await client.publishAsync(`$aws/things/cart-st1/streams/${long}/describe/json`, JSON.stringify({ c: 't3' }), {
      qos: 1,
    });
    const answer = await eventually(
      () => reply(`$aws/things/cart-st1/streams/${long}/rejected/json`),
      3000,
      'the rejection',
    );
    assert.deepEqual(JSON.parse(answer.payload.toString()).o, 'InvalidTopic');
    await client.publishAsync('$aws/things/cart-st1/streams/a.b/describe/cbor', Buffer.from([0xa0]), { qos: 1 });
    const cbor = await eventually(() => reply('$aws/things/cart-st1/streams/a.b/rejected/cbor'), 3000, 'CBOR');
    // A CBOR map of text: {"o": "InvalidTopic", ...}
    assert.equal(cbor.payload[0] !== undefined && cbor.payload[0] >> 5, 5);
    assert.ok(cbor.payload.includes(Buffer.from('InvalidTopic')));
    assert.deepEqual(refused, []);
    assert.ok(client.connected);
  });

  it('an invalid client token is left out of the answer, as AWS does', async () => {
    await client.publishAsync('$aws/things/cart-st1/streams/x!/get/json', JSON.stringify({ c: 'x'.repeat(65) }), {
      qos: 1,
    });
    const answer = await eventually(() => reply('$aws/things/cart-st1/streams/x!/rejected/json'), 3000, 'rejection');
    const body = JSON.parse(answer.payload.toString());
    assert.equal(body.o, 'InvalidTopic');
    assert.equal('c' in body, false);
  });
});
