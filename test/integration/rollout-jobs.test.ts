import assert from 'node:assert/strict';
import type mqttJs from 'mqtt';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type { Rollout } from '../../protocol/api/rollouts.ts';
import { jobsTopics } from '../../protocol/jobs.ts';
import {
  type ApiUser,
  apiAs,
  apiUser,
  eventually,
  mqttJsClient,
  registerDevice,
  startFleet,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';
import { rolloutSpec } from '../helpers/ota-rollout.ts';
import { FakeReleases } from '../mocks/fake-rollout-ports.ts';

const A = 'hf-shanghai-xuhui';

/**
 * A rollout through the fleet's real jobs service and broker: devices (mqtt.js over mTLS) report on AWS IoT Jobs'
 * MQTT API, and the rollout follows, starts its next phase, and aborts — force-canceling the job, so the execution a
 * device had in progress is canceled in the jobs service too. The release store is faked (its part is separate).
 */
describe('a rollout through the real jobs service', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let hq: ApiUser;
  const devices = new Map<string, TestDevice>();
  const clients: mqttJs.MqttClient[] = [];

  before(async () => {
    dir = tempDir();
    const releases = new FakeReleases();
    releases.add('rel-110');
    fleet = await startFleet(dir.path, { seedDemoData: true }, { extensions: { rollouts: { releases } } });
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    for (const name of ['rj-1', 'rj-2', 'rj-3', 'rj-4']) {
      const device = await registerDevice(fleet, name);
      fleet.services.registry.updateThing(name, { storeId: A });
      devices.set(name, device);
    }
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await fleet.stop();
    dir.cleanup();
  });

  async function report(thingName: string, jobId: string, status: string, statusDetails: Record<string, string>) {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, devices.get(thingName)!, thingName);
    clients.push(client);
    await client.publishAsync(jobsTopics.update(thingName, jobId), JSON.stringify({ status, statusDetails }), {
      qos: 1,
    });
  }

  it('follows the devices’ reports, starts the next phase, and aborts with in-progress executions canceled', async () => {
    const res = await apiAs(fleet, hq.token).post(
      '/api/rollouts',
      rolloutSpec({
        releaseId: 'rel-110',
        targets: { storeIds: [A] },
        phases: [
          { name: 'canary', devices: 1, start: { kind: 'immediately' } },
          { name: 'rest', percent: 100, start: { kind: 'after-success', successPercent: 100 } },
        ],
        abort: { failureTypes: ['FAILED'], thresholdPercent: 50, minFinished: 2 },
      }),
    );
    assert.equal(res.statusCode, 201, res.body);
    const rollout: Rollout = res.json();
    const { jobs } = fleet.services;
    const job = jobs.getJob(rollout.jobId);
    assert.equal((job?.document as { rolloutId?: string } | undefined)?.rolloutId, rollout.id);
    assert.equal(job?.inProgressTimeoutMinutes, 30);
    const queued = () =>
      jobs
        .listExecutions(rollout.jobId)
        .filter((e) => e.status === 'QUEUED')
        .map((e) => e.thingName);
    assert.equal(queued().length, 1);
    const [canary] = queued();

    await report(canary!, rollout.jobId, 'IN_PROGRESS', { step: 'downloading', progress: '50' });
    await report(canary!, rollout.jobId, 'SUCCEEDED', { step: 'committed' });
    await eventually(() => queued().length === 3, 5000, 'the rest queued after the canary succeeded');

    const [failing, working] = queued();
    await report(working!, rollout.jobId, 'IN_PROGRESS', { step: 'installing' });
    await eventually(() => jobs.getExecution(rollout.jobId, working!)?.status === 'IN_PROGRESS', 5000, 'in progress');
    await report(failing!, rollout.jobId, 'FAILED', { reason: 'OTA_HEALTH_CHECK_FAILED', message: 'no camera' });

    const aborted = await eventually(
      () => {
        const r = fleet.services.rollouts?.service.get({ username: 'hq', storeIds: null }, rollout.id);
        return r?.state === 'aborted' ? r : undefined;
      },
      5000,
      'the rollout aborted',
    );
    assert.match(aborted.stateReason ?? '', /^abort criteria: 1 of 2 finished devices FAILED \(50 %\)/);
    assert.equal(jobs.getJob(rollout.jobId)?.status, 'CANCELED');
    assert.equal(jobs.getJob(rollout.jobId)?.forceCanceled, true);
    assert.equal(jobs.getExecution(rollout.jobId, working!)?.status, 'CANCELED', 'in progress, canceled');
    const stored = await eventually(
      () =>
        fleet.services.rollouts?.repository.device(rollout.id, failing!)?.status === 'FAILED' &&
        fleet.services.rollouts.repository.device(rollout.id, failing!),
      5000,
      'the failure stored',
    );
    assert.equal(stored.reason, 'OTA_HEALTH_CHECK_FAILED');
    assert.equal(stored.message, 'no camera');
  });
});
