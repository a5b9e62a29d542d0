import assert from 'node:assert/strict';
import type { RolloutPhaseSpec } from '../../../protocol/api/rollouts.ts';
import { BINJIANG, MANHATTAN, RolloutFixture, XUHUI } from './rollout-fixture.ts';

const now = { kind: 'immediately' } as const;
const afterSuccess = (successPercent: number) => ({ kind: 'after-success', successPercent }) as const;
const phase = (name: string, size: { devices: number } | { percent: number }, start: RolloutPhaseSpec['start']) =>
  ({ name, ...size, start }) as RolloutPhaseSpec;
const JOB = (id: string) => `ota-${id}`;

describe('rollout engine', () => {
  let f: RolloutFixture;
  afterEach(() => f.close());

  describe('phases', () => {
    beforeEach(() => {
      f = new RolloutFixture();
    });

    it('queues the canary, then the next phase once the canary has succeeded, then completes', async () => {
      f.carts({ [XUHUI]: 6, [BINJIANG]: 4 });
      const created = await f.create({
        phases: [phase('canary', { devices: 2 }, now), phase('rest', { percent: 100 }, afterSuccess(100))],
      });
      assert.equal(created.state, 'running');
      const job = JOB(created.id);
      assert.equal(f.jobs.queueCalls.length, 1);
      const canary = f.jobs.queueCalls[0]!;
      assert.equal(canary.length, 2);
      assert.equal(
        new Set(canary.map((t) => t.split('-').slice(1, 4).join('-'))).size,
        2,
        'the canary spans both stores',
      );
      assert.deepEqual(
        f.rollout(created.id).phases.map((p) => p.state),
        ['running', 'pending'],
      );

      f.jobs.finish(job, canary[0]!, 'SUCCEEDED', { step: 'committed' });
      await f.settle();
      assert.equal(f.jobs.queueCalls.length, 1, 'one canary still running: the next phase waits');
      f.jobs.finish(job, canary[1]!, 'SUCCEEDED', { step: 'committed' });
      await f.settle();
      assert.equal(f.jobs.queueCalls.length, 2);
      assert.equal(f.jobs.queueCalls[1]!.length, 8, 'the rest in one call');
      for (const thing of f.jobs.queueCalls[1]!) f.jobs.finish(job, thing, 'SUCCEEDED');
      await f.settle();
      const done = f.rollout(created.id);
      assert.equal(done.state, 'completed');
      assert.deepEqual(
        done.phases.map((p) => p.state),
        ['done', 'done'],
      );
      assert.equal(done.counts.succeeded, 10);
      assert.equal(done.counts.total, 10);
      // What was stored agrees with what the engine held.
      assert.deepEqual(
        f.repository.phaseCounts(created.id, 2).map((c) => c.succeeded),
        [2, 8],
      );
    });

    it('after-success waits for its percentage of the previous phase, not counting devices still at work', async () => {
      f.carts({ [XUHUI]: 10 });
      const created = await f.create({
        phases: [phase('canary', { devices: 4 }, now), phase('rest', { percent: 100 }, afterSuccess(75))],
        abort: { failureTypes: ['FAILED'], thresholdPercent: 50, minFinished: 4 },
      });
      const job = JOB(created.id);
      const canary = f.jobs.queueCalls[0]!;
      f.jobs.finish(job, canary[0]!, 'SUCCEEDED');
      f.jobs.finish(job, canary[1]!, 'SUCCEEDED');
      f.jobs.finish(job, canary[2]!, 'FAILED', { reason: 'OTA_HEALTH_CHECK_FAILED' });
      f.jobs.start(job, canary[3]!);
      await f.settle();
      assert.equal(f.jobs.queueCalls.length, 1, '2 of 4 succeeded: 50 % < 75 %');
      f.jobs.report(job, canary[3]!, 'SUCCEEDED');
      await f.settle();
      assert.equal(f.jobs.queueCalls.length, 2, '3 of 4: 75 %');
      assert.ok(f.rollout(created.id).phases[1]!.startedAt);
    });

    it('a phase at a time starts at that time (on the tick), not before', async () => {
      f.carts({ [XUHUI]: 4 });
      const at = f.clock.now() + 3_600_000;
      const created = await f.create({
        phases: [phase('canary', { devices: 1 }, now), phase('later', { percent: 100 }, { kind: 'at', at })],
      });
      f.jobs.finish(JOB(created.id), f.jobs.queueCalls[0]![0]!, 'SUCCEEDED');
      await f.settle();
      f.clock.advance(3_600_000 - 5_001);
      await f.settle();
      assert.equal(f.jobs.queueCalls.length, 1);
      f.clock.advance(5_001);
      await f.settle();
      assert.equal(f.jobs.queueCalls.length, 2);
      assert.equal(f.rollout(created.id).phases[1]!.startedAt, at);
    });

    it('a rollout starting later is scheduled and queues nothing until then', async () => {
      f.carts({ [XUHUI]: 3 });
      const startAt = f.clock.now() + 60_000;
      const created = await f.create({ startAt });
      assert.equal(created.state, 'scheduled');
      f.clock.advance(55_000);
      await f.settle();
      assert.equal(f.jobs.queueCalls.length, 0);
      f.clock.advance(5_000);
      await f.settle();
      assert.equal(f.rollout(created.id).state, 'running');
      assert.equal(f.jobs.queueCalls.length, 1);
    });
  });

  describe('rate limit and windows', () => {
    beforeEach(() => {
      f = new RolloutFixture();
    });

    it('without a rate limit, 1,000 devices are queued in one call', async () => {
      f.carts({ [XUHUI]: 600, [BINJIANG]: 400 });
      await f.create({
        phases: [phase('all', { percent: 100 }, now)],
        abort: { failureTypes: ['FAILED'], thresholdPercent: 20, minFinished: 10 },
      });
      assert.equal(f.jobs.queueCalls.length, 1);
      assert.equal(f.jobs.queueCalls[0]!.length, 1000);
    });

    it('with a rate limit, no minute gets more than the rate', async () => {
      f.carts({ [XUHUI]: 25 });
      const created = await f.create({ phases: [phase('all', { percent: 100 }, now)], ratePerMinute: 10 });
      const queued = () => f.jobs.queueCalls.flat().length;
      assert.equal(queued(), 10);
      f.clock.advance(55_000);
      await f.settle();
      assert.equal(queued(), 10, 'not before a minute has passed');
      f.clock.advance(5_000);
      await f.settle();
      assert.equal(queued(), 20);
      f.clock.advance(60_000);
      await f.settle();
      assert.equal(queued(), 25);
      assert.equal(f.rollout(created.id).counts.queued, 25);
    });

    it('queues a store’s devices only inside its maintenance window, read in the store’s zone', async () => {
      f.carts({ [XUHUI]: 3, [BINJIANG]: 3 });
      // 02:00-03:00 in Shanghai (18:00-19:00 UTC); Binjiang at 05:00 local.
      await f.service.putWindows(XUHUI, [{ cron: '0 2 * * *', durationMinutes: 60, timeZone: '' }], { username: 'hq' });
      await f.service.putWindows(BINJIANG, [{ cron: '0 5 * * *', durationMinutes: 30, timeZone: '' }], {
        username: 'hq',
      });
      const created = await f.create({ phases: [phase('all', { percent: 100 }, now)], useMaintenanceWindows: true });
      assert.equal(f.jobs.queueCalls.length, 0, 'noon in Shanghai: both closed');
      f.clock.advance(Date.parse('2027-01-15T18:00:00Z') - f.clock.now());
      await f.settle();
      assert.deepEqual(
        f.jobs.queueCalls.flat().map((t) => t.startsWith(`cart-${XUHUI}`)),
        [true, true, true],
      );
      f.clock.advance(3 * 3_600_000);
      await f.settle();
      assert.equal(f.jobs.queueCalls.flat().length, 6, "Binjiang's window opened at 21:00 UTC");
      assert.equal(f.rollout(created.id).counts.queued, 6);
    });

    it('caps a store’s downloads while its devices are on the rollout, and only then', async () => {
      f.carts({ [XUHUI]: 2, [BINJIANG]: 1 });
      const capped = await f.create({ phases: [phase('all', { percent: 100 }, now)], storeBandwidthKbps: 2000 });
      const [a] = f.jobs.queueCalls[0]!.filter((t) => t.includes(XUHUI));
      assert.deepEqual(f.engine.downloadCapOf(a!), { storeId: XUHUI, kbps: 2000 });
      f.jobs.start(JOB(capped.id), a!);
      assert.deepEqual(f.engine.downloadCapOf(a!), { storeId: XUHUI, kbps: 2000 }, 'while in progress');
      f.jobs.report(JOB(capped.id), a!, 'SUCCEEDED');
      await f.settle();
      assert.equal(f.engine.downloadCapOf(a!), null, 'done: no cap');
      assert.equal(f.engine.downloadCapOf('cart-not-in-any-rollout'), null);
    });

    it('windows across the spring-forward night in New York', async () => {
      f.carts({ [MANHATTAN]: 2 });
      f.clock.jump(Date.parse('2027-03-14T06:00:00Z') - f.clock.now());
      await f.service.putWindows(MANHATTAN, [{ cron: '30 2 * * *', durationMinutes: 20, timeZone: '' }], {
        username: 'hq',
      });
      await f.create({ phases: [phase('all', { percent: 100 }, now)], useMaintenanceWindows: true });
      f.clock.advance(Date.parse('2027-03-14T07:29:00Z') - f.clock.now());
      await f.settle();
      assert.equal(f.jobs.queueCalls.length, 0, '02:30 does not exist that night: the window opens at 03:30 EDT');
      f.clock.advance(5 * 60_000);
      await f.settle();
      assert.equal(f.jobs.queueCalls.flat().length, 2);
    });
  });

  describe('safety', () => {
    beforeEach(() => {
      f = new RolloutFixture();
    });

    it('aborts once the minimum has finished and the threshold is passed, canceling queued AND in-progress executions', async () => {
      f.carts({ [XUHUI]: 10, [BINJIANG]: 10 });
      const created = await f.create({
        phases: [phase('first', { percent: 40 }, now), phase('rest', { percent: 60 }, afterSuccess(90))],
        abort: { failureTypes: ['FAILED', 'TIMED_OUT'], thresholdPercent: 50, minFinished: 4 },
      });
      const job = JOB(created.id);
      const first = f.jobs.queueCalls[0]!;
      assert.equal(first.length, 8);
      f.jobs.finish(job, first[0]!, 'FAILED', { reason: 'OTA_HEALTH_CHECK_FAILED', logs: 'boom' });
      f.jobs.finish(job, first[1]!, 'FAILED', { reason: 'OTA_CRASH_LOOP' });
      f.jobs.finish(job, first[2]!, 'TIMED_OUT');
      await f.settle();
      assert.equal(f.rollout(created.id).state, 'running', '3 failures but only 3 finished: below the minimum');
      f.jobs.start(job, first[3]!);
      f.jobs.start(job, first[4]!, { step: 'installing', progress: '40' });
      f.jobs.finish(job, first[5]!, 'SUCCEEDED');
      await f.settle();
      const aborted = f.rollout(created.id);
      assert.equal(aborted.state, 'aborted');
      assert.match(aborted.stateReason ?? '', /^abort criteria: 3 of 4 finished devices FAILED\/TIMED_OUT \(75 %\)/);
      assert.equal(f.jobs.jobs.get(job)?.cancel?.force, true, 'force: in-progress executions are canceled too');
      assert.equal(f.jobs.statusOf(job, first[3]!), 'CANCELED');
      assert.equal(f.jobs.statusOf(job, first[4]!), 'CANCELED', 'in progress, canceled: its agent rolls back');
      assert.equal(f.jobs.statusOf(job, first[6]!), 'CANCELED', 'queued, canceled');
      const devices = f.service.devices({ username: 'hq', storeIds: null }, created.id, { limit: 50, offset: 0 });
      const byThing = new Map(devices.items.map((d) => [d.thingName, d]));
      assert.equal(byThing.get(first[4]!)?.status, 'CANCELED');
      assert.equal(byThing.get(first[4]!)?.reason, 'OTA_CANCELED');
      assert.equal(byThing.get(first[0]!)?.logs, 'boom');
      assert.equal(aborted.phases[1]!.counts.canceled, 12, 'the next phase never queued: its devices are canceled');
      assert.equal(f.jobs.queueCalls.length, 1);
    });

    it('retries failures per type within their limits; a rejection is never retried', async () => {
      f.carts({ [XUHUI]: 3 });
      const created = await f.create({
        phases: [phase('all', { percent: 100 }, now)],
        retries: { FAILED: 2, TIMED_OUT: 1 },
        abort: { failureTypes: ['FAILED'], thresholdPercent: 100, minFinished: 3 },
      });
      const job = JOB(created.id);
      const [a, b, c] = f.jobs.queueCalls[0]!;
      for (let attempt = 1; attempt <= 3; attempt++) {
        assert.equal(f.jobs.getExecution(job, a!)?.executionNumber, attempt);
        f.jobs.finish(job, a!, 'FAILED', { reason: 'OTA_INSTALL_FAILED' });
        await f.settle();
      }
      assert.equal(f.jobs.getExecution(job, a!)?.executionNumber, 3, 'two retries, then no more');
      f.jobs.finish(job, b!, 'TIMED_OUT');
      await f.settle();
      assert.equal(f.jobs.getExecution(job, b!)?.executionNumber, 2);
      f.jobs.finish(job, b!, 'TIMED_OUT');
      await f.settle();
      assert.equal(f.jobs.getExecution(job, b!)?.executionNumber, 2, 'one TIMED_OUT retry');
      f.jobs.finish(job, c!, 'REJECTED', { reason: 'OTA_SIGNATURE_INVALID' });
      await f.settle();
      assert.equal(f.jobs.getExecution(job, c!)?.executionNumber, 1);
      const devices = f.service.devices({ username: 'hq', storeIds: null }, created.id, { limit: 50, offset: 0 }).items;
      assert.deepEqual(
        devices.map((d) => [d.thingName, d.status, d.attempts]).sort(),
        [
          [a, 'FAILED', 3],
          [b, 'TIMED_OUT', 2],
          [c, 'REJECTED', 1],
        ].sort(),
      );
      assert.equal(f.rollout(created.id).state, 'completed');
    });

    it('pause queues nothing new; resume goes on; a finished rollout cannot be paused, resumed or aborted', async () => {
      f.carts({ [XUHUI]: 6 });
      const created = await f.create({
        phases: [phase('canary', { devices: 1 }, now), phase('rest', { percent: 100 }, afterSuccess(100))],
      });
      const job = JOB(created.id);
      const paused = await f.service.pause({ username: 'alice', storeIds: null }, created.id, 'checking the canary');
      assert.equal(paused.state, 'paused');
      assert.equal(paused.stateReason, 'paused by alice: checking the canary');
      await assert.rejects(f.service.pause({ username: 'alice', storeIds: null }, created.id), {
        code: 'ROLLOUT_STATE_INVALID',
      });
      f.jobs.finish(job, f.jobs.queueCalls[0]![0]!, 'SUCCEEDED');
      await f.settle();
      f.clock.advance(60_000);
      await f.settle();
      assert.equal(f.jobs.queueCalls.length, 1, 'paused: the next phase is not queued');
      assert.equal(f.rollout(created.id).counts.succeeded, 1, 'executions are still followed');
      const resumed = await f.service.resume({ username: 'alice', storeIds: null }, created.id);
      assert.equal(resumed.state, 'running');
      await f.settle();
      assert.equal(f.jobs.queueCalls.length, 2);
      await assert.rejects(f.service.resume({ username: 'alice', storeIds: null }, created.id), {
        code: 'ROLLOUT_STATE_INVALID',
      });
      for (const thing of f.jobs.queueCalls[1]!) f.jobs.finish(job, thing, 'SUCCEEDED');
      await f.settle();
      assert.equal(f.rollout(created.id).state, 'completed');
      for (const action of ['pause', 'resume', 'abort', 'cancel'] as const) {
        await assert.rejects(f.service[action]({ username: 'alice', storeIds: null }, created.id), {
          code: 'ROLLOUT_STATE_INVALID',
        });
      }
      await assert.rejects(f.service.pause({ username: 'alice', storeIds: null }, 'ro-nope'), {
        code: 'ROLLOUT_NOT_FOUND',
      });
    });

    it('an operator’s cancel stops queueing and cancels what is queued, letting devices in progress finish', async () => {
      f.carts({ [XUHUI]: 4 });
      const created = await f.create({ phases: [phase('all', { percent: 100 }, now)] });
      const job = JOB(created.id);
      const [a, b] = f.jobs.queueCalls[0]!;
      f.jobs.start(job, a!);
      const canceled = await f.service.cancel({ username: 'alice', storeIds: null }, created.id, 'wrong release');
      await f.settle();
      assert.equal(canceled.state, 'canceled');
      assert.equal(f.jobs.jobs.get(job)?.cancel?.force, false);
      assert.equal(f.jobs.statusOf(job, b!), 'CANCELED');
      assert.equal(f.jobs.statusOf(job, a!), 'IN_PROGRESS');
      f.jobs.report(job, a!, 'SUCCEEDED', { step: 'committed' });
      await f.settle();
      const stored = f.repository.device(created.id, a!);
      assert.equal(stored?.status, 'SUCCEEDED', 'followed to its end');
      assert.equal(f.engine.active(created.id), undefined, 'and then let go');
    });
  });

  describe('penalty box', () => {
    beforeEach(() => {
      f = new RolloutFixture();
    });

    it('leaves out a device with 3 failures in 7 days; 2 are not enough (the positive control)', async () => {
      f.carts({ [XUHUI]: 3 });
      const [boxed, almost] = f.inventory.devices.map((d) => d.thingName);
      const day = 86_400_000;
      for (const ago of [1, 2, 3])
        f.penalties.recordFailure(boxed!, 'ro-old', 'FAILED', null, f.clock.now() - ago * day);
      for (const ago of [1, 2]) f.penalties.recordFailure(almost!, 'ro-old', 'FAILED', null, f.clock.now() - ago * day);
      const preview = f.service.preview({
        ...(await import('../../helpers/ota-rollout.ts')).rolloutSpec({ releaseId: 'rel-110' }),
      });
      assert.deepEqual(preview.excluded, [{ reason: 'penalty-box', devices: 1 }]);
      const created = await f.create({ phases: [phase('all', { percent: 100 }, now)] });
      assert.deepEqual(
        f.jobs.queueCalls[0]!.sort(),
        f.inventory.devices
          .map((d) => d.thingName)
          .filter((t) => t !== boxed)
          .sort(),
      );
      assert.equal(f.service.deviceOta(boxed!).penaltyBox, true);
      assert.equal(f.service.deviceOta(almost!).penaltyBox, false);
      assert.equal(f.rollout(created.id).counts.total, 2);
    });

    it('a device that lands in the box while its phase waits is left out (REMOVED); a technician’s retry takes it out and queues it', async () => {
      f.carts({ [XUHUI]: 3 });
      const created = await f.create({
        phases: [phase('canary', { devices: 1 }, now), phase('rest', { percent: 100 }, afterSuccess(100))],
      });
      const job = JOB(created.id);
      const waiting = f.inventory.devices.map((d) => d.thingName).find((t) => !f.jobs.queueCalls[0]!.includes(t))!;
      for (const ago of [1, 2, 3])
        f.penalties.recordFailure(waiting, 'ro-other', 'TIMED_OUT', null, f.clock.now() - ago * 3_600_000);
      f.jobs.finish(job, f.jobs.queueCalls[0]![0]!, 'SUCCEEDED');
      await f.settle();
      assert.equal(f.jobs.queueCalls[1]!.length, 1, 'the other waiting device only');
      assert.equal(f.repository.device(created.id, waiting)?.status, 'REMOVED');
      for (const thing of f.jobs.queueCalls[1]!) f.jobs.finish(job, thing, 'SUCCEEDED');
      await f.settle();
      assert.equal(f.rollout(created.id).state, 'completed');

      const retried = await f.service.retryDevice({ username: 'tech', storeIds: null }, created.id, waiting);
      assert.equal(retried.status, 'QUEUED');
      assert.equal(f.rollout(created.id).state, 'running', 'reopened until the device finishes');
      assert.equal(f.service.deviceOta(waiting).penaltyBox, false, 'out of the box');
      f.jobs.finish(job, waiting, 'SUCCEEDED');
      await f.settle();
      assert.equal(f.rollout(created.id).state, 'completed');
      await assert.rejects(f.service.retryDevice({ username: 'tech', storeIds: null }, created.id, waiting), {
        code: 'ROLLOUT_STATE_INVALID',
      });
    });

    it('failures during a rollout fill the box, and a retry that would put the device in it is not made', async () => {
      f = new RolloutFixture({ penaltyBox: { failures: 2, windowMs: 86_400_000, statuses: ['FAILED', 'TIMED_OUT'] } });
      f.carts({ [XUHUI]: 2 });
      const created = await f.create({
        phases: [phase('all', { percent: 100 }, now)],
        retries: { FAILED: 5, TIMED_OUT: 0 },
        abort: { failureTypes: ['FAILED'], thresholdPercent: 100, minFinished: 2 },
      });
      const job = JOB(created.id);
      const [a] = f.jobs.queueCalls[0]!;
      f.jobs.finish(job, a!, 'FAILED');
      await f.settle();
      assert.equal(f.jobs.getExecution(job, a!)?.executionNumber, 2, 'one failure: retried');
      f.jobs.finish(job, a!, 'FAILED');
      await f.settle();
      assert.equal(f.jobs.getExecution(job, a!)?.executionNumber, 2, 'two: in the box, no third try');
      assert.equal(f.service.deviceOta(a!).penaltyBox, true);
    });
  });

  describe('restart and live events', () => {
    beforeEach(() => {
      f = new RolloutFixture();
    });

    it('a restarted engine rebuilds its rollouts from the database and catches up with executions it missed', async () => {
      f.carts({ [XUHUI]: 5, [BINJIANG]: 5 });
      const created = await f.create({
        phases: [phase('canary', { devices: 2 }, now), phase('rest', { percent: 100 }, afterSuccess(100))],
        ratePerMinute: 100,
      });
      const job = JOB(created.id);
      const [a, b] = f.jobs.queueCalls[0]!;
      f.jobs.finish(job, a!, 'SUCCEEDED');
      await f.settle();
      f.engine.stop();
      // While the fleet is down for the engine, the other canary finishes.
      f.jobs.finish(job, b!, 'SUCCEEDED', { step: 'committed' });
      await f.restart();
      assert.equal(f.jobs.listenerCount, 1, 'the stopped engine let go of the jobs service');
      const after = f.rollout(created.id);
      assert.equal(after.phases[0]!.counts.succeeded, 2);
      assert.equal(f.jobs.queueCalls.length, 2, 'the next phase started on the caught-up counts');
      assert.equal(f.jobs.queueCalls[1]!.length, 8);
      for (const thing of f.jobs.queueCalls[1]!) f.jobs.finish(job, thing, 'SUCCEEDED');
      await f.settle();
      assert.equal(f.rollout(created.id).state, 'completed');
      assert.equal(f.rollout(created.id).counts.succeeded, 10);
    });

    it('a restart keeps the rate limit of the minute before it', async () => {
      f.carts({ [XUHUI]: 10 });
      await f.create({ phases: [phase('all', { percent: 100 }, now)], ratePerMinute: 4 });
      assert.equal(f.jobs.queueCalls.flat().length, 4);
      f.clock.advance(20_000);
      await f.restart();
      assert.equal(f.jobs.queueCalls.flat().length, 4, 'the 4 of 20 s ago still count');
      f.clock.advance(40_000);
      await f.settle();
      assert.equal(f.jobs.queueCalls.flat().length, 8);
    });

    it('rollout events at most once a second per rollout, carrying the latest counts; device events coalesced', async () => {
      f.carts({ [XUHUI]: 50 });
      const created = await f.create({ phases: [phase('all', { percent: 100 }, now)] });
      const job = JOB(created.id);
      // Past the creation's own events and their flush: the next change is the first in a second.
      f.clock.advance(2_000);
      f.events.rollouts.length = 0;
      f.events.devices.length = 0;
      const things = f.jobs.queueCalls[0]!;
      for (const thing of things) f.jobs.start(job, thing, { step: 'downloading', progress: '10' });
      for (const thing of things) f.jobs.report(job, thing, 'IN_PROGRESS', { step: 'downloading', progress: '60' });
      assert.equal(f.events.rollouts.length, 1, 'the first change goes out at once');
      assert.equal(f.events.devices.length, 0, 'device events wait for the flush');
      f.clock.advance(1_000);
      assert.equal(f.events.rollouts.length, 2);
      assert.equal(f.events.rollouts[1]!.counts.inProgress, 50);
      assert.equal(f.events.devices.length, 50, 'one per device, not two');
      assert.deepEqual([...new Set(f.events.devices.map((e) => e.device.progress))], [60]);
    });
  });
});
