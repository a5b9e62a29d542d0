import assert from 'node:assert/strict';
import type mqttJs from 'mqtt';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type { CommandRequest } from '../../protocol/commands.ts';
import {
  eventually,
  mqttJsClient,
  registerDevice,
  startFleet,
  subscribeReturnCodes,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';

describe('commands reach a device through any subscription that matches their topic (real broker)', function () {
  this.timeout(20_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let cart: TestDevice;
  let client: mqttJs.MqttClient | undefined;

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path, { commands: { timeoutMs: 5000 } });
    cart = await registerDevice(fleet, 'cart-g1');
  });

  afterEach(async () => {
    await client?.endAsync();
    client = undefined;
    await eventually(() => !fleet.services.broker.isConnected('cart-g1'), 3000, 'disconnected');
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  async function device(filters: string[]): Promise<string[]> {
    const received: string[] = [];
    client = await mqttJsClient(fleet.services.broker.tlsPort, cart, 'cart-g1');
    client.on('message', (_topic, payload) => received.push((JSON.parse(payload.toString()) as CommandRequest).name));
    assert.deepEqual(
      await subscribeReturnCodes(client, filters),
      filters.map(() => 0),
    );
    return received;
  }

  function send(name: 'diagnostics' | 'locate', queueForSeconds = 0) {
    const params = name === 'locate' ? { seconds: 1 } : {};
    return fleet.services.commands.send({ thingName: 'cart-g1', name, params, queueForSeconds, requestedBy: 'test' });
  }

  it('sends at once to a device subscribed with cmd/cartfleet/{thing}/#', async () => {
    const received = await device(['cmd/cartfleet/cart-g1/#']);
    const command = await send('diagnostics');
    assert.equal(command.status, 'sent');
    await eventually(() => received.includes('diagnostics'), 3000, 'the request on the device');
  });

  it('delivers what was queued once the device subscribes with cmd/cartfleet/{thing}/#', async () => {
    const queued = await send('diagnostics', 60);
    assert.equal(queued.status, 'queued');
    const received = await device(['cmd/cartfleet/cart-g1/#']);
    await eventually(() => received.includes('diagnostics'), 3000, 'the queued request');
    assert.equal(fleet.services.commands.get(queued.id)?.status, 'sent');
  });

  it('holds a command no subscription of the device matches, and sends the one that matches', async () => {
    const received = await device(['cmd/cartfleet/cart-g1/locate']);
    const diagnostics = await send('diagnostics', 60);
    const locate = await send('locate');
    assert.equal(locate.status, 'sent');
    await eventually(() => received.includes('locate'), 3000, 'locate on the device');
    assert.equal(fleet.services.commands.get(diagnostics.id)?.status, 'queued');
    assert.deepEqual(received, ['locate']);
  });
});
