import assert from 'node:assert/strict';
import {
  classifyJobsTopic,
  isTerminalExecutionStatus,
  JOB_EXECUTION_STATUSES,
  jobsTopics,
  parseJobsNotificationTopic,
  parseJobsRequestTopic,
} from '../../protocol/jobs.ts';
import {
  type JobsParse,
  type JobsRequestRejection,
  parseDescribeJobExecutionRequest,
  parseGetPendingJobExecutionsRequest,
  parseStartNextPendingJobExecutionRequest,
  parseUpdateJobExecutionRequest,
  statusDetailsProblem,
} from '../../protocol/jobs-requests.ts';

function bytes(value: unknown): Uint8Array {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
}

function rejection<T>(result: JobsParse<T>): JobsRequestRejection {
  if (result.ok) assert.fail(`expected a rejection, got ${JSON.stringify(result.request)}`);
  return result.rejection;
}

function accepted<T>(result: JobsParse<T>): T {
  if (!result.ok) assert.fail(`unexpected rejection ${JSON.stringify(result.rejection)}`);
  return result.request;
}

describe('AWS IoT Jobs topics: $aws/things/{thing}/jobs/...', () => {
  it('parses every request it builds', () => {
    assert.deepEqual(parseJobsRequestTopic(jobsTopics.getPending('cart-1')), {
      thingName: 'cart-1',
      operation: 'GetPendingJobExecutions',
    });
    assert.deepEqual(parseJobsRequestTopic(jobsTopics.startNext('cart-1')), {
      thingName: 'cart-1',
      operation: 'StartNextPendingJobExecution',
    });
    assert.deepEqual(parseJobsRequestTopic(jobsTopics.describe('cart-1', 'ota-1_a')), {
      thingName: 'cart-1',
      operation: 'DescribeJobExecution',
      jobId: 'ota-1_a',
    });
    assert.deepEqual(parseJobsRequestTopic(jobsTopics.describe('cart-1', '$next')), {
      thingName: 'cart-1',
      operation: 'DescribeJobExecution',
      jobId: '$next',
    });
    assert.deepEqual(parseJobsRequestTopic(jobsTopics.update('cart-1', 'ota-1')), {
      thingName: 'cart-1',
      operation: 'UpdateJobExecution',
      jobId: 'ota-1',
    });
    // Job ids may be words the API uses elsewhere: the number of levels tells them apart.
    assert.equal(parseJobsRequestTopic('$aws/things/cart-1/jobs/get/get')?.operation, 'DescribeJobExecution');
    assert.equal(parseJobsRequestTopic('$aws/things/cart-1/jobs/notify/update')?.operation, 'UpdateJobExecution');
  });

  it('builds answers by appending accepted or rejected to the request, as AWS does', () => {
    assert.equal(jobsTopics.accepted(jobsTopics.startNext('t')), '$aws/things/t/jobs/start-next/accepted');
    assert.equal(jobsTopics.rejected(jobsTopics.update('t', 'j')), '$aws/things/t/jobs/j/update/rejected');
    assert.equal(jobsTopics.notify('t'), '$aws/things/t/jobs/notify');
    assert.equal(jobsTopics.notifyNext('t'), '$aws/things/t/jobs/notify-next');
    assert.deepEqual(parseJobsNotificationTopic(jobsTopics.notifyNext('t')), { thingName: 't', next: true });
    assert.deepEqual(parseJobsNotificationTopic(jobsTopics.notify('t')), { thingName: 't', next: false });
    assert.equal(parseJobsNotificationTopic(jobsTopics.getPending('t')), undefined);
  });

  it('maps nothing else to an API (the service answers those with InvalidTopic)', () => {
    for (const topic of [
      '$aws/things/cart-1/jobs',
      '$aws/things/cart-1/jobs/list',
      '$aws/things/cart-1/jobs/ota-1/delete',
      '$aws/things/cart-1/jobs/$next/update',
      '$aws/things/cart-1/jobs/bad.id/get',
      `$aws/things/cart-1/jobs/${'j'.repeat(65)}/update`,
      '$aws/things/cart-1/jobs//update',
      '$aws/things/a.b/jobs/get',
      '$aws/things/cart-1/jobs/ota-1/get/extra',
      '$aws/things/cart-1/shadow/get',
    ]) {
      assert.equal(parseJobsRequestTopic(topic), undefined, topic);
    }
    // Positive control: the longest job id AWS allows.
    assert.equal(
      parseJobsRequestTopic(`$aws/things/cart-1/jobs/${'j'.repeat(64)}/update`)?.operation,
      'UpdateJobExecution',
    );
  });

  it('tells what a device may publish (requests) from what only the service publishes (answers, notifications)', () => {
    for (const topic of [
      '$aws/things/t/jobs/get/accepted',
      '$aws/things/t/jobs/start-next/rejected',
      '$aws/things/t/jobs/j/get/accepted',
      '$aws/things/t/jobs/j/update/rejected',
      '$aws/things/t/jobs/notify',
      '$aws/things/t/jobs/notify-next',
      '$aws/things/t/jobs/anything/else/rejected',
    ]) {
      assert.equal(classifyJobsTopic(topic), 'reply', topic);
    }
    for (const topic of [
      '$aws/things/t/jobs/get',
      '$aws/things/t/jobs/start-next',
      '$aws/things/t/jobs/$next/get',
      '$aws/things/t/jobs/notify/get',
      '$aws/things/t/jobs/accepted/update',
      '$aws/things/t/jobs/whatever',
      '$aws/things/t/jobs',
    ]) {
      assert.equal(classifyJobsTopic(topic), 'request', topic);
    }
    for (const topic of ['$aws/things/t/shadow/get', 'dt/cartfleet/t/telemetry', '$aws/things/t/jobsx/get']) {
      assert.equal(classifyJobsTopic(topic), undefined, topic);
    }
  });

  it('knows which statuses are terminal', () => {
    const terminal = JOB_EXECUTION_STATUSES.filter(isTerminalExecutionStatus);
    assert.deepEqual(terminal, ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'REJECTED', 'REMOVED', 'CANCELED']);
  });
});

describe('AWS IoT Jobs requests', () => {
  it('answers a payload that is not UTF-8 JSON with InvalidJson, and other JSON than an object with InvalidRequest', () => {
    assert.equal(rejection(parseUpdateJobExecutionRequest(bytes('{"status":'))).code, 'InvalidJson');
    // Not UTF-8 inside an otherwise well-formed JSON string: refused, not read with a replacement character.
    const latin1 = Buffer.concat([Buffer.from('{"clientToken":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    assert.equal(rejection(parseGetPendingJobExecutionsRequest(latin1)).code, 'InvalidJson');
    assert.equal(rejection(parseStartNextPendingJobExecutionRequest(bytes('[1]'))).code, 'InvalidRequest');
    assert.equal(rejection(parseDescribeJobExecutionRequest(bytes('null'))).code, 'InvalidRequest');
    // An empty payload is an empty request.
    assert.deepEqual(accepted(parseGetPendingJobExecutionsRequest(new Uint8Array())), {});
  });

  it('echoes a valid clientToken in its refusals and refuses an invalid one without echoing it', () => {
    const refused = rejection(parseUpdateJobExecutionRequest(bytes({ clientToken: 'c-1', status: 'DONE' })));
    assert.deepEqual(refused, {
      code: 'InvalidRequest',
      message: 'status must be one of IN_PROGRESS, FAILED, SUCCEEDED, REJECTED',
      clientToken: 'c-1',
    });
    const tooLong = rejection(parseGetPendingJobExecutionsRequest(bytes({ clientToken: 'c'.repeat(65) })));
    assert.equal(tooLong.code, 'InvalidRequest');
    assert.equal(tooLong.clientToken, undefined);
    assert.deepEqual(accepted(parseGetPendingJobExecutionsRequest(bytes({ clientToken: 'c'.repeat(64) }))), {
      clientToken: 'c'.repeat(64),
    });
    assert.equal(rejection(parseGetPendingJobExecutionsRequest(bytes({ clientToken: 7 }))).code, 'InvalidRequest');
  });

  it('reads an update as the SDK sends it (its thingName and jobId in the body are ignored)', () => {
    const request = accepted(
      parseUpdateJobExecutionRequest(
        bytes({
          thingName: 'cart-1',
          jobId: 'ota-1',
          status: 'IN_PROGRESS',
          statusDetails: { step: 'downloading', progress: '40' },
          expectedVersion: 2,
          executionNumber: 1,
          includeJobExecutionState: true,
          includeJobDocument: false,
          stepTimeoutInMinutes: 10,
          clientToken: 'tok',
        }),
      ),
    );
    assert.deepEqual(request, {
      status: 'IN_PROGRESS',
      statusDetails: { step: 'downloading', progress: '40' },
      expectedVersion: 2,
      executionNumber: 1,
      includeJobExecutionState: true,
      includeJobDocument: false,
      stepTimeoutInMinutes: 10,
      clientToken: 'tok',
    });
  });

  it('lets a device set only IN_PROGRESS, FAILED, SUCCEEDED or REJECTED', () => {
    for (const status of ['IN_PROGRESS', 'FAILED', 'SUCCEEDED', 'REJECTED'])
      assert.equal(accepted(parseUpdateJobExecutionRequest(bytes({ status }))).status, status);
    for (const status of ['QUEUED', 'CANCELED', 'TIMED_OUT', 'REMOVED', 'in_progress', undefined, 3])
      assert.equal(rejection(parseUpdateJobExecutionRequest(bytes({ status }))).code, 'InvalidRequest', String(status));
  });

  it('takes step timeouts of 1 to 10080 minutes, and -1 to cancel the step timer', () => {
    for (const stepTimeoutInMinutes of [1, 10_080, -1])
      assert.equal(
        accepted(parseStartNextPendingJobExecutionRequest(bytes({ stepTimeoutInMinutes }))).stepTimeoutInMinutes,
        stepTimeoutInMinutes,
      );
    for (const stepTimeoutInMinutes of [0, 10_081, -2, 1.5, '5'])
      assert.equal(
        rejection(parseStartNextPendingJobExecutionRequest(bytes({ stepTimeoutInMinutes }))).code,
        'InvalidRequest',
        String(stepTimeoutInMinutes),
      );
  });

  it('checks numbers and flags', () => {
    for (const body of [
      { status: 'SUCCEEDED', expectedVersion: -1 },
      { status: 'SUCCEEDED', expectedVersion: '3' },
      { status: 'SUCCEEDED', executionNumber: 1.5 },
      { status: 'SUCCEEDED', includeJobDocument: 'yes' },
      { status: 'SUCCEEDED', includeJobExecutionState: 1 },
    ])
      assert.equal(rejection(parseUpdateJobExecutionRequest(bytes(body))).code, 'InvalidRequest', JSON.stringify(body));
    assert.deepEqual(
      accepted(parseDescribeJobExecutionRequest(bytes({ executionNumber: 3, includeJobDocument: false }))),
      {
        executionNumber: 3,
        includeJobDocument: false,
      },
    );
  });

  it('checks status details as AWS does: keys of [a-zA-Z0-9:_-] up to 128, values of 1 to 1024 printable characters', () => {
    assert.equal(
      statusDetailsProblem({ step: 'x', 'a:b_c-d': 'é 中文 ok', [`k${'e'.repeat(127)}`]: 'v'.repeat(1024) }),
      undefined,
    );
    // 1024 characters, not UTF-16 units: an astral character counts once.
    assert.equal(statusDetailsProblem({ logs: '😀'.repeat(1024) }), undefined);
    const problems = [
      { 'bad key': 'v' },
      { [`k${'e'.repeat(128)}`]: 'v' },
      { step: '' },
      { step: 'v'.repeat(1025) },
      { step: 'line\nbreak' },
      { step: 3 },
      ['a'],
      null,
    ];
    for (const details of problems) assert.notEqual(statusDetailsProblem(details), undefined, JSON.stringify(details));
    assert.match(statusDetailsProblem({ a: '1', b: '2' }, 1) ?? '', /at most 1/);
    const refused = rejection(
      parseUpdateJobExecutionRequest(bytes({ status: 'FAILED', statusDetails: { step: '' }, clientToken: 't' })),
    );
    assert.equal(refused.code, 'InvalidRequest');
    assert.equal(refused.clientToken, 't');
  });
});
