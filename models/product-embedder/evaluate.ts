/**
 * `npm run model:evaluate`: evaluates the committed embedder on the held-out products and writes `manifest.json`
 * beside it (the file's sha256 and size, the ModelMetadata a model release carries, the training recipe and the
 * sha256 of the code that made it, and the evaluation). Never edit the manifest's figures by hand: re-run this.
 *
 * The evaluation (issue 11 item 2): 600 products of brand families the training never drew, each enrolled from 5
 * photos (the training's nuisance ranges) into a gallery of prototypes, each queried with 5 drops as the cart's
 * camera sees them in the field (wider, shifted nuisances). Top-1/top-5 by vision alone, then through the cart's
 * own fusion rule with the weight and zone priors (prior-accuracy.ts says how they are simulated).
 * Options: `--products N` (fewer, for a quick look; the manifest is then not written), `--render-seconds S`.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelFileProblems } from '../../ota/model/model-check.ts';
import { readOnnxModelInfo } from '../../ota/model/onnx-model-info.ts';
import { decodeFloat32, float32Sha256 } from '../../ota/model/reference-tensors.ts';
import { SchemaValidator } from '../../platform/schema-validator.ts';
import { MODEL_SELF_TEST_PROPS, type ModelMetadata, modelMetadataProblems } from '../../protocol/ota/model.ts';
import {
  EMBEDDER_MANIFEST_SCHEMA_VERSION,
  type EmbedderManifest,
  EmbedderManifestSchema,
} from '../../protocol/vision/embedder-manifest.ts';
import { modelFusionPolicy } from '../../vision/fusion/fusion-policy.ts';
import { EMBEDDER_DOMAIN } from './domain.ts';
import { heldOutEmbeddings } from './held-out-embeddings.ts';
import { OPEN_SET_EVERY, openSetDecisions, PRIOR_SIMULATION, priorAccuracy } from './prior-accuracy.ts';
import { calibrateSimilarity } from './similarity-calibration.ts';
import { prototypes, visionTopK } from './vision-accuracy.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const MODEL_FILE = 'product-embedder.onnx';
/**
 * The committed model's version. Bump the major with every retraining: a new model's embeddings cannot be compared
 * with the last one's, and the fleet keeps photo embeddings and galleries per model version.
 */
const MODEL_VERSION = '2.0.0';

/** Normalisation the training script uses (train.py MEAN/STD after /255). */
export const EMBEDDER_PREPROCESSING = {
  kind: 'image',
  width: EMBEDDER_DOMAIN.inputSize,
  height: EMBEDDER_DOMAIN.inputSize,
  channelOrder: 'RGB',
  layout: 'NCHW',
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
} as const;

/** The files whose content made the model: the renderer, the dataset and training scripts, the preprocessing. */
function codeFiles(): string[] {
  const synthetic = readdirSync(join(root, 'vision/synthetic'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `vision/synthetic/${f}`);
  return [
    ...synthetic,
    'vision/embedding/image-tensor.ts',
    'models/product-embedder/domain.ts',
    'models/product-embedder/render-dataset.ts',
    'models/product-embedder/train.py',
  ].sort();
}

function codeSha256(files: string[]): string {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file}\n`);
    hash.update(readFileSync(join(root, file)));
  }
  return hash.digest('hex');
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const modelPath = join(here, MODEL_FILE);
const bytes = readFileSync(modelPath);
const info = readOnnxModelInfo(bytes);
const training = JSON.parse(readFileSync(join(here, 'training.json'), 'utf8')) as Record<string, unknown> & {
  trainSeconds: number;
  opset: number;
  referenceImages: number;
};
const storedInputs = decodeFloat32(info.metadataProps.get(MODEL_SELF_TEST_PROPS.inputs) ?? '');
const storedOutputs = decodeFloat32(info.metadataProps.get(MODEL_SELF_TEST_PROPS.outputs) ?? '');
const input = info.inputs[0]!;
const output = info.outputs[0]!;
const embeddingSize = Number(output.shape?.at(-1));
const metadata: ModelMetadata = {
  schema: 1,
  opset: training.opset,
  input: {
    name: input.name,
    elementType: 'float32',
    shape: ['batch', 3, EMBEDDER_DOMAIN.inputSize, EMBEDDER_DOMAIN.inputSize],
  },
  output: { name: output.name, elementType: 'float32', shape: ['batch', embeddingSize] },
  embeddingSize,
  preprocessing: {
    ...EMBEDDER_PREPROCESSING,
    mean: [...EMBEDDER_PREPROCESSING.mean],
    std: [...EMBEDDER_PREPROCESSING.std],
  },
  selfTest: {
    batch: training.referenceImages,
    inputs: { source: 'embedded', sha256: storedInputs.sha256 },
    expectedSha256: float32Sha256(storedOutputs.values),
    tolerance: { maxAbs: 1e-4, minCosine: 0.9999 },
  },
};
// Calibration first, on products of its own: the similarity at which "not in the gallery" is as likely.
const calibrationSet = await heldOutEmbeddings(modelPath, metadata.preprocessing!, {
  from: EMBEDDER_DOMAIN.calibration.from,
  count: EMBEDDER_DOMAIN.calibration.count,
});
const calibration = calibrateSimilarity(calibrationSet);
if (calibration.unknown !== null) metadata.similarity = { unknown: calibration.unknown };
console.log(
  `calibration on ${calibration.products} products: own product median ${calibration.matchMedian}, nearest other brand median ${calibration.strangerMedian}; "not in the gallery" ${calibration.unknown === null ? 'not weighed: no similarity separates them' : `at ${calibration.unknown}`} (errors ${calibration.errors}, 1 is chance)`,
);
const policy = modelFusionPolicy(metadata);

const problems = [...modelMetadataProblems(metadata), ...modelFileProblems(info, metadata)];
if (problems.length > 0) {
  console.error(`the model does not match its metadata:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}

const count = option('--products') ? Number(option('--products')) : undefined;
const embeddings = await heldOutEmbeddings(modelPath, metadata.preprocessing!, { count });
const gallery = prototypes(embeddings);
const vision = visionTopK(embeddings, gallery);
const withPriors = priorAccuracy(embeddings, gallery, policy);
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
console.log(
  `held-out products ${embeddings.products.length}, queries ${vision.queries} (embedded in ${embeddings.seconds.toFixed(0)} s)`,
);
for (const shots of [1, 3]) {
  const fewer = visionTopK(embeddings, prototypes(embeddings, shots));
  console.log(`vision only, ${shots} enrolment photo(s): top-1 ${pct(fewer.top1)}, top-5 ${pct(fewer.top5)}`);
}
console.log(
  `vision only, ${embeddings.enrolViews} enrolment photos: top-1 ${pct(vision.top1)}, top-5 ${pct(vision.top5)}`,
);
console.log(`with weight and zone priors: top-1 ${pct(withPriors.top1)}, top-5 ${pct(withPriors.top5)}`);
console.log(
  `decisions: ${Object.entries(withPriors.decisions)
    .map(([k, v]) => `${k} ${pct(v)}`)
    .join(', ')}`,
);
const openSet = openSetDecisions(embeddings, gallery, policy);
console.log(
  `never enrolled (every ${OPEN_SET_EVERY}th family left out of the gallery, ${openSet.queries} drops): ${Object.entries(
    openSet.decisions,
  )
    .map(([k, v]) => `${k} ${pct(v)}`)
    .join(', ')}`,
);
if (count !== undefined) {
  console.log('(a partial evaluation: manifest.json not written)');
  process.exit(0);
}

const files = codeFiles();
const manifest: EmbedderManifest = {
  schema: EMBEDDER_MANIFEST_SCHEMA_VERSION,
  name: 'product-embedder',
  version: MODEL_VERSION,
  file: MODEL_FILE,
  sha256: createHash('sha256').update(bytes).digest('hex'),
  sizeBytes: bytes.length,
  license:
    'Proprietary to this project (package.json: UNLICENSED). Trained from random initialisation only on images this repository renders; no third-party weights or data. The fonts used to render training images (ZCOOL KuaiLe, ZCOOL QingKe HuangYou, SIL OFL 1.1) are not part of the model.',
  metadata,
  training: {
    command: 'npm run model:train',
    codeSha256: codeSha256(files),
    codeFiles: files.map((f) => relative(root, join(root, f))),
    domain: EMBEDDER_DOMAIN as unknown as Record<string, unknown>,
    recipe: training,
    renderSeconds: Number(option('--render-seconds') ?? 0),
    trainSeconds: training.trainSeconds,
  },
  evaluation: {
    heldOutProducts: embeddings.products.length,
    enrolViews: embeddings.enrolViews,
    queryViews: embeddings.queryViews,
    queries: vision.queries,
    visionOnly: { top1: round(vision.top1), top5: round(vision.top5) },
    withPriors: { top1: round(withPriors.top1), top5: round(withPriors.top5) },
    decisions: Object.fromEntries(Object.entries(withPriors.decisions).map(([k, v]) => [k, round(v)])),
    priors: { ...PRIOR_SIMULATION },
    seconds: Math.round(embeddings.seconds),
    calibration: {
      products: calibration.products,
      matchMedian: calibration.matchMedian,
      strangerMedian: calibration.strangerMedian,
      errors: calibration.errors,
    },
    openSet: {
      products: openSet.products,
      queries: openSet.queries,
      decisions: Object.fromEntries(Object.entries(openSet.decisions).map(([k, v]) => [k, round(v)])),
    },
  },
};
const checked = new SchemaValidator<EmbedderManifest>(EmbedderManifestSchema).check(manifest);
if (!checked.ok) {
  console.error(`manifest invalid: ${checked.reason}`);
  process.exit(1);
}
writeFileSync(join(here, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`wrote ${relative(root, join(here, 'manifest.json'))}`);

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
