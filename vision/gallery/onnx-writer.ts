/**
 * ONNX models written byte by byte: the Protocol Buffers encoding (https://protobuf.dev/programming-guides/encoding/)
 * of onnx.proto's ModelProto, field numbers from onnx/onnx.proto. Enough for small graphs built in code (the gallery's
 * search graph; the tests' tiny embedders), with no Python and no model file. `ota/model/protobuf-reader.ts` reads
 * what this writes.
 */

export type Dim = number | string;

/** onnx.proto TensorProto.DataType. */
export const ONNX_TYPES = { float32: 1, int64: 7 } as const;
export type OnnxType = keyof typeof ONNX_TYPES;

// ---- Protocol Buffers wire format -------------------------------------------------------------------------------

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 127) {
    out.push((v % 128) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function key(field: number, wire: number): number[] {
  return varint(field * 8 + wire);
}

export function intField(field: number, value: number): Buffer {
  return Buffer.from([...key(field, 0), ...varint(value)]);
}

export function bytesField(field: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([...key(field, 2), ...varint(bytes.length)]), bytes]);
}

export function stringField(field: number, text: string): Buffer {
  return bytesField(field, Buffer.from(text, 'utf8'));
}

export function messageField(field: number, ...parts: Buffer[]): Buffer {
  return bytesField(field, Buffer.concat(parts));
}

// ---- onnx.proto messages ----------------------------------------------------------------------------------------

/** ValueInfoProto {1 name, 2 type: TypeProto {1 tensor_type: {1 elem_type, 2 shape: {1 dim: {1 value | 2 param}}}}}. */
export function valueInfo(field: number, name: string, shape: Dim[], type: OnnxType = 'float32'): Buffer {
  const dims = shape.map((d) => messageField(1, typeof d === 'number' ? intField(1, d) : stringField(2, d)));
  return messageField(
    field,
    stringField(1, name),
    messageField(2, messageField(1, intField(1, ONNX_TYPES[type]), messageField(2, ...dims))),
  );
}

/** A graph input (GraphProto field 11). */
export function graphInput(name: string, shape: Dim[], type: OnnxType = 'float32'): Buffer {
  return valueInfo(11, name, shape, type);
}

/** A graph output (GraphProto field 12). */
export function graphOutput(name: string, shape: Dim[], type: OnnxType = 'float32'): Buffer {
  return valueInfo(12, name, shape, type);
}

/** TensorProto {1 dims, 2 data_type, 8 name, 9 raw_data (little-endian)}, as GraphProto field 5. */
export function initializer(name: string, dims: number[], values: Float32Array): Buffer {
  const raw = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) raw.writeFloatLE(values[i] as number, i * 4);
  return messageField(
    5,
    ...dims.map((d) => intField(1, d)),
    intField(2, ONNX_TYPES.float32),
    stringField(8, name),
    bytesField(9, raw),
  );
}

/** AttributeProto {1 name, 3 i, 20 type = INT (2)}, as NodeProto field 5. */
export function intAttribute(name: string, value: number): Buffer {
  return messageField(5, stringField(1, name), intField(3, value), intField(20, 2));
}

/** NodeProto {1 input, 2 output, 3 name, 4 op_type, 5 attribute}, as GraphProto field 1. */
export function node(name: string, op: string, inputs: string[], outputs: string[], ...attributes: Buffer[]): Buffer {
  return messageField(
    1,
    ...inputs.map((i) => stringField(1, i)),
    ...outputs.map((o) => stringField(2, o)),
    stringField(3, name),
    stringField(4, op),
    ...attributes,
  );
}

export interface OnnxModelParts {
  /** GraphProto fields: nodes, initializers, inputs, outputs (the graph's name is added). */
  graph: Buffer[];
  graphName: string;
  /** The default domain's opset (17 unless said). */
  opset?: number;
  producer?: string;
  /** ModelProto.metadata_props (field 14). */
  metadataProps?: Record<string, string>;
}

/** ModelProto {1 ir_version (8), 2 producer_name, 7 graph, 8 opset_import, 14 metadata_props}. */
export function onnxModel(parts: OnnxModelParts): Buffer {
  const props = Object.entries(parts.metadataProps ?? {}).map(([k, v]) =>
    messageField(14, stringField(1, k), stringField(2, v)),
  );
  return Buffer.concat([
    intField(1, 8),
    ...(parts.producer === undefined ? [] : [stringField(2, parts.producer)]),
    messageField(8, stringField(1, ''), intField(2, parts.opset ?? 17)),
    messageField(7, ...parts.graph, stringField(2, parts.graphName)),
    ...props,
  ]);
}
