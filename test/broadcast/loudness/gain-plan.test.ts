import assert from 'node:assert/strict';
import {
  correctedGain,
  dbToLinear,
  initialGain,
  LIMITER_MARGIN_DB,
  onAim,
  tightenedCeiling,
  withinTolerance,
} from '../../../broadcast/loudness/gain-plan.ts';
import { DEFAULT_LOUDNESS_TARGET } from '../../../protocol/broadcast/audio-format.ts';

const TARGET = DEFAULT_LOUDNESS_TARGET; // −16 LUFS, −1.5 dBTP, ±1 LU
const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} ≠ ${b}`);

describe('gain plan', () => {
  it('the first gain is the whole difference to the target; no limiter while the peaks stay under the ceiling', () => {
    const stage = initialGain({ integratedLufs: -30, truePeakDbtp: -20 }, TARGET);
    close(stage.gainDb, 14);
    assert.equal(stage.limiterCeiling, null); // −20 + 14 = −6 dBTP
  });

  it('engages the limiter at the ceiling (target minus margin) when the gained peak would pass it', () => {
    const stage = initialGain({ integratedLufs: -30, truePeakDbtp: -14 }, TARGET); // −14 + 14 = 0 dBTP
    close(stage.limiterCeiling as number, dbToLinear(TARGET.truePeakDbtp - LIMITER_MARGIN_DB));
    // Exactly at the ceiling: not engaged (the boundary is "passes").
    const edge = initialGain({ integratedLufs: -30, truePeakDbtp: -16 - LIMITER_MARGIN_DB }, TARGET);
    assert.equal(edge.limiterCeiling, null);
  });

  it('a loud input gets a negative gain and no limiter', () => {
    const stage = initialGain({ integratedLufs: -0.5, truePeakDbtp: 3 }, TARGET);
    close(stage.gainDb, -15.5);
    assert.equal(stage.limiterCeiling, null);
  });

  it('the first correction adds the missing difference (slope 1)', () => {
    const input = { integratedLufs: -30, truePeakDbtp: -10 };
    const next = correctedGain([{ gainDb: 14, measuredLufs: -17.2 }], input, TARGET);
    close(next.gainDb, 15.2);
    assert.notEqual(next.limiterCeiling, null);
  });

  it('later corrections follow the slope seen between the last two passes (secant step)', () => {
    const input = { integratedLufs: -30, truePeakDbtp: -1 };
    // 4 dB more gain gave only 1 LU more: slope 0.25, so 2 LU missing needs 8 dB.
    const next = correctedGain(
      [
        { gainDb: 10, measuredLufs: -19 },
        { gainDb: 14, measuredLufs: -18 },
      ],
      input,
      TARGET,
    );
    close(next.gainDb, 22);
  });

  it('bounds the slope and the step (a flat or inverted slope cannot send the gain to infinity)', () => {
    const input = { integratedLufs: -30, truePeakDbtp: -1 };
    const flat = correctedGain(
      [
        { gainDb: 10, measuredLufs: -20 },
        { gainDb: 12, measuredLufs: -20 },
      ],
      input,
      TARGET,
    );
    close(flat.gainDb, 12 + 24); // 4 LU / 0.05 = 80 dB, bounded to 24
    const inverted = correctedGain(
      [
        { gainDb: 10, measuredLufs: -19 },
        { gainDb: 12, measuredLufs: -19.5 },
      ],
      input,
      TARGET,
    );
    assert.ok(inverted.gainDb > 12 && inverted.gainDb <= 36);
  });

  it('tightens the ceiling by the overshoot of the encoded file, engaging the limiter if it was off', () => {
    const stage = tightenedCeiling({ gainDb: 3, limiterCeiling: null }, 0.9, TARGET);
    close(stage.gainDb, 3);
    close(stage.limiterCeiling as number, dbToLinear(TARGET.truePeakDbtp - LIMITER_MARGIN_DB - 1.0), 1e-12);
  });

  it('on aim within 0.3 LU; within tolerance within ±1 LU, inclusive', () => {
    assert.equal(onAim({ integratedLufs: -16.3, truePeakDbtp: -2 }, TARGET), true);
    assert.equal(onAim({ integratedLufs: -16.31, truePeakDbtp: -2 }, TARGET), false);
    assert.equal(withinTolerance({ integratedLufs: -15, truePeakDbtp: -2 }, TARGET), true);
    assert.equal(withinTolerance({ integratedLufs: -17.01, truePeakDbtp: -2 }, TARGET), false);
  });
});
