import type { Logger } from '../../platform/log.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { ModelMetadata } from '../../protocol/ota/model.ts';
import { ModelSession, type ModelSessionOptions, type TensorData } from './model-session.ts';

/**
 * What a runtime that runs a model gives the OTA agent's model handler: take the model in `file` and serve with it
 * from now on, without a restart. Rejects (and the model serving until then keeps serving) when the new one does not
 * load. Called after a model release's self-test passed, after a rollback with the previous slot, and at boot with
 * the active slot.
 */
export interface ModelHost {
  swap(file: string, metadata: ModelMetadata, release?: ModelRelease): Promise<void>;
}

/** Which release a model file came from: a gallery is built with one model and must be searched with it. */
export interface ModelRelease {
  name: string;
  version: string;
}

interface Active {
  session: ModelSession;
  metadata: ModelMetadata;
  release: ModelRelease | null;
}

/**
 * The runtime's model, swapped in while it serves (Greengrass' component update without a restart). A swap loads the
 * new model in a session of its own beside the current one, then sends every new request to it; the old session
 * answers the requests it already has and is released after them. So a request made during a swap is answered by
 * the old model or by the new one, never refused, and no request waits for a load. The price is both models in
 * memory for the length of the swap (a few MB for a cart's embedder).
 */
export class SwappableModel implements ModelHost {
  private active: Active | undefined;
  /** Swaps one after the other: a rollback arriving during a swap waits for it, then wins. */
  private swapping: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly swapListeners = new Set<() => void>();

  constructor(
    private readonly log: Logger,
    private readonly options: ModelSessionOptions = {},
  ) {}

  /** The metadata of the model serving now (its preprocessing tells the runtime how to make inputs). */
  get metadata(): ModelMetadata | undefined {
    return this.active?.metadata;
  }

  /** The release of the model serving now (null: none, or one swapped in without saying). */
  get release(): ModelRelease | null {
    return this.active?.release ?? null;
  }

  /** Called after each model swapped in (a gallery's host checks it still matches); returns the unsubscribe. */
  onSwap(listener: () => void): () => void {
    this.swapListeners.add(listener);
    return () => this.swapListeners.delete(listener);
  }

  swap(file: string, metadata: ModelMetadata, release?: ModelRelease): Promise<void> {
    const next = this.swapping.then(() => this.swapNow(file, metadata, release ?? null));
    this.swapping = next.catch(() => undefined);
    return next;
  }

  /**
   * One inference: `input` is one or more batch items of the model's input (`dims[0]` of them); answers its output.
   * MODEL_UNAVAILABLE before a model is active.
   */
  async infer(input: Float32Array, dims: number[]): Promise<TensorData> {
    const active = this.active;
    if (!active) throw new FleetError('MODEL_UNAVAILABLE', 'no model is active');
    const { input: inputSpec, output } = active.metadata;
    const outputs = await active.session.run({ [inputSpec.name]: { data: input, dims } }, [output.name]);
    return outputs[output.name] as TensorData;
  }

  /** Takes swaps again after a stop() (a runtime restarted in process stops and starts its parts). */
  start(): void {
    this.stopped = false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.swapping;
    const active = this.active;
    this.active = undefined;
    await active?.session.stop();
  }

  private async swapNow(file: string, metadata: ModelMetadata, release: ModelRelease | null): Promise<void> {
    if (this.stopped) throw new FleetError('MODEL_UNAVAILABLE', 'the model host is stopped');
    const session = new ModelSession(file, this.options);
    try {
      await session.start();
    } catch (err) {
      await session.kill();
      throw err;
    }
    const previous = this.active;
    this.active = { session, metadata, release };
    this.log.info({ file, from: previous?.session.file ?? null }, 'model swapped in');
    for (const listener of this.swapListeners) {
      try {
        listener();
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'a model swap listener failed');
      }
    }
    // Released once the requests it already has are answered; nothing new reaches it.
    await previous?.session.stop();
  }
}
