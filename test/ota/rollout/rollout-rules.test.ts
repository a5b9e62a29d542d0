import assert from 'node:assert/strict';
import { abortVerdict } from '../../../ota/rollout/abort.ts';
import { emptyCounts, moveCount, type RolloutCounts } from '../../../ota/rollout/counts.ts';
import { DEFAULT_PENALTY_BOX, penaltyState } from '../../../ota/rollout/penalty-box.ts';
import { RATE_WINDOW_MS, RateWindow } from '../../../ota/rollout/rate-limit.ts';
import { shouldRetry } from '../../../ota/rollout/retries.ts';
import { phaseMayStart } from '../../../ota/rollout/start-rules.ts';
import { rng } from '../../commerce/brute-force.ts';

const counts = (values: Partial<RolloutCounts>): RolloutCounts => {
  const c = { ...emptyCounts(), ...values };
  c.total =
    values.total ?? c.pending + c.queued + c.inProgress + c.succeeded + c.failed + c.rejected + c.timedOut + c.canceled;
  return c;
};

describe('rollout rules', () => {
  describe('phase start', () => {
    const T = 1_800_000_000_000;
    it('waits for the previous phase to start, then applies its own rule', () => {
      const notStarted = { startedAt: null, counts: counts({ pending: 5 }) };
      assert.equal(phaseMayStart({ kind: 'immediately' }, T, notStarted), false);
      assert.equal(phaseMayStart({ kind: 'immediately' }, T, { ...notStarted, startedAt: T }), true);
      assert.equal(phaseMayStart({ kind: 'immediately' }, T, null), true);
      assert.equal(phaseMayStart({ kind: 'at', at: T + 1 }, T, null), false);
      assert.equal(phaseMayStart({ kind: 'at', at: T }, T, null), true);
    });

    it('after-success: the previous phase’s succeeded share, canceled devices not counted', () => {
      const rule = { kind: 'after-success', successPercent: 80 } as const;
      const previous = (c: Partial<RolloutCounts>) => ({ startedAt: T, counts: counts(c) });
      assert.equal(phaseMayStart(rule, T, previous({ succeeded: 7, inProgress: 3 })), false);
      assert.equal(phaseMayStart(rule, T, previous({ succeeded: 8, inProgress: 2 })), true);
      assert.equal(
        phaseMayStart(rule, T, previous({ succeeded: 7, failed: 1, canceled: 2 })),
        true,
        '7 of 8, not 7 of 10',
      );
      assert.equal(phaseMayStart(rule, T, previous({ succeeded: 7, failed: 3 })), false, '7 of 10');
      assert.equal(phaseMayStart(rule, T, previous({ succeeded: 8, canceled: 2 })), true, '8 of 8');
      const all = { kind: 'after-success', successPercent: 100 } as const;
      assert.equal(phaseMayStart(all, T, previous({ succeeded: 9, inProgress: 1 })), false);
      assert.equal(phaseMayStart(all, T, previous({ succeeded: 10 })), true);
      assert.equal(phaseMayStart(all, T, previous({})), true, 'an empty phase holds nothing back');
    });
  });

  describe('rate limit', () => {
    it('no limit: everything at once', () => {
      const w = new RateWindow(null);
      w.record(0, 1000);
      assert.equal(w.allowance(0), Number.POSITIVE_INFINITY);
      assert.equal(w.nextSlotAt(0), null);
    });

    it('a sliding minute: a slot frees exactly when the oldest queue time leaves it', () => {
      const w = new RateWindow(3);
      w.record(1000);
      w.record(20_000, 2);
      assert.equal(w.allowance(20_000), 0);
      assert.equal(w.nextSlotAt(20_000), 1000 + RATE_WINDOW_MS);
      assert.equal(w.allowance(1000 + RATE_WINDOW_MS - 1), 0);
      assert.equal(w.allowance(1000 + RATE_WINDOW_MS), 1);
      assert.equal(w.allowance(20_000 + RATE_WINDOW_MS), 3);
    });

    it('brute force: queuing what it allows never puts more than the rate in any minute', () => {
      const rand = rng(3);
      for (let run = 0; run < 200; run++) {
        const rate = 1 + Math.floor(rand() * 20);
        const w = new RateWindow(rate);
        const queued: number[] = [];
        let t = 0;
        for (let step = 0; step < 200; step++) {
          t += Math.floor(rand() * 15_000);
          const allowed = w.allowance(t);
          const take = Math.min(allowed, Math.floor(rand() * (rate + 3)));
          w.record(t, take);
          for (let i = 0; i < take; i++) queued.push(t);
          if (w.allowance(t) === 0) assert.ok((w.nextSlotAt(t) ?? 0) > t, `run ${run}: a later slot`);
        }
        for (const start of queued) {
          const inMinute = queued.filter((q) => q >= start && q < start + RATE_WINDOW_MS).length;
          assert.ok(inMinute <= rate, `run ${run}: ${inMinute} in the minute from ${start}, rate ${rate}`);
        }
      }
    });
  });

  describe('abort criteria', () => {
    const criteria = {
      failureTypes: ['FAILED', 'TIMED_OUT'] as ('FAILED' | 'TIMED_OUT' | 'REJECTED')[],
      thresholdPercent: 20,
      minFinished: 5,
    };

    it('does not trip before the minimum has finished, however bad it looks', () => {
      assert.equal(abortVerdict(counts({ failed: 4, inProgress: 10 }), criteria), null);
    });

    it('trips at the threshold once enough have finished, counting only the listed failure types', () => {
      assert.equal(abortVerdict(counts({ succeeded: 8, failed: 1, rejected: 5 }), criteria), null, '1 of 14');
      const verdict = abortVerdict(counts({ succeeded: 8, failed: 1, timedOut: 1 }), criteria);
      assert.ok(verdict);
      assert.equal(verdict.failures, 2);
      assert.equal(verdict.finished, 10);
      assert.equal(verdict.percent, 20);
      assert.match(verdict.message, /2 of 10 finished devices FAILED\/TIMED_OUT \(20 %\)/);
      assert.ok(abortVerdict(counts({ succeeded: 8, rejected: 5 }), { ...criteria, failureTypes: ['REJECTED'] }));
    });

    it('a threshold of 0 trips at the first failure, not before', () => {
      const zero = { ...criteria, thresholdPercent: 0, minFinished: 1 };
      assert.equal(abortVerdict(counts({ succeeded: 50 }), zero), null);
      assert.ok(abortVerdict(counts({ succeeded: 50, failed: 1 }), zero));
    });

    it('a device being retried is not finished', () => {
      const c = counts({ succeeded: 4, failed: 1 });
      assert.ok(abortVerdict(c, criteria));
      moveCount(c, 'FAILED', 'QUEUED');
      assert.equal(abortVerdict(c, criteria), null);
    });
  });

  describe('retries', () => {
    it('per failure type, up to its own limit; REJECTED never', () => {
      const criteria = { FAILED: 2, TIMED_OUT: 1 };
      assert.equal(shouldRetry('FAILED', { FAILED: 0, TIMED_OUT: 1 }, criteria), true);
      assert.equal(shouldRetry('FAILED', { FAILED: 1, TIMED_OUT: 1 }, criteria), true);
      assert.equal(shouldRetry('FAILED', { FAILED: 2, TIMED_OUT: 0 }, criteria), false);
      assert.equal(shouldRetry('TIMED_OUT', { FAILED: 2, TIMED_OUT: 0 }, criteria), true);
      assert.equal(shouldRetry('TIMED_OUT', { FAILED: 0, TIMED_OUT: 1 }, criteria), false);
      assert.equal(shouldRetry('REJECTED', { FAILED: 0, TIMED_OUT: 0 }, { FAILED: 10, TIMED_OUT: 0 }), false);
      assert.equal(shouldRetry('SUCCEEDED', { FAILED: 0, TIMED_OUT: 0 }, criteria), false);
    });
  });

  describe('penalty box', () => {
    const DAY = 86_400_000;
    const now = 100 * DAY;
    it('three failures within seven days box a device; two do not (the positive control)', () => {
      assert.deepEqual(penaltyState([now - DAY, now - 2 * DAY], null, now, DEFAULT_PENALTY_BOX), {
        boxed: false,
        failures: 2,
        until: null,
      });
      const boxed = penaltyState([now - DAY, now - 2 * DAY, now - 3 * DAY], null, now, DEFAULT_PENALTY_BOX);
      assert.equal(boxed.boxed, true);
      assert.equal(boxed.until, now - 3 * DAY + 7 * DAY, 'until the oldest of the three ages out');
    });

    it('failures age out of the window, and leaving is exactly at `until`', () => {
      const failures = [now - DAY, now - 2 * DAY, now - 6 * DAY, now - 10 * DAY];
      const state = penaltyState(failures, null, now, DEFAULT_PENALTY_BOX);
      assert.equal(state.failures, 3);
      assert.equal(state.until, now + DAY);
      assert.equal(penaltyState(failures, null, now + DAY - 1, DEFAULT_PENALTY_BOX).boxed, true);
      assert.equal(penaltyState(failures, null, now + DAY, DEFAULT_PENALTY_BOX).boxed, false);
    });

    it('a technician’s retry takes the device out: earlier failures stop counting', () => {
      const failures = [now - DAY, now - 2 * DAY, now - 3 * DAY];
      assert.equal(penaltyState(failures, now - DAY / 2, now, DEFAULT_PENALTY_BOX).boxed, false);
      assert.equal(
        penaltyState([...failures, now - 1, now - 2, now - 3], now - DAY / 2, now, DEFAULT_PENALTY_BOX).boxed,
        true,
      );
    });

    it('the numbers are configuration', () => {
      const strict = { ...DEFAULT_PENALTY_BOX, failures: 1, windowMs: DAY };
      assert.equal(penaltyState([now - 1], null, now, strict).boxed, true);
      assert.equal(penaltyState([now - DAY - 1], null, now, strict).boxed, false);
    });
  });
});
