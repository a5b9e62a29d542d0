import assert from 'node:assert/strict';
import type mqttJs from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { packagedProduct } from '../fixtures/vision/enrolment-catalog.ts';
import { productPhoto } from '../fixtures/vision/tiny-image-embedder.ts';
import {
  type ApiUser,
  apiAs,
  apiUser,
  eventually,
  mqttJsClient,
  startFleet,
  tempDir,
} from '../helpers/fleet-harness.ts';

const A = 'hf-shanghai-xuhui';
const B = 'hf-hangzhou-binjiang';

interface Received {
  event: string;
  payload: { thingName?: string; storeId?: string | null };
}

/** The live socket sends each client only the events of devices in its scope, and drops clients who lose access. */
describe('live updates by scope (socket.io)', () => {
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let hq: ApiUser;
  let managerA: ApiUser;
  let url: string;
  const sockets: Socket[] = [];
  const devices: mqttJs.MqttClient[] = [];
  const bundles = new Map<string, { certificatePem: string; privateKeyPem: string; caPem: string }>();

  function open(options: { token?: string; headers?: Record<string, string> }): Socket {
    const socket = io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(options.token !== undefined ? { auth: { token: options.token } } : {}),
      ...(options.headers ? { extraHeaders: options.headers } : {}),
    });
    sockets.push(socket);
    return socket;
  }

  /** Resolves when connected; rejects with the server's refusal. */
  function connected(socket: Socket): Promise<void> {
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => reject(err));
    });
  }

  function refusal(socket: Socket): Promise<string> {
    return new Promise((resolve, reject) => {
      socket.once('connect', () => reject(new Error('connected, but should have been refused')));
      socket.once('connect_error', (err) => resolve(err.message));
    });
  }

  function record(socket: Socket): Received[] {
    const received: Received[] = [];
    socket.onAny((event: string, payload: Received['payload']) => received.push({ event, payload }));
    return received;
  }

  async function register(thingName: string, storeId: string) {
    const res = await apiAs(fleet, hq.token).post('/api/devices', {
      thingName,
      kind: 'cart',
      hardwareModel: 'SC-200',
      storeId,
    });
    assert.equal(res.statusCode, 201, res.body);
    bundles.set(thingName, res.json().bundle);
  }

  /** The device connects, reports telemetry and a shadow change: presence, telemetry and shadow events. */
  async function deviceSpeaks(thingName: string, n: number) {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, bundles.get(thingName)!, thingName);
    devices.push(client);
    await client.publishAsync(
      `dt/cartfleet/${thingName}/telemetry`,
      JSON.stringify({ msgId: `m-${n}`, ts: Date.now(), metrics: { 'battery.percent': 50 + n } }),
      { qos: 1 },
    );
    await client.publishAsync(
      `$aws/things/${thingName}/shadow/update`,
      JSON.stringify({ state: { reported: { brightness: n } } }),
      { qos: 1 },
    );
    return client;
  }

  const has = (received: Received[], event: string, thingName: string) =>
    received.some((r) => r.event === event && r.payload.thingName === thingName);
  const hasAll = (received: Received[], thingName: string) =>
    ['presence', 'telemetry', 'shadow'].every((event) => has(received, event, thingName));
  const about = (received: Received[], thingName: string) => received.filter((r) => r.payload?.thingName === thingName);

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path, { seedDemoData: true });
    url = `http://127.0.0.1:${fleet.services.http.port}`;
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    managerA = await apiUser(fleet, 'manager-a', 'store-manager', { storeIds: [A] });
    await register('live-a', A);
    await register('live-b', B);
  });

  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });

  after(async () => {
    await Promise.all(devices.splice(0).map((d) => d.endAsync(true)));
    await fleet.stop();
    dir.cleanup();
  });

  it('refuses a connection without credentials or with an invalid token (NOT_AUTHENTICATED)', async () => {
    assert.equal(await refusal(open({})), 'NOT_AUTHENTICATED');
    assert.equal(await refusal(open({ token: 'cft_made-up' })), 'NOT_AUTHENTICATED');
    assert.equal(await refusal(open({ token: '' })), 'NOT_AUTHENTICATED');
    assert.equal(await refusal(open({ headers: { cookie: 'cf_session=made-up' } })), 'NOT_AUTHENTICATED');
  });

  it('refuses a user who must still change their one-time password', async () => {
    const { user } = await fleet.services.access.createUser({ username: 'fresh', displayName: 'F', role: 'viewer' });
    const { token } = fleet.services.access.createToken(user.id, 't');
    assert.equal(await refusal(open({ token })), 'PASSWORD_CHANGE_REQUIRED');
  });

  it("sends a store manager of A the events of A's devices and never those of B's; hq gets both", async () => {
    const manager = open({ token: managerA.token });
    const admin = open({ token: hq.token });
    const toManager = record(manager);
    const toAdmin = record(admin);
    await Promise.all([connected(manager), connected(admin)]);

    // B speaks first: once hq has all of B's events, any that were going to reach the manager were sent before A's.
    const b = await deviceSpeaks('live-b', 1);
    await eventually(() => hasAll(toAdmin, 'live-b'), 5000, "hq receives B's presence, telemetry and shadow");
    await deviceSpeaks('live-a', 2);
    await eventually(() => hasAll(toManager, 'live-a'), 5000, "the manager receives A's events");
    await eventually(() => hasAll(toAdmin, 'live-a'), 5000, "hq receives A's events");
    await b.endAsync();
    await eventually(
      () =>
        toAdmin.some(
          (r) =>
            r.event === 'presence' &&
            r.payload.thingName === 'live-b' &&
            (r.payload as { state?: string }).state === 'offline',
        ),
      5000,
      'hq sees B go offline',
    );
    await apiAs(fleet, hq.token).patch('/api/devices/live-b/shadow', { desired: { brightness: 9 } });
    await eventually(
      () => toAdmin.filter((r) => r.event === 'shadow' && r.payload.thingName === 'live-b').length >= 2,
      5000,
    );
    await apiAs(fleet, hq.token).patch('/api/devices/live-a/shadow', { desired: { brightness: 9 } });
    await eventually(
      () => toManager.filter((r) => r.event === 'shadow' && r.payload.thingName === 'live-a').length >= 2,
      5000,
    );

    assert.deepEqual(about(toManager, 'live-b'), [], 'nothing about B reached the manager');
    assert.ok(
      toManager.every((r) => r.payload?.storeId === A),
      'every event the manager got is of store A',
    );
    const telemetry = toManager.find((r) => r.event === 'telemetry')!.payload as { metrics: Record<string, number> };
    assert.deepEqual(telemetry.metrics, { 'battery.percent': 52 });
    assert.ok(toAdmin.some((r) => r.payload?.storeId === B));
  });

  it('tells the sockets that may read vision of a store when its gallery changes, and no one else', async () => {
    await fleet.services.catalog.putCategory('lv-food', {
      id: 'lv-food',
      parentId: null,
      name: { zh: '食品', en: 'Food' },
    });
    await fleet.services.catalog.putProduct(
      'lv-milk',
      packagedProduct('lv-milk', { zh: '牛奶', en: 'Milk' }, 'lv-food'),
    );
    const attendantA = await apiUser(fleet, 'attendant-a', 'attendant', { storeIds: [A] });
    const manager = open({ token: managerA.token });
    const admin = open({ token: hq.token });
    const attendant = open({ token: attendantA.token });
    const [toManager, toAdmin, toAttendant] = [record(manager), record(admin), record(attendant)];
    await Promise.all([connected(manager), connected(admin), connected(attendant)]);
    const photo = async (storeId: string, hue: number) => {
      const res = await fleet.services.http.instance!.inject({
        method: 'POST',
        url: `/api/stores/${storeId}/gallery/products/lv-milk/photos`,
        headers: { authorization: `Bearer ${hq.token}`, 'content-type': 'image/jpeg' },
        payload: await productPhoto(hue),
      });
      assert.equal(res.statusCode, 201, res.body);
    };
    const vision = (received: Received[]) => received.filter((r) => r.event === 'vision').map((r) => r.payload);

    // B first: once hq has B's, the manager of A would have had it too.
    await photo(B, 10);
    await eventually(() => vision(toAdmin).length === 1, 5000, 'hq hears of B');
    await photo(A, 20);
    await eventually(() => vision(toManager).length === 1, 5000, 'the manager of A hears of A');
    await eventually(() => vision(toAdmin).length === 2, 5000, 'hq hears of A');
    // The attendant's socket is in store A's room (a shadow change reaches it, after the vision event was sent).
    await apiAs(fleet, hq.token).patch('/api/devices/live-a/shadow', { desired: { brightness: 3 } });
    await eventually(() => has(toAttendant, 'shadow', 'live-a'), 5000, 'the attendant hears of A’s devices');

    assert.deepEqual(vision(toAdmin), [
      { storeId: B, what: 'gallery' },
      { storeId: A, what: 'gallery' },
    ]);
    assert.deepEqual(vision(toManager), [{ storeId: A, what: 'gallery' }], 'never B’s');
    assert.deepEqual(vision(toAttendant), [], 'an attendant may not read vision');
  });

  it('announces registered devices only to the sockets whose scope covers their store', async () => {
    const manager = open({ token: managerA.token });
    const admin = open({ token: hq.token });
    const toManager = record(manager);
    const toAdmin = record(admin);
    await Promise.all([connected(manager), connected(admin)]);
    await register('live-b2', B);
    await eventually(() => has(toAdmin, 'device', 'live-b2'), 5000, 'hq hears of the B device');
    await register('live-a2', A);
    await eventually(() => has(toManager, 'device', 'live-a2'), 5000, 'the manager hears of the A device');
    assert.deepEqual(about(toManager, 'live-b2'), []);
  });

  it("follows a change of the user's stores at once", async () => {
    const mover = await apiUser(fleet, 'mover', 'store-manager', { storeIds: [A] });
    const socket = open({ token: mover.token });
    const received = record(socket);
    await connected(socket);
    const res = await apiAs(fleet, hq.token).patch(`/api/users/${mover.userId}`, { storeIds: [B] });
    assert.equal(res.statusCode, 200);
    // The re-scope runs on the user.changed event; a device change in B is then the first thing it may see.
    await eventually(
      async () => {
        await apiAs(fleet, hq.token).patch('/api/devices/live-b/shadow', { desired: { brightness: 10 } });
        return has(received, 'shadow', 'live-b');
      },
      5000,
      'events of B after the move',
    );
    await apiAs(fleet, hq.token).patch('/api/devices/live-a/shadow', { desired: { brightness: 11 } });
    await apiAs(fleet, hq.token).patch('/api/devices/live-b/shadow', { desired: { brightness: 12 } });
    await eventually(
      () =>
        received.some(
          (r) =>
            r.event === 'shadow' &&
            (r.payload as { state?: { desired?: { brightness?: number } } }).state?.desired?.brightness === 12,
        ),
      5000,
    );
    assert.ok(
      !received.some(
        (r) =>
          r.event === 'shadow' &&
          r.payload.thingName === 'live-a' &&
          (r.payload as { version: number }).version > 0 &&
          (r.payload as { state?: { desired?: { brightness?: number } } }).state?.desired?.brightness === 11,
      ),
      'no events of A after the move',
    );
  });

  it('disconnects a user who is disabled', async () => {
    const viewer = await apiUser(fleet, 'soon-gone', 'viewer');
    const socket = open({ token: viewer.token });
    await connected(socket);
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    const res = await apiAs(fleet, hq.token).patch(`/api/users/${viewer.userId}`, { disabled: true });
    assert.equal(res.statusCode, 200);
    assert.equal(await disconnected, 'io server disconnect');
    assert.equal(await refusal(open({ token: viewer.token })), 'NOT_AUTHENTICATED', 'and cannot come back');
  });

  describe('with the browser session cookie', () => {
    let cookie: string;
    before(async () => {
      const res = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'manager-a', password: managerA.password }),
      });
      assert.equal(res.status, 200);
      cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
    });

    it('connects from the console’s own origin', async () => {
      const socket = open({ headers: { cookie, origin: url } });
      await connected(socket);
      const noOrigin = open({ headers: { cookie } });
      await connected(noOrigin);
    });

    it('refuses a foreign origin, and a malformed one, without harming the server', async () => {
      for (const origin of [
        'http://evil.example',
        `http://127.0.0.1:${fleet.services.http.port + 1}`,
        'null',
        'not a url',
      ]) {
        const message = await refusal(open({ headers: { cookie, origin } }));
        assert.notEqual(message, 'websocket error', `${origin}: refused by the gateway, not a crash`);
        assert.match(message, /ORIGIN_REFUSED/, origin);
      }
      const socket = open({ token: hq.token });
      await connected(socket);
    });
  });
});
