import assert from 'node:assert/strict';
import type mqttJs from 'mqtt';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import {
  type ApiUser,
  apiAs,
  apiUser,
  eventually,
  mqttJsClient,
  registerDevice,
  startFleet,
  tempDir,
} from '../helpers/fleet-harness.ts';

/**
 * Who may do what, where: a role × scope matrix over every route family. Store A is Xuhui (east); store B is a
 * store of its own region (west), added here so a regional technician's scope differs from a store manager's; C is
 * Binjiang (east), in nobody's explicit scope but the chain-wide users'. "-" is a device with no store.
 */
const A = 'hf-shanghai-xuhui';
const B = 'hf-chengdu-jinjiang';
const C = 'hf-hangzhou-binjiang';

const DEVICES = { a: 'rl-cart-a', b: 'rl-cart-b', c: 'rl-speaker-c', none: 'rl-cart-none' } as const;
type DeviceKey = keyof typeof DEVICES;
const STORE_OF: Record<DeviceKey, string | null> = { a: A, b: B, c: C, none: null };

type RoleKey = 'hq' | 'managerA' | 'technicianWest' | 'viewerA' | 'viewerChain';
interface RoleCase {
  key: RoleKey;
  role: 'hq-admin' | 'store-manager' | 'technician' | 'viewer';
  scope: { storeIds?: string[]; regions?: string[] };
  sees: DeviceKey[];
  /** The one in-scope device this role acts on. */
  own: DeviceKey;
  /** A device it must not reach. */
  foreign: DeviceKey | null;
  desired: boolean;
  commands: 'all' | 'locate' | 'none';
  register: boolean;
  admin: boolean;
  audit: boolean;
  alertsManage: boolean;
}

const MATRIX: RoleCase[] = [
  {
    key: 'hq',
    role: 'hq-admin',
    scope: {},
    sees: ['a', 'b', 'c', 'none'],
    own: 'a',
    foreign: null,
    desired: true,
    commands: 'all',
    register: true,
    admin: true,
    audit: true,
    alertsManage: true,
  },
  {
    key: 'managerA',
    role: 'store-manager',
    scope: { storeIds: [A] },
    sees: ['a'],
    own: 'a',
    foreign: 'b',
    desired: true,
    commands: 'locate',
    register: false,
    admin: false,
    audit: true,
    alertsManage: true,
  },
  {
    key: 'technicianWest',
    role: 'technician',
    scope: { regions: ['west'] },
    sees: ['b'],
    own: 'b',
    foreign: 'a',
    desired: true,
    commands: 'all',
    register: true,
    admin: false,
    audit: false,
    alertsManage: true,
  },
  {
    key: 'viewerA',
    role: 'viewer',
    scope: { storeIds: [A] },
    sees: ['a'],
    own: 'a',
    foreign: 'c',
    desired: false,
    commands: 'none',
    register: false,
    admin: false,
    audit: false,
    alertsManage: false,
  },
  {
    key: 'viewerChain',
    role: 'viewer',
    scope: {},
    sees: ['a', 'b', 'c', 'none'],
    own: 'b',
    foreign: null,
    desired: false,
    commands: 'none',
    register: false,
    admin: false,
    audit: false,
    alertsManage: false,
  },
];

describe('API roles and scope', () => {
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  const users = {} as Record<RoleKey, ApiUser>;
  const as = (key: RoleKey) => apiAs(fleet, users[key].token);
  const clients: mqttJs.MqttClient[] = [];
  const alertIds = {} as Record<'a' | 'b', number>;
  /** Whose account the user-management checks change. */
  let target: ApiUser;

  const auditCount = () => (fleet.services.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;

  before(async function () {
    this.timeout(60_000);
    dir = tempDir();
    fleet = await startFleet(dir.path, { seedDemoData: true });
    const { stores } = fleet.services;
    stores.upsertStore({ ...stores.getStore(A)!, id: B, name: 'Harbor Foods Jinjiang', region: 'west' });
    for (const c of MATRIX) users[c.key] = await apiUser(fleet, c.key.toLowerCase(), c.role, c.scope);
    target = await apiUser(fleet, 'target', 'viewer');

    const hq = as('hq');
    const bundles: Partial<Record<DeviceKey, Awaited<ReturnType<typeof registerDevice>>>> = {};
    for (const key of ['a', 'b', 'c'] as const) {
      const res = await hq.post('/api/devices', {
        thingName: DEVICES[key],
        kind: key === 'c' ? 'speaker' : 'cart',
        hardwareModel: key === 'c' ? 'BX-100' : 'SC-200',
        storeId: STORE_OF[key],
      });
      assert.equal(res.statusCode, 201, res.body);
      bundles[key] = { thingName: DEVICES[key], certificateId: '', ...res.json().bundle };
    }
    await registerDevice(fleet, DEVICES.none);

    // A low battery on a and b opens one alert each (rule shortened to open at once).
    fleet.services.alerts.replaceRules([
      { id: 'battery', cause: 'battery-low', threshold: 20, clearThreshold: 25, forSeconds: 0 },
    ]);
    for (const key of ['a', 'b'] as const) {
      const client = await mqttJsClient(fleet.services.broker.tlsPort, bundles[key]!, DEVICES[key]);
      clients.push(client);
      await client.publishAsync(
        `dt/cartfleet/${DEVICES[key]}/telemetry`,
        JSON.stringify({ msgId: `low-${key}`, ts: Date.now(), metrics: { 'battery.percent': 5 } }),
        { qos: 1 },
      );
      const alert = await eventually(
        () =>
          fleet.services.alerts
            .list({ state: 'open', storeIds: null, thingName: DEVICES[key], limit: 5, offset: 0 })
            .items.find((x) => x.cause === 'battery-low'),
        5000,
        `battery alert on ${key}`,
      );
      alertIds[key] = alert.id;
    }
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await fleet.stop();
    dir.cleanup();
  });

  for (const c of MATRIX) {
    describe(`${c.key} (${c.role}${c.scope.storeIds ? ` of ${c.scope.storeIds}` : ''}${c.scope.regions ? ` of ${c.scope.regions}` : ''})`, () => {
      const hidden = (Object.keys(DEVICES) as DeviceKey[]).filter((k) => !c.sees.includes(k));

      it('lists only the devices in scope, with a matching total', async () => {
        const res = await as(c.key).get('/api/devices?q=rl-&limit=500');
        assert.equal(res.statusCode, 200);
        const names = res.json().items.map((d: { thingName: string }) => d.thingName);
        assert.deepEqual(names, c.sees.map((k) => DEVICES[k]).sort());
        assert.equal(res.json().total, c.sees.length);
        const everything = (await as(c.key).get('/api/devices?limit=500')).json();
        const overview = (await as(c.key).get('/api/overview')).json();
        assert.equal(overview.devices.total, everything.total, 'overview counts the same devices');
        const byStore = overview.devices.byStore.map((s: { storeId: string }) => s.storeId).sort();
        assert.deepEqual(byStore, [A, B, C].filter((s) => c.sees.some((k) => STORE_OF[k] === s)).sort());
      });

      it('answers 404 THING_NOT_FOUND for out-of-scope devices, exactly as for unknown ones', async () => {
        for (const key of c.sees) assert.equal((await as(c.key).get(`/api/devices/${DEVICES[key]}`)).statusCode, 200);
        for (const name of [...hidden.map((k) => DEVICES[k]), 'rl-never-registered']) {
          for (const path of ['', '/shadow', '/telemetry', '/series?metric=battery.percent', '/events', '/commands']) {
            const res = await as(c.key).get(`/api/devices/${name}${path}`);
            assert.equal(res.statusCode, 404, `${name}${path}`);
            assert.equal(res.json().code, 'THING_NOT_FOUND', `${name}${path}`);
          }
        }
      });

      it('lists only the stores in scope', async () => {
        const stores = (await as(c.key).get('/api/stores')).json().map((s: { id: string }) => s.id);
        const expected = [A, B, C].filter((s) => c.sees.some((k) => STORE_OF[k] === s));
        assert.deepEqual([...stores].sort(), [...expected].sort());
        for (const s of [A, B, C].filter((x) => !expected.includes(x))) {
          const res = await as(c.key).get(`/api/stores/${s}`);
          assert.equal(res.statusCode, 404);
          assert.equal(res.json().code, 'STORE_NOT_FOUND');
        }
      });

      it(`${c.desired ? 'may' : 'may not'} set desired state, and only in scope`, async () => {
        const own = DEVICES[c.own];
        const desired = c.own === 'c' ? { volume: 10 } : { brightness: 10 + MATRIX.indexOf(c) };
        const before = fleet.services.shadows.find(own)?.version ?? 0;
        const audits = auditCount();
        const res = await as(c.key).patch(`/api/devices/${own}/shadow`, { desired });
        if (c.desired) {
          assert.equal(res.statusCode, 200, res.body);
          assert.equal(res.json().version, before + 1);
        } else {
          assert.equal(res.statusCode, 403);
          assert.equal(res.json().code, 'NOT_AUTHORIZED');
          assert.equal(fleet.services.shadows.find(own)?.version ?? 0, before);
          assert.equal(auditCount(), audits);
        }
        if (c.foreign) {
          const foreign = DEVICES[c.foreign];
          const v = fleet.services.shadows.find(foreign)?.version ?? 0;
          const out = await as(c.key).patch(`/api/devices/${foreign}/shadow`, { desired: { brightness: 1 } });
          assert.equal(out.statusCode, c.desired ? 404 : 403);
          assert.equal(out.json().code, c.desired ? 'THING_NOT_FOUND' : 'NOT_AUTHORIZED');
          assert.equal(fleet.services.shadows.find(foreign)?.version ?? 0, v, 'the foreign shadow is unchanged');
        }
      });

      it(`sends ${c.commands === 'all' ? 'every command' : c.commands === 'locate' ? 'only locate' : 'no command'}`, async () => {
        const own = DEVICES[c.own];
        const send = (thingName: string, name: string) =>
          as(c.key).post(`/api/devices/${thingName}/commands`, { name, queueForSeconds: 600 });
        const locate = await send(own, 'locate');
        const reboot = await send(own, 'reboot');
        if (c.commands === 'none') {
          for (const res of [locate, reboot]) {
            assert.equal(res.statusCode, 403);
            assert.equal(res.json().code, 'NOT_AUTHORIZED');
          }
        } else {
          assert.equal(locate.statusCode, 202, locate.body);
          assert.equal(locate.json().requestedBy, users[c.key].username);
          assert.equal(reboot.statusCode, c.commands === 'all' ? 202 : 403, reboot.body);
          if (c.commands === 'locate') assert.equal(reboot.json().code, 'NOT_AUTHORIZED');
          const id = locate.json().id as string;
          assert.equal((await as(c.key).get(`/api/commands/${id}`)).statusCode, 200);
        }
        if (c.foreign) {
          const out = await send(DEVICES[c.foreign], 'locate');
          assert.equal(out.statusCode, c.commands === 'none' ? 403 : 404);
          assert.equal(out.json().code, c.commands === 'none' ? 'NOT_AUTHORIZED' : 'THING_NOT_FOUND');
          // A command on the foreign device (sent by hq) is not readable by id either.
          const theirs = await as('hq').post(`/api/devices/${DEVICES[c.foreign]}/commands`, {
            name: 'locate',
            queueForSeconds: 600,
          });
          const byId = await as(c.key).get(`/api/commands/${theirs.json().id}`);
          assert.equal(byId.statusCode, 404);
          assert.equal(byId.json().code, 'COMMAND_NOT_FOUND');
        }
      });

      it(`${c.register ? 'may' : 'may not'} register and revoke devices, only into its scope`, async () => {
        const store = STORE_OF[c.own]!;
        const name = `new-${c.key.toLowerCase()}`;
        const body = { thingName: name, kind: 'cart', hardwareModel: 'SC-200', storeId: store };
        const res = await as(c.key).post('/api/devices', body);
        if (!c.register) {
          assert.equal(res.statusCode, 403);
          assert.equal(res.json().code, 'NOT_AUTHORIZED');
          assert.equal(fleet.services.registry.getThing(name), undefined);
          const revoke = await as(c.key).post(`/api/devices/${DEVICES[c.own]}/revoke`, { reason: 'test' });
          assert.equal(revoke.statusCode, 403);
          assert.equal(revoke.json().code, 'NOT_AUTHORIZED');
          return;
        }
        assert.equal(res.statusCode, 201, res.body);
        assert.equal(res.json().device.storeId, store);
        const revoke = await as(c.key).post(`/api/devices/${name}/revoke`, { reason: 'test' });
        assert.equal(revoke.statusCode, 200, revoke.body);
        assert.ok(
          fleet.services.registry.certificatesOf(name).every((cert) => cert.status === 'REVOKED'),
          'every certificate revoked',
        );
        const unknownStore = await as(c.key).post('/api/devices', {
          ...body,
          thingName: `${name}-2`,
          storeId: 'no-such-store',
        });
        assert.equal(unknownStore.statusCode, 404);
        assert.equal(unknownStore.json().code, 'STORE_NOT_FOUND');
        if (c.foreign) {
          const foreignStore = STORE_OF[c.foreign]!;
          const out = await as(c.key).post('/api/devices', { ...body, thingName: `${name}-3`, storeId: foreignStore });
          assert.equal(out.statusCode, 404, 'an out-of-scope store looks like an unknown one');
          assert.equal(out.json().code, 'STORE_NOT_FOUND');
          assert.equal(fleet.services.registry.getThing(`${name}-3`), undefined);
          const revokeForeign = await as(c.key).post(`/api/devices/${DEVICES[c.foreign]}/revoke`, { reason: 'x' });
          assert.equal(revokeForeign.statusCode, 404);
          assert.equal(revokeForeign.json().code, 'THING_NOT_FOUND');
          assert.ok(fleet.services.registry.certificatesOf(DEVICES[c.foreign]).every((x) => x.status === 'ACTIVE'));
          const move = await as(c.key).patch(`/api/devices/${DEVICES[c.own]}`, { storeId: foreignStore });
          assert.equal(move.statusCode, 404, 'cannot move a device out of its scope');
          assert.equal(move.json().code, 'STORE_NOT_FOUND');
          assert.equal(fleet.services.registry.getThing(DEVICES[c.own])?.storeId, STORE_OF[c.own]);
        }
      });

      it(`${c.admin ? 'may' : 'may not'} manage users and read /metrics`, async () => {
        const api = as(c.key);
        const username = `made-by-${c.key.toLowerCase()}`;
        const results = [
          await api.get('/api/users'),
          await api.post('/api/users', { username, displayName: 'X', role: 'viewer' }),
          await api.patch(`/api/users/${target.userId}`, { displayName: 'Renamed' }),
          await api.post(`/api/users/${target.userId}/reset-password`, {}),
          await api.get('/metrics'),
          await api.get('/api/stats'),
          await api.put('/api/alert-rules', fleet.services.alerts.rules()),
        ];
        for (const res of results) {
          if (c.admin) assert.ok(res.statusCode < 300, `${res.statusCode} ${res.body.slice(0, 200)}`);
          else {
            assert.equal(res.statusCode, 403);
            assert.equal(res.json().code, 'NOT_AUTHORIZED');
          }
        }
        assert.equal(Boolean(fleet.services.access.users.findForLogin(username)), c.admin);
      });

      it('lists only the alerts in scope, and manages them if the role may', async () => {
        const res = await as(c.key).get('/api/alerts?state=active');
        assert.equal(res.statusCode, 200);
        const things = res
          .json()
          .items.map((a: { thingName: string }) => a.thingName)
          .sort();
        const expected = (['a', 'b'] as const).filter((k) => c.sees.includes(k)).map((k) => DEVICES[k]);
        assert.deepEqual(things, expected.sort());
        assert.equal(res.json().total, expected.length);
        for (const storeId of [A, B]) {
          const byStore = await as(c.key).get(`/api/alerts?storeId=${storeId}`);
          const inScope = c.sees.some((k) => STORE_OF[k] === storeId);
          assert.equal(byStore.json().total > 0, inScope, `alerts of ${storeId}`);
        }
        if (c.foreign === 'a' || c.foreign === 'b') {
          const out = await as(c.key).post(`/api/alerts/${alertIds[c.foreign]}/acknowledge`, { note: 'not mine' });
          assert.equal(out.statusCode, c.alertsManage ? 404 : 403);
          assert.equal(out.json().code, c.alertsManage ? 'ALERT_NOT_FOUND' : 'NOT_AUTHORIZED');
        }
        if (!c.alertsManage) {
          const refused = await as(c.key).post(`/api/alerts/${alertIds[c.own === 'b' ? 'b' : 'a']}/acknowledge`, {});
          assert.equal(refused.statusCode, 403);
          assert.equal(refused.json().code, 'NOT_AUTHORIZED');
        }
      });

      it(`${c.audit ? 'reads' : 'may not read'} the audit log${c.audit && c.role !== 'hq-admin' ? ' of its stores and its own actions' : ''}`, async () => {
        const res = await as(c.key).get('/api/audit?limit=500');
        if (!c.audit) {
          assert.equal(res.statusCode, 403);
          assert.equal(res.json().code, 'NOT_AUTHORIZED');
          return;
        }
        assert.equal(res.statusCode, 200);
        const items = res.json().items as { storeId: string | null; actor: { id: string }; targetId: string }[];
        assert.equal(res.json().total, items.length);
        if (c.role === 'hq-admin') {
          const all = (fleet.services.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
          assert.equal(items.length, all);
          return;
        }
        const mine = new Set(c.scope.storeIds);
        assert.ok(items.length > 0);
        for (const e of items) {
          assert.ok(
            (e.storeId !== null && mine.has(e.storeId)) || e.actor.id === users[c.key].userId,
            `entry about ${e.storeId} by ${e.actor.id}`,
          );
        }
        assert.ok(
          items.some((e) => e.targetId === DEVICES.a && e.actor.id !== users[c.key].userId),
          "others' changes in A",
        );
        assert.ok(!items.some((e) => e.targetId === DEVICES.b), 'nothing about B');
        const foreign = await as(c.key).get(`/api/audit?storeId=${B}`);
        assert.deepEqual(foreign.json(), { items: [], total: 0 });
        const byTarget = await as(c.key).get(`/api/audit?targetId=${DEVICES.b}`);
        assert.equal(byTarget.json().total, 0);
      });
    });
  }

  describe('store manager of A acting on its alerts', () => {
    it('acknowledges and resolves an alert of A', async () => {
      const ack = await as('managerA').post(`/api/alerts/${alertIds.a}/acknowledge`, { note: 'on it' });
      assert.equal(ack.statusCode, 200, ack.body);
      assert.equal(ack.json().state, 'acknowledged');
      assert.equal(ack.json().acknowledgedBy.username, 'managera');
      const resolve = await as('managerA').post(`/api/alerts/${alertIds.a}/resolve`, {});
      assert.equal(resolve.statusCode, 200, resolve.body);
      assert.equal(resolve.json().state, 'resolved');
    });
  });
});
