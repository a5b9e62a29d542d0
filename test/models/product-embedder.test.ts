import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { EMBEDDER_DOMAIN, VIEW_STREAMS } from '../../models/product-embedder/domain.ts';
import { modelFileProblems } from '../../ota/model/model-check.ts';
import { ModelSession } from '../../ota/model/model-session.ts';
import { readOnnxModelInfo } from '../../ota/model/onnx-model-info.ts';
import { compareOutputs, referenceTensors } from '../../ota/model/reference-tensors.ts';
import { PROJECT_ROOT } from '../../platform/project-root.ts';
import { SchemaValidator } from '../../platform/schema-validator.ts';
import { elementsPerItem, modelMetadataProblems } from '../../protocol/ota/model.ts';
import { type EmbedderManifest, EmbedderManifestSchema } from '../../protocol/vision/embedder-manifest.ts';
import { imageToTensor } from '../../vision/embedding/image-tensor.ts';
import { mixSeed, SeededRandom } from '../../vision/synthetic/seeded-random.ts';
import { syntheticProduct } from '../../vision/synthetic/synthetic-products.ts';
import { randomView } from '../../vision/synthetic/view-params.ts';
import { ViewRenderer } from '../../vision/synthetic/view-renderer.ts';

const DIR = join(PROJECT_ROOT, 'models/product-embedder');

describe('the committed product embedder (models/product-embedder)', function () {
  this.timeout(120_000);
  const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as EmbedderManifest;
  const bytes = readFileSync(join(DIR, manifest.file));
  const info = readOnnxModelInfo(bytes);
  let session: ModelSession;

  before(async () => {
    session = new ModelSession(join(DIR, manifest.file), { threads: 1 });
    await session.start();
  });
  after(async () => {
    await session?.stop();
  });

  it('is the file its manifest names (sha256, size), and the manifest and model agree (shapes, opset, references)', () => {
    const checked = new SchemaValidator<EmbedderManifest>(EmbedderManifestSchema).check(manifest);
    assert.ok(checked.ok, checked.ok ? '' : checked.reason);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), manifest.sha256);
    assert.equal(bytes.length, manifest.sizeBytes);
    assert.deepEqual(modelMetadataProblems(manifest.metadata), []);
    assert.deepEqual(modelFileProblems(info, manifest.metadata), []);
    assert.equal(manifest.metadata.embeddingSize, manifest.metadata.output.shape.at(-1));
  });

  it('gives the reference outputs the training stored for its reference images, within the self-test tolerance', async () => {
    const refs = referenceTensors(manifest.metadata, info.metadataProps);
    assert.ok(refs.ok, refs.ok ? '' : refs.reason);
    const { input, expected } = refs.tensors;
    const out = await session.run({ [manifest.metadata.input.name]: input }, [manifest.metadata.output.name]);
    const actual = out[manifest.metadata.output.name]!;
    assert.deepEqual(actual.dims, expected.dims);
    const cmp = compareOutputs(
      actual.data,
      expected.data,
      elementsPerItem(manifest.metadata.output),
      manifest.metadata.selfTest.tolerance,
    );
    assert.ok(cmp.pass, `max abs ${cmp.maxAbs}, min cosine ${cmp.minCosine}`);
    // Positive control: the comparison fails for outputs that are not the expected ones.
    const shuffled = new Float32Array(actual.data);
    shuffled.reverse();
    assert.equal(
      compareOutputs(
        shuffled,
        expected.data,
        elementsPerItem(manifest.metadata.output),
        manifest.metadata.selfTest.tolerance,
      ).pass,
      false,
    );
  });

  it('was trained on what this renderer and preprocessing make: the stored reference inputs are the reference images rendered here', () => {
    const refs = referenceTensors(manifest.metadata, info.metadataProps);
    assert.ok(refs.ok);
    const pre = manifest.metadata.preprocessing!;
    const renderer = new ViewRenderer(pre.width);
    const { seed, reference } = EMBEDDER_DOMAIN;
    const per = 3 * pre.width * pre.height;
    const rendered = new Float32Array(reference.count * per);
    for (let i = 0; i < reference.count; i++) {
      const product = syntheticProduct(seed, reference.from + i);
      const view = randomView(new SeededRandom(mixSeed(seed, VIEW_STREAMS.reference, i)), 'training');
      imageToTensor(renderer.render(product, view), pre, rendered, i);
    }
    let maxAbs = 0;
    let sum = 0;
    for (let k = 0; k < rendered.length; k++) {
      const d = Math.abs(rendered[k]! - refs.tensors.input.data[k]!);
      maxAbs = Math.max(maxAbs, d);
      sum += d;
    }
    // One 8-bit step is 1/255/std ≈ 0.0175 in the tensor; a Skia build may round a few edge pixels differently.
    assert.ok(sum / rendered.length < 0.002, `mean difference ${sum / rendered.length}`);
    assert.ok(maxAbs < 0.2, `max difference ${maxAbs}`);
  });

  it('tells held-out products apart: each of 20 unseen products is nearest to its own enrolment photo', async () => {
    const pre = manifest.metadata.preprocessing!;
    const renderer = new ViewRenderer(pre.width);
    const { seed, heldOut } = EMBEDDER_DOMAIN;
    const n = 20;
    const embed = async (stream: number, regime: 'training' | 'field') => {
      const input = new Float32Array(n * 3 * pre.width * pre.height);
      for (let i = 0; i < n; i++) {
        // Every 30th held-out product: 20 different brand families.
        const product = syntheticProduct(seed, heldOut.from + i * 30);
        const view = randomView(new SeededRandom(mixSeed(seed, stream, product.index, 0)), regime);
        imageToTensor(renderer.render(product, view), pre, input, i);
      }
      const out = await session.run(
        { [manifest.metadata.input.name]: { data: input, dims: [n, 3, pre.height, pre.width] } },
        [manifest.metadata.output.name],
      );
      return out[manifest.metadata.output.name]!.data;
    };
    const enrol = await embed(VIEW_STREAMS.enrol, 'training');
    const query = await embed(VIEW_STREAMS.query, 'field');
    const d = manifest.metadata.embeddingSize;
    let right = 0;
    for (let q = 0; q < n; q++) {
      let best = -1;
      let bestSim = -2;
      for (let g = 0; g < n; g++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += query[q * d + k]! * enrol[g * d + k]!;
        if (s > bestSim) {
          bestSim = s;
          best = g;
        }
      }
      if (best === q) right++;
    }
    // Chance is 1 in 20. The committed 1.0.0 gets 11 (its held-out top-1 over 600 products is in its manifest); a
    // model that lost what it learned (wrong preprocessing, a broken export) falls to chance.
    assert.ok(right >= 8, `${right} of ${n} nearest to their own product`);
  });
});
