import assert from 'node:assert/strict';
import { planRollout } from '../../../ota/rollout/plan.ts';
import { resolveTargets } from '../../../ota/rollout/targets.ts';
import { testManifest } from '../../helpers/ota-release.ts';
import { rolloutSpec } from '../../helpers/ota-rollout.ts';
import { inventoryDevice, inventoryOf } from '../../mocks/fake-rollout-ports.ts';

const manifest = testManifest({ version: '1.1.0', upgradeFrom: '>=1.0.0 <2.0.0' });
const none = { allowDowngrade: false, penaltyBox: new Set<string>(), busy: new Set<string>() };

describe('rollout targets and plan', () => {
  it('selects by store, region, tag (all of them), kind, model and name; an empty list means any', () => {
    const devices = [
      inventoryDevice('a1', 'a', '1.0.0', { tags: ['pilot', 'east'] }),
      inventoryDevice('a2', 'a', '1.0.0', { tags: ['pilot'] }),
      inventoryDevice('b1', 'b', '1.0.0', { region: 'west', hardwareModel: 'SC-300' }),
      inventoryDevice('s1', 'a', null, { kind: 'speaker', hardwareModel: 'BX-100' }),
    ];
    const names = (targets: Parameters<typeof resolveTargets>[0]) =>
      resolveTargets(targets, devices, manifest, none).included.map((d) => d.thingName);
    assert.deepEqual(names({}), ['a1', 'a2', 'b1']);
    assert.deepEqual(names({ storeIds: ['b'] }), ['b1']);
    assert.deepEqual(names({ regions: ['west'] }), ['b1']);
    assert.deepEqual(names({ tags: ['pilot', 'east'] }), ['a1']);
    assert.deepEqual(names({ hardwareModels: ['SC-300'] }), ['b1']);
    assert.deepEqual(names({ thingNames: ['a2', 's1'] }), ['a2']);
    assert.deepEqual(names({ kinds: ['speaker'] }), [], 'targeted, but the release is for carts');
    assert.deepEqual(
      resolveTargets({ kinds: ['speaker'] }, devices, manifest, none).excluded.map((e) => e.reason),
      ['kind'],
    );
  });

  it('leaves devices out with the reason that applies, from the release rules, the penalty box and other rollouts', () => {
    const devices = [
      inventoryDevice('ok', 'a', '1.0.0'),
      inventoryDevice('old', 'a', '0.9.0'),
      inventoryDevice('newer', 'a', '1.2.0'),
      inventoryDevice('same', 'a', '1.1.0'),
      inventoryDevice('model', 'a', '1.0.0', { hardwareModel: 'SC-999' }),
      inventoryDevice('boxed', 'a', '1.0.0'),
      inventoryDevice('busy', 'a', '1.0.0'),
      inventoryDevice('fresh', 'a', null),
    ];
    const release = testManifest({ version: '1.1.0', upgradeFrom: '>=1.0.0 <2.0.0', hardwareModels: ['SC-200'] });
    const { included, excluded } = resolveTargets({}, devices, release, {
      allowDowngrade: false,
      penaltyBox: new Set(['boxed']),
      busy: new Set(['busy']),
    });
    assert.deepEqual(
      included.map((d) => d.thingName),
      ['ok', 'fresh'],
    );
    assert.deepEqual(Object.fromEntries(excluded.map((e) => [e.thingName, e.reason])), {
      old: 'upgrade-path',
      newer: 'downgrade',
      same: 'already-installed',
      model: 'hardware-model',
      boxed: 'penalty-box',
      busy: 'busy',
    });
    const downgrade = resolveTargets({}, devices, release, { ...none, allowDowngrade: true });
    assert.ok(
      downgrade.included.some((d) => d.thingName === 'newer'),
      'allowed when asked for',
    );
  });

  it('current versions: a semver range of the installed release, prereleases included', () => {
    const devices = [
      inventoryDevice('v100', 'a', '1.0.0'),
      inventoryDevice('beta', 'a', '1.0.5-beta.1'),
      inventoryDevice('v105', 'a', '1.0.5'),
      inventoryDevice('nothing', 'a', null),
    ];
    const { included, excluded } = resolveTargets({ currentVersions: '<1.0.5' }, devices, manifest, none);
    assert.deepEqual(
      included.map((d) => d.thingName),
      ['v100', 'beta'],
    );
    assert.deepEqual(
      excluded.map((e) => [e.thingName, e.reason]),
      [
        ['v105', 'current-version'],
        ['nothing', 'current-version'],
      ],
    );
  });

  it('plans phases in the spread order, counts per store and exclusions, and no problem for a sound spec', () => {
    const plan = planRollout(
      rolloutSpec({
        phases: [
          { name: 'canary', devices: 3, start: { kind: 'immediately' } },
          { name: 'ten', percent: 10, start: { kind: 'after-success', successPercent: 100 } },
          { name: 'rest', percent: 90, start: { kind: 'after-success', successPercent: 95 } },
        ],
      }),
      [...inventoryOf({ a: 60, b: 30, c: 10 }), inventoryDevice('stale', 'c', '0.1.0')],
      manifest,
      { seed: 'ro-1', penaltyBox: new Set(), busy: new Set(), windowsOf: () => undefined },
    );
    assert.deepEqual(plan.problems, []);
    assert.deepEqual(plan.perPhase, [3, 7, 90]);
    assert.deepEqual(plan.byStore, [
      { storeId: 'a', devices: 60 },
      { storeId: 'b', devices: 30 },
      { storeId: 'c', devices: 10 },
    ]);
    assert.deepEqual(plan.excludedByReason, [{ reason: 'upgrade-path', devices: 1 }]);
    assert.deepEqual(
      plan.devices.map((d) => d.position),
      Array.from({ length: 100 }, (_, i) => i),
    );
    assert.equal(new Set(plan.devices.slice(0, 3).map((d) => d.device.storeId)).size, 3, 'the canary spans stores');
  });

  it('a spec gets every problem at once', () => {
    const plan = planRollout(
      rolloutSpec({
        targets: { currentVersions: 'not a range' },
        phases: [
          { name: 'a', percent: 70, start: { kind: 'immediately' } },
          { name: 'b', percent: 70, start: { kind: 'after-success', successPercent: 90 } },
        ],
        retries: { FAILED: 8, TIMED_OUT: 5 },
        abort: { failureTypes: ['FAILED'], thresholdPercent: 10, minFinished: 500 },
        inProgressTimeoutMinutes: 1,
        healthCheckTimeoutSeconds: 120,
        useMaintenanceWindows: true,
      }),
      [...inventoryOf({ a: 2, b: 2 }), inventoryDevice('loose', null)],
      manifest,
      {
        seed: 'x',
        penaltyBox: new Set(),
        busy: new Set(),
        windowsOf: (s) => (s === 'a' ? [{ cron: '0 2 * * *', durationMinutes: 60, timeZone: '' }] : []),
      },
    );
    assert.deepEqual(plan.problems, [
      'the phases add up to 140 % of the target, over 100 %',
      'no device would be updated: the targets reach none',
      "targets.currentVersions: 'not a range' is not a version range (e.g. <1.4.0, 1.2.x, >=1.0.0 <2.0.0)",
      'retries: 13 in all, more than 10',
      'inProgressTimeoutMinutes: 1 min does not leave the device its 120 s health check',
    ]);
    const windows = planRollout(
      rolloutSpec({
        useMaintenanceWindows: true,
        abort: { failureTypes: ['FAILED'], thresholdPercent: 10, minFinished: 500 },
      }),
      [...inventoryOf({ a: 2, b: 2 }), inventoryDevice('loose', null)],
      manifest,
      {
        seed: 'x',
        penaltyBox: new Set(),
        busy: new Set(),
        windowsOf: (s) => (s === 'a' ? [{ cron: '0 2 * * *', durationMinutes: 60, timeZone: '' }] : []),
      },
    );
    assert.deepEqual(windows.problems, [
      'abort.minFinished: 500 finished devices are needed before it can abort, but the target has 5: the rollout could never abort',
      'store b has no maintenance window: its devices would never be updated',
      '1 device(s) have no store, so no maintenance window: they would never be updated',
    ]);
  });
});
