import type { JobFailureType } from '../../protocol/jobs-status.ts';

/**
 * NervesHub's penalty box: a device that keeps failing updates is left out of new rollouts for a while, so one
 * broken cart does not count against every wave and get the same update pushed at it again and again.
 */
export interface PenaltyBoxRule {
  /** This many failed executions ... */
  failures: number;
  /** ... within this long puts a device in the box; it leaves when they age out of the window. */
  windowMs: number;
  /** Which outcomes count (REJECTED is the release's fault, not the device's). */
  statuses: readonly JobFailureType[];
}

/** 3 failures in 7 days: a bad release fails a device once per rollout; three in a week is the device. */
export const DEFAULT_PENALTY_BOX: PenaltyBoxRule = Object.freeze({
  failures: 3,
  windowMs: 7 * 24 * 3_600_000,
  statuses: Object.freeze(['FAILED', 'TIMED_OUT'] as const),
});

export interface PenaltyState {
  boxed: boolean;
  /** Failures that count now. */
  failures: number;
  /** When the device leaves the box by itself (null: not in it). */
  until: number | null;
}

/**
 * A device's place in the penalty box at `now`, from the times of its counted failures and the last time a
 * technician took it out (a retry): failures before that no longer count.
 */
export function penaltyState(
  failureTimes: readonly number[],
  clearedAt: number | null,
  now: number,
  rule: PenaltyBoxRule,
): PenaltyState {
  const since = Math.max(now - rule.windowMs, clearedAt ?? Number.NEGATIVE_INFINITY);
  const counted = failureTimes.filter((t) => t > since && t <= now).sort((a, b) => a - b);
  if (counted.length < rule.failures) return { boxed: false, failures: counted.length, until: null };
  // It leaves once all but failures - 1 of them are older than the window.
  const pivot = counted[counted.length - rule.failures] ?? now;
  return { boxed: true, failures: counted.length, until: pivot + rule.windowMs };
}
