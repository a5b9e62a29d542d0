import assert from 'node:assert/strict';
import {
  compareOutputs,
  decodeFloat32,
  encodeFloat32,
  float32Sha256,
  xorshift32Uniform,
} from '../../../ota/model/reference-tensors.ts';

describe('reference tensors (model self-test)', () => {
  it('generates xorshift32 exactly as the documented Python does', () => {
    // State sequence from seed 1 (Marsaglia's 13/17/5): 270369, 67634689, 2647435461, as values in [0, 2^32).
    const raw = xorshift32Uniform(1, 0, 4294967296, 3);
    assert.deepEqual([...raw], [270369, 67634688, 2647435520]); // float32 rounding of the exact states
    // The fixture's seed in [-1, 1), values printed by the Python of the doc comment (numpy.float32 rounding).
    const values = xorshift32Uniform(0x5eed_0001, -1, 1, 5);
    assert.deepEqual(
      [...values],
      [-0.7244051098823547, -0.28169840574264526, -0.5763506889343262, -0.7106302976608276, 0.018617670983076096],
    );
  });

  it('round-trips float32 through little-endian base64 and names its sha256', () => {
    const values = Float32Array.from([1.5, -0, Number.MIN_VALUE, 3.4e38, -2.25]);
    const decoded = decodeFloat32(encodeFloat32(values));
    assert.deepEqual([...decoded.values], [...values]);
    assert.equal(decoded.sha256, float32Sha256(values));
    // Little-endian: 1.5 is 0x3FC00000, so its bytes start 00 00 C0 3F.
    assert.deepEqual([...Buffer.from(encodeFloat32(Float32Array.from([1.5])), 'base64')], [0, 0, 0xc0, 0x3f]);
    assert.throws(() => decodeFloat32(Buffer.from([1, 2, 3]).toString('base64')), /3 bytes are not whole float32/);
  });

  it('compares within both tolerances, row by row', () => {
    const expected = Float32Array.from([1, 0, 0, 0, 1, 0]);
    const tol = { maxAbs: 0.01, minCosine: 0.999 };
    assert.equal(compareOutputs(Float32Array.from([1.005, 0, 0, 0, 0.995, 0]), expected, 3, tol).pass, true);
    const far = compareOutputs(Float32Array.from([1.05, 0, 0, 0, 1, 0]), expected, 3, tol);
    assert.equal(far.pass, false);
    assert.ok(Math.abs(far.maxAbs - 0.05) < 1e-6);
    // Each element within maxAbs, but the second row points elsewhere: the cosine catches it.
    const turned = compareOutputs(
      Float32Array.from([1, 0, 0, 0.009, 0.001, 0.009]),
      Float32Array.from([1, 0, 0, 0, 0.01, 0]),
      3,
      tol,
    );
    assert.equal(turned.pass, false);
    assert.ok(turned.maxAbs <= 0.01 && turned.minCosine < 0.5);
    // NaN never passes.
    const nan = compareOutputs(Float32Array.from([Number.NaN, 0, 0, 0, 1, 0]), expected, 3, tol);
    assert.equal(nan.pass, false);
    assert.equal(nan.maxAbs, Number.POSITIVE_INFINITY);
    // Two zero rows are equal.
    assert.equal(compareOutputs(new Float32Array(3), new Float32Array(3), 3, tol).pass, true);
  });
});
