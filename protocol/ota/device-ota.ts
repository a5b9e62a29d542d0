import { type FromSchema, nullable, object, oneOfValues } from '../api/json-schema.ts';
import { sha256String } from '../broadcast/manifest.ts';
import type { ErrorCode } from '../errors.ts';
import { OTA_COMPONENTS, semverString } from './release.ts';

/**
 * The steps of an install as the device reports them in the job execution's `statusDetails.step` (and in the named
 * shadow `ota`). `waiting` means the device has the job but its gate is closed (a shopper's session, an
 * announcement): the execution stays QUEUED until the gate opens.
 */
export const OTA_STEPS = [
  'waiting',
  'downloading',
  'verifying',
  'installing',
  'rebooting',
  'health-check',
  'committed',
  'rolling-back',
  'rolled-back',
] as const;
export type OtaStep = (typeof OTA_STEPS)[number];

/**
 * Why an install failed or was rejected, as `statusDetails.reason` (AWS keeps values to 1,024 characters of
 * printable text; `message` and `logs` are cut to fit). REJECTED: the device refused the job before installing
 * (its document, signature, kind, version); FAILED: it tried and came back on the previous slot.
 */
export const OTA_FAILURE_REASONS = [
  // Rejected before anything was downloaded or installed.
  'OTA_DOCUMENT_INVALID',
  'OTA_SIGNATURE_INVALID',
  'OTA_KEY_UNKNOWN',
  'OTA_KIND_MISMATCH',
  'OTA_HARDWARE_MISMATCH',
  'OTA_DOWNGRADE',
  'OTA_UPGRADE_PATH',
  // Failed on the way; the device stays on (or returns to) its previous slot.
  'OTA_DOWNLOAD_FAILED',
  'OTA_HASH_MISMATCH',
  'OTA_DISK_FULL',
  'OTA_INSTALL_FAILED',
  'OTA_HEALTH_CHECK_FAILED',
  'OTA_HEALTH_CHECK_TIMEOUT',
  'OTA_CRASH_LOOP',
  'OTA_NO_CONTACT',
  'OTA_CANCELED',
] as const satisfies readonly ErrorCode[];
export type OtaFailureReason = (typeof OTA_FAILURE_REASONS)[number];

/** `statusDetails` keys the agent writes (AWS: string → string, keys `[a-zA-Z0-9:_-]+`, values ≤ 1,024 characters). */
export const OTA_STATUS_DETAIL_KEYS = [
  'step',
  'reason',
  'message',
  'progress',
  'fromVersion',
  'toVersion',
  'slot',
  'logs',
] as const;
export type OtaStatusDetailKey = (typeof OTA_STATUS_DETAIL_KEYS)[number];
export const MAX_STATUS_DETAIL_VALUE = 1024;
/**
 * How the agent joins its last log lines into the one `logs` value: AWS refuses control characters, newlines
 * included, in status details (`[^\p{C}]+`), so the lines travel joined with this and the console splits them.
 */
export const OTA_LOG_LINE_SEPARATOR = ' ⏎ ';

/** The slots of a component: A and B. */
export const OTA_SLOTS = ['a', 'b'] as const;
export type OtaSlot = (typeof OTA_SLOTS)[number];

/** Named shadow where the agent reports its slots (`reported`); the console's device page reads it. */
export const OTA_SHADOW = 'ota';

const SlotContentSchema = nullable(
  object({
    name: { type: 'string', maxLength: 64 },
    version: semverString,
    sha256: sha256String,
  }),
);

export const ComponentSlotsSchema = object({
  active: oneOfValues(OTA_SLOTS),
  a: SlotContentSchema,
  b: SlotContentSchema,
  /** A slot on trial: switched to, not yet committed. */
  trial: nullable(oneOfValues(OTA_SLOTS)),
});
export type ComponentSlots = FromSchema<typeof ComponentSlotsSchema>;

/** `reported` of the named shadow `ota`. */
export const OtaReportedSchema = object({
  components: object(
    {
      software: ComponentSlotsSchema,
      model: ComponentSlotsSchema,
      config: ComponentSlotsSchema,
      gallery: ComponentSlotsSchema,
    },
    { optional: ['software', 'model', 'config', 'gallery'] },
  ),
  /** The job the agent is on, if any, and its step. */
  job: nullable(object({ jobId: { type: 'string', maxLength: 64 }, step: oneOfValues(OTA_STEPS) })),
  /** The last rollback, so a device page shows why it is not on the version it was sent. */
  lastRollback: nullable(
    object({
      component: oneOfValues(OTA_COMPONENTS),
      fromVersion: semverString,
      toVersion: semverString,
      reason: oneOfValues(OTA_FAILURE_REASONS),
      at: { type: 'integer', minimum: 0 },
    }),
  ),
});
export type OtaReported = FromSchema<typeof OtaReportedSchema>;
