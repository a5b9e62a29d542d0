import assert from 'node:assert/strict';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { matchesStaffVerifier, STAFF_VERIFIER_PARAMS } from '../../platform/staff-code-verifier.ts';
import type { OfflineStaff, PricingSnapshot } from '../../protocol/commerce/snapshot.ts';
import { type ApiUser, apiAs, apiUser, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { FakeClock } from '../mocks/fake-clock.ts';

const XUHUI = 'hf-shanghai-xuhui';
const BINJIANG = 'hf-hangzhou-binjiang';
const DEBOUNCE_MS = 1000;

/**
 * Who may approve offline, per store: the staff code's offline verifier (migration 25) travels in the store's pricing
 * snapshot for every person who may approve there, and the snapshots are rebuilt when a code is made or a person's
 * role, stores or disabled state change (real fleet; the rebuild debounce on a FakeClock).
 */
describe('staff codes in the stores’ pricing snapshots (offline verifiers)', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let clock: FakeClock;
  let fleet: FleetServer;
  let hq: ApiUser;

  const settle = async () => {
    await clock.advanceAsync(DEBOUNCE_MS);
    await fleet.services.pricing.flush();
  };
  const staffOf = (storeId: string): OfflineStaff[] => {
    const { pricing } = fleet.services;
    const bytes = pricing.bytes(storeId, pricing.currentVersion(storeId) as number) as Buffer;
    return (JSON.parse(gunzipSync(bytes).toString()) as PricingSnapshot).staff ?? [];
  };
  const names = (storeId: string) => staffOf(storeId).map((s) => s.username);
  const issue = async (user: ApiUser) => {
    const answer = await apiAs(fleet, user.token).post('/api/attendants/staff-code');
    assert.equal(answer.statusCode, 200, answer.body);
    return answer.json().code as string;
  };

  beforeEach(async () => {
    dir = tempDir();
    clock = new FakeClock(Date.parse('2026-03-11T10:00:00+08:00'));
    fleet = await startFleet(
      join(dir.path, 'fleet'),
      { seedDemoData: true, pricing: { snapshotDebounceMs: DEBOUNCE_MS } },
      { clock },
    );
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    await settle();
  });
  afterEach(async () => {
    await fleet?.stop();
    dir?.cleanup();
  });

  it('a code made is in its stores’ snapshots after the debounce: salt, scrypt verifier of that code, parameters', async () => {
    const li = await apiUser(fleet, 'att-li', 'attendant', { storeIds: [XUHUI] });
    const before = fleet.services.pricing.currentVersion(XUHUI) as number;
    const beforeB = fleet.services.pricing.currentVersion(BINJIANG) as number;
    const code = await issue(li);
    await clock.advanceAsync(DEBOUNCE_MS - 1);
    assert.equal(fleet.services.pricing.currentVersion(XUHUI), before, 'debounced');
    await settle();
    assert.equal(fleet.services.pricing.currentVersion(XUHUI), before + 1);
    assert.equal(fleet.services.pricing.currentVersion(BINJIANG), beforeB, 'another store: no new version');
    const [entry, ...others] = staffOf(XUHUI);
    assert.deepEqual(others, []);
    assert.equal(entry?.userId, li.userId);
    assert.equal(entry?.username, 'att-li');
    assert.deepEqual(entry?.params, STAFF_VERIFIER_PARAMS);
    assert.equal(await matchesStaffVerifier(code, entry as OfflineStaff), true);
    assert.equal(
      await matchesStaffVerifier(String((Number(code) + 1) % 1e6).padStart(6, '0'), entry as OfflineStaff),
      false,
    );
    assert.deepEqual(names(BINJIANG), []);
    // The database keeps the verifier, never the code.
    const row = fleet.services.db.prepare('SELECT * FROM staff_codes WHERE user_id = ?').get(li.userId) as Record<
      string,
      unknown
    >;
    assert.equal(Object.values(row).includes(code), false);

    // A new code: a new salt and verifier; the old code no longer matches.
    const next = await issue(li);
    await settle();
    const [renewed] = staffOf(XUHUI);
    assert.notEqual(renewed?.salt, entry?.salt);
    assert.equal(await matchesStaffVerifier(next, renewed as OfflineStaff), true);
    if (next !== code) assert.equal(await matchesStaffVerifier(code, renewed as OfflineStaff), false);
  });

  it('only people who may approve there: a chain-wide admin everywhere; no viewer; moved, demoted or disabled people leave', async () => {
    const li = await apiUser(fleet, 'att-li', 'attendant', { storeIds: [XUHUI] });
    const viewer = await apiUser(fleet, 'viewer', 'viewer', { storeIds: [XUHUI] });
    await issue(li);
    await issue(hq);
    // A viewer cannot make one through the API (attendants:manage); made anyway, it is in no snapshot.
    assert.equal((await apiAs(fleet, viewer.token).post('/api/attendants/staff-code')).statusCode, 403);
    await fleet.services.staffCodes.issue(viewer.userId, clock.now());
    await settle();
    assert.deepEqual(names(XUHUI).sort(), ['att-li', 'hq']);
    assert.deepEqual(names(BINJIANG), ['hq']);

    const { access } = fleet.services;
    access.updateUser(li.userId, { storeIds: [BINJIANG] }, hq.userId);
    await settle();
    assert.deepEqual([names(XUHUI), names(BINJIANG).sort()], [['hq'], ['att-li', 'hq']], 'moved to Binjiang');

    access.updateUser(li.userId, { role: 'viewer' }, hq.userId);
    await settle();
    assert.deepEqual(names(BINJIANG), ['hq'], 'a viewer approves nothing');
    access.updateUser(li.userId, { role: 'attendant' }, hq.userId);
    await settle();
    assert.deepEqual(names(BINJIANG).sort(), ['att-li', 'hq'], 'positive control: back as an attendant');

    access.updateUser(li.userId, { disabled: true }, hq.userId);
    await settle();
    assert.deepEqual(names(BINJIANG), ['hq'], 'disabled');
  });

  it('a code made before offline verifiers (no verifier) still works online and is in no snapshot until made again', async () => {
    const li = await apiUser(fleet, 'att-li', 'attendant', { storeIds: [XUHUI] });
    const code = await issue(li);
    await settle();
    assert.deepEqual(names(XUHUI), ['att-li']);
    // As migration 25 leaves a code made before it.
    fleet.services.db
      .prepare('UPDATE staff_codes SET offline_salt = NULL, offline_verifier = NULL, offline_params = NULL')
      .run();
    fleet.services.pricing.schedule([XUHUI]);
    await settle();
    assert.deepEqual(names(XUHUI), [], 'nothing to verify it offline');
    assert.equal(fleet.services.staffCodes.verify(code, XUHUI, 'cart-1').userId, li.userId, 'online it works');
    await issue(li);
    await settle();
    assert.deepEqual(names(XUHUI), ['att-li'], 'made again: offline too');
  });
});
