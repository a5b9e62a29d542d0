import assert from 'node:assert/strict';
import { io, type Socket } from 'socket.io-client';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { systemClock } from '../../platform/clock.ts';
import type { Rollout, RolloutSpec } from '../../protocol/api/rollouts.ts';
import { OTA_SHADOW } from '../../protocol/ota/device-ota.ts';
import { type ApiUser, apiAs, apiUser, eventually, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { rolloutSpec } from '../helpers/ota-rollout.ts';
import { FakeJobs } from '../mocks/fake-jobs.ts';
import { FakeReleases } from '../mocks/fake-rollout-ports.ts';

/**
 * The rollout API on a real fleet (SQLite, the registry and shadows as the inventory, the real engine), with the jobs
 * service and the release store faked behind their ports. Store A is Xuhui (east), B a store of its own region
 * (west), C Binjiang (east).
 */
const A = 'hf-shanghai-xuhui';
const B = 'hf-chengdu-jinjiang';
const C = 'hf-hangzhou-binjiang';

describe('rollout API', () => {
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let jobs: FakeJobs;
  let releases: FakeReleases;
  const users = {} as Record<'hq' | 'managerA' | 'technicianWest' | 'viewer' | 'attendantA', ApiUser>;
  const as = (key: keyof typeof users) => apiAs(fleet, users[key].token);
  const spec = (overrides: Partial<RolloutSpec> = {}) => rolloutSpec({ releaseId: 'rel-110', ...overrides });
  const count = (table: string) =>
    (fleet.services.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  const audits = (action: string) =>
    fleet.services.db.prepare('SELECT * FROM audit_log WHERE action = ? ORDER BY id').all(action) as {
      actor_name: string;
      target_id: string;
      details: string;
    }[];
  const reportVersion = (thingName: string, version: string) =>
    fleet.services.shadows.update(thingName, OTA_SHADOW, {
      state: {
        reported: {
          components: {
            software: {
              active: 'a',
              a: { name: 'cart-runtime', version, sha256: 'b'.repeat(64) },
              b: null,
              trial: null,
            },
          },
          job: null,
          lastRollback: null,
        },
      },
    });

  before(async function () {
    this.timeout(60_000);
    dir = tempDir();
    jobs = new FakeJobs(systemClock);
    releases = new FakeReleases();
    releases.add('rel-110');
    releases.add('rel-090', { version: '0.9.0' });
    releases.add('rel-untrusted', { version: '1.1.1' }, false);
    fleet = await startFleet(dir.path, { seedDemoData: true }, { extensions: { rollouts: { jobs, releases } } });
    const { stores, registry } = fleet.services;
    stores.upsertStore({ ...stores.getStore(A)!, id: B, name: 'Harbor Foods Jinjiang', region: 'west' });
    users.hq = await apiUser(fleet, 'hq', 'hq-admin');
    users.managerA = await apiUser(fleet, 'manager-a', 'store-manager', { storeIds: [A] });
    users.technicianWest = await apiUser(fleet, 'tech-west', 'technician', { regions: ['west'] });
    users.viewer = await apiUser(fleet, 'viewer', 'viewer');
    users.attendantA = await apiUser(fleet, 'attendant-a', 'attendant', { storeIds: [A] });
    for (const [store, prefix] of [
      [A, 'a'],
      [B, 'b'],
      [C, 'c'],
    ] as const) {
      for (let i = 1; i <= 3; i++) {
        await registry.registerDevice({
          thingName: `ro-${prefix}${i}`,
          kind: 'cart',
          hardwareModel: 'SC-200',
          storeId: store,
        });
      }
    }
    for (const thing of ['ro-a1', 'ro-a2', 'ro-a3', 'ro-b1', 'ro-b2', 'ro-b3', 'ro-c1', 'ro-c2', 'ro-c3']) {
      await reportVersion(thing, '1.0.0');
    }
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('previews what each choice reaches: per phase, per store, who is left out and why', async () => {
    await reportVersion('ro-c3', '1.1.0');
    const res = await as('hq').post('/api/rollouts/preview', spec({ targets: { storeIds: [A, C] } }));
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {
      devices: 5,
      perPhase: [2, 3],
      byStore: [
        { storeId: C, devices: 2 },
        { storeId: A, devices: 3 },
      ].sort((x, y) => (x.storeId < y.storeId ? -1 : 1)),
      excluded: [{ reason: 'already-installed', devices: 1 }],
      problems: [],
    });
    await reportVersion('ro-c3', '1.0.0');
    const over = await as('hq').post(
      '/api/rollouts/preview',
      spec({
        phases: [
          { name: 'a', percent: 60, start: { kind: 'immediately' } },
          { name: 'b', percent: 50, start: { kind: 'after-success', successPercent: 90 } },
        ],
      }),
    );
    assert.deepEqual(over.json().problems, ['the phases add up to 110 % of the target, over 100 %']);
  });

  it('refuses phases over 100 % with ROLLOUT_INVALID listing every problem, and stores nothing', async () => {
    const before = { rollouts: count('ota_rollouts'), devices: count('ota_rollout_devices'), jobs: jobs.jobs.size };
    const res = await as('hq').post(
      '/api/rollouts',
      spec({
        phases: [
          { name: 'canary', devices: 1, start: { kind: 'immediately' } },
          { name: 'a', percent: 60, start: { kind: 'after-success', successPercent: 90 } },
          { name: 'b', percent: 50, start: { kind: 'after-success', successPercent: 90 } },
        ],
        inProgressTimeoutMinutes: 1,
      }),
    );
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().code, 'ROLLOUT_INVALID');
    assert.deepEqual(res.json().details, [
      'the phases add up to 110 % of the target, over 100 %',
      'inProgressTimeoutMinutes: 1 min does not leave the device its 120 s health check',
    ]);
    assert.deepEqual(
      { rollouts: count('ota_rollouts'), devices: count('ota_rollout_devices'), jobs: jobs.jobs.size },
      before,
    );
    assert.equal(audits('rollout.create').length, 0);
  });

  it('refuses a downgrade, an unknown release and an untrusted one, each with its code, storing nothing', async () => {
    const before = { rollouts: count('ota_rollouts'), jobs: jobs.jobs.size };
    const downgrade = await as('hq').post('/api/rollouts', spec({ releaseId: 'rel-090' }));
    assert.equal(downgrade.statusCode, 409, downgrade.body);
    assert.equal(downgrade.json().code, 'ROLLOUT_DOWNGRADE');
    const unknown = await as('hq').post('/api/rollouts', spec({ releaseId: 'rel-nope' }));
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'RELEASE_NOT_FOUND');
    const untrusted = await as('hq').post('/api/rollouts', spec({ releaseId: 'rel-untrusted' }));
    assert.equal(untrusted.statusCode, 422);
    assert.equal(untrusted.json().code, 'RELEASE_SIGNATURE_INVALID');
    const badShape = await as('hq').post('/api/rollouts', { ...spec(), phases: [] });
    assert.equal(badShape.statusCode, 400);
    assert.equal(badShape.json().code, 'BAD_REQUEST');
    assert.deepEqual({ rollouts: count('ota_rollouts'), jobs: jobs.jobs.size }, before);
  });

  it('only HQ previews, creates and manages; attendants do not even read', async () => {
    for (const key of ['managerA', 'technicianWest', 'viewer'] as const) {
      for (const [url, body] of [
        ['/api/rollouts', spec()],
        ['/api/rollouts/preview', spec()],
        ['/api/rollouts/ro-x/pause', {}],
        ['/api/rollouts/ro-x/abort', {}],
      ] as const) {
        const res = await as(key).post(url, body);
        assert.equal(res.statusCode, 403, `${key} ${url}`);
        assert.equal(res.json().code, 'NOT_AUTHORIZED');
      }
    }
    const attendant = await as('attendantA').get('/api/rollouts');
    assert.equal(attendant.statusCode, 403);
    assert.equal(attendant.json().code, 'NOT_AUTHORIZED');
  });

  describe('a rollout to stores A and B', () => {
    let rollout: Rollout;
    let onlyC: Rollout;

    before(async () => {
      const res = await as('hq').post(
        '/api/rollouts',
        spec({
          name: 'east and west',
          targets: { storeIds: [A, B] },
          phases: [{ name: 'all', percent: 100, start: { kind: 'immediately' } }],
          abort: { failureTypes: ['FAILED'], thresholdPercent: 50, minFinished: 6 },
        }),
      );
      assert.equal(res.statusCode, 201, res.body);
      rollout = res.json();
      const c = await as('hq').post('/api/rollouts', spec({ name: 'C only', targets: { storeIds: [C] } }));
      assert.equal(c.statusCode, 201, c.body);
      onlyC = c.json();
    });

    it('made one AWS IoT job with the release’s job document, queued its devices, and audited it', () => {
      assert.equal(rollout.jobId, `ota-${rollout.id}`);
      assert.equal(rollout.state, 'running');
      assert.equal(rollout.counts.total, 6);
      const job = jobs.jobs.get(rollout.jobId);
      assert.equal((job?.document as { rolloutId: string } | undefined)?.rolloutId, rollout.id);
      assert.equal(job?.inProgressTimeoutMinutes, 30);
      assert.deepEqual(jobs.thingsIn(rollout.jobId, 'QUEUED'), ['ro-a1', 'ro-a2', 'ro-a3', 'ro-b1', 'ro-b2', 'ro-b3']);
      const [entry] = audits('rollout.create');
      assert.equal(entry?.actor_name, 'hq');
      assert.equal(entry?.target_id, rollout.id);
    });

    it('a store manager lists and reads only rollouts touching their stores, and only their stores’ devices', async () => {
      const list = await as('managerA').get('/api/rollouts');
      assert.equal(list.statusCode, 200);
      assert.deepEqual(
        list.json().items.map((r: Rollout) => r.id),
        [rollout.id],
      );
      assert.equal(list.json().total, 1);
      assert.deepEqual(list.json().items[0].storeIds, [A], 'other stores are not named');
      const other = await as('managerA').get(`/api/rollouts/${onlyC.id}`);
      assert.equal(other.statusCode, 404);
      assert.equal(other.json().code, 'ROLLOUT_NOT_FOUND');
      const devices = await as('managerA').get(`/api/rollouts/${rollout.id}/devices`);
      assert.deepEqual(
        devices
          .json()
          .items.map((d: { thingName: string }) => d.thingName)
          .sort(),
        ['ro-a1', 'ro-a2', 'ro-a3'],
      );
      assert.equal(devices.json().total, 3);
      const hq = await as('hq').get(`/api/rollouts/${rollout.id}/devices?status=QUEUED&limit=2`);
      assert.equal(hq.json().total, 6);
      assert.equal(hq.json().items.length, 2);
      const viewer = await as('viewer').get('/api/rollouts');
      assert.equal(viewer.json().total, 2);
    });

    it('a technician retries a failed device of their stores; another store’s answers as unknown', async () => {
      jobs.finish(rollout.jobId, 'ro-b1', 'FAILED', { reason: 'OTA_HEALTH_CHECK_FAILED', message: 'camera self-test' });
      jobs.finish(rollout.jobId, 'ro-a1', 'FAILED', { reason: 'OTA_HEALTH_CHECK_FAILED' });
      const detail = await as('hq').get(`/api/rollouts/${rollout.id}/devices?status=FAILED`);
      assert.equal(detail.json().total, 2);
      assert.equal(
        detail.json().items.find((d: { thingName: string }) => d.thingName === 'ro-b1').message,
        'camera self-test',
      );
      const notMine = await as('technicianWest').post(`/api/rollouts/${rollout.id}/devices/ro-a1/retry`);
      assert.equal(notMine.statusCode, 404, notMine.body);
      const mine = await as('technicianWest').post(`/api/rollouts/${rollout.id}/devices/ro-b1/retry`);
      assert.equal(mine.statusCode, 200, mine.body);
      assert.equal(mine.json().status, 'QUEUED');
      assert.equal(mine.json().executionNumber, 2);
      assert.equal(mine.json().attempts, 2);
      const again = await as('technicianWest').post(`/api/rollouts/${rollout.id}/devices/ro-b1/retry`);
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().code, 'ROLLOUT_STATE_INVALID');
      const viewer = await as('viewer').post(`/api/rollouts/${rollout.id}/devices/ro-a1/retry`);
      assert.equal(viewer.statusCode, 403);
      assert.equal(audits('rollout.retry-device').length, 1);
    });

    it('pause, resume and abort with a reason, each audited; a finished rollout refuses them', async () => {
      const paused = await as('hq').post(`/api/rollouts/${rollout.id}/pause`, { reason: 'looking at ro-a1' });
      assert.equal(paused.statusCode, 200, paused.body);
      assert.equal(paused.json().state, 'paused');
      assert.equal(paused.json().stateReason, 'paused by hq: looking at ro-a1');
      const twice = await as('hq').post(`/api/rollouts/${rollout.id}/pause`, {});
      assert.equal(twice.statusCode, 409);
      assert.equal(twice.json().code, 'ROLLOUT_STATE_INVALID');
      assert.equal((await as('hq').post(`/api/rollouts/${rollout.id}/resume`, {})).json().state, 'running');
      jobs.start(rollout.jobId, 'ro-a2');
      const aborted = await as('hq').post(`/api/rollouts/${rollout.id}/abort`, { reason: 'bad camera driver' });
      assert.equal(aborted.json().state, 'aborted');
      assert.equal(jobs.statusOf(rollout.jobId, 'ro-a2'), 'CANCELED', 'in progress, canceled: it rolls back');
      const resume = await as('hq').post(`/api/rollouts/${rollout.id}/resume`, {});
      assert.equal(resume.statusCode, 409);
      assert.equal(resume.json().code, 'ROLLOUT_STATE_INVALID');
      assert.deepEqual(
        ['rollout.pause', 'rollout.resume', 'rollout.abort'].map((a) => audits(a).length),
        [1, 1, 1],
      );
      assert.equal(JSON.parse(audits('rollout.abort')[0]!.details).reason, 'bad camera driver');
      const unknown = await as('hq').post('/api/rollouts/ro-nope/pause', {});
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().code, 'ROLLOUT_NOT_FOUND');
    });

    it("a device's OTA view: its slots, the penalty box and its history", async () => {
      const res = await as('managerA').get('/api/devices/ro-a1/ota');
      assert.equal(res.statusCode, 200, res.body);
      const ota = res.json();
      assert.equal(ota.reported.components.software.a.version, '1.0.0');
      assert.equal(ota.penaltyBox, false);
      assert.deepEqual(
        ota.history.map((h: { rolloutId: string; status: string; reason: string }) => [
          h.rolloutId,
          h.status,
          h.reason,
        ]),
        [[rollout.id, 'FAILED', 'OTA_HEALTH_CHECK_FAILED']],
      );
      const foreign = await as('managerA').get('/api/devices/ro-b1/ota');
      assert.equal(foreign.statusCode, 404);
      assert.equal(foreign.json().code, 'THING_NOT_FOUND');
    });
  });

  describe('maintenance windows', () => {
    it('read in scope, written by HQ only, every problem listed and nothing stored when one is wrong', async () => {
      const url = `/api/stores/${A}/maintenance-windows`;
      assert.deepEqual((await as('managerA').get(url)).json(), { windows: [] });
      const foreign = await as('managerA').get(`/api/stores/${C}/maintenance-windows`);
      assert.equal(foreign.statusCode, 404);
      assert.equal(foreign.json().code, 'STORE_NOT_FOUND');
      const windows = [{ cron: '0 2 * * *', durationMinutes: 120, timeZone: '' }];
      const manager = await as('managerA').put(url, { windows });
      assert.equal(manager.statusCode, 403);
      const bad = await as('hq').put(url, {
        windows: [
          { cron: '0 26 * * *', durationMinutes: 60, timeZone: '' },
          { cron: '0 0 2 * * *', durationMinutes: 60, timeZone: 'Mars/Olympus' },
        ],
      });
      assert.equal(bad.statusCode, 400, bad.body);
      assert.equal(bad.json().code, 'ROLLOUT_INVALID');
      assert.equal(bad.json().details.length, 3);
      assert.equal(count('ota_maintenance_windows'), 0);
      const good = await as('hq').put(url, { windows });
      assert.equal(good.statusCode, 200, good.body);
      assert.deepEqual((await as('managerA').get(url)).json(), { windows });
      assert.equal(audits('store.maintenance-windows').length, 1);
    });
  });

  describe('live events', () => {
    const sockets: Socket[] = [];
    after(() => {
      for (const socket of sockets) socket.disconnect();
    });

    async function listen(key: keyof typeof users): Promise<{ event: string; payload: unknown }[]> {
      const socket = io(`http://127.0.0.1:${fleet.services.http.port}`, {
        path: '/socket.io',
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        auth: { token: users[key].token },
      });
      sockets.push(socket);
      const received: { event: string; payload: unknown }[] = [];
      socket.onAny((event: string, payload: unknown) => received.push({ event, payload }));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      return received;
    }

    it('go to sockets that may read rollouts, scoped to their stores', async () => {
      const [hq, managerA, attendantA] = [await listen('hq'), await listen('managerA'), await listen('attendantA')];
      const res = await as('hq').post(
        '/api/rollouts',
        spec({
          name: 'live',
          targets: { storeIds: [A, B] },
          phases: [{ name: 'all', percent: 100, start: { kind: 'immediately' } }],
        }),
      );
      assert.equal(res.statusCode, 201, res.body);
      const rollout: Rollout = res.json();
      const rolloutEvents = (received: { event: string; payload: unknown }[]) =>
        received
          .filter((r) => r.event === 'rollout' && (r.payload as Rollout).id === rollout.id)
          .map((r) => r.payload as Rollout);
      await eventually(
        () => rolloutEvents(hq).length > 0 && rolloutEvents(managerA).length > 0,
        5000,
        'rollout events',
      );
      assert.deepEqual(rolloutEvents(hq)[0]!.storeIds, [B, A].sort());
      assert.deepEqual(rolloutEvents(managerA)[0]!.storeIds, [A], 'only its own store named');

      jobs.start(rollout.jobId, 'ro-b2', { step: 'downloading', progress: '20' });
      jobs.start(rollout.jobId, 'ro-a3', { step: 'downloading', progress: '30' });
      const deviceEvents = (received: { event: string; payload: unknown }[]) =>
        received
          .filter((r) => r.event === 'rollout-device' && (r.payload as { rolloutId: string }).rolloutId === rollout.id)
          .map((r) => (r.payload as { device: { thingName: string; progress: number } }).device);
      await eventually(() => deviceEvents(managerA).some((d) => d.progress === 30), 5000, 'ro-a3 at manager A');
      await eventually(() => deviceEvents(hq).some((d) => d.progress === 20), 5000, 'ro-b2 at hq');
      // ro-b2's event was sent before ro-a3's, in the same flush: had it gone to manager A, it would be there by now.
      assert.deepEqual([...new Set(deviceEvents(managerA).map((d) => d.thingName))].sort(), [
        'ro-a1',
        'ro-a2',
        'ro-a3',
      ]);
      assert.ok(deviceEvents(hq).some((d) => d.thingName.startsWith('ro-b')));
      // The attendant's socket is live (it hears its store's devices), but hears nothing of rollouts.
      const patched = await as('hq').patch('/api/devices/ro-a1', { tags: ['live-check'] });
      assert.equal(patched.statusCode, 200, patched.body);
      await eventually(() => attendantA.some((r) => r.event === 'device'), 5000, 'a device event at the attendant');
      assert.deepEqual(
        attendantA.filter((r) => r.event.startsWith('rollout')),
        [],
      );
    });
  });
});
