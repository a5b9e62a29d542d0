import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { isFleetError } from '../../protocol/errors.ts';
import { apiAs, apiUser, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { FakeClock } from '../mocks/fake-clock.ts';

const XUHUI = 'hf-shanghai-xuhui';
const BINJIANG = 'hf-hangzhou-binjiang';

/** The attendant queue routes (list, resolve) by role and store scope, and the staff-code throttle (real fleet). */
describe('attendant queue API and staff codes', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let clock: FakeClock;
  let fleet: FleetServer;
  let xuhui: Awaited<ReturnType<typeof apiUser>>;
  let binjiang: Awaited<ReturnType<typeof apiUser>>;
  let viewer: Awaited<ReturnType<typeof apiUser>>;

  before(async () => {
    dir = tempDir();
    clock = new FakeClock(Date.parse('2026-03-11T10:00:00+08:00'));
    fleet = await startFleet(join(dir.path, 'fleet'), { seedDemoData: true }, { clock });
    const attendant = 'attendant' as Parameters<typeof apiUser>[2];
    xuhui = await apiUser(fleet, 'att-xuhui', attendant, { storeIds: [XUHUI] });
    binjiang = await apiUser(fleet, 'att-binjiang', attendant, { storeIds: [BINJIANG] });
    viewer = await apiUser(fleet, 'viewer', 'viewer');
  });

  after(async () => {
    await fleet?.stop();
    dir?.cleanup();
  });

  const call = (storeId: string, thingName: string) =>
    fleet.services.attendants.call(
      { thingName, storeId, zoneId: null },
      { reason: 'age-check', details: 'beer', sessionId: 's1' },
    );

  it('lists the caller’s stores only; resolves in scope; out of scope is ATTENDANT_REQUEST_NOT_FOUND; roles are checked', async () => {
    const here = await call(XUHUI, 'cart-x1');
    const there = await call(BINJIANG, 'cart-b1');
    const ids = async (token: string) =>
      ((await apiAs(fleet, token).get('/api/attendants/requests')).json().items as { id: string }[]).map((r) => r.id);
    assert.deepEqual(await ids(xuhui.token), [here.id]);
    assert.deepEqual(await ids(binjiang.token), [there.id]);

    const denied = await apiAs(fleet, viewer.token).get('/api/attendants/requests');
    assert.deepEqual([denied.statusCode, denied.json().code], [403, 'NOT_AUTHORIZED']);

    const other = await apiAs(fleet, binjiang.token).post(`/api/attendants/requests/${here.id}/resolve`, {
      decision: 'approve',
    });
    assert.deepEqual([other.statusCode, other.json().code], [404, 'ATTENDANT_REQUEST_NOT_FOUND']);
    assert.equal(fleet.services.attendants.get(here.id)?.state, 'open', 'nothing changed');

    const resolved = await apiAs(fleet, xuhui.token).post(`/api/attendants/requests/${here.id}/resolve`, {
      decision: 'approve',
      note: 'ID checked',
    });
    assert.equal(resolved.statusCode, 200, resolved.body);
    assert.deepEqual([resolved.json().state, resolved.json().resolvedBy], ['approved', xuhui.userId]);
    assert.deepEqual(await ids(xuhui.token), []);
    const again = await apiAs(fleet, xuhui.token).post(`/api/attendants/requests/${here.id}/resolve`, {
      decision: 'reject',
    });
    assert.equal(again.json().code, 'ATTENDANT_REQUEST_NOT_FOUND');
  });

  it('staff codes: valid in the attendant’s own stores only; after 5 wrong ones a cart must wait, even with the right code', async () => {
    const { staffCodes } = fleet.services;
    const issued = await apiAs(fleet, xuhui.token).post('/api/attendants/staff-code');
    assert.equal(issued.statusCode, 200, issued.body);
    const code = issued.json().code as string;
    assert.equal(staffCodes.verify(code, XUHUI, 'cart-t0').userId, xuhui.userId);
    assert.throws(
      () => staffCodes.verify(code, BINJIANG, 'cart-t0'),
      (err) => isFleetError(err, 'STAFF_CODE_INVALID'),
    );

    const wrong = code === '000000' ? '000001' : '000000';
    for (let i = 0; i < 5; i++) {
      assert.throws(
        () => staffCodes.verify(wrong, XUHUI, 'cart-t1'),
        (err) => isFleetError(err, 'STAFF_CODE_INVALID') && err.details === undefined,
      );
    }
    let retryAfterMs = 0;
    assert.throws(
      () => staffCodes.verify(code, XUHUI, 'cart-t1'),
      (err) => {
        retryAfterMs =
          (isFleetError(err, 'STAFF_CODE_INVALID') && (err.details as { retryAfterMs?: number })?.retryAfterMs) || 0;
        return retryAfterMs > 0;
      },
    );
    // Positive control: another cart of another store is not held back by this cart's failures.
    const other = await apiAs(fleet, binjiang.token).post('/api/attendants/staff-code');
    assert.equal(staffCodes.verify(other.json().code, BINJIANG, 'cart-t2').userId, binjiang.userId);
    // Once the wait is over, the right code works again.
    clock.advance(retryAfterMs);
    assert.equal(staffCodes.verify(code, XUHUI, 'cart-t1').userId, xuhui.userId);
  });
});
