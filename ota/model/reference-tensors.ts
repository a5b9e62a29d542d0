import { createHash } from 'node:crypto';
import {
  elementsPerItem,
  MODEL_SELF_TEST_PROPS,
  type ModelMetadata,
  type ModelSelfTest,
} from '../../protocol/ota/model.ts';

/**
 * The self-test's reference inputs when the manifest gives a seed: xorshift32 (Marsaglia, "Xorshift RNGs", Journal
 * of Statistical Software 8(14), 2003; shifts 13, 17, 5 on a 32-bit state), one step per element, the first element
 * from the state after one step; each state `x` gives `min + (max − min) × x / 2^32` rounded to float32. A producer
 * reproduces it in a few lines of Python:
 *
 *     x = seed
 *     for i in range(n):
 *         x ^= (x << 13) & 0xFFFFFFFF; x ^= x >> 17; x ^= (x << 5) & 0xFFFFFFFF
 *         out[i] = numpy.float32(lo + (hi - lo) * x / 2**32)
 */
export function xorshift32Uniform(seed: number, min: number, max: number, count: number): Float32Array {
  const out = new Float32Array(count);
  let x = seed >>> 0;
  const span = max - min;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = min + (span * x) / 4294967296;
  }
  return out;
}

/** Float32 values from the base64 of their little-endian bytes (ONNX's raw_data byte order). */
export function decodeFloat32(base64: string): { values: Float32Array; sha256: string } {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length % 4 !== 0) throw new Error(`${bytes.length} bytes are not whole float32 values`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(bytes.length / 4);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  return { values, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Float32 values as little-endian bytes (ONNX's raw_data byte order). */
export function float32Bytes(values: Float32Array): Buffer {
  const bytes = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) bytes.writeFloatLE(values[i] as number, i * 4);
  return bytes;
}

/** The base64 of float32 values' little-endian bytes: how a producer stores a reference tensor. */
export function encodeFloat32(values: Float32Array): string {
  return float32Bytes(values).toString('base64');
}

/** sha256 of float32 values' little-endian bytes (what the manifest names). */
export function float32Sha256(values: Float32Array): string {
  return createHash('sha256').update(float32Bytes(values)).digest('hex');
}

/** The self-test's inputs and expected outputs, from the manifest and the model file's metadata_props. */
export interface ReferenceTensors {
  input: { data: Float32Array; dims: number[] };
  expected: { data: Float32Array; dims: number[] };
}

/**
 * The reference tensors of a model, or the reason they cannot be had: a stored tensor missing, not float32, of
 * another length than the metadata's shapes give, or not the one whose sha256 the manifest names.
 */
export function referenceTensors(
  metadata: ModelMetadata,
  props: ReadonlyMap<string, string>,
): { ok: true; tensors: ReferenceTensors } | { ok: false; reason: string } {
  const test: ModelSelfTest = metadata.selfTest;
  const inputDims = [test.batch, ...(metadata.input.shape.slice(1) as number[])];
  const outputDims = [test.batch, ...(metadata.output.shape.slice(1) as number[])];
  const inputCount = test.batch * elementsPerItem(metadata.input);
  let input: Float32Array;
  if (test.inputs.source === 'generated') {
    input = xorshift32Uniform(test.inputs.seed, test.inputs.min, test.inputs.max, inputCount);
  } else {
    const stored = storedTensor(props, MODEL_SELF_TEST_PROPS.inputs, inputCount, test.inputs.sha256);
    if (!stored.ok) return stored;
    input = stored.values;
  }
  const expected = storedTensor(
    props,
    MODEL_SELF_TEST_PROPS.outputs,
    test.batch * elementsPerItem(metadata.output),
    test.expectedSha256,
  );
  if (!expected.ok) return expected;
  return {
    ok: true,
    tensors: { input: { data: input, dims: inputDims }, expected: { data: expected.values, dims: outputDims } },
  };
}

function storedTensor(
  props: ReadonlyMap<string, string>,
  key: string,
  count: number,
  sha256: string,
): { ok: true; values: Float32Array } | { ok: false; reason: string } {
  const text = props.get(key);
  if (text === undefined) return { ok: false, reason: `the model has no metadata_props '${key}'` };
  let decoded: { values: Float32Array; sha256: string };
  try {
    decoded = decodeFloat32(text);
  } catch (err) {
    return { ok: false, reason: `metadata_props '${key}': ${(err as Error).message}` };
  }
  if (decoded.values.length !== count)
    return { ok: false, reason: `metadata_props '${key}' holds ${decoded.values.length} values, not ${count}` };
  if (decoded.sha256 !== sha256)
    return { ok: false, reason: `metadata_props '${key}' has sha256 ${decoded.sha256}, the manifest names ${sha256}` };
  return { ok: true, values: decoded.values };
}

/** How far outputs are from the expected ones. */
export interface OutputComparison {
  pass: boolean;
  /** Largest absolute difference of one element (Infinity when a value is NaN or infinite). */
  maxAbs: number;
  /** Smallest cosine similarity of an output row (one batch item) with its expected row. */
  minCosine: number;
}

/** Compares outputs row by row (`rowSize` elements per batch item) within the tolerance. */
export function compareOutputs(
  actual: Float32Array,
  expected: Float32Array,
  rowSize: number,
  tolerance: ModelSelfTest['tolerance'],
): OutputComparison {
  if (actual.length !== expected.length) return { pass: false, maxAbs: Number.POSITIVE_INFINITY, minCosine: -1 };
  let maxAbs = 0;
  let minCosine = 1;
  for (let row = 0; row * rowSize < actual.length; row++) {
    let dot = 0;
    let na = 0;
    let ne = 0;
    for (let i = row * rowSize; i < (row + 1) * rowSize; i++) {
      const a = actual[i] as number;
      const e = expected[i] as number;
      const diff = Number.isFinite(a) ? Math.abs(a - e) : Number.POSITIVE_INFINITY;
      if (!(diff <= maxAbs)) maxAbs = diff;
      dot += a * e;
      na += a * a;
      ne += e * e;
    }
    // Two zero rows are the same row; one zero row is not like any other.
    const cosine = na === 0 && ne === 0 ? 1 : na === 0 || ne === 0 ? 0 : dot / Math.sqrt(na * ne);
    if (!(cosine >= minCosine)) minCosine = Number.isNaN(cosine) ? -1 : cosine;
  }
  return { pass: maxAbs <= tolerance.maxAbs && minCosine >= tolerance.minCosine, maxAbs, minCosine };
}
