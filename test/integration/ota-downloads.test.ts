import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { generateSigningKey } from '../../ota/release/signing.ts';
import { otaDownloadPaths } from '../../protocol/ota/job-document.ts';
import { answerCode, deviceGet } from '../helpers/device-https.ts';
import { registerDevice, startFleet, type TestDevice, tempDir } from '../helpers/fleet-harness.ts';
import { testManifest } from '../helpers/ota-release.ts';

describe('OTA downloads follow the devices’ jobs (real fleet, real jobs service, mTLS)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let cart: TestDevice;
  let other: TestDevice;
  const bytes = randomBytes(50_000);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const get = (device: TestDevice) =>
    deviceGet(fleet.services.deviceHttps.port, device, otaDownloadPaths.artifact(sha256));
  const options = { allowDowngrade: false, healthCheckTimeoutSeconds: 60, maxTrialBoots: 2 };

  before(async () => {
    dir = tempDir();
    writeFileSync(join(dir.path, 'signing.pem'), generateSigningKey().privateKeyPem);
    // No download permission given: the fleet's own, over its jobs service.
    fleet = await startFleet(join(dir.path, 'fleet'), { ota: { signingKeyFile: join(dir.path, 'signing.pem') } });
    cart = await registerDevice(fleet, 'cart-dl-1', 'cart');
    other = await registerDevice(fleet, 'cart-dl-2', 'cart');
  });
  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('serves an artifact to a thing while its execution of a job naming it is unfinished, and only then', async () => {
    const { releases, jobs } = fleet.services;
    await releases.stage(Readable.from([bytes]), { username: 'test' });
    const release = await releases.publish({ manifest: testManifest({}, bytes) }, { username: 'test' });
    assert.equal(answerCode(await get(cart)), 'NOT_AUTHORIZED', 'no job yet');

    // Another job's document naming the artifact, but not an OTA job: no permission from it.
    jobs.createJob({
      jobId: 'not-ota',
      document: { operation: 'reboot', release: { manifest: { artifact: { sha256 } } } },
    });
    jobs.queueExecutions('not-ota', [cart.thingName]);
    assert.equal(answerCode(await get(cart)), 'NOT_AUTHORIZED');

    jobs.createJob({ jobId: 'ota-1', document: releases.jobDocument(release.id, { rolloutId: 'ro-1', ...options }) });
    jobs.queueExecutions('ota-1', [cart.thingName]);
    const answer = await get(cart);
    assert.ok('status' in answer && answer.status === 200, JSON.stringify(answer));
    assert.equal(createHash('sha256').update(answer.body).digest('hex'), sha256);
    assert.equal(answerCode(await get(other)), 'NOT_AUTHORIZED', 'a thing without the job');

    jobs.cancelExecution('ota-1', cart.thingName, { force: true });
    assert.equal(answerCode(await get(cart)), 'NOT_AUTHORIZED', 'the execution is over');
  });
});
