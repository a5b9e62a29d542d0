import assert from 'node:assert/strict';
import type mqttJs from 'mqtt';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { openDatabase } from '../../fleet/storage/database.ts';
import { silentLogger } from '../../platform/log.ts';
import {
  eventually,
  mqttJsClient,
  registerDevice,
  startFleet,
  subscribeReturnCodes,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';

const XUHUI = 'hf-shanghai-xuhui';
const BINJIANG = 'hf-hangzhou-binjiang';
const STORE = '${iot:Connection.Thing.Attributes[storeId]}';

describe('thing attributes in policies follow the registry (real broker, real SQLite)', function () {
  this.timeout(20_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let cart: TestDevice;
  let client: mqttJs.MqttClient | undefined;

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path, { seedDemoData: true, identityWatchMs: 100 });
    cart = await registerDevice(fleet, 'cart-attr');
    const { registry } = fleet.services;
    registry.updateThing(cart.thingName, { storeId: XUHUI });
    registry.putPolicy('StoreNews', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iot:Subscribe', Resource: `arn:aws:iot:*:*:topicfilter/stores/${STORE}/news` },
        { Effect: 'Allow', Action: 'iot:Receive', Resource: `arn:aws:iot:*:*:topic/stores/${STORE}/news` },
      ],
    });
    registry.attachPolicy('StoreNews', cart.certificateId);
  });

  afterEach(async () => {
    await client?.endAsync();
    client = undefined;
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  const codes = () => subscribeReturnCodes(client!, [`stores/${XUHUI}/news`, `stores/${BINJIANG}/news`]);

  it("lets a device subscribe to its own store's topic, read from the registry", async () => {
    client = await mqttJsClient(fleet.services.broker.tlsPort, cart, cart.thingName);
    assert.deepEqual(await codes(), [0, 128]);
  });

  it('re-decides a live connection at once when the registry moves the thing to another store', async () => {
    client = await mqttJsClient(fleet.services.broker.tlsPort, cart, cart.thingName);
    assert.deepEqual(await codes(), [0, 128]);
    fleet.services.registry.updateThing(cart.thingName, { storeId: BINJIANG, zoneId: null });
    // The registry announces the change synchronously: the very next SUBSCRIBE is decided under the new store.
    assert.deepEqual(await codes(), [128, 0]);
    assert.ok(client.connected, 'the connection stays: it may still connect');
  });

  it('follows a move made by another process on the same database (fleetctl local)', async () => {
    fleet.services.registry.updateThing(cart.thingName, { storeId: BINJIANG, zoneId: null });
    client = await mqttJsClient(fleet.services.broker.tlsPort, cart, cart.thingName);
    assert.deepEqual(await codes(), [128, 0]);
    const other = openDatabase(dir.path, silentLogger());
    try {
      other.prepare('UPDATE things SET store_id = ? WHERE thing_name = ?').run(XUHUI, cart.thingName);
    } finally {
      other.close();
    }
    await eventually(async () => JSON.stringify(await codes()) === '[0,128]', 5000, 'the move to be noticed');
  });

  it('bumps the identity generation for a store, zone or model change, not for a software version report', () => {
    const { db } = fleet.services;
    const generation = () => db.prepare('SELECT value FROM identity_generation WHERE id = 1').pluck().get() as number;
    const before = generation();
    db.prepare('UPDATE things SET software_version = ? WHERE thing_name = ?').run('9.9.9', cart.thingName);
    db.prepare('UPDATE things SET store_id = store_id WHERE thing_name = ?').run(cart.thingName);
    assert.equal(generation(), before, 'no policy-visible field changed');
    db.prepare('UPDATE things SET hardware_model = ? WHERE thing_name = ?').run('SC-300', cart.thingName);
    assert.equal(generation(), before + 1);
    db.prepare('UPDATE things SET zone_id = NULL, store_id = ? WHERE thing_name = ?').run(BINJIANG, cart.thingName);
    assert.equal(generation(), before + 2);
  });
});
