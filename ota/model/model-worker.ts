import { parentPort, workerData } from 'node:worker_threads';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type {
  ModelWorkerData,
  ModelWorkerMessage,
  ModelWorkerRequest,
  SessionValue,
  TensorData,
} from './model-worker-messages.ts';

// One onnxruntime session per thread: onnxruntime-node's `run()` computes on the calling JavaScript thread (its
// binding wraps a synchronous call in setImmediate), so on the device's main thread an inference would stall the
// event loop, the MQTT keep-alive and the cart screen's socket with it.
const port = parentPort;
const { file, threads } = workerData as ModelWorkerData;

function post(message: ModelWorkerMessage, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

function values(metadata: readonly InferenceSession.ValueMetadata[]): SessionValue[] {
  return metadata.map((m) =>
    m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: null, shape: [] },
  );
}

async function main(): Promise<void> {
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(file, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  } catch (err) {
    post({ type: 'load-failed', message: (err as Error).message });
    return;
  }
  post({ type: 'ready', inputs: values(session.inputMetadata), outputs: values(session.outputMetadata) });
  port?.on('message', (request: ModelWorkerRequest) => {
    if (request.type === 'close') {
      void session.release().finally(() => post({ type: 'closed' }));
      return;
    }
    void run(session, request);
  });
}

async function run(session: InferenceSession, request: Extract<ModelWorkerRequest, { type: 'run' }>): Promise<void> {
  try {
    const feeds: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(request.feeds)) feeds[name] = new Tensor('float32', t.data, t.dims);
    const results = await session.run(feeds, request.outputs);
    const outputs: Record<string, TensorData> = {};
    const transfer: ArrayBuffer[] = [];
    for (const name of request.outputs) {
      const tensor = results[name];
      if (tensor?.type !== 'float32') throw new Error(`output '${name}' is not a float32 tensor`);
      // A copy of our own to transfer: the session's output may be a view on memory the binding still owns.
      const data = new Float32Array(tensor.data as Float32Array);
      outputs[name] = { data, dims: [...tensor.dims] };
      transfer.push(data.buffer as ArrayBuffer);
    }
    post({ type: 'result', id: request.id, outputs }, transfer);
  } catch (err) {
    post({ type: 'run-failed', id: request.id, message: (err as Error).message });
  }
}

void main();
