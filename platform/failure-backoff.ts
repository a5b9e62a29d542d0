/**
 * The back-off of guessing: a few free failures, then each further failure makes the next try wait twice as long as
 * the one before, up to a cap (OWASP's "exponential back-off" for authentication). One shape for the fleet's
 * sign-in and staff-code throttles (fleet/access/login-throttle.ts) and the cart's offline staff-code throttle
 * (devices/cart/commerce/offline-staff.ts), so that guessing offline on a cart costs what guessing online does.
 */
export interface FailureBackoff {
  /** Failures allowed before any wait. */
  freeAttempts: number;
  /** The wait after the first failure past the free ones; it doubles with each further failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures older than this (with no wait still running) are forgotten. */
  windowMs: number;
}

export const DEFAULT_FAILURE_BACKOFF: FailureBackoff = {
  freeAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
  windowMs: 15 * 60_000,
};

/** How long the next try must wait after `failures` failures in the window: 0 while they are within the free ones. */
export function backoffDelayMs(failures: number, shape: FailureBackoff): number {
  const over = failures - shape.freeAttempts;
  return over < 0 ? 0 : Math.min(shape.maxDelayMs, shape.baseDelayMs * 2 ** over);
}
