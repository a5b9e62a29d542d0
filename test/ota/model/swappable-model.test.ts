import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelSession } from '../../../ota/model/model-session.ts';
import { SwappableModel } from '../../../ota/model/swappable-model.ts';
import { silentLogger } from '../../../platform/log.ts';
import { isFleetError } from '../../../protocol/errors.ts';
import { tinyModelRelease } from '../../fixtures/ota/component-releases.ts';
import { brokenWeights, goodWeights, makeOnnxModel, tinyModelForward } from '../../fixtures/ota/make-onnx-model.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';

const INPUT = Float32Array.from([0.3, -0.7, 0.2, 0.9, -0.1, 0.5, -0.4, 0.8]);
const close = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && a.every((v, i) => Math.abs(v - (b[i] as number)) < 1e-5);

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    return isFleetError(err) ? err.code : `not a FleetError: ${(err as Error).message}`;
  }
}

describe('ModelSession and SwappableModel (onnxruntime in worker threads)', () => {
  let dir: ReturnType<typeof tempDir>;
  const file = (name: string, bytes: Buffer) => {
    const path = join(dir.path, name);
    writeFileSync(path, bytes);
    return path;
  };

  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.cleanup());

  it('answers the runs asked for before stop(), then refuses new ones', async () => {
    const session = new ModelSession(file('good.onnx', makeOnnxModel()));
    await session.start();
    assert.deepEqual(session.inputs, [{ name: 'features', type: 'float32', shape: ['batch', 8] }]);
    const runs = Array.from({ length: 5 }, () =>
      session.run({ features: { data: INPUT, dims: [1, 8] } }, ['embedding']),
    );
    const stopped = session.stop();
    assert.equal(
      await code(session.run({ features: { data: INPUT, dims: [1, 8] } }, ['embedding'])),
      'MODEL_UNAVAILABLE',
    );
    for (const out of await Promise.all(runs))
      assert.ok(close(out.embedding?.data as Float32Array, tinyModelForward(goodWeights(), INPUT, 1)));
    await stopped;
  });

  it('refuses a file onnxruntime cannot load and inputs of the wrong shape, with codes', async () => {
    const corrupt = new ModelSession(file('corrupt.onnx', Buffer.from('not a model at all')));
    assert.equal(await code(corrupt.start()), 'MODEL_LOAD_FAILED');
    await corrupt.kill();
    const session = new ModelSession(file('good.onnx', makeOnnxModel()));
    await session.start();
    assert.equal(
      await code(session.run({ features: { data: new Float32Array(6), dims: [1, 6] } }, ['embedding'])),
      'MODEL_RUN_FAILED',
    );
    // The session still serves after a failed run.
    assert.equal(await code(session.run({ features: { data: INPUT, dims: [1, 8] } }, ['embedding'])), 'resolved');
    await session.stop();
  });

  it('swaps models while serving: every request during the swap gets the old or the new model’s answer', async () => {
    const v1 = tinyModelRelease(dir.path, { version: '1.0.0' });
    const v2 = tinyModelRelease(dir.path, { version: '2.0.0', variant: 'broken' });
    const old = tinyModelForward(goodWeights(), INPUT, 1);
    const fresh = tinyModelForward(brokenWeights(), INPUT, 1);
    const host = new SwappableModel(silentLogger());
    try {
      assert.equal(await code(host.infer(INPUT, [1, 8])), 'MODEL_UNAVAILABLE');
      await host.swap(v1.file, v1.metadata);
      const answers: ('old' | 'new')[] = [];
      const ask = async () => {
        const out = await host.infer(INPUT, [1, 8]);
        if (close(out.data, old)) answers.push('old');
        else if (close(out.data, fresh)) answers.push('new');
        else assert.fail(`an answer from neither model: ${[...out.data]}`);
      };
      let swapped = false;
      const swap = host.swap(v2.file, v2.metadata).then(() => {
        swapped = true;
      });
      // Requests one after the other for as long as the swap takes (loading a session takes a worker's start-up),
      // then a few more: none may fail.
      while (!swapped) await ask();
      for (let i = 0; i < 5; i++) await ask();
      await swap;
      assert.equal(answers[0], 'old', 'the first request went to the model serving when the swap began');
      assert.equal(answers.at(-1), 'new');
      const firstNew = answers.indexOf('new');
      assert.ok(
        answers.slice(firstNew).every((a) => a === 'new'),
        `once switched, only the new model: ${answers}`,
      );
      assert.deepEqual(host.metadata, v2.metadata);
      // A rollback is a swap back.
      await host.swap(v1.file, v1.metadata);
      assert.ok(close((await host.infer(INPUT, [1, 8])).data, old));
    } finally {
      await host.stop();
    }
    assert.equal(await code(host.infer(INPUT, [1, 8])), 'MODEL_UNAVAILABLE');
  });

  it('answers the requests the old model already had when the swap switches away from it', async () => {
    const v1 = tinyModelRelease(dir.path, { version: '1.0.0' });
    const v2 = tinyModelRelease(dir.path, { version: '2.0.0', variant: 'broken' });
    const host = new SwappableModel(silentLogger());
    try {
      await host.swap(v1.file, v1.metadata);
      // A burst on the old session, then the swap at once: the old session is stopped only after answering them.
      const burst = Array.from({ length: 20 }, () => host.infer(INPUT, [1, 8]));
      await host.swap(v2.file, v2.metadata);
      for (const out of await Promise.all(burst)) assert.ok(close(out.data, tinyModelForward(goodWeights(), INPUT, 1)));
    } finally {
      await host.stop();
    }
  });
});
