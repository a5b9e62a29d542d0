import { backoffDelayMs, DEFAULT_FAILURE_BACKOFF, type FailureBackoff } from '../../platform/failure-backoff.ts';

/**
 * Slows down password guessing. Failures are counted per username and per client address over a window; past a
 * few free attempts every further attempt must wait, doubling each time up to a cap (OWASP's "exponential
 * back-off" for authentication). A success clears the username's count. Kept in memory: a restart forgets it,
 * which costs an attacker a restart of the fleet, not a bypass.
 */
export type LoginThrottleOptions = FailureBackoff;

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = DEFAULT_FAILURE_BACKOFF;

interface Counter {
  failures: number;
  firstAt: number;
  blockedUntil: number;
}

export class LoginThrottle {
  private readonly counters = new Map<string, Counter>();
  /** Attempts begun and not yet ended, per key: failures that may be about to be counted. */
  private readonly pending = new Map<string, number>();

  constructor(
    private readonly options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds the caller must still wait before trying again, 0 when a try is allowed. */
  retryAfter(username: string, ip: string): number {
    return this.waitFor(username, ip, false);
  }

  /**
   * Starts an attempt: like retryAfter(), but attempts still being checked count as failures to come, so guesses
   * sent all at once cannot each pass before the first of them has failed. When it answers 0 the attempt is under
   * way; call end() once it has failed or succeeded.
   */
  begin(username: string, ip: string): number {
    const wait = this.waitFor(username, ip, true);
    if (wait === 0) for (const key of this.keys(username, ip)) this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
    return wait;
  }

  end(username: string, ip: string): void {
    for (const key of this.keys(username, ip)) {
      const left = (this.pending.get(key) ?? 0) - 1;
      if (left > 0) this.pending.set(key, left);
      else this.pending.delete(key);
    }
  }

  private waitFor(username: string, ip: string, countPending: boolean): number {
    const now = this.now();
    let wait = 0;
    for (const key of this.keys(username, ip)) {
      const c = this.live(key, now);
      if (c) wait = Math.max(wait, c.blockedUntil - now);
      const pending = countPending ? (this.pending.get(key) ?? 0) : 0;
      if (pending > 0) wait = Math.max(wait, backoffDelayMs((c?.failures ?? 0) + pending, this.options));
    }
    return Math.max(0, wait);
  }

  failed(username: string, ip: string): void {
    const now = this.now();
    for (const key of this.keys(username, ip)) {
      const c = this.live(key, now) ?? { failures: 0, firstAt: now, blockedUntil: 0 };
      c.failures++;
      const delay = backoffDelayMs(c.failures, this.options);
      if (delay > 0) c.blockedUntil = now + delay;
      this.counters.set(key, c);
    }
    if (this.counters.size > 100_000) this.prune(now);
  }

  succeeded(username: string): void {
    this.counters.delete(`u:${username.toLowerCase()}`);
  }

  private keys(username: string, ip: string): string[] {
    return [`u:${username.toLowerCase()}`, `ip:${ip}`];
  }

  private live(key: string, now: number): Counter | undefined {
    const c = this.counters.get(key);
    if (!c) return undefined;
    if (now - c.firstAt > this.options.windowMs && now >= c.blockedUntil) {
      this.counters.delete(key);
      return undefined;
    }
    return c;
  }

  private prune(now: number): void {
    for (const key of this.counters.keys()) this.live(key, now);
  }
}
