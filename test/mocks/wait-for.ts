/**
 * Waits for a condition, never for a fixed time: polls `check` every 25 ms of real time until it returns a truthy
 * value (returned) or `timeoutMs` pass (then fails, naming `what` and the check's last error). For conditions that
 * real I/O settles (a broker, a socket, SQLite); time that the subject itself measures goes on a FakeClock.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<Exclude<T, undefined | null | false | 0 | ''>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Exclude<T, undefined | null | false | 0 | ''>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** `eventually` with the description first, for boolean conditions. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  await eventually(condition, timeoutMs, what);
}
