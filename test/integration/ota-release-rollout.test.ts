import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { Keyring } from '../../ota/release/keyring.ts';
import { generateSigningKey } from '../../ota/release/signing.ts';
import { parseJobDocument, verifySignedRelease } from '../../ota/release/verify.ts';
import type { ReleaseDetail } from '../../protocol/api/releases.ts';
import { OTA_SHADOW } from '../../protocol/ota/device-ota.ts';
import { otaDownloadPaths } from '../../protocol/ota/job-document.ts';
import { answerCode, deviceGet } from '../helpers/device-https.ts';
import {
  type ApiUser,
  apiAs,
  apiUser,
  eventually,
  startFleet,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';
import { testManifest } from '../helpers/ota-release.ts';
import { rolloutSpec } from '../helpers/ota-rollout.ts';

const STORE = 'hf-shanghai-xuhui';

describe('a release of the fleet’s own store rolled out (real release store, rollouts, jobs, mTLS downloads)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let hq: ApiUser;
  const key = generateSigningKey();
  const devices: TestDevice[] = [];
  const bytes = randomBytes(40_000);
  const sha256 = createHash('sha256').update(bytes).digest('hex');

  before(async () => {
    dir = tempDir();
    writeFileSync(join(dir.path, 'signing.pem'), key.privateKeyPem);
    fleet = await startFleet(join(dir.path, 'fleet'), {
      seedDemoData: true,
      ota: { signingKeyFile: join(dir.path, 'signing.pem') },
    });
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    for (let i = 1; i <= 3; i++) {
      const thingName = `cart-rr-${i}`;
      const r = await fleet.services.registry.registerDevice({
        thingName,
        kind: 'cart',
        hardwareModel: 'SC-200',
        storeId: STORE,
      });
      devices.push({
        thingName,
        certificateId: r.certificate.certificateId,
        certificatePem: r.certificate.certificatePem,
        privateKeyPem: r.certificate.privateKeyPem,
        caPem: r.caPem,
      });
      await fleet.services.shadows.update(thingName, OTA_SHADOW, {
        state: {
          reported: {
            components: {
              software: {
                active: 'a',
                a: { name: 'cart-runtime', version: '1.0.0', sha256: 'b'.repeat(64) },
                b: null,
                trial: null,
              },
            },
            job: null,
            lastRollback: null,
          },
        },
      });
    }
  });
  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('queues jobs carrying the signed release; the canary downloads it, the rest not yet; the release is in use', async () => {
    const { releases, jobs } = fleet.services;
    await releases.stage(Readable.from([bytes]), { username: 'hq' });
    const release = await releases.publish({ manifest: testManifest({ version: '1.1.0' }, bytes) }, { username: 'hq' });

    const created = await apiAs(fleet, hq.token).post(
      '/api/rollouts',
      rolloutSpec({
        releaseId: release.id,
        targets: { storeIds: [STORE] },
        phases: [
          { name: 'canary', devices: 1, start: { kind: 'immediately' } },
          { name: 'rest', percent: 100, start: { kind: 'after-success', successPercent: 90 } },
        ],
      }),
    );
    assert.equal(created.statusCode, 201, created.body);
    const rolloutId = created.json<{ id: string }>().id;

    // The canary's pending job carries the document the device parses and verifies with the fleet's public key.
    const canary = await eventually(
      () => devices.find((d) => jobs.pendingJobDocuments(d.thingName).length > 0),
      10_000,
      'a canary job',
    );
    const document = jobs.pendingJobDocuments(canary.thingName)[0]?.document;
    const parsed = parseJobDocument(JSON.stringify(document));
    assert.ok(parsed.ok);
    assert.equal(parsed.document.rolloutId, rolloutId);
    assert.equal(verifySignedRelease(parsed.document.release, Keyring.fromPems([key.publicKeyPem])).ok, true);

    const port = fleet.services.deviceHttps.port;
    const download = await deviceGet(port, canary, otaDownloadPaths.artifact(sha256));
    assert.ok('status' in download && download.status === 200, JSON.stringify(download));
    const waiting = devices.filter((d) => d !== canary);
    for (const device of waiting) {
      assert.equal(answerCode(await deviceGet(port, device, otaDownloadPaths.artifact(sha256))), 'NOT_AUTHORIZED');
    }

    const detail = (await apiAs(fleet, hq.token).get(`/api/releases/${release.id}`)).json<ReleaseDetail>();
    assert.deepEqual(detail.rolloutIds, [rolloutId]);
    const refused = await apiAs(fleet, hq.token).delete(`/api/releases/${release.id}`);
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json<{ code: string }>().code, 'RELEASE_IN_USE');
  });
});
