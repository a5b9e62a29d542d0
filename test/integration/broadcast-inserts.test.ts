import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { resolveFfmpeg } from '../../platform/ffmpeg-binary.ts';
import type { BroadcastInsert } from '../../protocol/api/broadcast-inserts.ts';
import { INSERT_SHADOW, type InsertDesired } from '../../protocol/broadcast/inserts.ts';
import { type ApiUser, apiAs, apiUser, registerDevice, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { FakeClock } from '../mocks/fake-clock.ts';

const XUHUI = 'hf-shanghai-xuhui';
const BINJIANG = 'hf-hangzhou-binjiang';

describe('ad-hoc inserts and emergency announcements (real fleet, real content library, fake clock)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let clock: FakeClock;
  let hq: ApiUser;
  let manager: ApiUser;
  let otherManager: ApiUser;
  let viewer: ApiUser;
  let technician: ApiUser;
  let chainAsset: string;
  let binjiangAsset: string;

  const desired = (thing: string) =>
    fleet.services.shadows.find(thing, INSERT_SHADOW)?.state.desired as InsertDesired | undefined;
  const tone = async (name: string, hz: number, storeId: string | null) => {
    const path = join(dir.path, `${name}.wav`);
    const out = spawnSync(resolveFfmpeg().path, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=${hz}:duration=2`,
      '-y',
      path,
    ]);
    assert.equal(out.status, 0, out.stderr.toString());
    const asset = await fleet.services.content.ingestFile(path, {
      title: name,
      kind: 'speech',
      origin: 'upload',
      storeId,
      createdBy: 'test',
    });
    return asset.sha256;
  };

  before(async () => {
    dir = tempDir();
    clock = new FakeClock();
    fleet = await startFleet(join(dir.path, 'fleet'), { seedDemoData: true }, { clock });
    for (const [thing, store] of [
      ['spk-x1', XUHUI],
      ['spk-x2', XUHUI],
      ['spk-b1', BINJIANG],
    ] as const) {
      await registerDevice(fleet, thing, 'speaker');
      fleet.services.registry.updateThing(thing, { storeId: store });
    }
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    manager = await apiUser(fleet, 'manager', 'store-manager', { storeIds: [XUHUI] });
    otherManager = await apiUser(fleet, 'other', 'store-manager', { storeIds: [BINJIANG] });
    viewer = await apiUser(fleet, 'viewer', 'viewer');
    technician = await apiUser(fleet, 'tech', 'technician', { storeIds: [XUHUI] });
    chainAsset = await tone('closing-soon', 660, null);
    binjiangAsset = await tone('binjiang-only', 880, BINJIANG);
  });

  after(async () => {
    await fleet?.stop();
    dir?.cleanup();
  });

  it('puts an insert for now into the shadow of every speaker of the store, and only that store', async () => {
    const res = await apiAs(fleet, manager.token).post(`/api/stores/${XUHUI}/broadcast/inserts`, {
      sha256: chainAsset,
    });
    assert.equal(res.statusCode, 201, res.body);
    const insert = res.json() as BroadcastInsert;
    assert.equal(insert.at, clock.now());
    assert.equal(insert.expiresAt, clock.now() + 10 * 60_000);
    assert.equal(insert.entry, 'interrupt');
    assert.deepEqual(
      insert.deliveries.map((d) => [d.thingName, d.state]),
      [
        ['spk-x1', 'offline'],
        ['spk-x2', 'offline'],
      ],
    );
    for (const thing of ['spk-x1', 'spk-x2']) {
      const d = desired(thing);
      assert.deepEqual(
        d?.inserts.map((i) => [i.id, i.sha256, i.title]),
        [[insert.id, chainAsset, 'closing-soon']],
      );
      assert.equal(d?.emergency ?? null, null);
    }
    assert.equal(desired('spk-b1'), undefined, 'the other store’s speaker is not told');
    const audit = await apiAs(fleet, hq.token).get('/api/audit?action=broadcast.insert');
    assert.equal(audit.json().total, 1);
  });

  it('targets some speakers only, and reports which speaker has handled it', async () => {
    const at = clock.now() + 3_600_000;
    const res = await apiAs(fleet, manager.token).post(`/api/stores/${XUHUI}/broadcast/inserts`, {
      sha256: chainAsset,
      at,
      thingNames: ['spk-x2'],
      entry: 'overlay',
    });
    assert.equal(res.statusCode, 201, res.body);
    const id = res.json().id as string;
    assert.equal(desired('spk-x1')?.inserts.length, 1);
    assert.deepEqual(
      desired('spk-x2')?.inserts.map((i) => [i.at, i.entry]),
      [
        [clock.now(), 'interrupt'],
        [at, 'overlay'],
      ],
    );
    await fleet.services.shadows.update('spk-x2', INSERT_SHADOW, {
      state: { reported: { handled: [id], emergency: null } },
    });
    const list = await apiAs(fleet, viewer.token).get(`/api/stores/${XUHUI}/broadcast/inserts?active=true`);
    const mine = (list.json().items as BroadcastInsert[]).find((i) => i.id === id);
    assert.deepEqual(mine?.deliveries, [{ thingName: 'spk-x2', state: 'handled' }]);
  });

  it('refuses what cannot be played there with a code, and stores nothing', async () => {
    const api = apiAs(fleet, manager.token);
    const before = (await api.get(`/api/stores/${XUHUI}/broadcast/inserts`)).json().items.length;
    const cases: [object, string][] = [
      [{ sha256: 'f'.repeat(64) }, 'ASSET_NOT_FOUND'],
      [{ sha256: binjiangAsset }, 'ASSET_NOT_FOUND'],
      [{ sha256: chainAsset, thingNames: ['spk-b1'] }, 'THING_NOT_FOUND'],
      [{ sha256: chainAsset, at: clock.now() - 11 * 60_000 }, 'SCHEDULE_INVALID'],
      [{ sha256: chainAsset, at: clock.now() + 8 * 86_400_000 }, 'SCHEDULE_INVALID'],
      [{ sha256: chainAsset, entry: 'shout' }, 'BAD_REQUEST'],
    ];
    for (const [body, code] of cases) {
      const res = await api.post(`/api/stores/${XUHUI}/broadcast/inserts`, body);
      assert.equal(res.json().code, code, JSON.stringify(body));
    }
    assert.equal((await api.get(`/api/stores/${XUHUI}/broadcast/inserts`)).json().items.length, before);
    // Positive control: the other store's own asset is playable there.
    const own = await apiAs(fleet, otherManager.token).post(`/api/stores/${BINJIANG}/broadcast/inserts`, {
      sha256: binjiangAsset,
    });
    assert.equal(own.statusCode, 201, own.body);
    assert.equal(desired('spk-b1')?.inserts[0]?.sha256, binjiangAsset);
  });

  it('keeps roles and stores apart', async () => {
    const body = { sha256: chainAsset };
    const viewerRes = await apiAs(fleet, viewer.token).post(`/api/stores/${XUHUI}/broadcast/inserts`, body);
    assert.equal(viewerRes.statusCode, 403);
    assert.equal(viewerRes.json().code, 'NOT_AUTHORIZED');
    const techRes = await apiAs(fleet, technician.token).post(`/api/stores/${XUHUI}/broadcast/emergency`, body);
    assert.equal(techRes.json().code, 'NOT_AUTHORIZED');
    const other = await apiAs(fleet, otherManager.token).post(`/api/stores/${XUHUI}/broadcast/inserts`, body);
    assert.equal(other.statusCode, 404);
    assert.equal(other.json().code, 'STORE_NOT_FOUND');
  });

  it('runs one emergency per store, refuses a second even when two requests race, and clears it', async () => {
    const api = apiAs(fleet, manager.token);
    const [a, b] = await Promise.all([
      api.post(`/api/stores/${XUHUI}/broadcast/emergency`, { sha256: chainAsset }),
      api.post(`/api/stores/${XUHUI}/broadcast/emergency`, { sha256: chainAsset }),
    ]);
    assert.deepEqual([a.statusCode, b.statusCode].sort(), [201, 409]);
    const refused = a.statusCode === 409 ? a : b;
    assert.equal(refused.json().code, 'EMERGENCY_ALREADY_ACTIVE');
    const started = (a.statusCode === 201 ? a : b).json();
    for (const thing of ['spk-x1', 'spk-x2']) assert.equal(desired(thing)?.emergency?.id, started.id);
    assert.equal(desired('spk-b1')?.emergency ?? null, null, 'not in the other store');
    assert.equal((await api.get(`/api/stores/${XUHUI}/broadcast/emergency`)).json().emergency.id, started.id);

    const cleared = await api.delete(`/api/stores/${XUHUI}/broadcast/emergency`);
    assert.equal(cleared.statusCode, 200, cleared.body);
    assert.equal(cleared.json().clearedBy, 'manager');
    for (const thing of ['spk-x1', 'spk-x2']) assert.equal(desired(thing)?.emergency ?? null, null);
    const again = await api.delete(`/api/stores/${XUHUI}/broadcast/emergency`);
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'EMERGENCY_NOT_ACTIVE');
    // After clearing, a new one may start.
    const next = await api.post(`/api/stores/${XUHUI}/broadcast/emergency`, { sha256: chainAsset });
    assert.equal(next.statusCode, 201);
    await api.delete(`/api/stores/${XUHUI}/broadcast/emergency`);
  });

  it('takes cancelled and expired inserts out of the speakers’ shadows', async () => {
    const api = apiAs(fleet, manager.token);
    const made = await api.post(`/api/stores/${XUHUI}/broadcast/inserts`, { sha256: chainAsset, graceMinutes: 2 });
    const id = made.json().id as string;
    assert.ok(desired('spk-x1')?.inserts.some((i) => i.id === id));
    const cancelled = await api.delete(`/api/stores/${XUHUI}/broadcast/inserts/${id}`);
    assert.equal(cancelled.statusCode, 200);
    assert.ok(!desired('spk-x1')?.inserts.some((i) => i.id === id));
    assert.equal((await api.delete(`/api/stores/${XUHUI}/broadcast/inserts/${id}`)).json().code, 'CONFLICT');

    // The first test's insert (10 minutes of grace) is still there; after 11 minutes the sweep takes it out.
    assert.ok((desired('spk-x1')?.inserts.length ?? 0) > 0);
    clock.advance(11 * 60_000);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(desired('spk-x1')?.inserts, []);
    // The one an hour ahead stays on spk-x2.
    assert.equal(desired('spk-x2')?.inserts.length, 1);
  });
});
