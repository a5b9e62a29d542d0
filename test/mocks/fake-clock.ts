import type { Clock, TimerHandle } from '../../platform/clock.ts';

interface FakeTimer {
  id: number;
  at: number;
  /** Set for an interval: it is due again this long after it ran. */
  every: number | undefined;
  callback: () => void;
}

/**
 * The `Clock` of tests: `now()` moves only when the test advances it, and the timers that fall due on the way run
 * in time order (then in the order they were set), each with `now()` at its own due time.
 *
 * `advance()` runs them synchronously. `advanceAsync()` also lets promise callbacks and I/O callbacks run before and
 * after each timer, for subjects that `await` between timers (a retry loop, a backoff sleep). `jump()` skips years
 * without running a ten-minute sweep fifty thousand times.
 */
export class FakeClock implements Clock {
  private time: number;
  private nextId = 1;
  private timers: FakeTimer[] = [];

  /** Starts at `start` (default: a fixed instant in 2027, so that tests do not depend on today's date). */
  constructor(start = 1_800_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    return this.add(callback, ms, undefined);
  }

  clearTimeout(timer: TimerHandle | undefined): void {
    this.timers = this.timers.filter((t) => t.id !== (timer as unknown as number));
  }

  setInterval(callback: () => void, ms: number): TimerHandle {
    return this.add(callback, ms, Math.max(1, ms));
  }

  clearInterval(timer: TimerHandle | undefined): void {
    this.clearTimeout(timer);
  }

  /** Timers not yet run (an interval counts until it is cleared). */
  get pending(): number {
    return this.timers.length;
  }

  /** Milliseconds until the next timer is due, or undefined when none is set. */
  get nextDueIn(): number | undefined {
    const next = this.due(Number.POSITIVE_INFINITY);
    return next ? next.at - this.time : undefined;
  }

  /** Moves time on by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (let timer = this.due(end); timer; timer = this.due(end)) this.run(timer);
    this.time = end;
  }

  advanceSeconds(seconds: number): void {
    this.advance(seconds * 1000);
  }

  /**
   * Moves time on by `ms` at once, as a machine waking from a suspend: every timer that fell due on the way runs
   * once, in due order, with `now()` already at the end (an interval runs once, not once per period missed).
   */
  jump(ms: number): void {
    this.time += ms;
    const due = this.timers.filter((t) => t.at <= this.time).sort((a, b) => a.at - b.at || a.id - b.id);
    for (const timer of due) {
      if (!this.timers.includes(timer)) continue; // cleared by a timer that ran before it
      if (timer.every === undefined) this.timers = this.timers.filter((t) => t !== timer);
      else timer.at = this.time + timer.every;
      timer.callback();
    }
  }

  /** As `advance()`, letting pending promise and I/O callbacks run before and after each timer. */
  async advanceAsync(ms: number): Promise<void> {
    const end = this.time + ms;
    await turn();
    for (let timer = this.due(end); timer; timer = this.due(end)) {
      this.run(timer);
      await turn();
    }
    this.time = end;
  }

  private add(callback: () => void, ms: number, every: number | undefined): TimerHandle {
    const timer = { id: this.nextId++, at: this.time + Math.max(0, ms), every, callback };
    this.timers.push(timer);
    return timer.id as unknown as TimerHandle;
  }

  private due(end: number): FakeTimer | undefined {
    let next: FakeTimer | undefined;
    for (const t of this.timers)
      if (t.at <= end && (!next || t.at < next.at || (t.at === next.at && t.id < next.id))) next = t;
    return next;
  }

  private run(timer: FakeTimer): void {
    this.time = timer.at;
    if (timer.every === undefined) this.timers = this.timers.filter((t) => t !== timer);
    else timer.at += timer.every;
    timer.callback();
  }
}

/** One turn of the real event loop: promise callbacks and I/O callbacks that are ready run. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
