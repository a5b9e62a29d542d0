import assert from 'node:assert/strict';
import { iotjobs, mqtt } from 'aws-iot-device-sdk-v2';
import type mqttJs from 'mqtt';
import type { FleetEvents } from '../../fleet/fleet-events.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type { JobExecution } from '../../fleet/jobs/ports.ts';
import { jobsTopics } from '../../protocol/jobs.ts';
import {
  eventually,
  mqttJsClient,
  registerDevice,
  sdkConnection,
  startFleet,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';
import { type Doc, Inbox } from '../helpers/sdk-inbox.ts';
import { FakeClock } from '../mocks/fake-clock.ts';

const QOS = mqtt.QoS.AtLeastOnce;
const { JobStatus } = iotjobs.model;
const DOCUMENT = { operation: 'cartfleet.test', version: '2.0.0' };

/** The fleet's clock: AWS stamps jobs payloads in epoch seconds; a test moves it to run the timers. */
const clock = new FakeClock(Date.now());
const nowSeconds = () => Math.floor(clock.now() / 1000);

async function listen(name: string, subscribe: (handler: Inbox['handler']) => Promise<mqtt.MqttSubscribeRequest>) {
  const inbox = new Inbox(name);
  const granted = await subscribe(inbox.handler);
  assert.equal(granted.qos, QOS, `subscription to ${name} granted`);
  return inbox;
}

describe("AWS IoT Jobs over MQTT (real broker and mTLS, the SDK's iotjobs.IotJobsClient as the device)", function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let spare: TestDevice;
  const open: mqtt.MqttClientConnection[] = [];
  const raw: mqttJs.MqttClient[] = [];
  const changes: JobExecution[] = [];
  const refused: FleetEvents['broker.publishRefused'][] = [];
  const credentials = new Map<string, TestDevice>();

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path, {}, { clock });
    for (const thingName of ['cart-j1', 'cart-j2', 'cart-j3', 'cart-j4'])
      credentials.set(thingName, await registerDevice(fleet, thingName));
    spare = credentials.get('cart-j4')!;
    fleet.services.jobs.onExecutionChange((execution) => changes.push(execution));
    fleet.bus.on('broker.publishRefused', (e) => refused.push(e));
  });

  afterEach(async () => {
    for (const c of open.splice(0)) await c.disconnect().catch(() => {});
    for (const c of raw.splice(0)) await c.endAsync(true).catch(() => {});
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  /** Connects `thingName` with the AWS SDK and subscribes to its jobs topics as an update agent does. */
  async function connectDevice(thingName: string) {
    const connection = sdkConnection(fleet.services.broker.tlsPort, credentials.get(thingName)!, thingName);
    open.push(connection);
    await connection.connect();
    const jobs = new iotjobs.IotJobsClient(connection);
    const thing = { thingName };
    const anyJob = { thingName, jobId: '+' };
    return {
      thingName,
      connection,
      jobs,
      notifyNext: await listen('notify-next', (h) => jobs.subscribeToNextJobExecutionChangedEvents(thing, QOS, h)),
      notify: await listen('notify', (h) => jobs.subscribeToJobExecutionsChangedEvents(thing, QOS, h)),
      startAccepted: await listen('start-next/accepted', (h) =>
        jobs.subscribeToStartNextPendingJobExecutionAccepted(thing, QOS, h),
      ),
      updateAccepted: await listen('+/update/accepted', (h) =>
        jobs.subscribeToUpdateJobExecutionAccepted(anyJob, QOS, h),
      ),
      updateRejected: await listen('+/update/rejected', (h) =>
        jobs.subscribeToUpdateJobExecutionRejected(anyJob, QOS, h),
      ),
      getAccepted: await listen('get/accepted', (h) => jobs.subscribeToGetPendingJobExecutionsAccepted(thing, QOS, h)),
      describeAccepted: await listen('+/get/accepted', (h) =>
        jobs.subscribeToDescribeJobExecutionAccepted(anyJob, QOS, h),
      ),
    };
  }

  function queue(jobId: string, things: string[], inProgressTimeoutMinutes: number | null = null) {
    fleet.services.jobs.createJob({ jobId, document: DOCUMENT, inProgressTimeoutMinutes });
    return fleet.services.jobs.queueExecutions(jobId, things);
  }

  /** Publishes once on a fresh mqtt.js connection of cart-j4; resolves with the refusal once the broker closed it. */
  async function publishAndBeClosed(topic: string, payload: string) {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, spare, 'cart-j4');
    raw.push(client);
    const before = refused.length;
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish(topic, payload, { qos: 1 });
    await closed;
    return eventually(() => refused[before], 3000, 'the refusal');
  }

  it('hands a queued job to the device on notify-next; the device starts it, reports with expectedVersion, succeeds', async () => {
    const cart = await connectDevice('cart-j1');
    // Ask first, as an agent does on connecting: nothing is pending.
    await cart.jobs.publishGetPendingJobExecutions({ thingName: cart.thingName, clientToken: 'g0' }, QOS);
    assert.deepEqual(await cart.getAccepted.next(), {
      inProgressJobs: [],
      queuedJobs: [],
      timestamp: nowSeconds(),
      clientToken: 'g0',
    });

    await cart.jobs.publishDescribeJobExecution({ thingName: cart.thingName, jobId: '$next', clientToken: 'd0' }, QOS);
    assert.deepEqual(await cart.describeAccepted.next(), { timestamp: nowSeconds(), clientToken: 'd0' });

    queue('ota-100', ['cart-j1']);
    const next = await cart.notifyNext.next();
    assert.deepEqual(next, {
      execution: {
        jobId: 'ota-100',
        thingName: 'cart-j1',
        status: 'QUEUED',
        queuedAt: nowSeconds(),
        lastUpdatedAt: nowSeconds(),
        versionNumber: 1,
        executionNumber: 1,
        jobDocument: DOCUMENT,
      },
      timestamp: nowSeconds(),
    });
    assert.deepEqual(((await cart.notify.next()).jobs as Doc).QUEUED, [
      { jobId: 'ota-100', queuedAt: nowSeconds(), lastUpdatedAt: nowSeconds(), versionNumber: 1, executionNumber: 1 },
    ]);

    await cart.jobs.publishDescribeJobExecution({ thingName: cart.thingName, jobId: '$next', clientToken: 'd1' }, QOS);
    assert.deepEqual(await cart.describeAccepted.next(), { ...next, clientToken: 'd1' });

    clock.advance(2_000);
    await cart.jobs.publishStartNextPendingJobExecution(
      { thingName: cart.thingName, clientToken: 's1', stepTimeoutInMinutes: 10, statusDetails: { step: 'waiting' } },
      QOS,
    );
    const started = await cart.startAccepted.next();
    assert.equal(started.clientToken, 's1');
    assert.equal((started.execution as Doc).status, 'IN_PROGRESS');
    assert.equal((started.execution as Doc).startedAt, nowSeconds());
    const version = (started.execution as Doc).versionNumber as number;
    assert.equal(version, 2);

    await cart.jobs.publishUpdateJobExecution(
      {
        thingName: cart.thingName,
        jobId: 'ota-100',
        status: JobStatus.IN_PROGRESS,
        statusDetails: { step: 'downloading', progress: '40' },
        expectedVersion: version,
        includeJobExecutionState: true,
        clientToken: 'u1',
      },
      QOS,
    );
    assert.deepEqual(await cart.updateAccepted.next(), {
      executionState: {
        status: 'IN_PROGRESS',
        statusDetails: { step: 'downloading', progress: '40' },
        versionNumber: 3,
      },
      timestamp: nowSeconds(),
      clientToken: 'u1',
    });

    // A report made from a stale version is refused with the state it missed.
    await cart.jobs.publishUpdateJobExecution(
      {
        thingName: cart.thingName,
        jobId: 'ota-100',
        status: JobStatus.SUCCEEDED,
        expectedVersion: version,
        clientToken: 'u2',
      },
      QOS,
    );
    const mismatch = await cart.updateRejected.next();
    assert.equal(mismatch.code, 'VersionMismatch');
    assert.equal(mismatch.clientToken, 'u2');
    assert.deepEqual(mismatch.executionState, {
      status: 'IN_PROGRESS',
      statusDetails: { step: 'downloading', progress: '40' },
      versionNumber: 3,
    });

    await cart.jobs.publishUpdateJobExecution(
      {
        thingName: cart.thingName,
        jobId: 'ota-100',
        status: JobStatus.SUCCEEDED,
        expectedVersion: 3,
        clientToken: 'u3',
      },
      QOS,
    );
    assert.equal((await cart.updateAccepted.next()).clientToken, 'u3');
    assert.deepEqual(await cart.notifyNext.next(), { timestamp: nowSeconds() });
    assert.deepEqual(await cart.notify.next(), { jobs: {}, timestamp: nowSeconds() });
    assert.equal(fleet.services.jobs.getExecution('ota-100', 'cart-j1')?.status, 'SUCCEEDED');
    assert.deepEqual(
      changes.filter((c) => c.jobId === 'ota-100').map((c) => c.status),
      ['QUEUED', 'IN_PROGRESS', 'IN_PROGRESS', 'SUCCEEDED'],
    );
    cart.updateRejected.none();
  });

  it("refuses another thing's job: ResourceNotFound on the device's own topic, a closed connection on the other's", async () => {
    queue('ota-200', ['cart-j2']);
    const cart = await connectDevice('cart-j1');
    await cart.jobs.publishUpdateJobExecution(
      { thingName: 'cart-j1', jobId: 'ota-200', status: JobStatus.SUCCEEDED, clientToken: 'theirs' },
      QOS,
    );
    const notFound = await cart.updateRejected.next();
    assert.equal(notFound.code, 'ResourceNotFound');
    assert.equal(notFound.clientToken, 'theirs');
    assert.equal(notFound.executionState, undefined);

    // AWS IoT's policies decide first: a device publishing under another thing's topics is disconnected.
    const refusal = await publishAndBeClosed(
      jobsTopics.update('cart-j2', 'ota-200'),
      JSON.stringify({ status: 'SUCCEEDED' }),
    );
    assert.equal(refusal.cause, 'the policy does not allow iot:Publish');
    assert.equal(fleet.services.jobs.getExecution('ota-200', 'cart-j2')?.status, 'QUEUED');
    assert.equal(fleet.services.jobs.getExecution('ota-200', 'cart-j2')?.versionNumber, 1);
  });

  it('answers a malformed payload with InvalidJson and an unknown jobs topic with InvalidTopic, keeping the connection', async () => {
    queue('ota-300', ['cart-j1']);
    const cart = await connectDevice('cart-j1');
    await cart.connection.publish(jobsTopics.update('cart-j1', 'ota-300'), '{"status": "SUCCEEDED"', QOS);
    const invalid = await cart.updateRejected.next();
    assert.equal(invalid.code, 'InvalidJson');
    assert.equal(invalid.timestamp, nowSeconds());

    const unknown = new Inbox('list/rejected');
    await cart.connection.subscribe('$aws/things/cart-j1/jobs/list/rejected', QOS, (_topic, payload) =>
      unknown.handler(undefined, JSON.parse(new TextDecoder().decode(payload))),
    );
    await cart.connection.publish('$aws/things/cart-j1/jobs/list', JSON.stringify({ clientToken: 'l' }), QOS);
    assert.deepEqual(await unknown.next(), {
      code: 'InvalidTopic',
      message: 'The topic maps to no AWS IoT Jobs operation, or its thing name or job id is invalid',
      clientToken: 'l',
      timestamp: nowSeconds(),
    });

    // Same connection, a good request: nothing was changed by the bad ones.
    await cart.jobs.publishUpdateJobExecution(
      { thingName: 'cart-j1', jobId: 'ota-300', status: JobStatus.IN_PROGRESS, expectedVersion: 1, clientToken: 'ok' },
      QOS,
    );
    assert.equal((await cart.updateAccepted.next()).clientToken, 'ok');
  });

  it("refuses a device's publish on an answer or notification topic, closing its connection", async () => {
    const forged = JSON.stringify({ execution: { jobId: 'evil', status: 'QUEUED' }, timestamp: 1 });
    for (const topic of [
      jobsTopics.notifyNext('cart-j4'),
      jobsTopics.notify('cart-j4'),
      jobsTopics.accepted(jobsTopics.startNext('cart-j4')),
      jobsTopics.rejected(jobsTopics.update('cart-j4', 'ota-1')),
    ]) {
      const refusal = await publishAndBeClosed(topic, forged);
      assert.deepEqual(
        { topic: refusal.topic, reason: refusal.reason, cause: refusal.cause },
        { topic, reason: 'AUTH_ERROR', cause: 'the topic is reserved for the fleet' },
      );
    }
    // Positive control: the same kind of message from the fleet reaches a subscribed device.
    const cart = await connectDevice('cart-j3');
    queue('ota-400', ['cart-j3']);
    assert.equal(((await cart.notifyNext.next()).execution as Doc).jobId, 'ota-400');
  });

  it('times an execution out on its step timer and tells the device, which can then report nothing more', async () => {
    const cart = await connectDevice('cart-j2');
    queue('ota-500', ['cart-j2'], 60);
    // ota-200 (the previous test's) is still first: the list changed, the next did not.
    assert.deepEqual(
      (((await cart.notify.next()).jobs as Doc).QUEUED as Doc[]).map((s) => s.jobId),
      ['ota-200', 'ota-500'],
    );
    await cart.jobs.publishUpdateJobExecution(
      {
        thingName: 'cart-j2',
        jobId: 'ota-200',
        status: JobStatus.REJECTED,
        statusDetails: { reason: 'OTA_DOCUMENT_INVALID' },
      },
      QOS,
    );
    await cart.updateAccepted.next();
    assert.equal(((await cart.notifyNext.next()).execution as Doc).jobId, 'ota-500');
    await cart.jobs.publishStartNextPendingJobExecution({ thingName: 'cart-j2', stepTimeoutInMinutes: 5 }, QOS);
    assert.equal(((await cart.startAccepted.next()).execution as Doc).jobId, 'ota-500');
    clock.advance(5 * 60_000);
    assert.deepEqual(await cart.notifyNext.next(), { timestamp: nowSeconds() });
    assert.equal(fleet.services.jobs.getExecution('ota-500', 'cart-j2')?.status, 'TIMED_OUT');
    await cart.jobs.publishUpdateJobExecution(
      { thingName: 'cart-j2', jobId: 'ota-500', status: JobStatus.SUCCEEDED, clientToken: 'late' },
      QOS,
    );
    const late = await cart.updateRejected.next();
    assert.equal(late.code, 'InvalidStateTransition');
    assert.equal((late.executionState as Doc).status, 'TIMED_OUT');
  });
});
