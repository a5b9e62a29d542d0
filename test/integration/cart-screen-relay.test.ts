import assert from 'node:assert/strict';
import type mqttJs from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type { CommandRequest } from '../../protocol/commands.ts';
import type { CartScreenState } from '../../protocol/commerce/cart-screen.ts';
import { commerceTopics } from '../../protocol/commerce/commerce-topics.ts';
import {
  type CartScreenEvent,
  MAX_SCREEN_REPORT_BYTES,
  SCREEN_WATCH_EVENTS,
  type ScreenWatchReply,
} from '../../protocol/commerce/screen-mirror.ts';
import { commandTopics } from '../../protocol/topics.ts';
import { registerCart } from '../helpers/commerce-cart.ts';
import {
  type ApiUser,
  apiAs,
  apiUser,
  eventually,
  mqttJsClient,
  startFleet,
  tempDir,
} from '../helpers/fleet-harness.ts';
import { idleScreenState } from '../mocks/fake-cart-screen-model.ts';

const A = 'hf-shanghai-xuhui';
const B = 'hf-hangzhou-binjiang';

/**
 * The console's read-only cart screen end to end: a real fleet (broker, SQLite, HTTP, socket.io), carts over mTLS MQTT
 * publishing their screen on `cx/cartfleet/{thing}/screen`, console sockets watching them.
 */
describe('cart screen relay (screen-mirror → cart-screen live event)', () => {
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let url: string;
  let hq: ApiUser;
  let managerA: ApiUser;
  let managerB: ApiUser;
  let attendantA: ApiUser;
  let technician: ApiUser;
  let viewer: ApiUser;
  let cartA: mqttJs.MqttClient;
  let cartB: mqttJs.MqttClient;
  const commandsToA: CommandRequest[] = [];
  const sockets: Socket[] = [];

  function open(token: string): Promise<Socket> {
    const socket = io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: { token },
    });
    sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  }

  function watch(socket: Socket, thingName: string): Promise<ScreenWatchReply> {
    return socket.timeout(5000).emitWithAck(SCREEN_WATCH_EVENTS.watch, thingName);
  }

  function screens(socket: Socket): CartScreenEvent[] {
    const got: CartScreenEvent[] = [];
    socket.on('cart-screen', (e: CartScreenEvent) => got.push(e));
    return got;
  }

  function state(thingName: string, message: string): CartScreenState {
    return { ...idleScreenState(), thingName, notice: { code: 'TEST', message, at: 1 } };
  }

  async function publishScreen(cart: mqttJs.MqttClient, thingName: string, message: string) {
    await cart.publishAsync(
      commerceTopics.screen(thingName),
      JSON.stringify({ at: Date.now(), state: state(thingName, message) }),
      { qos: 0 },
    );
  }

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path, { seedDemoData: true });
    url = `http://127.0.0.1:${fleet.services.http.port}`;
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    managerA = await apiUser(fleet, 'manager-a', 'store-manager', { storeIds: [A] });
    managerB = await apiUser(fleet, 'manager-b', 'store-manager', { storeIds: [B] });
    attendantA = await apiUser(fleet, 'attendant-a', 'attendant', { storeIds: [A] });
    technician = await apiUser(fleet, 'tech', 'technician', { storeIds: [A] });
    viewer = await apiUser(fleet, 'viewer', 'viewer', { storeIds: [A] });
    const a = await registerCart(fleet, 'screen-cart-a', A);
    const b = await registerCart(fleet, 'screen-cart-b', B);
    cartA = await mqttJsClient(fleet.services.broker.tlsPort, a, a.thingName);
    cartB = await mqttJsClient(fleet.services.broker.tlsPort, b, b.thingName);
    // The fake cart answers its commands as the cart runtime would.
    await cartA.subscribeAsync(commandTopics.request('screen-cart-a', '+'), { qos: 1 });
    cartA.on('message', (topic, payload) => {
      if (topic.endsWith('/res')) return;
      const request = JSON.parse(payload.toString()) as CommandRequest;
      commandsToA.push(request);
      cartA.publish(
        commandTopics.response('screen-cart-a', request.name),
        JSON.stringify({ commandId: request.commandId, status: 'succeeded', result: { seconds: 60, until: 0 } }),
        { qos: 1 },
      );
    });
  });

  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });

  after(async () => {
    await Promise.all([cartA?.endAsync(true), cartB?.endAsync(true)]);
    await fleet?.stop();
    dir.cleanup();
  });

  it('sends the screen-mirror command for a store manager and an attendant of the store (carts:screen)', async () => {
    const res = await apiAs(fleet, managerA.token).post('/api/devices/screen-cart-a/screen-mirror', { seconds: 60 });
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(res.json().name, 'screen-mirror');
    await eventually(() => commandsToA.find((c) => c.name === 'screen-mirror'), 5000, 'the cart gets the command');
    assert.deepEqual(commandsToA.at(-1)?.params, { seconds: 60 });
    const byAttendant = await apiAs(fleet, attendantA.token).post('/api/devices/screen-cart-a/screen-mirror', {});
    assert.equal(byAttendant.statusCode, 202, byAttendant.body);
    await eventually(() => commandsToA.length >= 2, 5000);
    assert.deepEqual(commandsToA.at(-1)?.params, { seconds: 120 }, 'the default time');
  });

  it('refuses the command to roles without carts:screen (NOT_AUTHORIZED) and outside the scope (THING_NOT_FOUND)', async () => {
    for (const user of [technician, viewer]) {
      const res = await apiAs(fleet, user.token).post('/api/devices/screen-cart-a/screen-mirror', {});
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().code, 'NOT_AUTHORIZED');
    }
    const other = await apiAs(fleet, managerB.token).post('/api/devices/screen-cart-a/screen-mirror', {});
    assert.equal(other.statusCode, 404);
    assert.equal(other.json().code, 'THING_NOT_FOUND');
    const tooLong = await apiAs(fleet, managerA.token).post('/api/devices/screen-cart-a/screen-mirror', {
      seconds: 601,
    });
    assert.equal(tooLong.statusCode, 400);
    assert.equal(tooLong.json().code, 'BAD_REQUEST');
  });

  it("relays a cart's screen to the store's watchers only, never to another store's", async () => {
    const manager = await open(managerA.token);
    const attendant = await open(attendantA.token);
    const other = await open(managerB.token);
    const admin = await open(hq.token);
    const toManager = screens(manager);
    const toAttendant = screens(attendant);
    const toOther = screens(other);
    const toAdmin = screens(admin);

    assert.deepEqual(await watch(manager, 'screen-cart-a'), { ok: true });
    assert.deepEqual(await watch(attendant, 'screen-cart-a'), { ok: true });
    const refused = await watch(other, 'screen-cart-a');
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.code, 'THING_NOT_FOUND', 'a cart of another store is unknown to B');
    assert.deepEqual(await watch(other, 'screen-cart-b'), { ok: true });
    assert.deepEqual(await watch(admin, 'screen-cart-b'), { ok: true });

    // B first: once B's own manager (and hq) have B's state, anything about A bound for B's manager was sent earlier.
    await publishScreen(cartA, 'screen-cart-a', 'a-1');
    await publishScreen(cartB, 'screen-cart-b', 'b-1');
    await eventually(() => toManager.find((e) => e.state.notice?.message === 'a-1'), 5000, 'the manager gets A');
    await eventually(() => toAttendant.find((e) => e.state.notice?.message === 'a-1'), 5000, 'the attendant gets A');
    await eventually(() => toOther.find((e) => e.state.notice?.message === 'b-1'), 5000, 'positive control: B gets B');
    await eventually(() => toAdmin.find((e) => e.state.notice?.message === 'b-1'), 5000);
    await publishScreen(cartA, 'screen-cart-a', 'a-2');
    await eventually(() => toManager.find((e) => e.state.notice?.message === 'a-2'), 5000);

    assert.deepEqual(
      toOther.filter((e) => e.thingName === 'screen-cart-a'),
      [],
      "B's manager never got A's screen",
    );
    assert.deepEqual(
      toAdmin.filter((e) => e.thingName === 'screen-cart-a'),
      [],
      'hq did not watch A: nothing of A',
    );
    assert.deepEqual(
      toManager.filter((e) => e.thingName === 'screen-cart-b'),
      [],
      'A watched only its cart',
    );
    const event = toManager.find((e) => e.state.notice?.message === 'a-1')!;
    assert.equal(event.thingName, 'screen-cart-a');
    assert.equal(event.storeId, A);
  });

  it('refuses to let a technician or a viewer watch (NOT_AUTHORIZED), and sends them nothing', async () => {
    const tech = await open(technician.token);
    const view = await open(viewer.token);
    const manager = await open(managerA.token);
    const toTech = screens(tech);
    const toViewer = screens(view);
    const toManager = screens(manager);
    for (const socket of [tech, view]) {
      const reply = await watch(socket, 'screen-cart-a');
      assert.equal(!reply.ok && reply.code, 'NOT_AUTHORIZED');
    }
    assert.deepEqual(await watch(manager, 'screen-cart-a'), { ok: true });
    await publishScreen(cartA, 'screen-cart-a', 'a-3');
    await eventually(() => toManager.find((e) => e.state.notice?.message === 'a-3'), 5000, 'positive control');
    assert.deepEqual([...toTech, ...toViewer], []);
  });

  it('drops an oversized, malformed or foreign report with its code, and relays the next good one', async () => {
    const manager = await open(managerA.token);
    const toManager = screens(manager);
    assert.deepEqual(await watch(manager, 'screen-cart-a'), { ok: true });
    const relay = fleet.services.screenRelay;
    const big = JSON.stringify({
      at: 1,
      state: { ...state('screen-cart-a', 'big'), storeName: 'x'.repeat(MAX_SCREEN_REPORT_BYTES) },
    });
    await cartA.publishAsync(commerceTopics.screen('screen-cart-a'), big, { qos: 1 });
    await cartA.publishAsync(commerceTopics.screen('screen-cart-a'), '{not json', { qos: 1 });
    await cartA.publishAsync(
      commerceTopics.screen('screen-cart-a'),
      JSON.stringify({ at: 1, state: state('screen-cart-b', 'spoof') }),
      { qos: 1 },
    );
    await eventually(() => relay.dropped.get('PAYLOAD_TOO_LARGE') === 1, 5000, 'the big one dropped as too large');
    await eventually(() => relay.dropped.get('PAYLOAD_INVALID_JSON') === 1, 5000);
    await eventually(() => relay.dropped.get('PAYLOAD_SCHEMA') === 1, 5000, 'a state naming another cart');
    await publishScreen(cartA, 'screen-cart-a', 'after');
    await eventually(() => toManager.find((e) => e.state.notice?.message === 'after'), 5000, 'positive control');
    assert.deepEqual(
      toManager.map((e) => e.state.notice?.message),
      ['after'],
      'none of the dropped ones reached the console',
    );
  });
});
