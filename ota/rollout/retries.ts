import type { RetryCriteria } from '../../protocol/api/rollouts.ts';
import type { JobExecutionStatus } from '../../protocol/jobs-status.ts';

/** Retries a device has used, per failure type. */
export interface RetriesUsed {
  FAILED: number;
  TIMED_OUT: number;
}

/** AWS IoT Jobs' limit on retries (`jobExecutionsRetryConfig`: up to 10 in all). */
export const MAX_RETRIES = 10;

/**
 * Whether an execution that ended with `status` is tried again (AWS `jobExecutionsRetryConfig`, per failure type).
 * FAILED and TIMED_OUT are retried up to their own limits; REJECTED never is: the device refused the job itself
 * (its document, signature, kind or version) and will refuse it again.
 */
export function shouldRetry(status: JobExecutionStatus, used: RetriesUsed, criteria: RetryCriteria): boolean {
  if (status === 'FAILED') return used.FAILED < criteria.FAILED;
  if (status === 'TIMED_OUT') return used.TIMED_OUT < criteria.TIMED_OUT;
  return false;
}
