import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PREVIOUS_DEFAULT_DEVICE_POLICIES } from '../../../fleet/policy/default-policy-upgrade.ts';
import { DEFAULT_DEVICE_POLICY_NAME, defaultDevicePolicy } from '../../../fleet/policy/policy-document.ts';
import { PolicyRepository } from '../../../fleet/policy/policy-repository.ts';
import { openDatabase } from '../../../fleet/storage/database.ts';
import { silentLogger } from '../../../platform/log.ts';
import { startFleet, tempDir } from '../../helpers/fleet-harness.ts';

/** Writes the default policy as an earlier release (or an operator) left it, before the fleet starts on the dir. */
function seedPolicy(dataDir: string, document: object): void {
  const db = openDatabase(dataDir, silentLogger());
  new PolicyRepository(db).put(DEFAULT_DEVICE_POLICY_NAME, document as never);
  db.close();
}

describe('the stored default device policy at start', function () {
  this.timeout(20_000);
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.cleanup());

  for (const [i, previous] of PREVIOUS_DEFAULT_DEVICE_POLICIES.entries()) {
    it(`upgrades an unchanged earlier default (#${i + 1}) to the current one`, async () => {
      const dataDir = join(dir.path, 'fleet');
      seedPolicy(dataDir, previous);
      const fleet = await startFleet(dataDir);
      try {
        const stored = new PolicyRepository(fleet.services.db).get(DEFAULT_DEVICE_POLICY_NAME);
        assert.deepEqual(stored?.document, defaultDevicePolicy());
        assert.equal(stored?.version, 2);
      } finally {
        await fleet.stop();
      }
    });
  }

  it('leaves an edited policy alone', async () => {
    const dataDir = join(dir.path, 'fleet');
    const edited = structuredClone(PREVIOUS_DEFAULT_DEVICE_POLICIES[0]) as { Statement: { Resource: string[] }[] };
    edited.Statement[1]?.Resource.push('arn:aws:iot:*:*:topic/extra/topic');
    seedPolicy(dataDir, edited);
    const fleet = await startFleet(dataDir);
    try {
      const stored = new PolicyRepository(fleet.services.db).get(DEFAULT_DEVICE_POLICY_NAME);
      assert.deepEqual(stored?.document, edited);
      assert.equal(stored?.version, 1);
    } finally {
      await fleet.stop();
    }
  });
});
