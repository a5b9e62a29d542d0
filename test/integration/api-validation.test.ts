import assert from 'node:assert/strict';
import type mqttJs from 'mqtt';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { apiAs, apiUser, eventually, mqttJsClient, startFleet, tempDir } from '../helpers/fleet-harness.ts';

const A = 'hf-shanghai-xuhui';
const B = 'hf-hangzhou-binjiang';

type Api = ReturnType<typeof apiAs>;
type Reply = Awaited<ReturnType<Api['get']>>;

/** Every error body is `{ code, message }` (and maybe `details`); the code is what a test asserts. */
function assertError(res: Reply, status: number, code: string, what = ''): void {
  assert.equal(res.statusCode, status, `${what}: ${res.body}`);
  const body = res.json() as Record<string, unknown>;
  assert.equal(body.code, code, what);
  assert.equal(typeof body.message, 'string', what);
  assert.ok(
    Object.keys(body).every((k) => ['code', 'message', 'details'].includes(k)),
    what,
  );
}

/**
 * Every way a request can be wrong, each answered with its code and changing nothing; and the list, telemetry and
 * series endpoints answering correct numbers for data published by real MQTT clients.
 */
describe('API validation', () => {
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let api: Api;
  const clients: mqttJs.MqttClient[] = [];

  const auditCount = () => (fleet.services.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
  const shadowVersion = (thingName: string) => fleet.services.shadows.find(thingName)?.version ?? 0;

  async function register(thingName: string, kind: 'cart' | 'speaker', storeId: string, tags: string[] = []) {
    const res = await api.post('/api/devices', {
      thingName,
      kind,
      hardwareModel: kind === 'cart' ? 'SC-200' : 'BX-100',
      storeId,
      tags,
    });
    assert.equal(res.statusCode, 201, res.body);
    const { bundle } = res.json() as { bundle: { certificatePem: string; privateKeyPem: string; caPem: string } };
    return bundle;
  }

  async function connect(thingName: string, bundle: Awaited<ReturnType<typeof register>>) {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, bundle, thingName);
    clients.push(client);
    return client;
  }

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path, { seedDemoData: true });
    api = apiAs(fleet, (await apiUser(fleet, 'hq', 'hq-admin')).token);
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await fleet.stop();
    dir.cleanup();
  });

  describe('query strings', () => {
    it('refuse unknown parameters (400 BAD_REQUEST)', async () => {
      for (const url of [
        '/api/devices?colour=red',
        '/api/devices?limit=5&sortBy=battery',
        '/api/audit?who=admin',
        '/api/alerts?open=true',
        '/api/devices/cart-x/telemetry?metrics=battery.percent',
        '/api/devices/cart-x/series?metric=battery.percent&bucket=5',
        '/api/devices/cart-x/events?since=0',
        '/api/devices/cart-x/shadow?shadow=x',
      ]) {
        assertError(await api.get(url), 400, 'BAD_REQUEST', url);
      }
    });

    it('refuse wrong types and out-of-range values (400 BAD_REQUEST with details)', async () => {
      for (const query of [
        'limit=0',
        'limit=501',
        'limit=ten',
        'limit=1.5',
        'offset=-1',
        'offset=x',
        'batteryBelow=101',
        'batteryBelow=-1',
        'batteryAbove=full',
        'sort=colour',
        'sort=battery&order=up',
        'presence=maybe',
        'kind=robot',
        'storeId=Not_A_Store',
        `q=${'x'.repeat(129)}`,
      ]) {
        const res = await api.get(`/api/devices?${query}`);
        assertError(res, 400, 'BAD_REQUEST', query);
        const details = res.json().details as { in: string }[];
        assert.ok(Array.isArray(details) && details.length > 0, `${query}: details`);
        assert.equal(details[0]?.in, 'querystring', query);
      }
      for (const url of [
        '/api/audit?from=-5',
        '/api/audit?limit=1000',
        '/api/alerts?state=closed',
        '/api/alerts?severity=fatal',
        '/api/devices/cart-x/telemetry?limit=10001',
        '/api/devices/cart-x/telemetry?stream=logs',
        '/api/devices/cart-x/telemetry?metric=1bad',
        '/api/devices/cart-x/telemetry?from=yesterday',
        '/api/devices/cart-x/series?metric=battery.percent&buckets=0',
        '/api/devices/cart-x/series?metric=battery.percent&buckets=2001',
        '/api/devices/cart-x/series',
      ]) {
        assertError(await api.get(url), 400, 'BAD_REQUEST', url);
      }
    });

    it('refuse bad thing names in the path (400), and answer 404 THING_NOT_FOUND for good unknown ones', async () => {
      for (const name of ['has%20space', 'dot.ted', 'slash%2Fed', 'x'.repeat(129), 'semi%3Bcolon', '%C3%BC']) {
        assertError(await api.get(`/api/devices/${name}`), 400, 'BAD_REQUEST', name);
        assertError(
          await api.patch(`/api/devices/${name}/shadow`, { desired: { brightness: 1 } }),
          400,
          'BAD_REQUEST',
          name,
        );
      }
      assertError(await api.get(`/api/devices/${'x'.repeat(128)}`), 404, 'THING_NOT_FOUND');
      assertError(await api.get('/api/devices/no-such:thing_1'), 404, 'THING_NOT_FOUND');
    });

    it('answer an unknown API route with 404 NOT_FOUND', async () => {
      assertError(await api.get('/api/nothing-here'), 404, 'NOT_FOUND');
      assertError(await api.delete('/api/devices'), 404, 'NOT_FOUND');
    });
  });

  describe('bodies', () => {
    before(async () => {
      await register('val-body-cart', 'cart', A);
    });

    it('refuse additional properties, missing fields and wrong types, and change nothing', async () => {
      const audits = auditCount();
      const users = fleet.services.access.users.count();
      const cases: [string, 'POST' | 'PATCH', string, unknown][] = [
        [
          'shadow: extra property',
          'PATCH',
          '/api/devices/val-body-cart/shadow',
          { desired: { brightness: 5 }, extra: 1 },
        ],
        ['shadow: no desired', 'PATCH', '/api/devices/val-body-cart/shadow', { version: 1 }],
        ['shadow: desired not an object', 'PATCH', '/api/devices/val-body-cart/shadow', { desired: 'bright' }],
        ['shadow: desired an array', 'PATCH', '/api/devices/val-body-cart/shadow', { desired: [1] }],
        ['shadow: version 0', 'PATCH', '/api/devices/val-body-cart/shadow', { desired: { brightness: 5 }, version: 0 }],
        [
          'shadow: version text',
          'PATCH',
          '/api/devices/val-body-cart/shadow',
          { desired: { brightness: 5 }, version: 'one' },
        ],
        [
          'shadow: version as text',
          'PATCH',
          '/api/devices/val-body-cart/shadow',
          { desired: { brightness: 5 }, version: '1' },
        ],
        ['shadow: body an array', 'PATCH', '/api/devices/val-body-cart/shadow', [{ desired: {} }]],
        [
          'register: extra',
          'POST',
          '/api/devices',
          { thingName: 'val-x1', kind: 'cart', hardwareModel: 'SC-200', storeId: A, owner: 'me' },
        ],
        ['register: no store', 'POST', '/api/devices', { thingName: 'val-x2', kind: 'cart', hardwareModel: 'SC-200' }],
        ['register: no kind', 'POST', '/api/devices', { thingName: 'val-x3', hardwareModel: 'SC-200', storeId: A }],
        [
          'register: bad kind',
          'POST',
          '/api/devices',
          { thingName: 'val-x4', kind: 'robot', hardwareModel: 'SC-200', storeId: A },
        ],
        [
          'register: bad name',
          'POST',
          '/api/devices',
          { thingName: 'val x5', kind: 'cart', hardwareModel: 'SC-200', storeId: A },
        ],
        [
          'register: tags not strings',
          'POST',
          '/api/devices',
          { thingName: 'val-x6', kind: 'cart', hardwareModel: 'SC-200', storeId: A, tags: [{}] },
        ],
        ['device update: empty', 'PATCH', '/api/devices/val-body-cart', {}],
        ['device update: extra', 'PATCH', '/api/devices/val-body-cart', { tags: ['a'], colour: 'red' }],
        ['revoke: no reason', 'POST', '/api/devices/val-body-cart/revoke', {}],
        ['revoke: empty reason', 'POST', '/api/devices/val-body-cart/revoke', { reason: '' }],
        ['user: extra', 'POST', '/api/users', { username: 'val-u1', displayName: 'U', role: 'viewer', password: 'x' }],
        ['user: no role', 'POST', '/api/users', { username: 'val-u2', displayName: 'U' }],
        ['user: bad role', 'POST', '/api/users', { username: 'val-u3', displayName: 'U', role: 'owner' }],
        [
          'user: bad store id',
          'POST',
          '/api/users',
          { username: 'val-u4', displayName: 'U', role: 'viewer', storeIds: ['Not A Store'] },
        ],
        ['token: no name', 'POST', '/api/auth/tokens', {}],
        ['token: name a number', 'POST', '/api/auth/tokens', { name: 42 }],
        ['token: expiry as text', 'POST', '/api/auth/tokens', { name: 't', expiresInDays: '30' }],
        ['token: expiry 0', 'POST', '/api/auth/tokens', { name: 't', expiresInDays: 0 }],
        ['login: extra', 'POST', '/api/auth/login', { username: 'hq', password: 'x', remember: true }],
        ['login: no password', 'POST', '/api/auth/login', { username: 'hq' }],
        ['command: unknown name', 'POST', '/api/devices/val-body-cart/commands', { name: 'selfdestruct' }],
        ['command: extra', 'POST', '/api/devices/val-body-cart/commands', { name: 'locate', urgent: true }],
        [
          'command: queue too long',
          'POST',
          '/api/devices/val-body-cart/commands',
          { name: 'locate', queueForSeconds: 86_401 },
        ],
        ['alert ack: extra', 'POST', '/api/alerts/1/acknowledge', { note: 'x', by: 'me' }],
        ['alert ack: bad id', 'POST', '/api/alerts/zero/acknowledge', {}],
      ];
      const version = shadowVersion('val-body-cart');
      for (const [what, method, url, body] of cases) {
        const res = method === 'POST' ? await api.post(url, body) : await api.patch(url, body);
        assertError(res, 400, 'BAD_REQUEST', what);
      }
      const userPatch = await api.patch(`/api/users/${fleet.services.access.users.findForLogin('hq')!.user.id}`, {});
      assertError(userPatch, 400, 'BAD_REQUEST', 'user update: empty');
      assert.equal(shadowVersion('val-body-cart'), version, 'the shadow is unchanged');
      assert.equal(auditCount(), audits, 'nothing was audited');
      assert.equal(fleet.services.access.users.count(), users, 'no user was created');
      assert.equal(fleet.services.registry.listThings().filter((t) => t.thingName.startsWith('val-x')).length, 0);
      assert.equal(fleet.services.access.listTokens(fleet.services.access.users.findForLogin('hq')!.user.id).length, 1);
    });

    it('refuses an oversized body with 413 PAYLOAD_TOO_LARGE', async () => {
      const audits = auditCount();
      const res = await api.patch('/api/devices/val-body-cart/shadow', {
        desired: { brightness: 5 },
        padding: 'x'.repeat(300 * 1024),
      });
      assertError(res, 413, 'PAYLOAD_TOO_LARGE');
      assert.equal(auditCount(), audits);
    });

    it('refuses malformed JSON with 400', async () => {
      const version = shadowVersion('val-body-cart');
      for (const payload of ['{"desired": {"brightness": 5}', '{desired: {brightness: 5}}', 'null', '']) {
        const res = await fleet.services.http.instance!.inject({
          method: 'PATCH',
          url: '/api/devices/val-body-cart/shadow',
          headers: {
            authorization: (await apiToken()).header,
            'content-type': 'application/json',
          },
          payload,
        });
        assertError(res, 400, 'BAD_REQUEST', JSON.stringify(payload));
      }
      assert.equal(shadowVersion('val-body-cart'), version);
    });

    let token: { header: string } | undefined;
    async function apiToken() {
      token ??= { header: `Bearer ${(await apiUser(fleet, 'val-json', 'hq-admin')).token}` };
      return token;
    }
  });

  describe('desired state', () => {
    before(async () => {
      await register('val-cart', 'cart', A);
      await register('val-speaker', 'speaker', A);
    });

    it('refuses keys and values a device kind does not have (DESIRED_STATE_INVALID), changing nothing', async () => {
      const audits = auditCount();
      const cases: [string, Record<string, unknown>][] = [
        ['val-cart', { volume: 10 }],
        ['val-cart', { brightness: 101 }],
        ['val-cart', { brightness: -1 }],
        ['val-cart', { brightness: 50.5 }],
        ['val-cart', { brightness: '50' }],
        ['val-cart', { brightness: true }],
        ['val-cart', { brightness: { level: 5 } }],
        ['val-cart', { brightness: 10, colour: 'red' }],
        ['val-cart', {}],
        ['val-cart', { __proto__: 1, constructor: 2 }],
        ['val-speaker', { brightness: 10 }],
        ['val-speaker', { volume: 100.01 }],
        ['val-speaker', { volume: 1e9 }],
      ];
      for (const [thingName, desired] of cases) {
        const before = shadowVersion(thingName);
        const res = await api.patch(`/api/devices/${thingName}/shadow`, { desired });
        assertError(res, 400, 'DESIRED_STATE_INVALID', `${thingName} ${JSON.stringify(desired)}`);
        assert.equal(shadowVersion(thingName), before, `${thingName}: unchanged`);
      }
      assert.equal(auditCount(), audits);
    });

    it('accepts in-range integers and null (which deletes the key)', async () => {
      const set = await api.patch('/api/devices/val-cart/shadow', { desired: { brightness: 0 } });
      assert.equal(set.statusCode, 200, set.body);
      assert.deepEqual(set.json().desired, { brightness: 0 });
      const top = await api.patch('/api/devices/val-speaker/shadow', { desired: { volume: 100 } });
      assert.equal(top.statusCode, 200, top.body);
      const cleared = await api.patch('/api/devices/val-cart/shadow', { desired: { brightness: null } });
      assert.equal(cleared.statusCode, 200, cleared.body);
      assert.equal(cleared.json().desired?.brightness, undefined);
    });

    it('answers 409 SHADOW_VERSION_CONFLICT for a stale version and changes nothing', async () => {
      const first = (await api.patch('/api/devices/val-speaker/shadow', { desired: { volume: 30 } })).json();
      const v = first.version as number;
      const second = await api.patch('/api/devices/val-speaker/shadow', { desired: { volume: 40 }, version: v });
      assert.equal(second.statusCode, 200, second.body);
      const audits = auditCount();
      const stale = await api.patch('/api/devices/val-speaker/shadow', { desired: { volume: 90 }, version: v });
      assertError(stale, 409, 'SHADOW_VERSION_CONFLICT');
      const shadow = (await api.get('/api/devices/val-speaker/shadow')).json();
      assert.equal(shadow.version, v + 1);
      assert.equal(shadow.desired.volume, 40);
      assert.equal(auditCount(), audits);
    });

    it('answers 404 SHADOW_NOT_FOUND for a shadow that does not exist', async () => {
      await register('val-no-shadow', 'cart', A);
      assertError(await api.get('/api/devices/val-no-shadow/shadow'), 404, 'SHADOW_NOT_FOUND');
      assertError(await api.get('/api/devices/val-cart/shadow?name=nope'), 404, 'SHADOW_NOT_FOUND');
    });
  });

  describe('telemetry and series', () => {
    // Aligned to a 10 s bucket, a minute back: the device measured these at exact, known times.
    const base = Math.floor((Date.now() - 120_000) / 10_000) * 10_000;
    const readings = [
      [0, 80],
      [2_000, 70],
      [9_999, 60],
      [10_000, 50],
      [19_000, 40],
      [35_000, 10],
      [36_000, 20],
    ] as const;

    before(async () => {
      const bundle = await register('val-series', 'cart', A);
      const client = await connect('val-series', bundle);
      for (const [i, [offset, percent]] of readings.entries()) {
        await client.publishAsync(
          'dt/cartfleet/val-series/telemetry',
          JSON.stringify({ msgId: `s-${i}`, ts: base + offset, metrics: { 'battery.percent': percent, mode: 'idle' } }),
          { qos: 1 },
        );
      }
      await client.publishAsync(
        'dt/cartfleet/val-series/health',
        JSON.stringify({ msgId: 'h-1', ts: base + 5_000, metrics: { 'temperature.c': 31.5 } }),
        { qos: 1 },
      );
      await eventually(
        () =>
          fleet.services.telemetry.history({ thingName: 'val-series', from: 0, to: Date.now(), limit: 100 }).length ===
          8,
        5000,
        'telemetry stored',
      );
    });

    it('answers 400 TELEMETRY_QUERY_INVALID when from is after to', async () => {
      for (const url of [
        `/api/devices/val-series/telemetry?from=${base + 10}&to=${base}`,
        `/api/devices/val-series/series?metric=battery.percent&from=${base + 10}&to=${base}`,
      ]) {
        assertError(await api.get(url), 400, 'TELEMETRY_QUERY_INVALID', url);
      }
    });

    it('answers history by stream, metric, range and limit', async () => {
      const all = (await api.get(`/api/devices/val-series/telemetry?from=${base}&to=${base + 60_000}`)).json();
      assert.equal(all.length, 8);
      assert.deepEqual(
        all.map((p: { ts: number }) => p.ts),
        [...readings.map(([o]) => base + o), base + 5_000].sort((a, b) => a - b),
        'oldest first',
      );
      const health = (await api.get(`/api/devices/val-series/telemetry?stream=health&from=${base}`)).json();
      assert.deepEqual(
        health.map((p: { metrics: unknown }) => p.metrics),
        [{ 'temperature.c': 31.5 }],
      );
      const ranged = (
        await api.get(`/api/devices/val-series/telemetry?stream=telemetry&from=${base + 2_000}&to=${base + 10_000}`)
      ).json();
      assert.deepEqual(
        ranged.map((p: { metrics: Record<string, number> }) => p.metrics['battery.percent']),
        [70, 60, 50],
      );
      const limited = (await api.get(`/api/devices/val-series/telemetry?stream=telemetry&from=${base}&limit=2`)).json();
      assert.deepEqual(
        limited.map((p: { ts: number }) => p.ts),
        [base + 35_000, base + 36_000],
        'the newest two',
      );
    });

    it('buckets a numeric metric into [ts, avg, min, max]', async () => {
      const res = await api.get(
        `/api/devices/val-series/series?metric=battery.percent&from=${base}&to=${base + 39_999}&buckets=4`,
      );
      assert.equal(res.statusCode, 200, res.body);
      const series = res.json();
      assert.equal(series.bucketMs, 10_000);
      assert.equal(series.from, base);
      assert.equal(series.to, base + 39_999);
      assert.deepEqual(series.points, [
        [base, 70, 60, 80],
        [base + 10_000, 45, 40, 50],
        [base + 30_000, 15, 10, 20],
      ]);
      const fine = (
        await api.get(
          `/api/devices/val-series/series?metric=battery.percent&from=${base}&to=${base + 39_999}&buckets=40`,
        )
      ).json();
      assert.equal(fine.bucketMs, 1000);
      assert.equal(fine.points.length, 7, 'one point per reading');
      const health = (
        await api.get(`/api/devices/val-series/series?metric=temperature.c&from=${base}&to=${base + 39_999}&buckets=1`)
      ).json();
      assert.deepEqual(health.points, [[base, 31.5, 31.5, 31.5]], 'health metrics chart too');
      const text = (await api.get(`/api/devices/val-series/series?metric=mode&from=${base}`)).json();
      assert.deepEqual(text.points, [], 'non-numeric metrics have no points');
    });
  });

  describe('the device list', () => {
    interface Summary {
      thingName: string;
      battery: number | null;
      storeId: string;
      kind: string;
      presence: { state: string };
      tags: string[];
    }
    const names: string[] = [];
    const battery = new Map<string, number>();
    const online = new Set<string>();
    const offline = new Set<string>();
    const list = async (query: string) => {
      const res = await api.get(`/api/devices?q=lst-&${query}`);
      assert.equal(res.statusCode, 200, `${query}: ${res.body}`);
      return res.json() as { items: Summary[]; total: number; limit: number; offset: number };
    };
    const thingNames = (items: Summary[]) => items.map((d) => d.thingName);

    before(async function () {
      this.timeout(60_000);
      for (let i = 0; i < 30; i++) {
        const kind = i < 20 ? 'cart' : 'speaker';
        const name = `lst-${kind}-${String(i).padStart(2, '0')}`;
        names.push(name);
        const bundle = await register(name, kind, i % 2 === 0 ? A : B, i % 3 === 0 ? ['third'] : []);
        if (i >= 12) continue;
        // Distinct batteries in a scrambled order; devices 0-5 stay online, 6-11 go offline.
        const percent = (i * 37 + 11) % 100;
        battery.set(name, percent);
        const client = await connect(name, bundle);
        await client.publishAsync(
          `dt/cartfleet/${name}/telemetry`,
          JSON.stringify({ msgId: `b-${i}`, ts: Date.now(), metrics: { 'battery.percent': percent } }),
          { qos: 1 },
        );
        if (i >= 6) {
          await client.endAsync();
          offline.add(name);
        } else online.add(name);
      }
      await eventually(
        () =>
          [...battery.keys()].every(
            (n) => fleet.services.devices.summaryOf(fleet.services.registry.getThing(n)!).battery !== null,
          ) &&
          [...offline].every((n) => fleet.services.presence.get(n)?.state === 'offline') &&
          [...online].every((n) => fleet.services.presence.get(n)?.state === 'online'),
        10_000,
        'battery readings and presence',
      );
    });

    it('pages through every device once, with the total', async () => {
      const first = await list('limit=7');
      assert.equal(first.total, 30);
      assert.equal(first.limit, 7);
      assert.equal(first.offset, 0);
      assert.equal(first.items.length, 7);
      const seen: string[] = [];
      for (let offset = 0; offset < 30; offset += 7) {
        const page = await list(`limit=7&offset=${offset}`);
        assert.equal(page.total, 30);
        seen.push(...thingNames(page.items));
      }
      assert.deepEqual(seen, [...names].sort());
      const past = await list('offset=30');
      assert.deepEqual(past.items, []);
      assert.equal(past.total, 30);
      const byDefault = await list('');
      assert.equal(byDefault.limit, 50);
      assert.equal(byDefault.items.length, 30);
    });

    it('sorts by battery both ways with unknown batteries last, ties by name', async () => {
      const known = [...battery.entries()].sort((a, b) => a[1] - b[1]).map(([n]) => n);
      const unknown = names.filter((n) => !battery.has(n)).sort();
      const asc = await list('sort=battery&limit=500');
      assert.deepEqual(thingNames(asc.items), [...known, ...unknown]);
      const desc = await list('sort=battery&order=desc&limit=500');
      assert.deepEqual(thingNames(desc.items), [...[...known].reverse(), ...unknown]);
      const byName = await list('sort=thingName&order=desc&limit=500');
      assert.deepEqual(thingNames(byName.items), [...names].sort().reverse());
      const byStore = await list('sort=storeId&limit=500');
      assert.deepEqual(
        byStore.items.map((d) => d.storeId),
        [...byStore.items.map((d) => d.storeId)].sort(),
      );
    });

    it('filters by presence, battery, kind, store and tag, with a matching total', async () => {
      const cases: [string, (d: { name: string; i: number }) => boolean][] = [
        ['presence=online', ({ name }) => online.has(name)],
        ['presence=offline', ({ name }) => offline.has(name)],
        ['presence=never', ({ i }) => i >= 12],
        ['batteryBelow=50', ({ name }) => (battery.get(name) ?? 100) < 50],
        ['batteryAbove=50', ({ name }) => (battery.get(name) ?? -1) > 50],
        [
          'batteryBelow=60&batteryAbove=20',
          ({ name }) => {
            const b = battery.get(name);
            return b !== undefined && b < 60 && b > 20;
          },
        ],
        ['kind=speaker', ({ i }) => i >= 20],
        [`storeId=${B}`, ({ i }) => i % 2 === 1],
        [`storeId=${B}&kind=cart&presence=offline`, ({ i, name }) => i % 2 === 1 && i < 20 && offline.has(name)],
        ['tag=third', ({ i }) => i % 3 === 0],
      ];
      for (const [query, expected] of cases) {
        const want = names.filter((name, i) => expected({ name, i })).sort();
        assert.ok(want.length > 0, `${query} selects something`);
        const page = await list(`${query}&limit=3`);
        assert.equal(page.total, want.length, query);
        assert.deepEqual(thingNames(page.items), want.slice(0, 3), query);
        const all = await list(`${query}&limit=500`);
        assert.deepEqual(thingNames(all.items), want, query);
        for (const d of all.items) {
          if (query.startsWith('batteryBelow=50')) assert.ok(d.battery !== null && d.battery < 50);
        }
      }
    });

    it('matches q against the start of the thing name', async () => {
      const res = await api.get('/api/devices?q=lst-speaker-2&limit=500');
      assert.deepEqual(
        thingNames(res.json().items),
        names.filter((n) => n.startsWith('lst-speaker-2')),
      );
      const middle = await api.get('/api/devices?q=speaker-2&limit=500');
      assert.equal(middle.json().total, 0, 'q is a prefix, as docs/api.md says');
    });
  });
});
