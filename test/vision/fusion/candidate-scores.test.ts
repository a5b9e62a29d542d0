import assert from 'node:assert/strict';
import {
  scoreCandidates,
  visionProbabilities,
  weightFactor,
  zoneFactor,
} from '../../../vision/fusion/candidate-scores.ts';
import { fixtureCatalog } from '../../fixtures/vision/recognition-evidence.ts';

const near = (actual: number | undefined, expected: number, what: string): void =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);

const PARAMS = {
  temperature: 0.05,
  weightSigmaShare: 0.5,
  looseWeightFactor: 0.05,
  outOfZoneFactor: 0.3,
  unknownSimilarity: null,
};

describe('fusion rule: candidate scores', () => {
  it('vision probabilities are a softmax over similarity / temperature', () => {
    const p = visionProbabilities([0.9, 0.8], 0.05);
    near(p[0], 1 / (1 + Math.exp(-2)), 'a 0.1 lead at T = 0.05');
    near((p[0] ?? 0) + (p[1] ?? 0), 1, 'sum');
    assert.deepEqual(visionProbabilities([], 0.05), []);
    // A tiny temperature does not overflow into NaN.
    assert.deepEqual(visionProbabilities([0.9, 0.1], 1e-6), [1, 0]);
  });

  it('the weight factor is 1 at the expected weight, a bell inside the tolerance and 0 outside it', () => {
    const milk = { grams: 1030, toleranceG: 52 };
    assert.equal(weightFactor(1030, milk, false, 0.5, 0.05), 1);
    near(weightFactor(1030 + 26, milk, false, 0.5, 0.05), Math.exp(-0.5), 'one σ off');
    near(weightFactor(1030 - 52, milk, false, 0.5, 0.05), Math.exp(-2), 'at the tolerance, still inside');
    assert.equal(weightFactor(1030 + 52.5, milk, false, 0.5, 0.05), 0);
    assert.equal(weightFactor(500, milk, false, 0.5, 0.05), 0);
    assert.equal(weightFactor(7, { grams: 7, toleranceG: 0 }, false, 0.5, 0.05), 1, 'no tolerance, exact');
  });

  it('the weight factor says nothing without a settled weight; a weight nobody can predict gets the loose factor', () => {
    assert.equal(weightFactor(null, { grams: 100, toleranceG: 8 }, false, 0.5, 0.05), 1);
    assert.equal(weightFactor(null, null, true, 0.5, 0.05), 1, 'produce, nothing settled');
    assert.equal(weightFactor(640, null, false, 0.5, 0.05), 0.05, 'a weight the catalog does not know');
    assert.equal(weightFactor(1234, { grams: 200, toleranceG: 10 }, true, 0.5, 0.05), 0.05, 'produce');
    assert.equal(
      weightFactor(200, { grams: 200, toleranceG: 10 }, true, 0.5, 0.05),
      0.05,
      'produce, whatever it reads',
    );
  });

  it('the zone factor lowers only what is known to be shelved elsewhere', () => {
    assert.equal(zoneFactor(true, 0.3), 1);
    assert.equal(zoneFactor(null, 0.3), 1);
    assert.equal(zoneFactor(false, 0.3), 0.3);
  });

  it('posteriors are the renormalised products, highest first, ties in SKU order', () => {
    const { scores, unknown } = scoreCandidates(
      [
        { sku: 'cookies-oat-200', similarity: 0.7 },
        { sku: 'cola-330', similarity: 0.7 },
        { sku: 'chips-salt-75', similarity: 0.7 },
      ],
      null,
      'snacks',
      fixtureCatalog(),
      { ...PARAMS, outOfZoneFactor: 0.25 },
    );
    assert.equal(unknown, 0, 'no not-in-the-gallery hypothesis');
    assert.deepEqual(
      scores.map((s) => s.sku),
      ['chips-salt-75', 'cookies-oat-200', 'cola-330'],
    );
    near(scores[0]?.posterior, 1 / 2.25, 'in zone');
    near(scores[2]?.posterior, 0.25 / 2.25, 'out of zone');
  });

  it('"not in the gallery" competes as a candidate of unknownSimilarity whose weight nobody can predict', () => {
    const one = [{ sku: 'cookies-oat-200', similarity: 0.7 }];
    // Unweighed: a 0.7 sighting against 0.7 for "not in the gallery" is a coin toss.
    const unweighed = scoreCandidates(one, null, null, fixtureCatalog(), { ...PARAMS, unknownSimilarity: 0.7 });
    near(unweighed.unknown, 0.5, 'a tie');
    near(unweighed.scores[0]?.posterior, 0.5, 'the rest');
    // 200 g on the scale: the biscuits' bell says 1, "some unknown product" only looseWeightFactor.
    const weighed = scoreCandidates(one, 200, null, fixtureCatalog(), { ...PARAMS, unknownSimilarity: 0.7 });
    near(weighed.unknown, 0.05 / 1.05, 'the weight speaks for the biscuits');
    // Vision sure it is something else (0.1 below): e² ≈ 7.4 against the biscuits before the weight.
    const doubtful = scoreCandidates(one, 200, null, fixtureCatalog(), { ...PARAMS, unknownSimilarity: 0.8 });
    const e2 = Math.exp(2);
    near(doubtful.unknown, (e2 * 0.05) / (1 + e2 * 0.05), 'vision against the weight');
    // Nothing considered: nothing to compare with.
    assert.deepEqual(scoreCandidates([], 200, null, fixtureCatalog(), { ...PARAMS, unknownSimilarity: 0.7 }), {
      scores: [],
      unknown: 0,
    });
  });
});
