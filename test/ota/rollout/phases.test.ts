import assert from 'node:assert/strict';
import { phaseOfPositions, planPhases } from '../../../ota/rollout/phases.ts';
import type { RolloutPhaseSpec } from '../../../protocol/api/rollouts.ts';
import { rng } from '../../commerce/brute-force.ts';

const now = { kind: 'immediately' } as const;
const afterSuccess = (successPercent: number) => ({ kind: 'after-success', successPercent }) as const;
const pct = (name: string, percent: number, start: RolloutPhaseSpec['start'] = afterSuccess(95)): RolloutPhaseSpec => ({
  name,
  percent,
  start,
});
const canary = (devices: number): RolloutPhaseSpec => ({ name: 'canary', devices, start: now });

describe('rollout phases', () => {
  it('a canary, then percentages of the whole target: 5, then up to 10 %, 50 %, all', () => {
    const plan = planPhases(1000, [canary(5), pct('ten', 10), pct('half', 40), pct('rest', 50)]);
    assert.deepEqual(plan.problems, []);
    assert.deepEqual(plan.sizes, [5, 95, 400, 500]);
  });

  it('the last phase takes what rounding (or a sum under 100 %) left', () => {
    assert.deepEqual(planPhases(7, [pct('a', 33.3, now), pct('b', 33.3), pct('c', 33.4)]).sizes, [2, 2, 3]);
    assert.deepEqual(planPhases(1000, [pct('a', 33.3, now), pct('b', 33.3), pct('c', 33.4)]).sizes, [333, 333, 334]);
    assert.deepEqual(planPhases(10, [pct('a', 10, now), pct('b', 20)]).sizes, [1, 9]);
  });

  it('a percentage smaller than the canary before it adds no device (an empty phase)', () => {
    assert.deepEqual(planPhases(20, [canary(5), pct('ten', 10), pct('rest', 90)]).sizes, [5, 0, 15]);
  });

  it('refuses phases over 100 %, a canary larger than the target, a first phase that waits, and malformed phases', () => {
    assert.deepEqual(planPhases(100, [pct('a', 60, now), pct('b', 50)]).problems, [
      'the phases add up to 110 % of the target, over 100 %',
    ]);
    assert.deepEqual(planPhases(3, [canary(5), pct('rest', 100)]).problems, [
      'the phases of a fixed number of devices take 5, more than the 3 in the target',
    ]);
    assert.deepEqual(planPhases(10, [pct('a', 100, afterSuccess(90))]).problems, [
      'phase 1 (a): the first phase has no previous phase to wait for; start it immediately or at a time',
    ]);
    const both = planPhases(10, [
      { name: 'x', devices: 1, percent: 5, start: now },
      { name: 'x', start: afterSuccess(90) },
    ]);
    assert.deepEqual(both.problems, [
      'phase 1 (x): give either a number of devices or a percentage, not both',
      'phase 2 (x): another phase has this name',
      'phase 2 (x): give either a number of devices or a percentage, not neither',
    ]);
    // Exactly 100 % (in floating point) is fine.
    assert.deepEqual(planPhases(10, [pct('a', 0.1, now), pct('b', 0.2), pct('c', 99.7)]).problems, []);
  });

  it('brute force: sizes add up to the target, percentage marks are met, over 100 % is always a problem', () => {
    const rand = rng(10);
    for (let run = 0; run < 3000; run++) {
      const total = Math.floor(rand() * 2000);
      const phases: RolloutPhaseSpec[] = [];
      const n = 1 + Math.floor(rand() * 6);
      for (let i = 0; i < n; i++) {
        const start = i === 0 ? now : afterSuccess(90);
        if (rand() < 0.3) phases.push({ name: `p${i}`, devices: 1 + Math.floor(rand() * 20), start });
        else phases.push({ name: `p${i}`, percent: Math.round(rand() * 6000) / 100 + 0.01, start });
      }
      const plan = planPhases(total, phases);
      const context = `run ${run}: ${total} ${JSON.stringify(phases.map((p) => p.devices ?? `${p.percent}%`))}`;
      assert.equal(plan.sizes.length, phases.length, context);
      assert.equal(
        plan.sizes.reduce((a, b) => a + b, 0),
        total,
        context,
      );
      assert.ok(
        plan.sizes.every((s) => s >= 0),
        context,
      );
      const percent = phases.reduce((sum, p) => sum + (p.percent ?? 0), 0);
      const counted = phases.reduce((sum, p) => sum + (p.devices ?? 0), 0);
      assert.equal(
        plan.problems.some((p) => p.includes('over 100 %')),
        percent > 100 + 1e-9,
        context,
      );
      assert.equal(
        plan.problems.some((p) => p.includes('more than the')),
        total > 0 && counted > total,
        context,
      );
      if (percent <= 100 && counted <= total) {
        // Every percentage phase but the last ends at or after its running mark.
        let reached = 0;
        let running = 0;
        phases.forEach((p, i) => {
          reached += plan.sizes[i] ?? 0;
          if (p.percent !== undefined && i < phases.length - 1) {
            running += p.percent;
            assert.ok(reached >= Math.floor((total * running) / 100 + 1e-9), `${context}: phase ${i}`);
          }
        });
      }
      assert.equal(phaseOfPositions(plan.sizes).length, total, context);
    }
  });
});
