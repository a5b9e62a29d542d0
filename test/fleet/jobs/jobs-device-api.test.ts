import assert from 'node:assert/strict';
import { jobsTopics } from '../../../protocol/jobs.ts';
import type { Body } from '../../mocks/fake-jobs-broker.ts';
import { DOCUMENT, JobsFixture, TestDevice } from './jobs-fixture.ts';

const seconds = (ms: number) => Math.floor(ms / 1000);

describe('JobsService: the device MQTT API (fake broker, real SQLite file, fake clock)', () => {
  let f: JobsFixture;

  beforeEach(() => {
    f = new JobsFixture();
  });

  afterEach(() => f.close());

  it('starts the next execution: QUEUED → IN_PROGRESS with its status details, the document, the token', async () => {
    f.job('ota-1');
    const queuedAt = f.clock.now();
    f.service.queueExecutions('ota-1', ['cart-1']);
    f.clock.advance(5_000);
    const cart = f.device('cart-1');
    const answer = await cart.startNext({
      statusDetails: { step: 'waiting' },
      clientToken: 'c-1',
      thingName: 'cart-1',
    });
    assert.equal(answer.topic, '$aws/things/cart-1/jobs/start-next/accepted');
    assert.deepEqual(answer.body, {
      execution: {
        jobId: 'ota-1',
        thingName: 'cart-1',
        status: 'IN_PROGRESS',
        statusDetails: { step: 'waiting' },
        queuedAt: seconds(queuedAt),
        startedAt: seconds(f.clock.now()),
        lastUpdatedAt: seconds(f.clock.now()),
        versionNumber: 2,
        executionNumber: 1,
        jobDocument: DOCUMENT,
      },
      timestamp: seconds(f.clock.now()),
      clientToken: 'c-1',
    });
    // Already IN_PROGRESS: start-next hands it back unchanged ("its status details are not changed").
    const again = await cart.startNext({ statusDetails: { step: 'other' } });
    assert.deepEqual((again.body.execution as Body).statusDetails, { step: 'waiting' });
    assert.equal((again.body.execution as Body).versionNumber, 2);
  });

  it('answers start-next and $next without an execution when nothing is pending', async () => {
    const cart = f.device('cart-1');
    assert.deepEqual((await cart.startNext({ clientToken: 'a' })).body, {
      timestamp: seconds(f.clock.now()),
      clientToken: 'a',
    });
    const described = await cart.describe('$next');
    assert.equal(described.topic, '$aws/things/cart-1/jobs/$next/get/accepted');
    assert.deepEqual(described.body, { timestamp: seconds(f.clock.now()) });
  });

  it('lists pending executions: IN_PROGRESS and QUEUED apart, each in queue order', async () => {
    for (const id of ['j1', 'j2', 'j3']) {
      f.job(id);
      f.service.queueExecutions(id, ['cart-1']);
      f.clock.advance(1_000);
    }
    const cart = f.device('cart-1');
    await cart.update('j3', { status: 'IN_PROGRESS' });
    const { body } = await cart.getPending({ clientToken: 'g' });
    assert.deepEqual(
      (body.inProgressJobs as Body[]).map((s) => s.jobId),
      ['j3'],
    );
    assert.deepEqual(
      (body.queuedJobs as Body[]).map((s) => s.jobId),
      ['j1', 'j2'],
    );
    assert.equal(body.clientToken, 'g');
    assert.deepEqual(Object.keys((body.queuedJobs as Body[])[0] as Body).sort(), [
      'executionNumber',
      'jobId',
      'lastUpdatedAt',
      'queuedAt',
      'versionNumber',
    ]);
    // $next is the IN_PROGRESS one, though queued last.
    assert.equal(((await cart.describe('$next')).body.execution as Body).jobId, 'j3');
  });

  it('updates IN_PROGRESS → IN_PROGRESS → SUCCEEDED, the version going up each time, then refuses any change', async () => {
    f.job('ota-1');
    f.service.queueExecutions('ota-1', ['cart-1']);
    const cart = f.device('cart-1');
    const started = await cart.update('ota-1', {
      status: 'IN_PROGRESS',
      statusDetails: { step: 'downloading' },
      includeJobExecutionState: true,
      includeJobDocument: true,
      clientToken: 'u1',
    });
    assert.equal(started.topic, '$aws/things/cart-1/jobs/ota-1/update/accepted');
    assert.deepEqual(started.body, {
      executionState: { status: 'IN_PROGRESS', statusDetails: { step: 'downloading' }, versionNumber: 2 },
      jobDocument: DOCUMENT,
      timestamp: seconds(f.clock.now()),
      clientToken: 'u1',
    });
    // Without the include flags AWS leaves both out.
    const progress = await cart.update('ota-1', { status: 'IN_PROGRESS', statusDetails: { step: 'installing' } });
    assert.deepEqual(progress.body, { timestamp: seconds(f.clock.now()) });
    const done = await cart.update('ota-1', {
      status: 'SUCCEEDED',
      expectedVersion: 3,
      includeJobExecutionState: true,
    });
    assert.deepEqual(done.body.executionState, {
      status: 'SUCCEEDED',
      statusDetails: { step: 'installing' },
      versionNumber: 4,
    });
    const refused = await cart.update('ota-1', { status: 'IN_PROGRESS', clientToken: 'late' });
    assert.equal(refused.topic, '$aws/things/cart-1/jobs/ota-1/update/rejected');
    assert.equal(refused.body.code, 'InvalidStateTransition');
    assert.equal(refused.body.clientToken, 'late');
    assert.deepEqual(refused.body.executionState, {
      status: 'SUCCEEDED',
      statusDetails: { step: 'installing' },
      versionNumber: 4,
    });
    assert.equal(f.service.getExecution('ota-1', 'cart-1')?.versionNumber, 4);
  });

  it('lets a device finish or reject a QUEUED execution without starting it', async () => {
    f.job('a');
    f.job('b');
    f.service.queueExecutions('a', ['cart-1']);
    f.service.queueExecutions('b', ['cart-1']);
    const cart = f.device('cart-1');
    assert.equal(
      (await cart.update('a', { status: 'REJECTED', statusDetails: { reason: 'OTA_KIND_MISMATCH' } })).body.code,
      undefined,
    );
    assert.equal(f.service.getExecution('a', 'cart-1')?.status, 'REJECTED');
    assert.equal(f.service.getExecution('a', 'cart-1')?.startedAt, null);
    await cart.update('b', { status: 'FAILED' });
    assert.equal(f.service.getExecution('b', 'cart-1')?.status, 'FAILED');
  });

  it('refuses an update whose expectedVersion is not the execution’s (VersionMismatch with its state), changing nothing', async () => {
    f.job('ota-1');
    f.service.queueExecutions('ota-1', ['cart-1']);
    const cart = f.device('cart-1');
    await cart.startNext({ statusDetails: { step: 'downloading' } });
    const refused = await cart.update('ota-1', {
      status: 'SUCCEEDED',
      expectedVersion: 1,
      statusDetails: { step: 'done' },
      clientToken: 'v',
    });
    assert.deepEqual(refused.body, {
      code: 'VersionMismatch',
      message: 'The execution is at version 2, not 1',
      clientToken: 'v',
      timestamp: seconds(f.clock.now()),
      executionState: { status: 'IN_PROGRESS', statusDetails: { step: 'downloading' }, versionNumber: 2 },
    });
    const execution = f.service.getExecution('ota-1', 'cart-1');
    assert.equal(execution?.status, 'IN_PROGRESS');
    assert.deepEqual(execution?.statusDetails, { step: 'downloading' });
    // Positive control: the version it answered with is accepted.
    assert.equal(
      (await cart.update('ota-1', { status: 'SUCCEEDED', expectedVersion: 2 })).topic.endsWith('/accepted'),
      true,
    );
  });

  it('answers ResourceNotFound for a job the thing has no execution of (another thing’s, or none at all)', async () => {
    f.job('ota-1');
    f.service.queueExecutions('ota-1', ['cart-2']);
    const cart1 = f.device('cart-1');
    for (const jobId of ['ota-1', 'no-such-job']) {
      const refused = await cart1.update(jobId, { status: 'SUCCEEDED', clientToken: 't' });
      assert.equal(refused.topic, `$aws/things/cart-1/jobs/${jobId}/update/rejected`);
      assert.equal(refused.body.code, 'ResourceNotFound');
      assert.equal(refused.body.clientToken, 't');
      assert.equal(refused.body.executionState, undefined);
      assert.equal((await cart1.describe(jobId)).body.code, 'ResourceNotFound');
    }
    // cart-2's execution is untouched; cart-2 itself may update it.
    assert.equal(f.service.getExecution('ota-1', 'cart-2')?.status, 'QUEUED');
    assert.equal(
      (await f.device('cart-2').update('ota-1', { status: 'IN_PROGRESS' })).topic.endsWith('/accepted'),
      true,
    );
  });

  it('numbers executions: a retry is a new execution, and executionNumber picks one', async () => {
    f.job('ota-1');
    const cart = f.device('cart-1');
    assert.equal(f.service.queueExecutions('ota-1', ['cart-1'])[0]?.executionNumber, 1);
    await cart.update('ota-1', { status: 'FAILED' });
    const retry = f.service.queueExecutions('ota-1', ['cart-1']);
    assert.equal(retry[0]?.executionNumber, 2);
    assert.equal(retry[0]?.versionNumber, 1);
    // A non-terminal execution is left alone: nothing is queued.
    assert.deepEqual(f.service.queueExecutions('ota-1', ['cart-1']), []);
    // The latest unless executionNumber says otherwise.
    const latest = await cart.describe('ota-1', { includeJobDocument: false });
    assert.equal((latest.body.execution as Body).executionNumber, 2);
    assert.equal((latest.body.execution as Body).jobDocument, undefined);
    assert.equal((await cart.describe('ota-1', { executionNumber: 1 })).body.code, 'TerminalStateReached');
    assert.equal(
      (await cart.update('ota-1', { status: 'IN_PROGRESS', executionNumber: 1 })).body.code,
      'InvalidStateTransition',
    );
    assert.equal(
      (await cart.update('ota-1', { status: 'IN_PROGRESS', executionNumber: 3 })).body.code,
      'ResourceNotFound',
    );
    assert.equal(
      (await cart.update('ota-1', { status: 'IN_PROGRESS', executionNumber: 2 })).topic.endsWith('/accepted'),
      true,
    );
    assert.equal(f.service.getExecution('ota-1', 'cart-1')?.status, 'IN_PROGRESS');
  });

  it('answers InvalidJson, InvalidRequest and InvalidTopic on the request’s rejected topic, changing nothing', async () => {
    f.job('ota-1');
    f.service.queueExecutions('ota-1', ['cart-1']);
    const cart = f.device('cart-1');
    const bad = await cart.update('ota-1', '{"status": "SUCCEEDED"');
    assert.equal(bad.topic, '$aws/things/cart-1/jobs/ota-1/update/rejected');
    assert.equal(bad.body.code, 'InvalidJson');
    const invalid = await cart.update('ota-1', {
      status: 'SUCCEEDED',
      statusDetails: { 'bad key': 'x' },
      clientToken: 'k',
    });
    assert.equal(invalid.body.code, 'InvalidRequest');
    assert.equal(invalid.body.clientToken, 'k');
    for (const topic of ['$aws/things/cart-1/jobs/ota-1/delete', '$aws/things/cart-1/jobs/bad.id/update']) {
      const answer = await f.broker.request(topic, { clientToken: 'it' });
      assert.deepEqual(answer, {
        topic: `${topic}/rejected`,
        body: {
          code: 'InvalidTopic',
          message: 'The topic maps to no AWS IoT Jobs operation, or its thing name or job id is invalid',
          clientToken: 'it',
          timestamp: seconds(f.clock.now()),
        },
      });
    }
    assert.equal(f.service.getExecution('ota-1', 'cart-1')?.status, 'QUEUED');
    assert.equal(f.service.getExecution('ota-1', 'cart-1')?.versionNumber, 1);
    // Answers and notifications are no requests: nothing takes them.
    assert.equal(f.broker.takes(jobsTopics.notifyNext('cart-1')), false);
    assert.equal(f.broker.takes('$aws/things/cart-1/jobs/ota-1/update/accepted'), false);
  });

  it('describes a terminal execution with TerminalStateReached', async () => {
    f.job('ota-1');
    f.service.queueExecutions('ota-1', ['cart-1']);
    const cart = f.device('cart-1');
    assert.equal(((await cart.describe('ota-1')).body.execution as Body).status, 'QUEUED');
    await cart.update('ota-1', { status: 'SUCCEEDED' });
    const refused = await cart.describe('ota-1', { clientToken: 'd' });
    assert.equal(refused.topic, '$aws/things/cart-1/jobs/ota-1/get/rejected');
    assert.equal(refused.body.code, 'TerminalStateReached');
    assert.equal(refused.body.clientToken, 'd');
  });

  it('notifies exactly as AWS’s "Jobs notifications" walk-through does', async () => {
    const cart = f.device('cart-1');
    const step = () => ({ notify: cart.notify.length, next: cart.notifyNext.length });
    const listedLast = () => TestDevice.listed(cart.notify.at(-1));
    const nextLast = () => TestDevice.next(cart.notifyNext.at(-1));

    // job1 is created: notify [job1], notify-next job1.
    f.job('job1');
    f.service.queueExecutions('job1', ['cart-1']);
    assert.deepEqual(step(), { notify: 1, next: 1 });
    assert.deepEqual(listedLast(), { QUEUED: ['job1'] });
    assert.equal(nextLast(), 'job1');
    assert.deepEqual((cart.notifyNext.at(-1)!.execution as Body).jobDocument, DOCUMENT);

    // job2: notify [job1, job2]; job1 is still next: no notify-next.
    f.clock.advance(1_000);
    f.job('job2');
    f.service.queueExecutions('job2', ['cart-1']);
    assert.deepEqual(step(), { notify: 2, next: 1 });
    assert.deepEqual(listedLast(), { QUEUED: ['job1', 'job2'] });

    // job1 starts: the list and the next are the same executions: nothing.
    await cart.startNext();
    assert.deepEqual(step(), { notify: 2, next: 1 });

    // job3: notify; job1 is still next.
    f.clock.advance(1_000);
    f.job('job3');
    f.service.queueExecutions('job3', ['cart-1']);
    assert.deepEqual(step(), { notify: 3, next: 1 });
    assert.deepEqual(listedLast(), { IN_PROGRESS: ['job1'], QUEUED: ['job2', 'job3'] });

    // job1 succeeds: notify [job2, job3] and notify-next job2.
    await cart.update('job1', { status: 'SUCCEEDED' });
    assert.deepEqual(step(), { notify: 4, next: 2 });
    assert.deepEqual(listedLast(), { QUEUED: ['job2', 'job3'] });
    assert.equal(nextLast(), 'job2');

    // job3 goes IN_PROGRESS before job2: only notify-next (job3), nothing joined or left.
    await cart.update('job3', { status: 'IN_PROGRESS' });
    assert.deepEqual(step(), { notify: 4, next: 3 });
    assert.equal(nextLast(), 'job3');
    assert.equal((cart.notifyNext.at(-1)!.execution as Body).status, 'IN_PROGRESS');

    // job2 is rejected: notify [job3]; job3 stays next.
    await cart.update('job2', { status: 'REJECTED' });
    assert.deepEqual(step(), { notify: 5, next: 3 });
    assert.deepEqual(listedLast(), { IN_PROGRESS: ['job3'] });

    // job3 is force-deleted: notify with no jobs, notify-next with no execution.
    f.service.deleteJob('job3', { force: true });
    assert.deepEqual(step(), { notify: 6, next: 4 });
    assert.deepEqual(cart.notify.at(-1), { jobs: {}, timestamp: seconds(f.clock.now()) });
    assert.deepEqual(cart.notifyNext.at(-1), { timestamp: seconds(f.clock.now()) });
    // Only cart-1's topics were published to.
    assert.ok(f.broker.published.every((m) => m.topic.startsWith('$aws/things/cart-1/jobs/notify')));
  });

  it('lists at most 15 executions in a notify', () => {
    for (let i = 0; i < 17; i++) {
      f.job(`j${i}`);
      f.service.queueExecutions(`j${i}`, ['cart-1']);
    }
    const last = TestDevice.listed(f.device('cart-1').notify.at(-1));
    assert.equal(last.QUEUED?.length, 15);
    assert.equal(last.QUEUED?.[0], 'j0');
  });
});
