import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_FILE, ModelComponentHandler } from '../../../../ota/agent/components/model.ts';
import { MAX_SUPPORTED_OPSET } from '../../../../ota/model/model-check.ts';
import { ModelSession } from '../../../../ota/model/model-session.ts';
import { SwappableModel } from '../../../../ota/model/swappable-model.ts';
import { silentLogger } from '../../../../platform/log.ts';
import { FleetError, isFleetError } from '../../../../protocol/errors.ts';
import type { ReleaseManifest } from '../../../../protocol/ota/release.ts';
import { tinyModelRelease } from '../../../fixtures/ota/component-releases.ts';
import { goodWeights, tinyModelForward } from '../../../fixtures/ota/make-onnx-model.ts';
import { tempDir } from '../../../helpers/fleet-harness.ts';

/** Runs `promise` and returns the FleetError it rejects with (failing if it resolves or throws something else). */
async function refusal(promise: Promise<unknown>): Promise<FleetError> {
  try {
    await promise;
  } catch (err) {
    if (isFleetError(err)) return err;
    throw err;
  }
  assert.fail('expected a FleetError');
}

describe('ModelComponentHandler (OTA model releases)', () => {
  let dir: ReturnType<typeof tempDir>;
  let host: SwappableModel;
  let handler: ModelComponentHandler;
  let slot: string;
  let n = 0;
  const never = () => new AbortController().signal;
  const newSlot = () => {
    slot = join(dir.path, `slot-${++n}`);
    mkdirSync(slot);
    return slot;
  };

  beforeEach(() => {
    dir = tempDir();
    host = new SwappableModel(silentLogger());
    handler = new ModelComponentHandler(host, silentLogger());
    newSlot();
  });

  afterEach(async () => {
    await host.stop();
    dir.cleanup();
  });

  it('installs the tiny model and passes its self-test with real onnxruntime inference (generated inputs)', async () => {
    const release = tinyModelRelease(dir.path);
    await handler.install(release.file, slot, release.manifest, never());
    await handler.selfTest(slot, release.manifest, never());
  });

  it('passes with reference inputs stored in the model file', async () => {
    const release = tinyModelRelease(dir.path, { inputs: 'embedded', batch: 2 });
    await handler.install(release.file, slot, release.manifest, never());
    await handler.selfTest(slot, release.manifest, never());
  });

  it('fails the self-test of a model with the right shapes and the wrong weights, with the error measured', async () => {
    const release = tinyModelRelease(dir.path, { variant: 'broken' });
    await handler.install(release.file, slot, release.manifest, never());
    const err = await refusal(handler.selfTest(slot, release.manifest, never()));
    assert.equal(err.code, 'OTA_HEALTH_CHECK_FAILED');
    assert.match(err.message, /max abs error .* \(at most 0\.0001\), min cosine/);
    const measured = err.details as { maxAbs: number; minCosine: number };
    assert.ok(measured.maxAbs > 0.01, `max abs error ${measured.maxAbs}`);
  });

  it('fails a model whose outputs point the right way at the wrong scale: the max abs error catches it', async () => {
    const release = tinyModelRelease(dir.path, { variant: 'scaled' });
    await handler.install(release.file, slot, release.manifest, never());
    const err = await refusal(handler.selfTest(slot, release.manifest, never()));
    assert.equal(err.code, 'OTA_HEALTH_CHECK_FAILED');
    const measured = err.details as { maxAbs: number; minCosine: number };
    assert.ok(measured.minCosine > 0.99999, `cosine ${measured.minCosine}: the direction is right`);
    assert.ok(measured.maxAbs > 1e-3, `max abs error ${measured.maxAbs}`);
  });

  it('fails a model that is right to float32 precision when the tolerance is tighter than that', async () => {
    // The reference's float64 sums differ from onnxruntime's float32 ones in the last bits: a zero tolerance must
    // fail on that (the first test passed the same model within 1e-4).
    const tight = tinyModelRelease(dir.path, { tolerance: { maxAbs: 1e-12, minCosine: 1 } });
    await handler.install(tight.file, slot, tight.manifest, never());
    const err = await refusal(handler.selfTest(slot, tight.manifest, never()));
    assert.equal(err.code, 'OTA_HEALTH_CHECK_FAILED');
  });

  it('refuses a file that is not ONNX at install', async () => {
    const release = tinyModelRelease(dir.path, { variant: 'corrupt' });
    const err = await refusal(handler.install(release.file, slot, release.manifest, never()));
    assert.equal(err.code, 'OTA_INSTALL_FAILED');
    assert.match(err.message, /^not an ONNX model: /);
  });

  it('refuses a model whose input shape is not the metadata’s, naming both', async () => {
    const release = tinyModelRelease(dir.path, { model: { inputShape: ['batch', 6] } });
    const err = await refusal(handler.install(release.file, slot, release.manifest, never()));
    assert.equal(err.code, 'OTA_INSTALL_FAILED');
    assert.match(err.message, /input 'features' has shape \[batch, 6\], the metadata says \[batch, 8\]/);
  });

  it('refuses a model with a fixed batch where the metadata has a dynamic one', async () => {
    const release = tinyModelRelease(dir.path, { model: { inputShape: [1, 8] } });
    const err = await refusal(handler.install(release.file, slot, release.manifest, never()));
    assert.equal(err.code, 'OTA_INSTALL_FAILED');
    assert.match(err.message, /has shape \[1, 8\], the metadata says \[batch, 8\]/);
  });

  it('refuses a model whose input or output names are not the metadata’s', async () => {
    const input = tinyModelRelease(dir.path, { model: { inputName: 'pixels' } });
    const inputErr = await refusal(handler.install(input.file, slot, input.manifest, never()));
    assert.equal(inputErr.code, 'OTA_INSTALL_FAILED');
    assert.match(inputErr.message, /the model's inputs are \[pixels\], the metadata says \[features\]/);
    const output = tinyModelRelease(dir.path, { version: '1.0.1', model: { outputName: 'logits' } });
    const outputErr = await refusal(handler.install(output.file, newSlot(), output.manifest, never()));
    assert.equal(outputErr.code, 'OTA_INSTALL_FAILED');
    assert.match(outputErr.message, /the model has no output 'embedding' \(outputs: logits\)/);
  });

  it(`refuses a model above opset ${MAX_SUPPORTED_OPSET}, which onnxruntime itself refuses to load`, async () => {
    const release = tinyModelRelease(dir.path, { model: { opset: MAX_SUPPORTED_OPSET + 1 } });
    const err = await refusal(handler.install(release.file, slot, release.manifest, never()));
    assert.equal(err.code, 'OTA_INSTALL_FAILED');
    assert.match(err.message, new RegExp(`opset ${MAX_SUPPORTED_OPSET + 1} is above ${MAX_SUPPORTED_OPSET}`));
    // The limit is onnxruntime's: one above it does not load; the limit itself does.
    const session = new ModelSession(release.file);
    assert.equal((await refusal(session.start())).code, 'MODEL_LOAD_FAILED');
    await session.kill();
    const atLimit = tinyModelRelease(dir.path, { version: '1.0.2', model: { opset: MAX_SUPPORTED_OPSET } });
    await handler.install(atLimit.file, newSlot(), atLimit.manifest, never());
    await handler.selfTest(slot, atLimit.manifest, never());
  });

  it('refuses a model whose stored references are not the ones its manifest names', async () => {
    const release = tinyModelRelease(dir.path, {
      metadata: (m) => ({ ...m, selfTest: { ...m.selfTest, expectedSha256: 'a'.repeat(64) } }),
    });
    const err = await refusal(handler.install(release.file, slot, release.manifest, never()));
    assert.equal(err.code, 'OTA_INSTALL_FAILED');
    assert.match(
      err.message,
      /metadata_props 'cartfleet.selftest.outputs' has sha256 [0-9a-f]{64}, the manifest names a{64}/,
    );
  });

  it('refuses metadata that does not hold together (a fixed batch dimension), before copying anything', async () => {
    const release = tinyModelRelease(dir.path, {
      metadata: (m) => ({ ...m, input: { ...m.input, shape: [1, 8] } }),
    });
    const err = await refusal(handler.install(release.file, slot, release.manifest, never()));
    assert.equal(err.code, 'OTA_INSTALL_FAILED');
    assert.match(err.message, /input\.shape: the first dimension is the batch and must be a name/);
  });

  it('refuses an artifact that is not the one the manifest was made for', async () => {
    const release = tinyModelRelease(dir.path);
    const other = tinyModelRelease(dir.path, { variant: 'broken' });
    const err = await refusal(handler.install(other.file, slot, release.manifest, never()));
    assert.equal(err.code, 'OTA_INSTALL_FAILED');
    assert.match(err.message, /the copy in the slot is \d+ bytes with sha256/);
  });

  it('fails the self-test when the slot’s file changed after the install', async () => {
    const release = tinyModelRelease(dir.path);
    await handler.install(release.file, slot, release.manifest, never());
    writeFileSync(join(slot, MODEL_FILE), release.bytes.subarray(0, release.bytes.length - 10));
    const err = await refusal(handler.selfTest(slot, release.manifest, never()));
    assert.equal(err.code, 'OTA_HEALTH_CHECK_FAILED');
    assert.match(err.message, /the slot's model has sha256 [0-9a-f]{64}, not the release's/);
  });

  it('stops a self-test when its signal aborts, with the signal’s reason', async () => {
    const release = tinyModelRelease(dir.path);
    await handler.install(release.file, slot, release.manifest, never());
    const controller = new AbortController();
    const test = handler.selfTest(slot, release.manifest, controller.signal);
    setImmediate(() => controller.abort(new FleetError('OTA_HEALTH_CHECK_TIMEOUT', 'the health check took too long')));
    const err = await refusal(test);
    assert.equal(err.code, 'OTA_HEALTH_CHECK_TIMEOUT');
    // Positive control: the same slot passes when nothing aborts it.
    await handler.selfTest(slot, release.manifest, never());
  });

  it('activates a model: the runtime’s host serves it without a restart', async () => {
    const release = tinyModelRelease(dir.path);
    await handler.install(release.file, slot, release.manifest, never());
    await handler.activate(slot, release.manifest);
    assert.deepEqual(host.metadata, release.metadata);
    const input = Float32Array.from([0.5, -0.25, 1, 0, -1, 0.75, 0.1, -0.6]);
    const out = await host.infer(input, [1, 8]);
    const expected = tinyModelForward(goodWeights(), input, 1);
    assert.deepEqual(out.dims, [1, 4]);
    for (let i = 0; i < 4; i++) assert.ok(Math.abs((out.data[i] as number) - (expected[i] as number)) < 1e-5);
  });

  it('keeps the serving model when an activated file does not load', async () => {
    const good = tinyModelRelease(dir.path);
    await handler.install(good.file, slot, good.manifest, never());
    await handler.activate(slot, good.manifest);
    const corrupt = tinyModelRelease(dir.path, { variant: 'corrupt', version: '2.0.0' });
    writeFileSync(join(newSlot(), MODEL_FILE), corrupt.bytes);
    const manifest: ReleaseManifest = { ...corrupt.manifest, metadata: good.manifest.metadata };
    const err = await refusal(handler.activate(slot, manifest));
    assert.equal(err.code, 'OTA_HEALTH_CHECK_FAILED');
    assert.match(err.message, /onnxruntime does not load/);
    // Still the good model: its answer, computed apart.
    const input = Float32Array.from({ length: 8 }, (_, i) => i / 8 - 0.5);
    const out = await host.infer(input, [1, 8]);
    const expected = tinyModelForward(goodWeights(), input, 1);
    assert.ok(out.data.every((v, i) => Math.abs(v - (expected[i] as number)) < 1e-5));
  });
});
