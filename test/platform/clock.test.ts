import assert from 'node:assert/strict';
import { MAX_TIMER_MS, sleep, systemClock, TimeoutError, withTimeout } from '../../platform/clock.ts';
import { FakeClock } from '../mocks/fake-clock.ts';

describe('Clock (platform/clock.ts) and the FakeClock tests run on', () => {
  describe('withTimeout', () => {
    it('rejects with TimeoutError exactly when ms have passed on the clock, not before', async () => {
      const clock = new FakeClock();
      const outcome: { err?: unknown } = {};
      const failure = () => outcome.err;
      withTimeout(new Promise(() => {}), 5000, clock).catch((err: unknown) => {
        outcome.err = err;
      });
      await clock.advanceAsync(4999);
      assert.equal(failure(), undefined);
      await clock.advanceAsync(1);
      const err = failure();
      assert.ok(err instanceof TimeoutError);
      assert.equal(err.ms, 5000);
      assert.equal(err.message, 'timed out after 5000 ms');
    });

    it('settles as the promise does and leaves no timer behind', async () => {
      const clock = new FakeClock();
      assert.equal(await withTimeout(Promise.resolve('ok'), 5000, clock), 'ok');
      assert.equal(clock.pending, 0);
      await assert.rejects(withTimeout(Promise.reject(new Error('no')), 5000, clock), { message: 'no' });
      assert.equal(clock.pending, 0);
    });
  });

  describe('sleep', () => {
    it('resolves after ms on the clock, or at once on wake(), clearing its timer', async () => {
      const clock = new FakeClock();
      let done = false;
      const wait = sleep(clock, 1000);
      void wait.done.then(() => {
        done = true;
      });
      await clock.advanceAsync(999);
      assert.equal(done, false);
      await clock.advanceAsync(1);
      assert.equal(done, true);

      const woken = sleep(clock, 60_000);
      woken.wake();
      await woken.done;
      assert.equal(clock.pending, 0, 'wake() cleared the timer');
    });
  });

  describe('FakeClock', () => {
    it('runs due timers in time order, then in the order they were set, each at its own time', () => {
      const clock = new FakeClock(1000);
      const ran: string[] = [];
      clock.setTimeout(() => ran.push(`b@${clock.now()}`), 20);
      clock.setTimeout(() => ran.push(`a@${clock.now()}`), 10);
      clock.setTimeout(() => ran.push(`c@${clock.now()}`), 20);
      clock.setTimeout(() => ran.push('never'), 31);
      clock.advance(30);
      assert.deepEqual(ran, ['a@1010', 'b@1020', 'c@1020']);
      assert.equal(clock.now(), 1030);
      assert.equal(clock.pending, 1);
      assert.equal(clock.nextDueIn, 1);
    });

    it('runs a timer set by a timer when it falls due within the same advance', () => {
      const clock = new FakeClock(0);
      const ran: number[] = [];
      clock.setTimeout(() => {
        ran.push(clock.now());
        clock.setTimeout(() => ran.push(clock.now()), 5);
      }, 5);
      clock.advance(10);
      assert.deepEqual(ran, [5, 10]);
    });

    it('repeats an interval until it is cleared, also from its own callback', () => {
      const clock = new FakeClock(0);
      const ticks: number[] = [];
      const timer = clock.setInterval(() => {
        ticks.push(clock.now());
        if (ticks.length === 3) clock.clearInterval(timer);
      }, 100);
      clock.advance(1000);
      assert.deepEqual(ticks, [100, 200, 300]);
      assert.equal(clock.pending, 0);
    });

    it('jump() runs each due timer once with the time already at the end, as after a suspend', () => {
      const clock = new FakeClock(0);
      const ticks: number[] = [];
      clock.setInterval(() => ticks.push(clock.now()), 600_000);
      clock.jump(10 * 86_400_000);
      assert.deepEqual(ticks, [864_000_000]);
      clock.advance(600_000);
      assert.deepEqual(ticks, [864_000_000, 864_600_000], 'the interval goes on from there');
    });

    it('clears what it is asked to, and ignores what is not there', () => {
      const clock = new FakeClock(0);
      let ran = false;
      const timer = clock.setTimeout(() => {
        ran = true;
      }, 10);
      clock.clearTimeout(undefined);
      clock.clearTimeout(timer);
      clock.clearTimeout(timer);
      clock.advance(100);
      assert.equal(ran, false);
    });
  });

  describe('systemClock', () => {
    it("reads the real time and runs Node's timers, a longest delay clamped instead of firing at once", async () => {
      const before = Date.now();
      assert.ok(Math.abs(systemClock.now() - before) < 1000);
      await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 1));
      let ran = false;
      // Node turns a delay past 2^31 - 1 ms into 1 ms; the clock clamps it to the longest delay instead.
      const far = systemClock.setTimeout(() => {
        ran = true;
      }, MAX_TIMER_MS * 2);
      await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 10));
      assert.equal(ran, false);
      systemClock.clearTimeout(far);
    });
  });
});
