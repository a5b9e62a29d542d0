import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { afterEach, beforeEach, describe, it } from 'mocha';
import { readBootState } from '../../../ota/agent/boot-state.ts';
import { generateSigningKey } from '../../../ota/release/signing.ts';
import { AgentRig, FACTORY } from '../../helpers/ota-agent-rig.ts';
import { eventually } from '../../mocks/wait-for.ts';

async function bootState(rig: AgentRig) {
  const read = await readBootState(rig.paths.bootState);
  assert.ok(read.state, 'boot-state readable');
  return read.state;
}

async function settled(rig: AgentRig, jobId: string, status: string) {
  await eventually(
    () => rig.service.status(jobId) === status,
    10_000,
    `${jobId} ${status} (is ${rig.service.status(jobId)})`,
  );
}

describe('OTA agent (fakes)', () => {
  let rig: AgentRig;

  beforeEach(() => {
    rig = new AgentRig();
  });

  afterEach(async () => {
    await rig.stop();
  });

  it('installs a model into slot b, activates it, passes its self-test, commits and reports SUCCEEDED', async () => {
    await rig.start();
    const { jobId } = rig.publish('2.0.0', Buffer.from('model 2.0.0'));
    await settled(rig, jobId, 'SUCCEEDED');
    const details = rig.service.details(jobId);
    assert.equal(details.step, 'committed');
    assert.equal(details.toVersion, '2.0.0');
    const state = await bootState(rig);
    assert.equal(state.components.model.active, 'b');
    assert.equal(state.components.model.trial, null);
    assert.equal(state.components.model.slots.b?.version, '2.0.0');
    assert.deepEqual(
      rig.model.activations.map((a) => a.version),
      ['2.0.0'],
    );
    // What the fleet saw, in order: the steps, then the outcome.
    const steps = rig.service.execution(jobId).updates.map((u) => `${u.status}:${u.statusDetails.step}`);
    assert.deepEqual(steps.at(-1), 'SUCCEEDED:committed');
    assert.ok(steps.includes('IN_PROGRESS:downloading'), steps.join(' '));
    assert.ok(steps.includes('IN_PROGRESS:installing'), steps.join(' '));
    assert.ok(steps.includes('IN_PROGRESS:health-check'), steps.join(' '));
    await eventually(() => !existsSync(rig.paths.journal) && rig.shadow.last?.job === null, 5000, 'the agent idle');
    assert.equal(rig.shadow.last?.components.model?.active, 'b');
  });

  it('a software update switches, restarts, health-checks on the new slot and commits', async () => {
    await rig.start();
    assert.deepEqual(rig.shadow.versions, ['1.0.0'], 'the factory version is reported');
    const { jobId } = rig.publish('1.1.0', Buffer.from('bundle 1.1.0'), { component: 'software' });
    await eventually(() => rig.host.restarts.length === 1, 5000, 'restart asked');
    let state = await bootState(rig);
    assert.equal(state.components.software.active, 'b');
    assert.equal(state.components.software.trial?.jobId, jobId);
    assert.equal(rig.service.details(jobId).step, 'rebooting');
    // The launcher counts the boot and starts slot b.
    await rig.reboot('b');
    await settled(rig, jobId, 'SUCCEEDED');
    state = await bootState(rig);
    assert.equal(state.components.software.trial, null);
    assert.equal(state.components.software.slots.b?.version, '1.1.0');
    assert.equal(state.components.software.slots.a?.factory, true);
    assert.equal(rig.shadow.versions.at(-1), '1.1.0');
  });

  it('a model failing its self-test rolls back to the previous slot and reports FAILED with the reason and logs', async () => {
    await rig.start();
    const first = rig.publish('2.0.0', Buffer.from('model 2.0.0'));
    await settled(rig, first.jobId, 'SUCCEEDED');
    rig.model.selfTestFails = 'reference outputs differ by 0.4';
    const { jobId } = rig.publish('2.1.0', Buffer.from('model 2.1.0'));
    await settled(rig, jobId, 'FAILED');
    const details = rig.service.details(jobId);
    assert.equal(details.reason, 'OTA_HEALTH_CHECK_FAILED');
    assert.equal(details.step, 'rolled-back');
    assert.match(details.message ?? '', /reference outputs differ/);
    assert.match(details.logs ?? '', /health check failed/);
    const state = await bootState(rig);
    assert.equal(state.components.model.active, 'b', 'back on 2.0.0');
    assert.equal(state.components.model.slots.b?.version, '2.0.0');
    assert.equal(state.components.model.lastRollback?.reason, 'OTA_HEALTH_CHECK_FAILED');
    // The previous model is put back in the running process.
    assert.deepEqual(
      rig.model.activations.map((a) => a.version),
      ['2.0.0', '2.1.0', '2.0.0'],
    );
    assert.equal(rig.shadow.last?.lastRollback?.reason, 'OTA_HEALTH_CHECK_FAILED');
  });

  it('a self-test that does not finish in time is OTA_HEALTH_CHECK_TIMEOUT (on the device clock)', async () => {
    await rig.start();
    rig.model.selfTestHangs = true;
    const { jobId } = rig.publish('2.0.0', Buffer.from('model 2.0.0'), { healthCheckTimeoutSeconds: 30 });
    await eventually(() => rig.service.details(jobId).step === 'health-check', 5000, 'health check running');
    await rig.clock.advanceAsync(29_000);
    assert.equal(rig.service.status(jobId), 'IN_PROGRESS', 'not yet at 29 s');
    await rig.clock.advanceAsync(1_000);
    await settled(rig, jobId, 'FAILED');
    assert.equal(rig.service.details(jobId).reason, 'OTA_HEALTH_CHECK_TIMEOUT');
    assert.equal((await bootState(rig)).components.model.slots.a, null, 'nothing was ever committed');
  });

  it('software that never gets contact after its restart rolls back (OTA_NO_CONTACT); the previous slot reports it', async () => {
    await rig.start();
    const { jobId } = rig.publish('1.1.0', Buffer.from('bundle 1.1.0'), {
      component: 'software',
      healthCheckTimeoutSeconds: 60,
    });
    await eventually(() => rig.host.restarts.length === 1, 5000, 'restart asked');
    rig.probe.set({ connected: false });
    await rig.reboot('b');
    await eventually(() => rig.service.details(jobId).step === 'health-check', 2000, 'health check running');
    await rig.clock.advanceAsync(59_000);
    assert.equal(rig.host.restarts.length, 1, 'still checking at 59 s');
    await rig.clock.advanceAsync(1_000);
    await eventually(() => rig.host.restarts.length === 2, 5000, 'restart into the previous slot');
    const state = await bootState(rig);
    assert.equal(state.components.software.active, 'a');
    assert.equal(state.components.software.lastRollback?.reason, 'OTA_NO_CONTACT');
    assert.equal(rig.service.status(jobId), 'IN_PROGRESS', 'the failing slot reports nothing itself');
    rig.probe.set({ connected: true });
    await rig.reboot('a');
    await settled(rig, jobId, 'FAILED');
    assert.equal(rig.service.details(jobId).reason, 'OTA_NO_CONTACT');
    assert.ok(rig.service.details(jobId).logs, "with the failing runtime's last log lines");
  });

  describe('refuses what it must not install (REJECTED, nothing downloaded or installed)', () => {
    async function rejected(jobId: string, reason: string) {
      await settled(rig, jobId, 'REJECTED');
      assert.equal(rig.service.details(jobId).reason, reason);
      assert.deepEqual(rig.transport.requests, [], 'nothing downloaded');
      const state = await bootState(rig);
      assert.deepEqual(state.components.model.slots, { a: null, b: null });
      assert.equal(state.components.model.dirty, null);
    }

    it('a signature by a trusted key that does not match the manifest: OTA_SIGNATURE_INVALID', async () => {
      await rig.start();
      const { document } = rig.publish('2.0.0', Buffer.from('m'));
      rig.service.end('job-1', 'REMOVED');
      const tampered = structuredClone(document);
      tampered.release.manifest.version = '9.0.0';
      const jobId = rig.queueRaw(tampered);
      await rejected(jobId, 'OTA_SIGNATURE_INVALID');
    });

    it('signed only by a key the device does not hold: OTA_KEY_UNKNOWN', async () => {
      await rig.start();
      const { jobId } = rig.publish('2.0.0', Buffer.from('m'), { signer: generateSigningKey() });
      await rejected(jobId, 'OTA_KEY_UNKNOWN');
    });

    it('for another kind of device: OTA_KIND_MISMATCH', async () => {
      await rig.start();
      const { jobId } = rig.publish('2.0.0', Buffer.from('m'), { deviceKinds: ['speaker'] });
      await rejected(jobId, 'OTA_KIND_MISMATCH');
    });

    it('a job document it cannot parse: OTA_DOCUMENT_INVALID', async () => {
      await rig.start();
      const jobId = rig.queueRaw({ operation: 'cartfleet.ota.install', schema: 1, release: 'nope' });
      await rejected(jobId, 'OTA_DOCUMENT_INVALID');
    });

    it('a downgrade not allowed by the rollout: OTA_DOWNGRADE; allowed, it installs (positive control)', async () => {
      await rig.start();
      const first = rig.publish('2.0.0', Buffer.from('model 2.0.0'));
      await settled(rig, first.jobId, 'SUCCEEDED');
      const requests = rig.transport.requests.length;
      const { jobId } = rig.publish('1.0.0', Buffer.from('model 1.0.0'));
      await settled(rig, jobId, 'REJECTED');
      assert.equal(rig.service.details(jobId).reason, 'OTA_DOWNGRADE');
      assert.equal(rig.transport.requests.length, requests, 'nothing downloaded');
      const allowed = rig.publish('1.0.0', Buffer.from('model 1.0.0'), { allowDowngrade: true });
      await settled(rig, allowed.jobId, 'SUCCEEDED');
    });
  });

  describe('downloads', () => {
    it('a tampered artifact is OTA_HASH_MISMATCH: deleted, nothing installed', async () => {
      await rig.start();
      const bytes = Buffer.from('model 2.0.0 with some length to it');
      const tampered = Buffer.from(bytes);
      tampered[3] = 0x58;
      const { jobId } = rig.publish('2.0.0', bytes, { served: tampered });
      await settled(rig, jobId, 'FAILED');
      assert.equal(rig.service.details(jobId).reason, 'OTA_HASH_MISMATCH');
      assert.equal(rig.service.details(jobId).step, 'downloading');
      const state = await bootState(rig);
      assert.deepEqual(state.components.model.slots, { a: null, b: null });
      assert.equal(rig.model.installs.length, 0);
      assert.deepEqual(await readdir(rig.paths.root).then((n) => n.includes('downloads')), false);
    });

    it('a truncated artifact is OTA_HASH_MISMATCH', async () => {
      await rig.start();
      const bytes = Buffer.from('model 2.0.0 with some length to it');
      const { jobId } = rig.publish('2.0.0', bytes, { served: bytes.subarray(0, 10) });
      await settled(rig, jobId, 'FAILED');
      assert.equal(rig.service.details(jobId).reason, 'OTA_HASH_MISMATCH');
      assert.equal(rig.model.installs.length, 0);
    });

    it('an interrupted download resumes from where it was cut, and the result verifies', async () => {
      await rig.start();
      const bytes = Buffer.alloc(100_000, 7);
      bytes.write('model 2.0.0');
      const { jobId, document } = rig.publish('2.0.0', bytes);
      rig.transport.cutAfter.set(document.download.path, 40_000);
      await eventually(() => rig.transport.requests.length === 1, 2000, 'first request');
      await rig.clock.advanceAsync(1000);
      await settled(rig, jobId, 'SUCCEEDED');
      assert.deepEqual(
        rig.transport.requests.map((r) => r.offset),
        [0, 40_000],
      );
    });

    it('not enough free disk is OTA_DISK_FULL before a byte is fetched; with room it downloads (positive control)', async () => {
      rig.disk.free = 50_000;
      await rig.start();
      const bytes = Buffer.alloc(100_000, 1);
      const { jobId } = rig.publish('2.0.0', bytes);
      await settled(rig, jobId, 'FAILED');
      assert.equal(rig.service.details(jobId).reason, 'OTA_DISK_FULL');
      assert.deepEqual(rig.transport.requests, []);
      rig.disk.free = 10_000_000;
      const retry = rig.publish('2.0.0', bytes);
      await settled(rig, retry.jobId, 'SUCCEEDED');
    });

    it('waits for a fleet that went away mid-download and finishes when it is back', async () => {
      await rig.start();
      const bytes = Buffer.alloc(50_000, 3);
      const { jobId, document } = rig.publish('2.0.0', bytes);
      rig.transport.failNext.set(document.download.path, 5);
      await eventually(() => rig.transport.requests.length === 1, 2000, 'downloading');
      rig.channel.online = false;
      for (let i = 0; i < 6; i++) {
        await rig.clock.advanceAsync(8000);
        await eventually(() => rig.transport.requests.length >= Math.min(i + 2, 6), 2000, 'retried');
      }
      await eventually(() => rig.model.installs.length === 1, 2000, 'installed while the jobs service is away');
      assert.equal(rig.service.status(jobId), 'IN_PROGRESS');
      rig.channel.online = true;
      await settled(rig, jobId, 'SUCCEEDED');
    });
  });

  describe('the Jobs protocol', () => {
    it('recovers from VersionMismatch with the state the refusal carries, and sends again', async () => {
      await rig.start();
      const { jobId, document } = rig.publish('2.0.0', Buffer.from('m'));
      // The download fails once: the agent waits a second on its clock, while the execution changes behind it.
      rig.transport.failNext.set(document.download.path, 1);
      await eventually(() => rig.transport.requests.length === 1, 2000, 'downloading');
      rig.service.touch(jobId);
      await rig.clock.advanceAsync(1000);
      await settled(rig, jobId, 'SUCCEEDED');
      assert.ok(rig.channel.rejections.includes('VersionMismatch'), 'the stale update was refused');
      // The steps after the refusal reached the fleet: sent again with the right version, not dropped.
      const steps = rig.service.execution(jobId).updates.map((u) => u.statusDetails.step);
      assert.deepEqual(steps, ['downloading', 'installing', 'health-check', 'committed']);
    });

    it('a closed gate leaves the job QUEUED until it opens', async () => {
      rig.gate.close('a shopper is shopping');
      await rig.start();
      const { jobId } = rig.publish('2.0.0', Buffer.from('m'));
      await eventually(() => rig.shadow.last?.job?.step === 'waiting', 2000, 'waiting reported');
      assert.equal(rig.service.status(jobId), 'QUEUED');
      assert.ok(!rig.channel.requests.some((r) => r.kind === 'start-next'), 'no start-next while closed');
      rig.gate.open();
      await settled(rig, jobId, 'SUCCEEDED');
    });

    it('a job canceled mid-download is dropped: no more updates on it, nothing installed', async () => {
      await rig.start();
      const bytes = Buffer.alloc(50_000, 9);
      const { jobId, document } = rig.publish('2.0.0', bytes);
      rig.transport.failNext.set(document.download.path, 100);
      await eventually(() => rig.transport.requests.length >= 1, 2000, 'downloading');
      const updates = rig.service.execution(jobId).updates.length;
      rig.service.end(jobId, 'CANCELED');
      await eventually(() => !existsSync(rig.paths.journal), 3000, 'journal cleared');
      await rig.clock.advanceAsync(10_000);
      assert.equal(rig.service.execution(jobId).updates.length, updates, 'nothing reported after CANCELED');
      assert.equal(rig.model.installs.length, 0);
      // Positive control: the next job is taken and runs.
      rig.transport.failNext.clear();
      const next = rig.publish('2.0.1', Buffer.from('m 2.0.1'));
      await settled(rig, next.jobId, 'SUCCEEDED');
    });

    it('a job canceled while its software is on trial rolls back (OTA_CANCELED) and reports nothing', async () => {
      await rig.start();
      rig.probe.set({ shadowInSync: false });
      const { jobId } = rig.publish('1.1.0', Buffer.from('bundle 1.1.0'), { component: 'software' });
      await eventually(() => rig.host.restarts.length === 1, 5000, 'restart asked');
      await rig.reboot('b');
      await eventually(() => rig.service.details(jobId).step === 'health-check', 2000, 'health check');
      rig.service.end(jobId, 'CANCELED');
      await eventually(() => rig.host.restarts.length === 2, 3000, 'restart into the previous slot');
      const state = await bootState(rig);
      assert.equal(state.components.software.active, 'a');
      assert.equal(state.components.software.lastRollback?.reason, 'OTA_CANCELED');
      assert.equal(rig.service.status(jobId), 'CANCELED');
    });

    it('a final report whose answer was lost is taken as sent once the execution says so (no second report)', async () => {
      await rig.start();
      rig.channel.loseAnswerOf = (r) => r.kind === 'update' && r.status === 'SUCCEEDED';
      const { jobId } = rig.publish('2.0.0', Buffer.from('m'));
      await settled(rig, jobId, 'SUCCEEDED');
      await rig.clock.advanceAsync(1000);
      await eventually(() => !existsSync(rig.paths.journal), 3000, 'journal cleared');
      assert.equal(rig.channel.loseAnswerOf, undefined, 'the answer was lost');
      assert.equal(rig.service.execution(jobId).updates.filter((u) => u.status === 'SUCCEEDED').length, 1);
      assert.ok(rig.channel.rejections.includes('VersionMismatch'), 'the resend met the execution already SUCCEEDED');
    });
  });

  it('the factory record is slot a of software; model and config start empty', async () => {
    await rig.start();
    const state = await bootState(rig);
    assert.deepEqual(state.components.software.slots.a, { ...FACTORY, factory: true });
    assert.equal(state.components.software.active, 'a');
    assert.deepEqual(state.components.config.slots, { a: null, b: null });
  });
});
