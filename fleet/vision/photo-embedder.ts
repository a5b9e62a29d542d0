import { ModelSession } from '../../ota/model/model-session.ts';
import { FleetError } from '../../protocol/errors.ts';
import { imageToTensor } from '../../vision/embedding/image-tensor.ts';
import type { EmbeddingModel } from './embedding-models.ts';

/** Images per inference: a batch of 8 at 96 px is 884 KiB of float32 crossing to the worker. */
const BATCH = 8;

/**
 * Embeds photos (RGB already at the model's input size) with an embedder in onnxruntime, in a worker thread
 * (`ota/model/ModelSession`), so an upload never holds the fleet's event loop. One session at a time: a newer model
 * replaces it, and `stop()` releases it. Rows come back L2-normalised (the embedder's contract; normalised again
 * here so float error in another runtime cannot leave a row the gallery format refuses).
 */
export class PhotoEmbedder {
  private session: { file: string; session: ModelSession; ready: Promise<void> } | undefined;

  async embed(model: EmbeddingModel, images: readonly Uint8Array[]): Promise<Float32Array[]> {
    if (images.length === 0) return [];
    const session = await this.sessionFor(model);
    const pre = model.metadata.preprocessing;
    const size = model.embeddingSize;
    const perImage = pre.width * pre.height * 3;
    const out: Float32Array[] = [];
    for (let start = 0; start < images.length; start += BATCH) {
      const batch = images.slice(start, start + BATCH);
      const input = new Float32Array(batch.length * perImage);
      for (const [i, rgb] of batch.entries()) imageToTensor(rgb, pre, input, i);
      const dims =
        pre.layout === 'NCHW' ? [batch.length, 3, pre.height, pre.width] : [batch.length, pre.height, pre.width, 3];
      const outputs = await session.run({ [model.metadata.input.name]: { data: input, dims } }, [
        model.metadata.output.name,
      ]);
      const result = outputs[model.metadata.output.name];
      if (!result || result.data.length !== batch.length * size) {
        throw new FleetError(
          'MODEL_RUN_FAILED',
          `the embedder answered ${result?.data.length ?? 0} values for ${batch.length} images of ${size}`,
        );
      }
      for (let i = 0; i < batch.length; i++) out.push(normalised(result.data.subarray(i * size, (i + 1) * size)));
    }
    return out;
  }

  async stop(): Promise<void> {
    const current = this.session;
    this.session = undefined;
    if (current) await current.session.stop().catch(() => {});
  }

  private async sessionFor(model: EmbeddingModel): Promise<ModelSession> {
    if (this.session?.file !== model.file) {
      await this.stop();
      const session = new ModelSession(model.file, { threads: 1 });
      const entry = { file: model.file, session, ready: session.start() };
      this.session = entry;
      entry.ready.catch(() => {
        if (this.session === entry) this.session = undefined;
      });
    }
    const entry = this.session!;
    await entry.ready;
    return entry.session;
  }
}

function normalised(row: Float32Array): Float32Array {
  let squares = 0;
  for (const v of row) squares += v * v;
  const norm = Math.sqrt(squares);
  const out = new Float32Array(row.length);
  if (!(norm > 0) || !Number.isFinite(norm)) {
    out.set(row);
    return out;
  }
  for (let i = 0; i < row.length; i++) out[i] = row[i]! / norm;
  return out;
}
