import { type FromSchema, integer, object, oneOfValues } from '../api/json-schema.ts';
import { sha256String } from '../broadcast/manifest.ts';

/**
 * What a model release's signed `manifest.metadata` says about its ONNX file: the tensor the runtime feeds and the
 * one it reads, how a camera frame becomes that input, the opset, and the self-test the device runs after the switch
 * (issue 10 item 6: "for a model, inference on reference inputs gives the expected outputs").
 *
 * Where the reference tensors live. The job document that carries this manifest must stay under AWS's 32 KiB, and
 * one 224×224 RGB input alone is 588 KiB of float32, so the tensors are not in the manifest:
 * - the reference **inputs** are generated on the device from a seed (`source: 'generated'`: xorshift32, see
 *   `ota/model/reference-tensors.ts`; a few bytes of manifest for any input size), or, for real samples (a
 *   product photo for issue 11's embedder), stored in the model file (`source: 'embedded'`);
 * - the **expected outputs** are always stored in the model file.
 * Stored tensors go in the ONNX model's own `metadata_props` (ModelProto field 14, string → string) under the keys
 * of {@link MODEL_SELF_TEST_PROPS}, as base64 of little-endian float32 in row-major order: the artifact stays one
 * `.onnx` file (ARTIFACT_MEDIA_TYPES.model) that any ONNX tool opens, its sha256 (signed) covers the references, and
 * a producer writes them with `onnx.helper.set_model_props`. The manifest names each stored tensor's sha256, so a
 * manifest and a model built apart are caught at install with a clear reason rather than as a numeric failure.
 */
export const MODEL_METADATA_SCHEMA_VERSION = 1;

/** Keys of the model file's `metadata_props` that hold the self-test's stored tensors. */
export const MODEL_SELF_TEST_PROPS = {
  inputs: 'cartfleet.selftest.inputs',
  outputs: 'cartfleet.selftest.outputs',
} as const;

/** Element types the runtime feeds and reads (ONNX TensorProto.DataType FLOAT = 1); a list, to grow with need. */
export const MODEL_ELEMENT_TYPES = ['float32'] as const;
export type ModelElementType = (typeof MODEL_ELEMENT_TYPES)[number];

/** A symbolic dimension's name (ONNX `dim_param`), e.g. `batch`. */
export const DIM_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,31}$';

/** One dimension: a fixed size, or a name for a dimension that varies (the batch). */
const dimension = {
  anyOf: [integer({ minimum: 1, maximum: 1_000_000 }), { type: 'string', pattern: DIM_NAME_PATTERN }],
} as const;

export const ModelTensorSchema = object({
  name: { type: 'string', minLength: 1, maxLength: 128 },
  elementType: oneOfValues(MODEL_ELEMENT_TYPES),
  /** The first dimension is the batch and is symbolic; the others are fixed. */
  shape: { type: 'array', items: dimension, minItems: 2, maxItems: 6 },
});
export type ModelTensor = FromSchema<typeof ModelTensorSchema>;

/**
 * How the runtime turns a camera frame into the input (not used by the self-test, whose inputs are tensors already):
 * resize to `width`×`height`, order the channels, multiply each 0–255 value by `scale`, subtract `mean`, divide by
 * `std` (per channel, in `channelOrder`), lay out as `layout`.
 */
export const ImagePreprocessingSchema = object({
  kind: { const: 'image' },
  width: integer({ minimum: 1, maximum: 4096 }),
  height: integer({ minimum: 1, maximum: 4096 }),
  channelOrder: oneOfValues(['RGB', 'BGR'] as const),
  layout: oneOfValues(['NCHW', 'NHWC'] as const),
  scale: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
  mean: { type: 'array', items: { type: 'number' }, minItems: 3, maxItems: 3 },
  std: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 3, maxItems: 3 },
});
export type ImagePreprocessing = FromSchema<typeof ImagePreprocessingSchema>;

/** Reference inputs made on the device: xorshift32 from `seed`, uniform in [min, max) (reference-tensors.ts). */
export const GeneratedInputsSchema = object({
  source: { const: 'generated' },
  seed: integer({ minimum: 1, maximum: 0xffff_ffff }),
  min: { type: 'number', minimum: -1e6, maximum: 1e6 },
  max: { type: 'number', minimum: -1e6, maximum: 1e6 },
});

/** Reference inputs stored in the model file (`MODEL_SELF_TEST_PROPS.inputs`); sha256 of their float32 bytes. */
export const EmbeddedInputsSchema = object({
  source: { const: 'embedded' },
  sha256: sha256String,
});

export const ModelSelfTestSchema = object({
  /** How many reference inputs (the batch the self-test runs). */
  batch: integer({ minimum: 1, maximum: 16 }),
  inputs: { anyOf: [GeneratedInputsSchema, EmbeddedInputsSchema] },
  /** sha256 of the expected outputs' float32 bytes, stored in the model file (`MODEL_SELF_TEST_PROPS.outputs`). */
  expectedSha256: sha256String,
  /**
   * Passes when every element is within `maxAbs` of the expected one and every output row's cosine similarity to
   * its expected row is at least `minCosine`. Both, because an embedding can drift in scale (caught by maxAbs) or in
   * direction while each element stays small (caught by cosine). CPUs differ in the last bits (x86 vs ARM, thread
   * counts change summation order): 1e-4 and 0.9999 suit a float32 model.
   */
  tolerance: object({
    maxAbs: { type: 'number', exclusiveMinimum: 0, maximum: 1000 },
    minCosine: { type: 'number', minimum: -1, maximum: 1 },
  }),
});
export type ModelSelfTest = FromSchema<typeof ModelSelfTestSchema>;

/** A model release's `manifest.metadata`. */
export const ModelMetadataSchema = object(
  {
    schema: { const: MODEL_METADATA_SCHEMA_VERSION },
    /** The default-domain (`ai.onnx`) opset the model imports. */
    opset: integer({ minimum: 7, maximum: 64 }),
    input: ModelTensorSchema,
    output: ModelTensorSchema,
    /** The output's last dimension: an embedding's length (issue 11), a classifier's class count. */
    embeddingSize: integer({ minimum: 1, maximum: 1_000_000 }),
    preprocessing: ImagePreprocessingSchema,
    selfTest: ModelSelfTestSchema,
    /**
     * An embedding model's calibration (issue 11): `unknown`, the cosine similarity at which a sighting's nearest
     * product is as likely a product the gallery does not have as the product itself, measured on products apart from
     * those it is evaluated on. The cart's fusion rule weighs "not in the gallery" by it (`unknownSimilarity`).
     */
    similarity: object({ unknown: { type: 'number', minimum: -1, maximum: 1 } }),
  },
  { optional: ['preprocessing', 'similarity'] },
);
export type ModelMetadata = FromSchema<typeof ModelMetadataSchema>;

/** Rules the schema cannot say; empty when the metadata holds together. */
export function modelMetadataProblems(metadata: ModelMetadata): string[] {
  const problems: string[] = [];
  for (const [which, tensor] of [
    ['input', metadata.input],
    ['output', metadata.output],
  ] as const) {
    const [batch, ...rest] = tensor.shape;
    if (typeof batch !== 'string') problems.push(`${which}.shape: the first dimension is the batch and must be a name`);
    if (rest.some((d) => typeof d !== 'number'))
      problems.push(`${which}.shape: only the first dimension (the batch) may be a name`);
  }
  if (metadata.output.shape.at(-1) !== metadata.embeddingSize)
    problems.push(`embeddingSize ${metadata.embeddingSize} is not the output's last dimension`);
  const inputs = metadata.selfTest.inputs;
  if (inputs.source === 'generated' && !(inputs.min < inputs.max))
    problems.push('selfTest.inputs: min must be below max');
  const pre = metadata.preprocessing;
  if (pre) {
    const dims = metadata.input.shape;
    const expected = pre.layout === 'NCHW' ? [3, pre.height, pre.width] : [pre.height, pre.width, 3];
    if (dims.length !== 4 || expected.some((d, i) => dims[i + 1] !== d))
      problems.push(
        `preprocessing: a ${pre.layout} image of ${pre.width}×${pre.height} needs input shape [batch, ${expected.join(', ')}]`,
      );
  }
  return problems;
}

/** Number of elements of one batch item of a tensor (its dimensions after the batch). */
export function elementsPerItem(tensor: ModelTensor): number {
  return tensor.shape.slice(1).reduce<number>((n, d) => n * (d as number), 1);
}
