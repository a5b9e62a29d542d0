import {
  MAX_STATUS_DETAIL_VALUE,
  OTA_FAILURE_REASONS,
  OTA_STEPS,
  type OtaFailureReason,
  type OtaStep,
} from '../../../protocol/ota/device-ota.ts';

export interface ExecutionDetails {
  step: OtaStep | null;
  reason: OtaFailureReason | null;
  message: string | null;
  logs: string | null;
  progress: number | null;
}

const STEPS: ReadonlySet<string> = new Set(OTA_STEPS);
const REASONS: ReadonlySet<string> = new Set(OTA_FAILURE_REASONS);

/**
 * What an agent wrote in its execution's `statusDetails` (protocol/ota/device-ota.ts's keys), read defensively: the
 * device wrote it, so a step or reason outside the contract is dropped rather than stored, progress is a whole
 * percentage or nothing, and texts are cut to AWS's 1,024 characters.
 */
export function executionDetails(statusDetails: Readonly<Record<string, string>>): ExecutionDetails {
  const step = statusDetails.step;
  const reason = statusDetails.reason;
  const progress = Number(statusDetails.progress);
  return {
    step: step !== undefined && STEPS.has(step) ? (step as OtaStep) : null,
    reason: reason !== undefined && REASONS.has(reason) ? (reason as OtaFailureReason) : null,
    message: text(statusDetails.message),
    logs: text(statusDetails.logs),
    progress:
      statusDetails.progress !== undefined && Number.isFinite(progress)
        ? Math.min(100, Math.max(0, Math.round(progress)))
        : null,
  };
}

function text(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  return value.length > MAX_STATUS_DETAIL_VALUE ? value.slice(0, MAX_STATUS_DETAIL_VALUE) : value;
}
