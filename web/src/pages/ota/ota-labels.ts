import type {
  JobFailureType,
  OtaComponent,
  OtaFailureReason,
  OtaStep,
  RolloutDeviceStatus,
  RolloutExclusion,
  RolloutState,
} from '../../api/types.ts';
import type { Tone } from '../../components/tone.ts';

/** The words of the Updates section for the contract's values (protocol/ota, protocol/api/rollouts.ts), in one place. */

export const COMPONENT_LABELS: Record<OtaComponent, string> = {
  software: 'Device software',
  model: 'Model',
  config: 'Config',
  gallery: 'Product gallery',
};

export const ROLLOUT_STATE_LABELS: Record<RolloutState, string> = {
  scheduled: 'Scheduled',
  running: 'Running',
  paused: 'Paused',
  completed: 'Completed',
  aborted: 'Aborted',
  canceled: 'Canceled',
};

export const ROLLOUT_STATE_TONES: Record<RolloutState, Tone> = {
  scheduled: 'idle',
  running: 'info',
  paused: 'warn',
  completed: 'ok',
  aborted: 'bad',
  canceled: 'idle',
};

export const DEVICE_STATUS_LABELS: Record<RolloutDeviceStatus, string> = {
  PENDING: 'Pending',
  QUEUED: 'Queued',
  IN_PROGRESS: 'In progress',
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  TIMED_OUT: 'Timed out',
  REJECTED: 'Rejected',
  REMOVED: 'Removed',
  CANCELED: 'Canceled',
};

export const DEVICE_STATUS_TONES: Record<RolloutDeviceStatus, Tone> = {
  PENDING: 'idle',
  QUEUED: 'idle',
  IN_PROGRESS: 'info',
  SUCCEEDED: 'ok',
  FAILED: 'bad',
  TIMED_OUT: 'bad',
  REJECTED: 'bad',
  REMOVED: 'idle',
  CANCELED: 'warn',
};

/** Statuses a technician's retry applies to (a failed execution; the server has the last word). */
export const RETRYABLE_STATUSES: readonly RolloutDeviceStatus[] = ['FAILED', 'TIMED_OUT', 'REJECTED'];

export const STEP_LABELS: Record<OtaStep, string> = {
  waiting: 'Waiting for its gate',
  downloading: 'Downloading',
  verifying: 'Verifying',
  installing: 'Installing',
  rebooting: 'Restarting',
  'health-check': 'Health check',
  committed: 'Committed',
  'rolling-back': 'Rolling back',
  'rolled-back': 'Rolled back',
};

/** What a device's reason code means (protocol/ota/device-ota.ts OTA_FAILURE_REASONS). */
export const REASON_TEXT: Record<OtaFailureReason, string> = {
  OTA_DOCUMENT_INVALID: 'The device could not read the job document.',
  OTA_SIGNATURE_INVALID: 'The release signature did not verify on the device.',
  OTA_KEY_UNKNOWN: 'The release is signed with a key the device does not trust.',
  OTA_KIND_MISMATCH: 'The release is not for this kind of device.',
  OTA_HARDWARE_MISMATCH: 'The release is not for this hardware model.',
  OTA_DOWNGRADE: 'The release is older than what the device runs (no downgrade allowed).',
  OTA_UPGRADE_PATH: 'The installed version is outside the versions the release upgrades from.',
  OTA_DOWNLOAD_FAILED: 'The download failed.',
  OTA_HASH_MISMATCH: 'The downloaded bytes did not match the release’s sha256.',
  OTA_DISK_FULL: 'The device ran out of storage.',
  OTA_INSTALL_FAILED: 'The install failed.',
  OTA_HEALTH_CHECK_FAILED: 'The new version failed its health check and was rolled back.',
  OTA_HEALTH_CHECK_TIMEOUT: 'The health check did not pass in time; rolled back.',
  OTA_CRASH_LOOP: 'The new version kept crashing; the previous one came back.',
  OTA_NO_CONTACT: 'The new version never reached the fleet; rolled back.',
  OTA_CANCELED: 'The rollout was aborted or the update canceled while the device was on it.',
};

export const EXCLUSION_LABELS: Record<RolloutExclusion, string> = {
  kind: 'wrong device kind',
  'hardware-model': 'hardware model not supported',
  'current-version': 'current version outside the range',
  'upgrade-path': 'cannot upgrade from its version',
  'already-installed': 'already on this release',
  downgrade: 'would be a downgrade',
  'penalty-box': 'in the penalty box (failed repeatedly)',
  busy: 'busy with another update',
};

export const FAILURE_TYPE_LABELS: Record<JobFailureType, string> = {
  FAILED: 'Failed',
  REJECTED: 'Rejected',
  TIMED_OUT: 'Timed out',
};

export const SLOT_LABELS = { a: 'Slot A', b: 'Slot B' } as const;

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}
