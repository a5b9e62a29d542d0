import assert from 'node:assert/strict';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { type ErrorCode, isFleetError } from '../../../protocol/errors.ts';
import { DOCUMENT, JobsFixture, TestDevice } from './jobs-fixture.ts';

function throwsCode(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, (err: unknown) => isFleetError(err, code), `expected ${code}`);
}

describe('JobsService: the fleet-side JobsPort (fake broker, real SQLite file, fake clock)', () => {
  let f: JobsFixture;

  beforeEach(() => {
    f = new JobsFixture();
  });

  afterEach(() => f.close());

  it('creates a job and refuses a bad or duplicate one, storing nothing', () => {
    f.service.createJob({ jobId: 'ota-1', document: DOCUMENT, description: 'first', inProgressTimeoutMinutes: 60 });
    assert.deepEqual(f.service.getJob('ota-1'), {
      jobId: 'ota-1',
      document: DOCUMENT,
      description: 'first',
      status: 'IN_PROGRESS',
      inProgressTimeoutMinutes: 60,
      forceCanceled: false,
      reasonCode: null,
      comment: null,
      createdAt: f.clock.now(),
      lastUpdatedAt: f.clock.now(),
      completedAt: null,
    });
    throwsCode(() => f.service.createJob({ jobId: 'ota-1', document: {} }), 'CONFLICT');
    const bad: [string, unknown, number | null][] = [
      ['bad.id', {}, null],
      ['j'.repeat(65), {}, null],
      ['ota-2', ['not', 'an', 'object'], null],
      ['ota-3', 'text', null],
      ['ota-4', { blob: 'x'.repeat(33 * 1024) }, null],
      ['ota-5', {}, 0],
      ['ota-6', {}, 10_081],
      ['ota-7', {}, 1.5],
    ];
    for (const [jobId, document, minutes] of bad) {
      throwsCode(() => f.service.createJob({ jobId, document, inProgressTimeoutMinutes: minutes }), 'BAD_REQUEST');
      assert.equal(f.service.getJob(jobId), undefined, jobId);
    }
    // Positive controls at the limits.
    f.service.createJob({
      jobId: 'j'.repeat(64),
      document: { blob: 'x'.repeat(32 * 1024 - 20) },
      inProgressTimeoutMinutes: 10_080,
    });
  });

  it('queues in one transaction, reports each new execution, and refuses a bad thing name queueing nothing', () => {
    f.job('ota-1');
    throwsCode(() => f.service.queueExecutions('ota-1', ['cart-1', 'not a thing']), 'BAD_REQUEST');
    assert.deepEqual(f.service.listExecutions('ota-1'), []);
    assert.deepEqual(f.broker.published, []);
    throwsCode(() => f.service.queueExecutions('no-job', ['cart-1']), 'NOT_FOUND');

    const queued = f.service.queueExecutions('ota-1', ['cart-2', 'cart-1', 'cart-2']);
    assert.deepEqual(
      queued.map((e) => [e.thingName, e.status, e.executionNumber, e.versionNumber, e.startedAt]),
      [
        ['cart-2', 'QUEUED', 1, 1, null],
        ['cart-1', 'QUEUED', 1, 1, null],
      ],
    );
    assert.deepEqual(
      f.service.listExecutions('ota-1').map((e) => e.thingName),
      ['cart-1', 'cart-2'],
    );
    assert.deepEqual(
      f.changes.map((c) => [c.execution.thingName, c.previousStatus]),
      [
        ['cart-2', null],
        ['cart-1', null],
      ],
    );
    for (const thing of ['cart-1', 'cart-2']) {
      assert.equal(TestDevice.next(f.device(thing).notifyNext.at(-1)), 'ota-1');
      assert.deepEqual(TestDevice.listed(f.device(thing).notify.at(-1)), { QUEUED: ['ota-1'] });
    }
  });

  it('reports device changes (status or details) to listeners with the previous status, and survives a throwing one', async () => {
    f.job('ota-1');
    f.service.queueExecutions('ota-1', ['cart-1']);
    let heard = 0;
    const offThrowing = f.service.onExecutionChange(() => {
      throw new Error('listener bug');
    });
    const off = f.service.onExecutionChange(() => heard++);
    const cart = f.device('cart-1');
    f.changes.length = 0;
    await cart.startNext();
    await cart.update('ota-1', { status: 'IN_PROGRESS', statusDetails: { step: 'downloading', progress: '10' } });
    // Same status, same details (only a step timer): not a change to report.
    await cart.update('ota-1', { status: 'IN_PROGRESS', stepTimeoutInMinutes: 3 });
    await cart.update('ota-1', { status: 'SUCCEEDED' });
    assert.deepEqual(
      f.changes.map((c) => [c.previousStatus, c.execution.status, c.execution.statusDetails.step ?? '-']),
      [
        ['QUEUED', 'IN_PROGRESS', '-'],
        ['IN_PROGRESS', 'IN_PROGRESS', 'downloading'],
        ['IN_PROGRESS', 'SUCCEEDED', 'downloading'],
      ],
    );
    assert.equal(heard, 3);
    off();
    offThrowing();
    f.job('ota-2');
    f.service.queueExecutions('ota-2', ['cart-1']);
    assert.equal(heard, 3);
  });

  it('cancels a QUEUED execution; an IN_PROGRESS one only with force; leaves a terminal one as it is', async () => {
    f.job('ota-1');
    f.service.queueExecutions('ota-1', ['cart-1', 'cart-2', 'cart-3']);
    const canceled = f.service.cancelExecution('ota-1', 'cart-1', {
      force: false,
      statusDetails: { reason: 'OTA_CANCELED' },
    });
    assert.equal(canceled?.status, 'CANCELED');
    assert.deepEqual(canceled?.statusDetails, { reason: 'OTA_CANCELED' });
    assert.deepEqual(TestDevice.listed(f.device('cart-1').notify.at(-1)), {});

    await f.device('cart-2').startNext({ statusDetails: { step: 'installing' } });
    throwsCode(() => f.service.cancelExecution('ota-1', 'cart-2', { force: false }), 'CONFLICT');
    assert.equal(f.service.getExecution('ota-1', 'cart-2')?.status, 'IN_PROGRESS');
    const tooMany = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
    throwsCode(
      () => f.service.cancelExecution('ota-1', 'cart-2', { force: true, statusDetails: tooMany }),
      'BAD_REQUEST',
    );
    assert.equal(f.service.getExecution('ota-1', 'cart-2')?.status, 'IN_PROGRESS');
    const forced = f.service.cancelExecution('ota-1', 'cart-2', { force: true });
    assert.equal(forced?.status, 'CANCELED');
    assert.equal(forced?.versionNumber, 3);
    // The device learns of it from notify-next, and its late update is refused with the state it is in.
    assert.deepEqual(f.device('cart-2').notifyNext.at(-1), { timestamp: Math.floor(f.clock.now() / 1000) });
    const late = await f.device('cart-2').update('ota-1', { status: 'SUCCEEDED', expectedVersion: 2 });
    assert.equal(late.body.code, 'VersionMismatch');
    const later = await f.device('cart-2').update('ota-1', { status: 'SUCCEEDED' });
    assert.equal(later.body.code, 'InvalidStateTransition');
    assert.equal((later.body.executionState as { status: string }).status, 'CANCELED');

    assert.equal(f.service.cancelExecution('ota-1', 'cart-2', { force: true })?.versionNumber, 3);
    assert.equal(f.service.cancelExecution('ota-1', 'nobody', { force: true }), undefined);
    assert.equal(f.service.getExecution('ota-1', 'cart-3')?.status, 'QUEUED');
  });

  it('cancels a job: queued executions, in-progress ones only with force; no queueing afterwards', async () => {
    f.job('ota-1');
    f.service.queueExecutions('ota-1', ['cart-1', 'cart-2', 'cart-3']);
    await f.device('cart-1').startNext();
    await f.device('cart-2').update('ota-1', { status: 'SUCCEEDED' });
    assert.equal(f.service.cancelJob('ota-1', { force: false, reasonCode: 'ABORTED', comment: 'canary failed' }), 1);
    assert.deepEqual(
      f.service.listExecutions('ota-1').map((e) => [e.thingName, e.status]),
      [
        ['cart-1', 'IN_PROGRESS'],
        ['cart-2', 'SUCCEEDED'],
        ['cart-3', 'CANCELED'],
      ],
    );
    const job = f.service.getJob('ota-1');
    assert.equal(job?.status, 'CANCELED');
    assert.equal(job?.forceCanceled, false);
    assert.equal(job?.reasonCode, 'ABORTED');
    throwsCode(() => f.service.queueExecutions('ota-1', ['cart-4']), 'CONFLICT');
    // An in-progress execution of a canceled job goes on (AWS) until a forced cancel.
    assert.equal(
      (await f.device('cart-1').update('ota-1', { status: 'IN_PROGRESS' })).topic.endsWith('/accepted'),
      true,
    );
    assert.equal(f.service.cancelJob('ota-1', { force: true }), 1);
    assert.equal(f.service.getExecution('ota-1', 'cart-1')?.status, 'CANCELED');
    assert.equal(f.service.getJob('ota-1')?.forceCanceled, true);
    throwsCode(() => f.service.cancelJob('ota-1', { force: true, reasonCode: 'lower case' }), 'BAD_REQUEST');
    throwsCode(() => f.service.cancelJob('nope', { force: true }), 'NOT_FOUND');
  });

  it('completes a job once every execution is terminal, and deletes one (pending executions only with force)', async () => {
    f.job('ota-1');
    f.service.queueExecutions('ota-1', ['cart-1']);
    throwsCode(() => f.service.completeJob('ota-1'), 'CONFLICT');
    await f.device('cart-1').update('ota-1', { status: 'SUCCEEDED' });
    f.service.completeJob('ota-1');
    assert.equal(f.service.getJob('ota-1')?.status, 'COMPLETED');
    assert.equal(f.service.getJob('ota-1')?.completedAt, f.clock.now());
    throwsCode(() => f.service.queueExecutions('ota-1', ['cart-1']), 'CONFLICT');

    f.job('ota-2');
    f.service.queueExecutions('ota-2', ['cart-2']);
    throwsCode(() => f.service.deleteJob('ota-2', { force: false }), 'CONFLICT');
    assert.equal(f.service.getExecution('ota-2', 'cart-2')?.status, 'QUEUED');
    f.service.deleteJob('ota-2', { force: true });
    assert.equal(f.service.getJob('ota-2'), undefined);
    assert.equal(f.service.getExecution('ota-2', 'cart-2'), undefined);
    assert.deepEqual(TestDevice.listed(f.device('cart-2').notify.at(-1)), {});
    // The id is free again, with another document.
    f.service.createJob({ jobId: 'ota-2', document: { operation: 'other' } });
    f.service.queueExecutions('ota-2', ['cart-2']);
    assert.deepEqual((await f.device('cart-2').describe('ota-2')).body.execution, {
      jobId: 'ota-2',
      thingName: 'cart-2',
      status: 'QUEUED',
      queuedAt: Math.floor(f.clock.now() / 1000),
      lastUpdatedAt: Math.floor(f.clock.now() / 1000),
      versionNumber: 1,
      executionNumber: 1,
      jobDocument: { operation: 'other' },
    });
  });

  it('hands out the documents of a thing’s pending jobs (what it may download)', async () => {
    f.job('ota-1');
    f.service.createJob({ jobId: 'ota-2', document: { operation: 'two' } });
    f.service.queueExecutions('ota-1', ['cart-1']);
    f.service.queueExecutions('ota-2', ['cart-1', 'cart-2']);
    assert.deepEqual(
      f.service.pendingJobDocuments('cart-1').map((d) => [d.jobId, d.document]),
      [
        ['ota-1', DOCUMENT],
        ['ota-2', { operation: 'two' }],
      ],
    );
    await f.device('cart-1').update('ota-1', { status: 'SUCCEEDED' });
    assert.deepEqual(
      f.service.pendingJobDocuments('cart-1').map((d) => d.jobId),
      ['ota-2'],
    );
    assert.deepEqual(f.service.pendingJobDocuments('cart-3'), []);
  });

  it('refuses with STORAGE_BUSY while another connection holds the write lock, changing nothing', () => {
    f.job('ota-1');
    const other = new Sqlite(join(f.dir.path, 'fleet.sqlite'));
    try {
      other.exec('BEGIN EXCLUSIVE');
      throwsCode(() => f.service.queueExecutions('ota-1', ['cart-1']), 'STORAGE_BUSY');
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    assert.deepEqual(f.service.listExecutions('ota-1'), []);
    assert.equal(f.service.queueExecutions('ota-1', ['cart-1']).length, 1);
  });
});
