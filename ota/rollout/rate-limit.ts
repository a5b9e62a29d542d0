/** One minute: AWS's rate is things notified per minute (`jobExecutionsRolloutConfig.maximumPerMinute`). */
export const RATE_WINDOW_MS = 60_000;

/**
 * The rate limit as a sliding window: in any minute, at most `ratePerMinute` devices are queued. A sliding window
 * rather than a token bucket so that no minute, however it is cut, sees more than the rate (a full bucket would let
 * a burst of a whole minute's worth through right after a quiet minute). The times are the queue times of one
 * rollout, oldest first.
 */
export class RateWindow {
  private readonly times: number[] = [];
  private head = 0;

  constructor(private readonly ratePerMinute: number | null) {}

  /** How many devices may be queued at `now`; Infinity without a limit. */
  allowance(now: number): number {
    if (this.ratePerMinute === null) return Number.POSITIVE_INFINITY;
    this.prune(now);
    return Math.max(0, this.ratePerMinute - (this.times.length - this.head));
  }

  /** When one more device may be queued, if none may at `now` (null: now, or no limit). */
  nextSlotAt(now: number): number | null {
    if (this.ratePerMinute === null || this.allowance(now) > 0) return null;
    // The window holds exactly `rate` queue times: a slot frees when the oldest of them leaves it.
    const oldest = this.times[this.head];
    return oldest === undefined ? null : oldest + RATE_WINDOW_MS;
  }

  record(at: number, count = 1): void {
    if (this.ratePerMinute === null) return;
    for (let i = 0; i < count; i++) this.times.push(at);
  }

  private prune(now: number): void {
    while (this.head < this.times.length && (this.times[this.head] ?? 0) <= now - RATE_WINDOW_MS) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
  }
}
