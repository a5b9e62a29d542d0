import type { RolloutDeviceStatus } from '../../protocol/api/rollouts.ts';
import type { JobFailureType } from '../../protocol/jobs-status.ts';

/** How many devices of a rollout (or of one phase) are in each state: the `counts` of the API. */
export interface RolloutCounts {
  total: number;
  pending: number;
  queued: number;
  inProgress: number;
  succeeded: number;
  failed: number;
  rejected: number;
  timedOut: number;
  canceled: number;
}

export type CountBucket = Exclude<keyof RolloutCounts, 'total'>;

export function emptyCounts(): RolloutCounts {
  return {
    total: 0,
    pending: 0,
    queued: 0,
    inProgress: 0,
    succeeded: 0,
    failed: 0,
    rejected: 0,
    timedOut: 0,
    canceled: 0,
  };
}

/**
 * The bucket a device's status counts in. REMOVED (left out after the rollout was made: the penalty box) counts as
 * canceled: the device will not be updated by this rollout, and it did not fail it.
 */
export function bucketOf(status: RolloutDeviceStatus): CountBucket {
  switch (status) {
    case 'PENDING':
      return 'pending';
    case 'QUEUED':
      return 'queued';
    case 'IN_PROGRESS':
      return 'inProgress';
    case 'SUCCEEDED':
      return 'succeeded';
    case 'FAILED':
      return 'failed';
    case 'REJECTED':
      return 'rejected';
    case 'TIMED_OUT':
      return 'timedOut';
    case 'CANCELED':
    case 'REMOVED':
      return 'canceled';
  }
}

/** Moves one device from one status to another in `counts` (a new device: `from` null; a device dropped: `to` null). */
export function moveCount(
  counts: RolloutCounts,
  from: RolloutDeviceStatus | null,
  to: RolloutDeviceStatus | null,
): void {
  if (from !== null) {
    counts[bucketOf(from)] -= 1;
    counts.total -= 1;
  }
  if (to !== null) {
    counts[bucketOf(to)] += 1;
    counts.total += 1;
  }
}

export function addCounts(into: RolloutCounts, from: RolloutCounts): RolloutCounts {
  for (const key of Object.keys(into) as (keyof RolloutCounts)[]) into[key] += from[key];
  return into;
}

/** Devices whose execution ended, one way or another (what AWS calls executed things). */
export function finishedOf(counts: RolloutCounts): number {
  return counts.succeeded + counts.failed + counts.rejected + counts.timedOut;
}

/** Devices still to be updated or being updated. */
export function activeOf(counts: RolloutCounts): number {
  return counts.pending + counts.queued + counts.inProgress;
}

export const FAILURE_BUCKET: Record<JobFailureType, CountBucket> = {
  FAILED: 'failed',
  REJECTED: 'rejected',
  TIMED_OUT: 'timedOut',
};
