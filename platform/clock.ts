declare const timerBrand: unique symbol;

/** A timer started by a `Clock`: only that clock's `clearTimeout` / `clearInterval` can stop it. */
export type TimerHandle = { readonly [timerBrand]: true };

/**
 * Time as every part that decides by it sees it (deadlines, debounces, retries and backoff, expiries, sweeps):
 * injected, so that tests run minutes of waiting in no time on a fake clock (test/mocks/fake-clock.ts) and fire
 * due timers in a known order. Composition roots pass `systemClock`.
 *
 * Timers keep the process alive as Node's do: whoever starts one clears it in its `stop()`, so a process (or a
 * test run) ends by itself once everything is stopped, and a forgotten timer shows up as a process that does not.
 *
 * Timestamps that only record when something happened (a row's `created_at`) and the certificate validity that TLS
 * peers check against their own real clocks read the real time, not a clock.
 */
export interface Clock {
  /** Milliseconds since the epoch, as `Date.now()`. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Does nothing for `undefined` or a timer that already ran. */
  clearTimeout(timer: TimerHandle | undefined): void;
  setInterval(callback: () => void, ms: number): TimerHandle;
  clearInterval(timer: TimerHandle | undefined): void;
}

/** The real time and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, clampDelay(ms)) as unknown as TimerHandle,
  clearTimeout: (timer) => clearTimeout(timer as unknown as NodeJS.Timeout | undefined),
  setInterval: (callback, ms) => setInterval(callback, clampDelay(ms)) as unknown as TimerHandle,
  clearInterval: (timer) => clearInterval(timer as unknown as NodeJS.Timeout | undefined),
};

/**
 * Longest delay a Node timer takes (2^31 - 1 ms, about 24.8 days); Node turns a longer one into 1 ms. A caller
 * that waits longer re-arms when the timer fires (see `CommandService`).
 */
export const MAX_TIMER_MS = 2_147_483_647;

function clampDelay(ms: number): number {
  return Math.min(Math.max(0, ms), MAX_TIMER_MS);
}

/** `withTimeout` gave up waiting. */
export class TimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** Settles as `promise` does, or rejects with `TimeoutError` once `ms` pass on `clock`; the timer is always cleared. */
export function withTimeout<T>(promise: Promise<T>, ms: number, clock: Clock = systemClock): Promise<T> {
  let timer: TimerHandle | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = clock.setTimeout(() => reject(new TimeoutError(ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clock.clearTimeout(timer));
}

/**
 * Resolves after `ms` on `clock`, or at once when `wake()` is called (a stop() that must not wait out a backoff).
 * The timer is cleared either way.
 */
export function sleep(clock: Clock, ms: number): { done: Promise<void>; wake: () => void } {
  let wake: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    const timer = clock.setTimeout(resolve, ms);
    wake = () => {
      clock.clearTimeout(timer);
      resolve();
    };
  });
  return { done, wake };
}
