import assert from 'node:assert/strict';
import { SchemaValidator } from '../../../platform/schema-validator.ts';
import { type ModelMetadata, ModelMetadataSchema, modelMetadataProblems } from '../../../protocol/ota/model.ts';

const validator = new SchemaValidator<ModelMetadata>(ModelMetadataSchema);

function metadata(): ModelMetadata {
  return {
    schema: 1,
    opset: 17,
    input: { name: 'pixels', elementType: 'float32', shape: ['batch', 3, 224, 224] },
    output: { name: 'embedding', elementType: 'float32', shape: ['batch', 128] },
    embeddingSize: 128,
    preprocessing: {
      kind: 'image',
      width: 224,
      height: 224,
      channelOrder: 'RGB',
      layout: 'NCHW',
      scale: 1 / 255,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
    },
    selfTest: {
      batch: 2,
      inputs: { source: 'generated', seed: 42, min: -2, max: 2 },
      expectedSha256: 'b'.repeat(64),
      tolerance: { maxAbs: 1e-4, minCosine: 0.9999 },
    },
  };
}

describe('protocol/ota/model: a model release’s metadata', () => {
  it('accepts an ImageNet-style embedder (the shape issue 11 ships) and fits a job document many times over', () => {
    const m = metadata();
    assert.equal(validator.check(m).ok, true);
    assert.deepEqual(modelMetadataProblems(m), []);
    assert.ok(JSON.stringify(m).length < 1024, `${JSON.stringify(m).length} bytes`);
  });

  it('refuses what does not hold together, each problem named', () => {
    const m = metadata();
    m.input.shape = [1, 3, 224, 224];
    m.output.shape = ['batch', 'dim'];
    m.embeddingSize = 64;
    m.selfTest.inputs = { source: 'generated', seed: 42, min: 1, max: 1 };
    m.preprocessing = { ...(m.preprocessing as NonNullable<ModelMetadata['preprocessing']>), layout: 'NHWC' };
    assert.deepEqual(modelMetadataProblems(m), [
      'input.shape: the first dimension is the batch and must be a name',
      'output.shape: only the first dimension (the batch) may be a name',
      "embeddingSize 64 is not the output's last dimension",
      'selfTest.inputs: min must be below max',
      'preprocessing: a NHWC image of 224×224 needs input shape [batch, 224, 224, 3]',
    ]);
  });

  it('refuses unknown fields and element types by schema', () => {
    assert.match(
      (validator.check({ ...metadata(), extra: 1 }) as { reason: string }).reason,
      /must NOT have additional properties/,
    );
    const int8 = metadata();
    (int8.input as { elementType: string }).elementType = 'int8';
    assert.match(
      (validator.check(int8) as { reason: string }).reason,
      /input\.elementType: must be equal to one of the allowed values/,
    );
  });
});
