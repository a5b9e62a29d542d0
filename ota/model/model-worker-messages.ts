/** A float32 tensor as it crosses the thread boundary (its buffer is transferred, not copied). */
export interface TensorData {
  data: Float32Array;
  dims: number[];
}

/** A graph input or output as onnxruntime sees it (`InferenceSession.inputMetadata`). */
export interface SessionValue {
  name: string;
  /** onnxruntime's type name (`float32`...), or null for a value that is not a tensor. */
  type: string | null;
  /** Sizes, and names for symbolic dimensions. */
  shape: (number | string)[];
}

/** What the model's worker thread starts with. */
export interface ModelWorkerData {
  file: string;
  /** onnxruntime's intra-op threads. */
  threads: number;
}

export type ModelWorkerRequest =
  | { type: 'run'; id: number; feeds: Record<string, TensorData>; outputs: string[] }
  | { type: 'close' };

export type ModelWorkerMessage =
  | { type: 'ready'; inputs: SessionValue[]; outputs: SessionValue[] }
  | { type: 'load-failed'; message: string }
  | { type: 'result'; id: number; outputs: Record<string, TensorData> }
  | { type: 'run-failed'; id: number; message: string }
  | { type: 'closed' };
