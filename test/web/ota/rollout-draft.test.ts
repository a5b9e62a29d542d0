import assert from 'node:assert/strict';
import { RequestValidators } from '../../../fleet/http/request-validator.ts';
import { RolloutSpecSchema } from '../../../protocol/api/rollouts.ts';
import {
  cumulativePercents,
  draftProblems,
  newPhase,
  newRolloutDraft,
  type RolloutDraft,
  specOf,
} from '../../../web/src/pages/ota/rollout-draft.ts';

const release = { id: 'rel-1', name: 'cart-runtime', version: '1.4.0', deviceKinds: ['cart' as const] };
/** A fixed reading of `datetime-local` text (UTC), so the test does not depend on the machine's zone. */
const toEpoch = (local: string) => (local ? Date.parse(`${local}:00Z`) : Number.NaN);
/** The server's body validator for `POST /api/rollouts` and its preview (the contract's schema). */
const specBody = new RequestValidators().compile(RolloutSpecSchema, 'body');

function steps(d: RolloutDraft): string[] {
  return draftProblems(d, toEpoch).map((p) => p.step);
}

describe('console rollout draft (the wizard’s form and the spec it makes)', () => {
  it('starts from a canary, a quarter and the rest, for the release’s kinds, and makes a spec the contract accepts', () => {
    const draft = newRolloutDraft(release);
    assert.deepEqual(draftProblems(draft, toEpoch), []);
    const spec = specOf(draft, toEpoch);
    assert.equal(specBody(spec), true, JSON.stringify(specBody.errors));
    assert.deepEqual(spec.targets, { kinds: ['cart'] }, 'empty criteria are left out (any)');
    assert.deepEqual(
      spec.phases.map((p) => [p.name, p.devices ?? null, p.percent ?? null, p.start.kind]),
      [
        ['Canary', 2, null, 'immediately'],
        ['Wave 1', null, 25, 'after-success'],
        ['Wave 2', null, 75, 'after-success'],
      ],
    );
    assert.equal(spec.name, 'cart-runtime 1.4.0');
    assert.equal(spec.startAt, null);
    // Positive control: the validator does refuse what breaks the contract.
    assert.equal(specBody({ ...spec, phases: [] }), false);
  });

  it('turns every target criterion, start time and limit into the spec', () => {
    const draft: RolloutDraft = {
      ...newRolloutDraft(release),
      storeIds: ['hf-shanghai-xuhui'],
      regions: ['east'],
      tags: 'pilot, aisle-7 pilot',
      kinds: ['cart', 'speaker'],
      hardwareModels: 'SC-200',
      currentVersions: ' <1.4.0 ',
      thingNames: 'cart-xuhui-001\ncart-xuhui-002, cart-xuhui-001',
      phases: [
        { ...newPhase(0), start: 'at', at: '2026-12-06T02:00' },
        { ...newPhase(1), amount: 100, successPercent: 90 },
      ],
      ratePerMinute: null,
      storeBandwidthKbps: 2000,
      allowDowngrade: true,
      useMaintenanceWindows: true,
      startAt: '2026-12-06T01:30',
    };
    const spec = specOf(draft, toEpoch);
    assert.equal(specBody(spec), true, JSON.stringify(specBody.errors));
    assert.deepEqual(spec.targets, {
      storeIds: ['hf-shanghai-xuhui'],
      regions: ['east'],
      tags: ['pilot', 'aisle-7'],
      kinds: ['cart', 'speaker'],
      hardwareModels: ['SC-200'],
      currentVersions: '<1.4.0',
      thingNames: ['cart-xuhui-001', 'cart-xuhui-002'],
    });
    assert.deepEqual(spec.phases[0]!.start, { kind: 'at', at: Date.parse('2026-12-06T02:00:00Z') });
    assert.deepEqual(spec.phases[1]!.start, { kind: 'after-success', successPercent: 90 });
    assert.equal(spec.startAt, Date.parse('2026-12-06T01:30:00Z'));
    assert.equal(spec.ratePerMinute, null);
    assert.equal(spec.storeBandwidthKbps, 2000);
  });

  it('says per step what keeps the draft from being a spec, every problem at once', () => {
    const base = newRolloutDraft(release);
    assert.deepEqual(steps({ ...base, releaseId: '' }), ['release']);
    assert.deepEqual(steps({ ...base, thingNames: 'cart xuhui/001' }), ['targets']);
    const phases = (patch: Partial<(typeof base.phases)[number]>, index = 1) =>
      steps({ ...base, phases: base.phases.map((p, i) => (i === index ? { ...p, ...patch } : p)) });
    assert.deepEqual(phases({ name: ' ' }), ['phases']);
    assert.deepEqual(phases({ amount: 0 }), ['phases']);
    assert.deepEqual(phases({ amount: 100.5 }), ['phases']);
    assert.deepEqual(phases({ size: 'devices', amount: 1001 }), ['phases']);
    assert.deepEqual(phases({ size: 'devices', amount: 2.5 }), ['phases']);
    assert.deepEqual(phases({ start: 'at', at: '' }), ['phases']);
    assert.deepEqual(phases({ successPercent: 0 }), ['phases']);
    assert.deepEqual(phases({ start: 'after-success' }, 0), ['phases'], 'the first phase has none before it');
    assert.deepEqual(steps({ ...base, phases: [] }), ['phases']);
    assert.deepEqual(steps({ ...base, ratePerMinute: 0 }), ['safety']);
    assert.deepEqual(steps({ ...base, storeBandwidthKbps: 10 }), ['safety']);
    assert.deepEqual(steps({ ...base, abortFailureTypes: [] }), ['safety']);
    assert.deepEqual(steps({ ...base, abortThresholdPercent: 120 }), ['safety']);
    assert.deepEqual(steps({ ...base, retriesFailed: 11 }), ['safety']);
    assert.deepEqual(steps({ ...base, healthCheckTimeoutSeconds: 5 }), ['safety']);
    assert.deepEqual(steps({ ...base, maxTrialBoots: Number.NaN }), ['safety']);
    assert.deepEqual(steps({ ...base, releaseId: '', ratePerMinute: 0 }), ['release', 'safety']);
  });

  it('leaves the sum of the waves to the fleet: phases over 100 % are a valid spec the preview refuses', () => {
    const draft = newRolloutDraft(release);
    const over = { ...draft, phases: draft.phases.map((p, i) => (i === 2 ? { ...p, amount: 90 } : p)) };
    assert.deepEqual(draftProblems(over, toEpoch), []);
    assert.equal(specBody(specOf(over, toEpoch)), true);
    assert.deepEqual(cumulativePercents(over.phases), [null, 25, 115], 'the form shows where the waves end');
  });

  it('names a new phase after the ones before it and starts it after the previous one', () => {
    assert.deepEqual((({ name, size, start }) => ({ name, size, start }))(newPhase(3)), {
      name: 'Wave 3',
      size: 'percent',
      start: 'after-success',
    });
    assert.equal(newPhase(0).start, 'immediately');
  });
});
