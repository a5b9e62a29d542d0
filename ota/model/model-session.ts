import type { Worker } from 'node:worker_threads';
import { startWorker, workerEntry } from '../../platform/typescript-worker.ts';
import { FleetError } from '../../protocol/errors.ts';
import type {
  ModelWorkerData,
  ModelWorkerMessage,
  ModelWorkerRequest,
  SessionValue,
  TensorData,
} from './model-worker-messages.ts';

export type { SessionValue, TensorData };

interface Pending {
  resolve: (outputs: Record<string, TensorData>) => void;
  reject: (err: Error) => void;
}

export interface ModelSessionOptions {
  /**
   * onnxruntime's intra-op threads. 1 by default: a cart has two cores, and the screen, MQTT and the scale's
   * sampling keep one; a self-test or an embedding taking twice as long costs nothing anyone waits on.
   */
  threads?: number;
}

/**
 * One ONNX model loaded by onnxruntime-node in its own worker thread, so an inference never holds the device's event
 * loop. `start()` loads it (MODEL_LOAD_FAILED with onnxruntime's reason); `run()` feeds float32 tensors and answers
 * the named outputs (MODEL_RUN_FAILED); `stop()` lets the runs already asked for finish, then releases the session
 * and ends the thread; `kill()` ends it at once (an aborted self-test), failing what was pending.
 */
export class ModelSession {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stopping: Promise<void> | undefined;
  private exited: Promise<void> | undefined;
  private meta: { inputs: SessionValue[]; outputs: SessionValue[] } | undefined;
  /** Called when the last pending run is answered (stop() waits for it). */
  private onIdle: (() => void) | undefined;

  constructor(
    readonly file: string,
    private readonly options: ModelSessionOptions = {},
  ) {}

  /** The graph's inputs as onnxruntime sees them (after `start()`). */
  get inputs(): SessionValue[] {
    return this.meta?.inputs ?? [];
  }

  get outputs(): SessionValue[] {
    return this.meta?.outputs ?? [];
  }

  /** Runs asked for and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  async start(): Promise<void> {
    if (this.worker) throw new Error('ModelSession started twice');
    const data: ModelWorkerData = { file: this.file, threads: this.options.threads ?? 1 };
    const worker = startWorker(workerEntry('./model-worker', import.meta.url), { workerData: data });
    this.worker = worker;
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number) =>
        reject(new FleetError('MODEL_LOAD_FAILED', `the model's worker thread exited (${code}) while loading`));
      worker.once('exit', onExit);
      worker.on('error', (err) =>
        this.failPending(`the model's worker thread failed: ${err.message}`, 'MODEL_RUN_FAILED'),
      );
      worker.on('message', (message: ModelWorkerMessage) => {
        if (message.type === 'ready') {
          worker.off('exit', onExit);
          worker.once('exit', (code) => this.workerExited(code));
          this.meta = { inputs: message.inputs, outputs: message.outputs };
          resolve();
        } else if (message.type === 'load-failed') {
          worker.off('exit', onExit);
          void worker.terminate();
          reject(new FleetError('MODEL_LOAD_FAILED', `onnxruntime does not load ${this.file}: ${message.message}`));
        } else this.answer(message);
      });
    });
  }

  /** Runs the model on `feeds` and answers the `outputs` asked for. */
  run(feeds: Record<string, TensorData>, outputs: string[]): Promise<Record<string, TensorData>> {
    const worker = this.worker;
    if (!worker || !this.meta || this.stopping)
      return Promise.reject(new FleetError('MODEL_UNAVAILABLE', 'the model session is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ type: 'run', id, feeds, outputs } satisfies ModelWorkerRequest);
    });
  }

  /** Waits for the runs already asked for, then releases the session and ends its thread. */
  stop(): Promise<void> {
    if (!this.stopping) this.stopping = this.close();
    return this.stopping;
  }

  /** Ends the thread now: pending runs fail with MODEL_UNAVAILABLE. */
  async kill(): Promise<void> {
    this.stopping ??= Promise.resolve();
    this.failPending('the model session was stopped');
    await this.worker?.terminate();
    await this.exited;
  }

  private async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    if (this.pending.size > 0) await new Promise<void>((resolve) => (this.onIdle = resolve));
    if (this.meta) {
      const closed = new Promise<void>((resolve) => {
        worker.on('message', (m: ModelWorkerMessage) => m.type === 'closed' && resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage({ type: 'close' } satisfies ModelWorkerRequest);
      await closed;
    }
    await worker.terminate();
    await this.exited;
  }

  private answer(message: ModelWorkerMessage): void {
    if (message.type !== 'result' && message.type !== 'run-failed') return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.type === 'result') pending.resolve(message.outputs);
    else pending.reject(new FleetError('MODEL_RUN_FAILED', message.message));
    if (this.pending.size === 0) this.onIdle?.();
  }

  /** A thread that ends with runs pending (a native crash, or stop's close) fails them rather than leave them hanging. */
  private workerExited(code: number): void {
    this.failPending(`the model's worker thread exited (${code})`, 'MODEL_RUN_FAILED');
  }

  private failPending(message: string, code: 'MODEL_UNAVAILABLE' | 'MODEL_RUN_FAILED' = 'MODEL_UNAVAILABLE'): void {
    for (const p of this.pending.values()) p.reject(new FleetError(code, message));
    this.pending.clear();
    this.onIdle?.();
  }
}
