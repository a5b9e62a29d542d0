import { type FromSchema, object } from '../api/json-schema.ts';
import { sha256String } from '../broadcast/manifest.ts';
import { ModelMetadataSchema } from '../ota/model.ts';

/**
 * The manifest committed beside a model the project produced (`models/<name>/manifest.json`, issue 11 item 1): what
 * the file is (sha256, size, license), what a runtime needs to feed it (`metadata`: the same ModelMetadata a model
 * release signs, so publishing the model is copying this field), how it was made (the training recipe, the
 * domain's seeds and the sha256 of the code that rendered and trained it) and how well it does on products it never
 * saw (`evaluation`, written by the evaluation, never by hand).
 */
export const EMBEDDER_MANIFEST_SCHEMA_VERSION = 1;

const rate = { type: 'number', minimum: 0, maximum: 1 } as const;
const topK = object({ top1: rate, top5: rate });

export const EmbedderEvaluationSchema = object(
  {
    heldOutProducts: { type: 'integer', minimum: 1 },
    enrolViews: { type: 'integer', minimum: 1 },
    queryViews: { type: 'integer', minimum: 1 },
    queries: { type: 'integer', minimum: 1 },
    /** Nearest prototype among all held-out products, by the embedding alone. */
    visionOnly: topK,
    /** With the settled weight (within each product's tolerance) and the cart's zone, through the cart's own fusion. */
    withPriors: topK,
    /** What the fusion decided for the queries: shares of add (right, wrong), pick (truth among the options or not), scan. */
    decisions: {
      type: 'object',
      additionalProperties: rate,
    },
    /** How the priors were simulated: scale noise, share of drops made in the product's own zone, zones per store. */
    priors: object({
      scaleNoiseG: { type: 'number', minimum: 0 },
      inZoneShare: rate,
      zones: { type: 'integer', minimum: 1 },
    }),
    seconds: { type: 'number', minimum: 0 },
    /**
     * Products never enrolled, dropped in: a tenth of the held-out brand families left out of the gallery, their queries
     * decided against the rest. Shares of add (always wrong), pick, suggest-produce and scan (the right answer).
     */
    openSet: object({
      products: { type: 'integer', minimum: 0 },
      queries: { type: 'integer', minimum: 0 },
      decisions: { type: 'object', additionalProperties: rate },
    }),
    /**
     * How `metadata.similarity.unknown` was found, on products of their own (`domain.calibration`): the medians of a
     * drop's similarity to its own product and to the nearest of another brand, and the errors at the threshold.
     */
    calibration: object({
      products: { type: 'integer', minimum: 1 },
      matchMedian: { type: 'number', minimum: -1, maximum: 1 },
      strangerMedian: { type: 'number', minimum: -1, maximum: 1 },
      errors: { type: 'number', minimum: 0, maximum: 2 },
    }),
  },
  { optional: ['openSet', 'calibration'] },
);
export type EmbedderEvaluation = FromSchema<typeof EmbedderEvaluationSchema>;

export const EmbedderManifestSchema = object({
  schema: { const: EMBEDDER_MANIFEST_SCHEMA_VERSION },
  name: { type: 'string', minLength: 1, maxLength: 64 },
  version: { type: 'string', minLength: 1, maxLength: 64 },
  file: { type: 'string', minLength: 1, maxLength: 128 },
  sha256: sha256String,
  sizeBytes: { type: 'integer', minimum: 1 },
  license: { type: 'string', minLength: 1, maxLength: 400 },
  metadata: ModelMetadataSchema,
  training: object(
    {
      command: { type: 'string' },
      /** sha256 over the files that rendered the data and trained the model (path, then content, in path order). */
      codeSha256: sha256String,
      codeFiles: { type: 'array', items: { type: 'string' } },
      domain: { type: 'object' },
      recipe: { type: 'object' },
      renderSeconds: { type: 'number', minimum: 0 },
      trainSeconds: { type: 'number', minimum: 0 },
    },
    { optional: [] },
  ),
  evaluation: EmbedderEvaluationSchema,
});
export type EmbedderManifest = FromSchema<typeof EmbedderManifestSchema>;
