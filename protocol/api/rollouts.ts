import { JOB_EXECUTION_STATUSES, JOB_FAILURE_TYPES } from '../jobs-status.ts';
import { OTA_FAILURE_REASONS, OTA_STEPS, OtaReportedSchema } from '../ota/device-ota.ts';
import { OTA_COMPONENTS, semverString } from '../ota/release.ts';
import { DEVICE_KINDS } from './devices.ts';
import { epochMs, type FromSchema, integer, nullable, nullableEpochMs, object, oneOfValues } from './json-schema.ts';
import { idString, page, paging, thingNameString } from './parameters.ts';

/**
 * OTA rollouts (issue 10): one release to a target set of devices, in phases, through AWS IoT Jobs (one job per
 * rollout; its executions are queued phase by phase, at the rate limit, inside each store's maintenance windows).
 * The rules that judge a rollout (targets, phase sizes, abort and retry criteria, windows) live once in
 * `ota/rollout/`; these are their shapes.
 */

/** Which devices a rollout may reach: every listed criterion must hold (an empty or missing list means "any"). */
export const RolloutTargetsSchema = object(
  {
    storeIds: { type: 'array', items: idString, maxItems: 1000 },
    regions: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 100 },
    tags: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 50 },
    kinds: { type: 'array', items: oneOfValues(DEVICE_KINDS) },
    hardwareModels: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 32 },
    /** A semver range of the installed version of the release's name (`<1.4.0`, `1.2.x`). */
    currentVersions: { type: 'string', minLength: 1, maxLength: 200 },
    thingNames: { type: 'array', items: thingNameString, maxItems: 10000 },
  },
  { optional: ['storeIds', 'regions', 'tags', 'kinds', 'hardwareModels', 'currentVersions', 'thingNames'] },
);
export type RolloutTargets = FromSchema<typeof RolloutTargetsSchema>;

/**
 * When a phase may start: with the rollout (the first phase), at a time, or once the previous phase has at least
 * `successPercent` of its devices SUCCEEDED (and none still running if `successPercent` is 100).
 */
export const PhaseStartSchema = {
  oneOf: [
    object({ kind: { const: 'immediately' } }),
    object({ kind: { const: 'at' }, at: epochMs }),
    object({ kind: { const: 'after-success' }, successPercent: integer({ minimum: 1, maximum: 100 }) }),
  ],
} as const;
export type PhaseStart = FromSchema<typeof PhaseStartSchema>;

/**
 * A phase: a canary of a few devices, or a percentage of the whole target. Percentages add up over the phases and
 * may not pass 100 (ROLLOUT_INVALID); the last phase takes whatever the rounding left.
 */
export const RolloutPhaseSpecSchema = object(
  {
    name: { type: 'string', minLength: 1, maxLength: 64 },
    devices: integer({ minimum: 1, maximum: 1000 }),
    percent: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
    start: PhaseStartSchema,
  },
  { optional: ['devices', 'percent'] },
);
export type RolloutPhaseSpec = FromSchema<typeof RolloutPhaseSpecSchema>;

/** Abort when the failures of these types pass `thresholdPercent` of the finished executions, once at least `minFinished` have finished. */
export const AbortCriteriaSchema = object({
  failureTypes: { type: 'array', items: oneOfValues(JOB_FAILURE_TYPES), minItems: 1, uniqueItems: true },
  thresholdPercent: { type: 'number', minimum: 0, maximum: 100 },
  minFinished: integer({ minimum: 1, maximum: 100000 }),
});
export type AbortCriteria = FromSchema<typeof AbortCriteriaSchema>;

/** Retries per failure type (AWS allows up to 10 in all); a device that exhausts them stays failed. */
export const RetryCriteriaSchema = object({
  FAILED: integer({ minimum: 0, maximum: 10 }),
  TIMED_OUT: integer({ minimum: 0, maximum: 10 }),
});
export type RetryCriteria = FromSchema<typeof RetryCriteriaSchema>;

/** `POST /api/rollouts` and `POST /api/rollouts/preview` */
export const RolloutSpecSchema = object(
  {
    releaseId: idString,
    name: { type: 'string', minLength: 1, maxLength: 120 },
    targets: RolloutTargetsSchema,
    phases: { type: 'array', items: RolloutPhaseSpecSchema, minItems: 1, maxItems: 10 },
    /** Devices queued per minute at most (AWS `maximumPerMinute`); `null`: no limit. */
    ratePerMinute: nullable(integer({ minimum: 1, maximum: 10000 })),
    /** Download bandwidth per store, kbit/s, shared by its devices; `null`: no cap. */
    storeBandwidthKbps: nullable(integer({ minimum: 64, maximum: 10_000_000 })),
    abort: AbortCriteriaSchema,
    retries: RetryCriteriaSchema,
    /** A device with an execution IN_PROGRESS longer than this is TIMED_OUT (AWS `inProgressTimeoutInMinutes`). */
    inProgressTimeoutMinutes: integer({ minimum: 1, maximum: 10080 }),
    /** Queue devices only inside their store's maintenance windows. */
    useMaintenanceWindows: { type: 'boolean' },
    allowDowngrade: { type: 'boolean' },
    healthCheckTimeoutSeconds: integer({ minimum: 10, maximum: 3600 }),
    maxTrialBoots: integer({ minimum: 1, maximum: 10 }),
    /** When the first phase may start; `null`: now. */
    startAt: nullableEpochMs,
  },
  { optional: ['name', 'startAt'] },
);
export type RolloutSpec = FromSchema<typeof RolloutSpecSchema>;

/** Why devices in the target are left out of a rollout. */
export const ROLLOUT_EXCLUSIONS = [
  'kind',
  'hardware-model',
  'current-version',
  'upgrade-path',
  'already-installed',
  'downgrade',
  'penalty-box',
  'busy',
] as const;
export type RolloutExclusion = (typeof ROLLOUT_EXCLUSIONS)[number];

/** `POST /api/rollouts/preview`: how many devices each choice reaches. */
export const RolloutPreviewSchema = object({
  devices: integer({ minimum: 0 }),
  perPhase: { type: 'array', items: integer({ minimum: 0 }) },
  byStore: { type: 'array', items: object({ storeId: idString, devices: integer({ minimum: 0 }) }) },
  excluded: {
    type: 'array',
    items: object({ reason: oneOfValues(ROLLOUT_EXCLUSIONS), devices: integer({ minimum: 0 }) }),
  },
  /** Problems that would make `POST /api/rollouts` answer ROLLOUT_INVALID (empty when it would be accepted). */
  problems: { type: 'array', items: { type: 'string' } },
});
export type RolloutPreview = FromSchema<typeof RolloutPreviewSchema>;

export const ROLLOUT_STATES = ['scheduled', 'running', 'paused', 'completed', 'aborted', 'canceled'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];
export const PHASE_STATES = ['pending', 'running', 'done'] as const;

/** A device's place in a rollout: `PENDING` until its execution is queued, then AWS's execution status. */
export const ROLLOUT_DEVICE_STATUSES = ['PENDING', ...JOB_EXECUTION_STATUSES] as const;
export type RolloutDeviceStatus = (typeof ROLLOUT_DEVICE_STATUSES)[number];

const counts = object({
  total: integer({ minimum: 0 }),
  pending: integer({ minimum: 0 }),
  queued: integer({ minimum: 0 }),
  inProgress: integer({ minimum: 0 }),
  succeeded: integer({ minimum: 0 }),
  failed: integer({ minimum: 0 }),
  rejected: integer({ minimum: 0 }),
  timedOut: integer({ minimum: 0 }),
  canceled: integer({ minimum: 0 }),
});

export const RolloutPhaseSchema = object({
  index: integer({ minimum: 0 }),
  name: { type: 'string' },
  state: oneOfValues(PHASE_STATES),
  start: PhaseStartSchema,
  startedAt: nullableEpochMs,
  counts,
});

export const RolloutSchema = object({
  id: idString,
  name: { type: 'string' },
  releaseId: idString,
  component: oneOfValues(OTA_COMPONENTS),
  releaseName: { type: 'string' },
  version: semverString,
  /** The AWS IoT job this rollout runs as. */
  jobId: { type: 'string' },
  state: oneOfValues(ROLLOUT_STATES),
  /** Why it stopped: the abort criterion that tripped, or who paused, canceled or aborted it. */
  stateReason: nullable({ type: 'string', maxLength: 500 }),
  spec: RolloutSpecSchema,
  phases: { type: 'array', items: RolloutPhaseSchema },
  counts,
  storeIds: { type: 'array', items: idString },
  createdBy: nullable({ type: 'string' }),
  createdAt: epochMs,
  updatedAt: epochMs,
});
export type Rollout = FromSchema<typeof RolloutSchema>;

export const RolloutPageSchema = page(RolloutSchema);
export type RolloutPage = FromSchema<typeof RolloutPageSchema>;

export const RolloutListQuerySchema = object(
  { state: oneOfValues(ROLLOUT_STATES), storeId: idString, releaseId: idString, ...paging },
  { optional: ['state', 'storeId', 'releaseId', 'limit', 'offset'] },
);

/** One device of a rollout, with what its agent last reported. */
export const RolloutDeviceSchema = object({
  thingName: thingNameString,
  storeId: nullable(idString),
  phase: integer({ minimum: 0 }),
  status: oneOfValues(ROLLOUT_DEVICE_STATUSES),
  step: nullable(oneOfValues(OTA_STEPS)),
  reason: nullable(oneOfValues(OTA_FAILURE_REASONS)),
  message: nullable({ type: 'string' }),
  /** The last log lines the device sent with a failure. */
  logs: nullable({ type: 'string' }),
  progress: nullable(integer({ minimum: 0, maximum: 100 })),
  /** Executions so far (1 + retries). */
  attempts: integer({ minimum: 0 }),
  executionNumber: nullable(integer({ minimum: 1 })),
  queuedAt: nullableEpochMs,
  updatedAt: nullableEpochMs,
});
export type RolloutDevice = FromSchema<typeof RolloutDeviceSchema>;

export const RolloutDevicePageSchema = page(RolloutDeviceSchema);
export type RolloutDevicePage = FromSchema<typeof RolloutDevicePageSchema>;

export const RolloutDeviceQuerySchema = object(
  { phase: integer({ minimum: 0 }), status: oneOfValues(ROLLOUT_DEVICE_STATUSES), ...paging },
  { optional: ['phase', 'status', 'limit', 'offset'] },
);

/** `/api/rollouts/:rolloutId` and `/api/rollouts/:rolloutId/devices/:thingName/retry` */
export const RolloutParams = object({ rolloutId: idString });
export const RolloutDeviceParams = object({ rolloutId: idString, thingName: thingNameString });

/** `POST /api/rollouts/:rolloutId/pause|resume|abort` */
export const RolloutActionRequestSchema = object(
  { reason: { type: 'string', maxLength: 500 } },
  { optional: ['reason'] },
);

/** A store's maintenance window: a cron for when it opens (5 fields), how long it stays open, in the store's zone. */
export const MaintenanceWindowSchema = object({
  cron: { type: 'string', minLength: 9, maxLength: 120 },
  durationMinutes: integer({ minimum: 5, maximum: 1440 }),
  /** IANA zone; the store's own when omitted. */
  timeZone: { type: 'string', maxLength: 64 },
});
export type MaintenanceWindow = FromSchema<typeof MaintenanceWindowSchema>;

/** `GET|PUT /api/stores/:storeId/maintenance-windows` */
export const MaintenanceWindowsSchema = object({
  windows: { type: 'array', items: MaintenanceWindowSchema, maxItems: 14 },
});
export type MaintenanceWindows = FromSchema<typeof MaintenanceWindowsSchema>;

/** One past or current execution on a device, for its page. */
export const DeviceUpdateSchema = object({
  rolloutId: idString,
  releaseId: idString,
  component: oneOfValues(OTA_COMPONENTS),
  version: semverString,
  status: oneOfValues(ROLLOUT_DEVICE_STATUSES),
  reason: nullable(oneOfValues(OTA_FAILURE_REASONS)),
  message: nullable({ type: 'string' }),
  attempts: integer({ minimum: 0 }),
  updatedAt: nullableEpochMs,
});

/** `GET /api/devices/:thingName/ota`: the device's slots (its named shadow `ota`) and update history. */
export const DeviceOtaSchema = object({
  thingName: thingNameString,
  reported: nullable(OtaReportedSchema),
  /** In the penalty box: skipped by new rollouts until a technician retries it or the failures age out. */
  penaltyBox: { type: 'boolean' },
  history: { type: 'array', items: DeviceUpdateSchema },
});
export type DeviceOta = FromSchema<typeof DeviceOtaSchema>;
