import type { ModelMetadata, ModelTensor } from '../../protocol/ota/model.ts';
import { defaultOpset, ONNX_ELEMENT_TYPES, type OnnxModelInfo, type OnnxValueInfo } from './onnx-model-info.ts';
import { referenceTensors } from './reference-tensors.ts';

/**
 * The highest default-domain opset the onnxruntime-node this project ships (1.31) loads: checked on this machine,
 * 26 loads and 27 is refused at session creation. A model that needs more is refused at install, before it could
 * fail its self-test on every device.
 */
export const MAX_SUPPORTED_OPSET = 26;

/**
 * What is wrong with a model file against its release's metadata; empty when the file is the model the manifest
 * describes: the opset it imports, exactly one graph input with the metadata's name, element type and shape (the
 * batch symbolic, the other dimensions equal), an output of that name and shape, and the self-test's stored tensors.
 * The device checks this at install; the fleet can check it when a model is published.
 */
export function modelFileProblems(info: OnnxModelInfo, metadata: ModelMetadata): string[] {
  const problems: string[] = [];
  const opset = defaultOpset(info);
  if (opset !== metadata.opset)
    problems.push(`the model imports opset ${opset ?? 'none'}, the metadata says ${metadata.opset}`);
  if (opset !== undefined && opset > MAX_SUPPORTED_OPSET)
    problems.push(`opset ${opset} is above ${MAX_SUPPORTED_OPSET}, the highest this device's runtime loads`);
  const names = info.inputs.map((i) => i.name);
  if (names.length !== 1 || names[0] !== metadata.input.name)
    problems.push(`the model's inputs are [${names.join(', ')}], the metadata says [${metadata.input.name}]`);
  else problems.push(...tensorProblems('input', info.inputs[0] as OnnxValueInfo, metadata.input));
  const output = info.outputs.find((o) => o.name === metadata.output.name);
  if (!output)
    problems.push(
      `the model has no output '${metadata.output.name}' (outputs: ${info.outputs.map((o) => o.name).join(', ')})`,
    );
  else problems.push(...tensorProblems('output', output, metadata.output));
  const references = referenceTensors(metadata, info.metadataProps);
  if (!references.ok) problems.push(`self-test: ${references.reason}`);
  return problems;
}

function tensorProblems(which: 'input' | 'output', value: OnnxValueInfo, spec: ModelTensor): string[] {
  const problems: string[] = [];
  const type = ONNX_ELEMENT_TYPES[spec.elementType];
  if (value.elementType !== type)
    problems.push(
      `${which} '${value.name}' has element type ${value.elementType ?? 'none'} (ONNX), not ${spec.elementType}`,
    );
  const shape = value.shape;
  const wanted = `[${spec.shape.join(', ')}]`;
  if (!shape) problems.push(`${which} '${value.name}' declares no shape; the metadata says ${wanted}`);
  else if (
    shape.length !== spec.shape.length ||
    // A named dimension must vary in the model (any dim_param, or unknown); a fixed one must be that size.
    spec.shape.some((d, i) => (typeof d === 'string' ? typeof shape[i] === 'number' : shape[i] !== d))
  )
    problems.push(
      `${which} '${value.name}' has shape [${shape.map((d) => d ?? '?').join(', ')}], the metadata says ${wanted}`,
    );
  return problems;
}
