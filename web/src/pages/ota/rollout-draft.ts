import { THING_NAME_PATTERN } from '../../../../protocol/thing-names.ts';
import type {
  DeviceKind,
  JobFailureType,
  PhaseStart,
  ReleaseSummary,
  RolloutPhaseSpec,
  RolloutSpec,
} from '../../api/types.ts';
import { splitList } from './release-draft.ts';

/**
 * The rollout wizard's draft (texts and numbers as typed) and the `RolloutSpec` it makes. The rules that judge a
 * spec (phase sizes, targets, windows) are the fleet's (`ota/rollout/`, answered by `POST /api/rollouts/preview`);
 * this only turns the form into the contract's shape and says what keeps it from being one.
 */
export const WIZARD_STEPS = ['release', 'targets', 'phases', 'safety', 'review'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export const STEP_TITLES: Record<WizardStep, string> = {
  release: 'Release',
  targets: 'Targets',
  phases: 'Phases',
  safety: 'Safety',
  review: 'Review',
};

export interface PhaseDraft {
  name: string;
  /** A canary counts devices; a wave is a percentage of the whole target. */
  size: 'devices' | 'percent';
  amount: number;
  start: PhaseStart['kind'];
  /** `datetime-local` text, the browser's zone. */
  at: string;
  successPercent: number;
}

export interface RolloutDraft {
  releaseId: string;
  name: string;
  storeIds: string[];
  regions: string[];
  /** Device tags, comma or space separated. */
  tags: string;
  kinds: DeviceKind[];
  hardwareModels: string;
  /** A semver range of the installed version; empty: any. */
  currentVersions: string;
  /** Explicit thing names, one per line (or comma separated). */
  thingNames: string;
  phases: PhaseDraft[];
  /** `null`: no limit. */
  ratePerMinute: number | null;
  storeBandwidthKbps: number | null;
  abortFailureTypes: JobFailureType[];
  abortThresholdPercent: number;
  abortMinFinished: number;
  retriesFailed: number;
  retriesTimedOut: number;
  inProgressTimeoutMinutes: number;
  useMaintenanceWindows: boolean;
  allowDowngrade: boolean;
  healthCheckTimeoutSeconds: number;
  maxTrialBoots: number;
  /** `datetime-local` text; empty: now. */
  startAt: string;
}

export function newPhase(index: number, previous?: PhaseDraft): PhaseDraft {
  return {
    name: index === 0 ? 'Canary' : `Wave ${index}`,
    size: index === 0 ? 'devices' : 'percent',
    amount: index === 0 ? 2 : 50,
    start: index === 0 ? 'immediately' : 'after-success',
    at: previous?.at ?? '',
    successPercent: 95,
  };
}

/** A canary of two devices, then a quarter, then the rest, each after 95 % of the previous one succeeded. */
export function newRolloutDraft(
  release?: Pick<ReleaseSummary, 'id' | 'name' | 'version' | 'deviceKinds'>,
): RolloutDraft {
  return {
    releaseId: release?.id ?? '',
    name: release ? `${release.name} ${release.version}` : '',
    storeIds: [],
    regions: [],
    tags: '',
    kinds: release ? [...release.deviceKinds] : [],
    hardwareModels: '',
    currentVersions: '',
    thingNames: '',
    phases: [
      newPhase(0),
      { ...newPhase(1), name: 'Wave 1', amount: 25 },
      { ...newPhase(2), name: 'Wave 2', amount: 75 },
    ],
    ratePerMinute: 60,
    storeBandwidthKbps: null,
    abortFailureTypes: ['FAILED', 'REJECTED', 'TIMED_OUT'],
    abortThresholdPercent: 20,
    abortMinFinished: 5,
    retriesFailed: 1,
    retriesTimedOut: 1,
    inProgressTimeoutMinutes: 60,
    useMaintenanceWindows: false,
    allowDowngrade: false,
    healthCheckTimeoutSeconds: 120,
    maxTrialBoots: 3,
    startAt: '',
  };
}

export interface DraftProblem {
  step: WizardStep;
  message: string;
}

const THING = THING_NAME_PATTERN;

const intIn = (v: number | null, min: number, max: number) => v !== null && Number.isInteger(v) && v >= min && v <= max;

/**
 * What keeps the draft from being a schema-valid spec (the contract's bounds), per step. A spec without these is
 * sent to the preview, whose `problems` are the fleet's judgement of it.
 */
export function draftProblems(d: RolloutDraft, toEpoch: (local: string) => number): DraftProblem[] {
  const p: DraftProblem[] = [];
  const add = (step: WizardStep, message: string) => p.push({ step, message });
  if (!d.releaseId) add('release', 'Pick the release to roll out.');
  if (d.name.trim().length > 120) add('release', 'The name is at most 120 characters.');
  const things = splitList(d.thingNames);
  const badThing = things.find((t) => !THING.test(t));
  if (badThing) add('targets', `“${badThing}” is not a thing name.`);
  if (splitList(d.tags).some((t) => t.length > 64)) add('targets', 'A tag is at most 64 characters.');
  if (splitList(d.hardwareModels).some((m) => m.length > 64)) add('targets', 'A model is at most 64 characters.');
  if (d.currentVersions.trim().length > 200) add('targets', 'The version range is at most 200 characters.');
  if (d.phases.length === 0) add('phases', 'A rollout needs at least one phase.');
  if (d.phases.length > 10) add('phases', 'At most 10 phases.');
  d.phases.forEach((ph, i) => {
    const label = `Phase ${i + 1}${ph.name.trim() ? ` (${ph.name.trim()})` : ''}`;
    if (!ph.name.trim() || ph.name.trim().length > 64)
      add('phases', `${label}: give it a name (at most 64 characters).`);
    if (ph.size === 'devices' && !intIn(ph.amount, 1, 1000)) add('phases', `${label}: 1 to 1,000 devices.`);
    if (ph.size === 'percent' && !(Number.isFinite(ph.amount) && ph.amount > 0 && ph.amount <= 100)) {
      add('phases', `${label}: more than 0 and at most 100 %.`);
    }
    if (ph.start === 'at' && !Number.isFinite(toEpoch(ph.at))) add('phases', `${label}: pick the time it starts.`);
    if (ph.start === 'after-success' && !intIn(ph.successPercent, 1, 100)) {
      add('phases', `${label}: a success threshold of 1 to 100 %.`);
    }
    if (ph.start === 'after-success' && i === 0) add('phases', `${label}: the first phase has no phase before it.`);
  });
  if (d.ratePerMinute !== null && !intIn(d.ratePerMinute, 1, 10000))
    add('safety', 'Rate: 1 to 10,000 devices a minute.');
  if (d.storeBandwidthKbps !== null && !intIn(d.storeBandwidthKbps, 64, 10_000_000)) {
    add('safety', 'Store bandwidth: 64 to 10,000,000 kbit/s.');
  }
  if (d.abortFailureTypes.length === 0) add('safety', 'Abort: count at least one failure type.');
  if (!(Number.isFinite(d.abortThresholdPercent) && d.abortThresholdPercent >= 0 && d.abortThresholdPercent <= 100)) {
    add('safety', 'Abort threshold: 0 to 100 %.');
  }
  if (!intIn(d.abortMinFinished, 1, 100000)) add('safety', 'Abort: at least 1 finished device before judging.');
  if (!intIn(d.retriesFailed, 0, 10) || !intIn(d.retriesTimedOut, 0, 10)) add('safety', 'Retries: 0 to 10 each.');
  if (!intIn(d.inProgressTimeoutMinutes, 1, 10080)) add('safety', 'In-progress timeout: 1 minute to 7 days.');
  if (!intIn(d.healthCheckTimeoutSeconds, 10, 3600)) add('safety', 'Health-check timeout: 10 to 3,600 seconds.');
  if (!intIn(d.maxTrialBoots, 1, 10)) add('safety', 'Trial boots: 1 to 10.');
  if (d.startAt && !Number.isFinite(toEpoch(d.startAt))) add('safety', 'The start time is not a time.');
  return p;
}

function phaseSpec(ph: PhaseDraft, toEpoch: (local: string) => number): RolloutPhaseSpec {
  const start: PhaseStart =
    ph.start === 'at'
      ? { kind: 'at', at: toEpoch(ph.at) }
      : ph.start === 'after-success'
        ? { kind: 'after-success', successPercent: ph.successPercent }
        : { kind: 'immediately' };
  return {
    name: ph.name.trim(),
    ...(ph.size === 'devices' ? { devices: ph.amount } : { percent: ph.amount }),
    start,
  };
}

/** The spec for the preview and for creating; lists left empty are left out ("any"). */
export function specOf(d: RolloutDraft, toEpoch: (local: string) => number): RolloutSpec {
  const targets: RolloutSpec['targets'] = {};
  if (d.storeIds.length) targets.storeIds = [...d.storeIds];
  if (d.regions.length) targets.regions = [...d.regions];
  const tags = splitList(d.tags);
  if (tags.length) targets.tags = tags;
  if (d.kinds.length) targets.kinds = [...d.kinds];
  const models = splitList(d.hardwareModels);
  if (models.length) targets.hardwareModels = models;
  if (d.currentVersions.trim()) targets.currentVersions = d.currentVersions.trim();
  const things = splitList(d.thingNames);
  if (things.length) targets.thingNames = things;
  return {
    releaseId: d.releaseId,
    ...(d.name.trim() ? { name: d.name.trim() } : {}),
    targets,
    phases: d.phases.map((ph) => phaseSpec(ph, toEpoch)),
    ratePerMinute: d.ratePerMinute,
    storeBandwidthKbps: d.storeBandwidthKbps,
    abort: {
      failureTypes: [...d.abortFailureTypes],
      thresholdPercent: d.abortThresholdPercent,
      minFinished: d.abortMinFinished,
    },
    retries: { FAILED: d.retriesFailed, TIMED_OUT: d.retriesTimedOut },
    inProgressTimeoutMinutes: d.inProgressTimeoutMinutes,
    useMaintenanceWindows: d.useMaintenanceWindows,
    allowDowngrade: d.allowDowngrade,
    healthCheckTimeoutSeconds: d.healthCheckTimeoutSeconds,
    maxTrialBoots: d.maxTrialBoots,
    startAt: d.startAt ? toEpoch(d.startAt) : null,
  };
}

/** `datetime-local` text in the browser's zone as epoch ms (NaN when empty or not a time). */
export function localToEpoch(local: string): number {
  return local ? new Date(local).getTime() : Number.NaN;
}

/** The percentages reached after each wave, for the phase list's hint (canaries add no percentage). */
export function cumulativePercents(phases: PhaseDraft[]): (number | null)[] {
  let sum = 0;
  return phases.map((ph) => {
    if (ph.size !== 'percent') return null;
    sum += ph.amount;
    return Math.round(sum * 10) / 10;
  });
}
