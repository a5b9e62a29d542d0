import { ProtobufFormatError, ProtobufReader, WIRE } from './protobuf-reader.ts';

/** ONNX TensorProto.DataType values this project names (onnx.proto). */
export const ONNX_ELEMENT_TYPES = { float32: 1 } as const;

/** A dimension as the model declares it: a size, a symbolic name, or nothing (unknown). */
export type OnnxDimension = number | string | null;

/** A graph input or output as the model declares it. */
export interface OnnxValueInfo {
  name: string;
  /** ONNX TensorProto.DataType, or null for a value that is not a tensor (a sequence, a map). */
  elementType: number | null;
  /** Null when the model gives no shape. */
  shape: OnnxDimension[] | null;
}

/** What the header of an ONNX model says: enough to check it against its release's metadata without loading it. */
export interface OnnxModelInfo {
  irVersion: number;
  /** Operator sets imported; the default domain is `''`. */
  opsets: { domain: string; version: number }[];
  producer: string;
  /** The graph's inputs that are not initializers (IR < 4 lists every weight among the inputs too). */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  metadataProps: Map<string, string>;
}

/**
 * Reads an ONNX ModelProto's header fields (onnx/onnx.proto: ModelProto 1 ir_version, 2 producer_name, 7 graph,
 * 8 opset_import, 14 metadata_props; GraphProto 5 initializer, 11 input, 12 output; ValueInfoProto 1 name, 2 type;
 * TypeProto 1 tensor_type; TypeProto.Tensor 1 elem_type, 2 shape; TensorShapeProto 1 dim; Dimension 1 dim_value,
 * 2 dim_param). Weights and nodes are skipped, not copied. Throws ProtobufFormatError for a file that is not a
 * model: not protobuf, truncated, or without a graph, an IR version or an opset.
 */
export function readOnnxModelInfo(bytes: Uint8Array): OnnxModelInfo {
  const reader = new ProtobufReader(bytes);
  const info: OnnxModelInfo = {
    irVersion: 0,
    opsets: [],
    producer: '',
    inputs: [],
    outputs: [],
    metadataProps: new Map(),
  };
  let graph: { inputs: OnnxValueInfo[]; outputs: OnnxValueInfo[]; initializers: Set<string> } | undefined;
  while (!reader.done) {
    const { field, wire } = reader.tag();
    if (field === 1 && wire === WIRE.varint) info.irVersion = reader.varint();
    else if (field === 2 && wire === WIRE.lengthDelimited) info.producer = reader.string();
    else if (field === 7 && wire === WIRE.lengthDelimited) graph = readGraph(reader.message());
    else if (field === 8 && wire === WIRE.lengthDelimited) info.opsets.push(readOpset(reader.message()));
    else if (field === 14 && wire === WIRE.lengthDelimited) {
      const [key, value] = readStringPair(reader.message());
      info.metadataProps.set(key, value);
    } else reader.skip(wire);
  }
  // IR 3 (2017) introduced opset_import; nothing older is worth loading on a device.
  if (info.irVersion < 3 || info.irVersion > 64) throw new ProtobufFormatError(`IR version ${info.irVersion}`);
  if (info.opsets.length === 0) throw new ProtobufFormatError('no opset_import');
  if (!graph) throw new ProtobufFormatError('no graph');
  if (graph.outputs.length === 0) throw new ProtobufFormatError('the graph has no outputs');
  info.inputs = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  info.outputs = graph.outputs;
  return info;
}

/** The version of the default-domain (`''` or `ai.onnx`) opset a model imports, or undefined. */
export function defaultOpset(info: OnnxModelInfo): number | undefined {
  return info.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version;
}

function readGraph(reader: ProtobufReader): {
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers: Set<string>;
} {
  const inputs: OnnxValueInfo[] = [];
  const outputs: OnnxValueInfo[] = [];
  const initializers = new Set<string>();
  while (!reader.done) {
    const { field, wire } = reader.tag();
    if (field === 5 && wire === WIRE.lengthDelimited) {
      const name = readTensorName(reader.message());
      if (name) initializers.add(name);
    } else if (field === 11 && wire === WIRE.lengthDelimited) inputs.push(readValueInfo(reader.message()));
    else if (field === 12 && wire === WIRE.lengthDelimited) outputs.push(readValueInfo(reader.message()));
    else reader.skip(wire);
  }
  return { inputs, outputs, initializers };
}

/** TensorProto field 8 is its name; its data (fields 4–7, 9, 10...) is skipped. */
function readTensorName(reader: ProtobufReader): string | undefined {
  let name: string | undefined;
  while (!reader.done) {
    const { field, wire } = reader.tag();
    if (field === 8 && wire === WIRE.lengthDelimited) name = reader.string();
    else reader.skip(wire);
  }
  return name;
}

function readValueInfo(reader: ProtobufReader): OnnxValueInfo {
  const value: OnnxValueInfo = { name: '', elementType: null, shape: null };
  while (!reader.done) {
    const { field, wire } = reader.tag();
    if (field === 1 && wire === WIRE.lengthDelimited) value.name = reader.string();
    else if (field === 2 && wire === WIRE.lengthDelimited) {
      const type = reader.message();
      while (!type.done) {
        const t = type.tag();
        if (t.field === 1 && t.wire === WIRE.lengthDelimited) Object.assign(value, readTensorType(type.message()));
        else type.skip(t.wire);
      }
    } else reader.skip(wire);
  }
  return value;
}

function readTensorType(reader: ProtobufReader): Pick<OnnxValueInfo, 'elementType' | 'shape'> {
  let elementType: number | null = null;
  let shape: OnnxDimension[] | null = null;
  while (!reader.done) {
    const { field, wire } = reader.tag();
    if (field === 1 && wire === WIRE.varint) elementType = reader.varint();
    else if (field === 2 && wire === WIRE.lengthDelimited) {
      shape = [];
      const dims = reader.message();
      while (!dims.done) {
        const d = dims.tag();
        if (d.field === 1 && d.wire === WIRE.lengthDelimited) shape.push(readDimension(dims.message()));
        else dims.skip(d.wire);
      }
    } else reader.skip(wire);
  }
  return { elementType, shape };
}

function readDimension(reader: ProtobufReader): OnnxDimension {
  let dim: OnnxDimension = null;
  while (!reader.done) {
    const { field, wire } = reader.tag();
    if (field === 1 && wire === WIRE.varint) dim = reader.varint();
    else if (field === 2 && wire === WIRE.lengthDelimited) dim = reader.string();
    else reader.skip(wire);
  }
  return dim;
}

function readOpset(reader: ProtobufReader): { domain: string; version: number } {
  const opset = { domain: '', version: 0 };
  while (!reader.done) {
    const { field, wire } = reader.tag();
    if (field === 1 && wire === WIRE.lengthDelimited) opset.domain = reader.string();
    else if (field === 2 && wire === WIRE.varint) opset.version = reader.varint();
    else reader.skip(wire);
  }
  return opset;
}

function readStringPair(reader: ProtobufReader): [string, string] {
  let key = '';
  let value = '';
  while (!reader.done) {
    const { field, wire } = reader.tag();
    if (field === 1 && wire === WIRE.lengthDelimited) key = reader.string();
    else if (field === 2 && wire === WIRE.lengthDelimited) value = reader.string();
    else reader.skip(wire);
  }
  return [key, value];
}
