import assert from 'node:assert/strict';
import { defaultOpset, readOnnxModelInfo } from '../../../ota/model/onnx-model-info.ts';
import { ProtobufFormatError } from '../../../ota/model/protobuf-reader.ts';
import { makeOnnxModel } from '../../fixtures/ota/make-onnx-model.ts';

describe('readOnnxModelInfo (ONNX header without onnxruntime)', () => {
  it('reads the IR version, opset, inputs without the weights, outputs and metadata_props', () => {
    const info = readOnnxModelInfo(makeOnnxModel({ opset: 19, metadataProps: { a: 'b', 'cartfleet.x': '✓' } }));
    assert.equal(info.irVersion, 8);
    assert.equal(info.producer, 'cartfleet-test');
    assert.equal(defaultOpset(info), 19);
    assert.deepEqual(info.inputs, [{ name: 'features', elementType: 1, shape: ['batch', 8] }]);
    assert.deepEqual(info.outputs, [{ name: 'embedding', elementType: 1, shape: ['batch', 4] }]);
    assert.deepEqual(
      [...info.metadataProps],
      [
        ['a', 'b'],
        ['cartfleet.x', '✓'],
      ],
    );
  });

  it('leaves out the weights an old exporter listed among the graph inputs', () => {
    const info = readOnnxModelInfo(makeOnnxModel({ weightsAsInputs: true }));
    assert.deepEqual(
      info.inputs.map((i) => i.name),
      ['features'],
    );
  });

  it('refuses what is not a model, with the reason', () => {
    const model = makeOnnxModel();
    const cases: [Uint8Array, RegExp][] = [
      [Buffer.from('{"not": "a model"}'), /./],
      [model.subarray(0, model.length - 7), /runs past the end|truncated/],
      [Buffer.from([0x08, 0x08]), /no opset_import/], // ir_version 8 and nothing else
      [Buffer.from([0x08, 0x02, 0x42, 0x02, 0x10, 0x11]), /IR version 2/],
      [Buffer.from([0x08, 0x08, 0x42, 0x02, 0x10, 0x11]), /no graph/],
      [Buffer.from([0x0b]), /wire type 3/], // a group
      [Buffer.alloc(0), /IR version 0/],
    ];
    for (const [bytes, reason] of cases) {
      assert.throws(
        () => readOnnxModelInfo(bytes),
        (err: Error) => err instanceof ProtobufFormatError && reason.test(err.message),
      );
    }
  });
});
