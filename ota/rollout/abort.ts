import type { AbortCriteria } from '../../protocol/api/rollouts.ts';
import { FAILURE_BUCKET, finishedOf, type RolloutCounts } from './counts.ts';

export interface AbortVerdict {
  failures: number;
  finished: number;
  percent: number;
  message: string;
}

/**
 * Whether a rollout's failures trip its abort criteria (AWS IoT Jobs `abortConfig`: a failure type, a threshold
 * percentage, and a minimum number of executed things before it may trip). Judged over the devices whose execution
 * has finished — succeeded, failed, rejected or timed out — by their last outcome: a device that failed and is being
 * retried is not finished yet, and counts once, by how its retries end. At least one failure is needed, so a
 * threshold of 0 means "abort at the first failure", not "abort at once".
 */
export function abortVerdict(counts: RolloutCounts, criteria: AbortCriteria): AbortVerdict | null {
  const finished = finishedOf(counts);
  if (finished < criteria.minFinished) return null;
  const failures = criteria.failureTypes.reduce((sum, type) => sum + counts[FAILURE_BUCKET[type]], 0);
  if (failures === 0) return null;
  const percent = (failures * 100) / finished;
  if (percent < criteria.thresholdPercent) return null;
  const shown = Math.round(percent * 10) / 10;
  return {
    failures,
    finished,
    percent,
    message: `${failures} of ${finished} finished devices ${criteria.failureTypes.join('/')} (${shown} %), at or over the ${criteria.thresholdPercent} % abort threshold`,
  };
}
