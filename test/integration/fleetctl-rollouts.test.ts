/** fleetctl rollouts: create (and --dry-run), status (--watch), list, pause/resume/abort, retry (real fleet, CLI in a child process). */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { systemClock } from '../../platform/clock.ts';
import type { Rollout } from '../../protocol/api/rollouts.ts';
import { type ApiUser, apiUser, eventually, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { type FleetctlRun, runFleetctl, succeeded } from '../helpers/fleetctl-run.ts';
import { FakeJobs } from '../mocks/fake-jobs.ts';
import { FakeReleases } from '../mocks/fake-rollout-ports.ts';

const A = 'hf-shanghai-xuhui';
const B = 'hf-hangzhou-binjiang';

describe('fleetctl rollouts (real fleet, CLI in a child process)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let hq: ApiUser;
  let viewer: ApiUser;
  const jobs = new FakeJobs(systemClock);
  const releases = new FakeReleases();

  const fleetctl = (args: string[], as: ApiUser = hq): Promise<FleetctlRun> =>
    runFleetctl(`http://127.0.0.1:${fleet.services.http.port}`, as.token, join(dir.path, 'xdg'), args);

  before(async () => {
    dir = tempDir();
    releases.add('rel-110');
    fleet = await startFleet(
      join(dir.path, 'fleet'),
      { seedDemoData: true },
      { extensions: { rollouts: { jobs, releases } } },
    );
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    viewer = await apiUser(fleet, 'viewer', 'viewer');
    for (const [store, prefix] of [
      [A, 'a'],
      [B, 'b'],
    ] as const) {
      for (let i = 1; i <= 5; i++) {
        await fleet.services.registry.registerDevice({
          thingName: `cli-${prefix}${i}`,
          kind: 'cart',
          hardwareModel: 'SC-200',
          storeId: store,
        });
      }
    }
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('--dry-run previews per phase and store; --json gives the API’s preview; nothing is made', async () => {
    const run = succeeded(
      await fleetctl([
        'rollouts',
        'create',
        '--release',
        'rel-110',
        '--canary',
        '2',
        '--phases',
        '50,100',
        '--no-windows',
        '--dry-run',
      ]),
    );
    assert.match(run.stdout, /devices\s+10/);
    assert.match(run.stdout, /canary\s+2\n50 %\s+3\n100 %\s+5/);
    assert.match(run.stdout, new RegExp(`${A}\\s+5`));
    const json = succeeded(
      await fleetctl([
        'rollouts',
        'create',
        '--release',
        'rel-110',
        '--stores',
        A,
        '--no-windows',
        '--dry-run',
        '--json',
      ]),
    );
    assert.deepEqual(JSON.parse(json.stdout), {
      devices: 5,
      perPhase: [5],
      byStore: [{ storeId: A, devices: 5 }],
      excluded: [],
      problems: [],
    });
    assert.equal(jobs.jobs.size, 0);
  });

  it('refuses phases over 100 % with the fleet’s code and every problem; windows by default, with a hint', async () => {
    const over = await fleetctl([
      'rollouts',
      'create',
      '--release',
      'rel-110',
      '--phases',
      '10,50,120',
      '--no-windows',
    ]);
    assert.equal(over.code, 1, over.stderr);
    assert.match(over.stderr, /^error ROLLOUT_INVALID: the phases add up to 120 % of the target, over 100 %/m);
    const windows = await fleetctl(['rollouts', 'create', '--release', 'rel-110', '--stores', A]);
    assert.equal(windows.code, 1);
    assert.match(windows.stderr, /error ROLLOUT_INVALID: store hf-shanghai-xuhui has no maintenance window/);
    assert.match(windows.stderr, /hint: .*--no-windows/);
    const usage = await fleetctl(['rollouts', 'create', '--release', 'rel-110', '--phases', '50,10']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--phases are cumulative percentages/);
    assert.equal(jobs.jobs.size, 0, 'nothing was made');
    const denied = await fleetctl(['rollouts', 'create', '--release', 'rel-110', '--no-windows'], viewer);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /error NOT_AUTHORIZED/);
  });

  describe('a rollout', () => {
    let rollout: Rollout;

    before(async () => {
      const run = succeeded(
        await fleetctl([
          'rollouts',
          'create',
          '--release',
          'rel-110',
          '--name',
          'cli test',
          '--canary',
          '2',
          '--phases',
          '100',
          '--after-success',
          '100',
          '--no-windows',
          '--retries-failed',
          '1',
          '--json',
        ]),
      );
      rollout = JSON.parse(run.stdout);
    });

    it('is made as asked', () => {
      assert.equal(rollout.name, 'cli test');
      assert.deepEqual(
        rollout.spec.phases.map((p) => [p.name, p.devices ?? p.percent, p.start.kind]),
        [
          ['canary', 2, 'immediately'],
          ['100 %', 100, 'after-success'],
        ],
      );
      assert.deepEqual(rollout.spec.abort, {
        failureTypes: ['FAILED', 'REJECTED', 'TIMED_OUT'],
        thresholdPercent: 20,
        minFinished: 5,
      });
      assert.deepEqual(rollout.spec.retries, { FAILED: 1, TIMED_OUT: 0 });
      assert.equal(rollout.spec.useMaintenanceWindows, false);
    });

    it('status prints the phases as progress bars and the failing devices; list shows it', async () => {
      const canary = jobs.thingsIn(rollout.jobId, 'QUEUED');
      assert.equal(canary.length, 2);
      jobs.finish(rollout.jobId, canary[0]!, 'SUCCEEDED');
      jobs.finish(rollout.jobId, canary[1]!, 'REJECTED', { reason: 'OTA_SIGNATURE_INVALID', message: 'unknown key' });
      const status = succeeded(await fleetctl(['rollouts', 'status', rollout.id]));
      assert.match(status.stdout, /state\s+running/);
      assert.match(status.stdout, /canary\s+\[█{15}▓{15}\]\s+1\/2 ok, 1 failed\s+done/);
      assert.match(status.stdout, /100 %\s+\[░{30}\]\s+0\/8 ok, 8 waiting\s+pending/);
      assert.match(
        status.stdout,
        new RegExp(`${canary[1]}\\s+\\S+\\s+REJECTED\\s+OTA_SIGNATURE_INVALID\\s+1\\s+unknown key`),
      );
      const json = JSON.parse(succeeded(await fleetctl(['rollouts', 'status', rollout.id, '--json'])).stdout);
      assert.equal(json.counts.rejected, 1);
      assert.deepEqual(
        json.failing.map((d: { thingName: string }) => d.thingName),
        [canary[1]],
      );
      const list = succeeded(await fleetctl(['rollouts', 'list']));
      assert.match(list.stdout, new RegExp(`${rollout.id}\\s+cli test\\s+cart-runtime@1.1.0\\s+running`));
    });

    it('retry queues a failed device again; pause and resume with a reason', async () => {
      const rejected = jobs.thingsIn(rollout.jobId, 'REJECTED')[0]!;
      const retried = succeeded(await fleetctl(['rollouts', 'retry', rollout.id, rejected]));
      assert.equal(retried.stdout.trim(), `${rejected}: QUEUED (attempt 2)`);
      const paused = succeeded(await fleetctl(['rollouts', 'pause', rollout.id, '--reason', 'lunch']));
      assert.equal(paused.stdout.trim(), `${rollout.id}: paused`);
      assert.equal(
        fleet.services.rollouts?.service.get({ username: 'x', storeIds: null }, rollout.id).stateReason,
        'paused by hq: lunch',
      );
      const again = await fleetctl(['rollouts', 'pause', rollout.id]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /error ROLLOUT_STATE_INVALID/);
      succeeded(await fleetctl(['rollouts', 'resume', rollout.id]));
    });

    it('status --watch follows the rollout until it completes', async () => {
      const watching = fleetctl(['rollouts', 'status', rollout.id, '--watch', '--every', '0.2']);
      const job = rollout.jobId;
      jobs.finish(job, jobs.thingsIn(job, 'QUEUED')[0]!, 'SUCCEEDED');
      await eventually(() => jobs.thingsIn(job, 'QUEUED').length === 8, 5000, 'the next phase queued');
      for (const thing of jobs.thingsIn(job, 'QUEUED')) jobs.finish(job, thing, 'SUCCEEDED');
      const run = await watching;
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /state\s+completed/);
      assert.match(run.stdout, /100 %\s+\[█{30}\]\s+8\/8 ok\s+done/);
      const aborted = await fleetctl(['rollouts', 'abort', rollout.id]);
      assert.equal(aborted.code, 1);
      assert.match(aborted.stderr, /error ROLLOUT_STATE_INVALID/);
    });
  });
});
