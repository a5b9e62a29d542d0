import { type Clock, MAX_TIMER_MS, type TimerHandle } from '../../platform/clock.ts';

/**
 * One timer for every execution's step and in-progress deadlines: it waits for the earliest, and whoever it wakes
 * times out what is due and arms it again for the next (read from the database, where the deadlines live). A
 * thousand devices in progress cost one timer, and a restarted fleet re-arms from the stored deadlines.
 */
export class ExecutionTimeouts {
  private timer: TimerHandle | undefined;
  private armedFor: number | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: () => void,
  ) {}

  /** Makes sure the timer fires at `at` or earlier (a new deadline); `null` changes nothing. */
  consider(at: number | null): void {
    if (at === null || (this.armedFor !== null && this.armedFor <= at)) return;
    this.arm(at);
  }

  /** Arms the timer for exactly `at`, or for nothing (`null`). */
  reset(at: number | null): void {
    this.clear();
    if (at !== null) this.arm(at);
  }

  stop(): void {
    this.clear();
  }

  private arm(at: number): void {
    this.clear();
    this.armedFor = at;
    // A deadline past what one timer can wait (about 24.8 days) wakes this early; onDue finds nothing due and
    // re-arms for it.
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - this.clock.now()));
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.armedFor = null;
      this.onDue();
    }, delay);
  }

  private clear(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = null;
  }
}
