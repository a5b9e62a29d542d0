import {
  MAX_STATUS_DETAIL_VALUE,
  OTA_STATUS_DETAIL_KEYS,
  type OtaFailureReason,
  type OtaSlot,
  type OtaStatusDetailKey,
  type OtaStep,
} from '../../protocol/ota/index.ts';

export interface OtaStatus {
  step: OtaStep;
  reason?: OtaFailureReason;
  message?: string;
  /** 0–100. */
  progress?: number;
  fromVersion?: string;
  toVersion?: string;
  slot?: OtaSlot;
  /** The last log lines, oldest first (cut from the oldest end to fit). */
  logs?: string[];
}

/** Joins log lines in one value: AWS refuses control characters (newlines included) in statusDetails. */
const LINE_SEPARATOR = ' ⏎ ';

/**
 * An execution's `statusDetails` from the agent's status: only OTA_STATUS_DETAIL_KEYS, each value printable text of
 * 1 to 1,024 characters (AWS: `[^\p{C}]+`, at most 1,024), empty ones left out. A long message keeps its start; logs
 * keep their end (the last lines say why).
 */
export function statusDetails(status: OtaStatus): Record<string, string> {
  const values: Record<OtaStatusDetailKey, string | undefined> = {
    step: status.step,
    reason: status.reason,
    message: status.message === undefined ? undefined : cutToFit(printable(status.message), 'start'),
    progress:
      status.progress === undefined ? undefined : String(Math.max(0, Math.min(100, Math.round(status.progress)))),
    fromVersion: status.fromVersion,
    toVersion: status.toVersion,
    slot: status.slot,
    logs: status.logs === undefined ? undefined : cutToFit(status.logs.map(printable).join(LINE_SEPARATOR), 'end'),
  };
  const details: Record<string, string> = {};
  for (const key of OTA_STATUS_DETAIL_KEYS) {
    const value = values[key];
    if (value !== undefined && value.length > 0) details[key] = cutToFit(value, 'start');
  }
  return details;
}

function printable(text: string): string {
  return text.replace(/\p{C}+/gu, ' ').trim();
}

function cutToFit(text: string, keep: 'start' | 'end'): string {
  const chars = [...text];
  if (chars.length <= MAX_STATUS_DETAIL_VALUE) return text;
  const room = MAX_STATUS_DETAIL_VALUE - 1;
  return keep === 'start' ? `${chars.slice(0, room).join('')}…` : `…${chars.slice(chars.length - room).join('')}`;
}
