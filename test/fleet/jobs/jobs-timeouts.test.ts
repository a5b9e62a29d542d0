import assert from 'node:assert/strict';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { JobsFixture, MINUTE, TestDevice } from './jobs-fixture.ts';

describe('JobsService: step and in-progress timeouts (fake clock, real SQLite file)', () => {
  let f: JobsFixture;

  beforeEach(() => {
    f = new JobsFixture();
  });

  afterEach(() => f.close());

  const status = (jobId = 'ota-1', thing = 'cart-1') => f.service.getExecution(jobId, thing)?.status;

  it('times an execution out when its step timer runs out, not a millisecond before, and notifies', async () => {
    f.job('ota-1');
    f.service.queueExecutions('ota-1', ['cart-1']);
    const cart = f.device('cart-1');
    await cart.startNext({ stepTimeoutInMinutes: 5, statusDetails: { step: 'downloading' } });
    f.clock.advance(5 * MINUTE - 1);
    assert.equal(status(), 'IN_PROGRESS');
    f.clock.advance(1);
    const execution = f.service.getExecution('ota-1', 'cart-1');
    assert.equal(execution?.status, 'TIMED_OUT');
    assert.equal(execution?.versionNumber, 3);
    assert.equal(execution?.lastUpdatedAt, f.clock.now());
    assert.deepEqual(execution?.statusDetails, { step: 'downloading' });
    assert.deepEqual(TestDevice.listed(cart.notify.at(-1)), {});
    assert.equal(TestDevice.next(cart.notifyNext.at(-1)), undefined);
    assert.deepEqual(f.changes.at(-1)?.previousStatus, 'IN_PROGRESS');
    assert.equal(f.changes.at(-1)?.execution.status, 'TIMED_OUT');
    // The device's late report is refused with the state it is in.
    const late = await cart.update('ota-1', { status: 'SUCCEEDED' });
    assert.equal(late.body.code, 'InvalidStateTransition');
    assert.equal((late.body.executionState as { status: string }).status, 'TIMED_OUT');
  });

  it('restarts the step timer with each update that sets one, and cancels it with -1', async () => {
    f.job('ota-1');
    f.service.queueExecutions('ota-1', ['cart-1']);
    const cart = f.device('cart-1');
    await cart.startNext({ stepTimeoutInMinutes: 5 });
    f.clock.advance(4 * MINUTE);
    await cart.update('ota-1', { status: 'IN_PROGRESS', stepTimeoutInMinutes: 5 });
    f.clock.advance(4 * MINUTE);
    // Without the field, the running step timer goes on.
    await cart.update('ota-1', { status: 'IN_PROGRESS', statusDetails: { step: 'installing' } });
    assert.equal(status(), 'IN_PROGRESS');
    f.clock.advance(1 * MINUTE);
    assert.equal(status(), 'TIMED_OUT');

    f.job('ota-2');
    f.service.queueExecutions('ota-2', ['cart-1']);
    await cart.startNext({ stepTimeoutInMinutes: 1 });
    await cart.update('ota-2', { status: 'IN_PROGRESS', stepTimeoutInMinutes: -1 });
    f.clock.advance(60 * MINUTE);
    assert.equal(status('ota-2'), 'IN_PROGRESS');
  });

  it('times out on the job’s in-progress timer when the step timer was cancelled, counted from the start', async () => {
    f.job('ota-1', 30);
    f.service.queueExecutions('ota-1', ['cart-1']);
    const cart = f.device('cart-1');
    // Queued time does not count: the in-progress timer starts with IN_PROGRESS.
    f.clock.advance(60 * MINUTE);
    await cart.startNext({ stepTimeoutInMinutes: 10 });
    const started = f.clock.now();
    await cart.update('ota-1', { status: 'IN_PROGRESS', stepTimeoutInMinutes: -1 });
    // Updates do not restart it ("the in progress timer can't be updated").
    f.clock.advance(20 * MINUTE);
    await cart.update('ota-1', { status: 'IN_PROGRESS', statusDetails: { step: 'health-check' } });
    f.clock.advance(10 * MINUTE - 1);
    assert.equal(status(), 'IN_PROGRESS');
    f.clock.advance(1);
    assert.equal(status(), 'TIMED_OUT');
    assert.equal(f.service.getExecution('ota-1', 'cart-1')?.lastUpdatedAt, started + 30 * MINUTE);
  });

  it('times out on the step timer first, then another execution on its in-progress timer', async () => {
    f.job('a', 20);
    f.job('b', 20);
    f.service.queueExecutions('a', ['cart-1']);
    f.service.queueExecutions('b', ['cart-2']);
    await f.device('cart-1').startNext({ stepTimeoutInMinutes: 5 });
    await f.device('cart-2').startNext({ stepTimeoutInMinutes: 30 });
    f.clock.advance(5 * MINUTE);
    assert.equal(status('a', 'cart-1'), 'TIMED_OUT');
    assert.equal(status('b', 'cart-2'), 'IN_PROGRESS');
    f.clock.advance(15 * MINUTE);
    assert.equal(status('b', 'cart-2'), 'TIMED_OUT');
    assert.equal(f.clock.pending, 0, 'no timer left once nothing is running');
  });

  it('stops both timers when the device finishes', async () => {
    f.job('ota-1', 10);
    f.service.queueExecutions('ota-1', ['cart-1']);
    const cart = f.device('cart-1');
    await cart.startNext({ stepTimeoutInMinutes: 5 });
    await cart.update('ota-1', { status: 'SUCCEEDED' });
    f.clock.advance(60 * MINUTE);
    assert.equal(status(), 'SUCCEEDED');
    assert.equal(f.changes.filter((c) => c.execution.status === 'TIMED_OUT').length, 0);
  });

  it('re-arms the timers from the database after a restart, and times out what fell due while it was down', async () => {
    f.job('a', 30);
    f.job('b');
    f.service.queueExecutions('a', ['cart-1']);
    f.service.queueExecutions('b', ['cart-2']);
    await f.device('cart-1').startNext();
    await f.device('cart-2').startNext({ stepTimeoutInMinutes: 5 });
    f.service.stop();
    assert.equal(f.clock.pending, 0, 'stop() cleared the timer');
    // Down for 10 minutes: b's step deadline passed meanwhile.
    f.clock.advance(10 * MINUTE);
    assert.equal(status('b', 'cart-2'), 'IN_PROGRESS');
    f.restart();
    f.clock.advance(0);
    assert.equal(status('b', 'cart-2'), 'TIMED_OUT');
    assert.equal(status('a', 'cart-1'), 'IN_PROGRESS');
    f.clock.advance(20 * MINUTE);
    assert.equal(status('a', 'cart-1'), 'TIMED_OUT');
  });

  it('tries a sweep again a second later when another connection holds the database, and then times out', async () => {
    f.job('ota-1');
    f.service.queueExecutions('ota-1', ['cart-1']);
    await f.device('cart-1').startNext({ stepTimeoutInMinutes: 1 });
    const other = new Sqlite(join(f.dir.path, 'fleet.sqlite'));
    try {
      other.exec('BEGIN EXCLUSIVE');
      f.clock.advance(1 * MINUTE);
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    assert.equal(status(), 'IN_PROGRESS');
    f.clock.advance(999);
    assert.equal(status(), 'IN_PROGRESS');
    f.clock.advance(1);
    assert.equal(status(), 'TIMED_OUT');
    assert.equal(f.service.getExecution('ota-1', 'cart-1')?.lastUpdatedAt, f.clock.now());
  });
});
