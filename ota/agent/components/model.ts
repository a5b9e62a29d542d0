import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../../platform/log.ts';
import { SchemaValidator } from '../../../platform/schema-validator.ts';
import { type ErrorCode, FleetError, isFleetError } from '../../../protocol/errors.ts';
import {
  elementsPerItem,
  type ModelMetadata,
  ModelMetadataSchema,
  modelMetadataProblems,
} from '../../../protocol/ota/model.ts';
import type { ReleaseManifest } from '../../../protocol/ota/release.ts';
import { modelFileProblems } from '../../model/model-check.ts';
import { ModelSession, type SessionValue } from '../../model/model-session.ts';
import { type OnnxModelInfo, readOnnxModelInfo } from '../../model/onnx-model-info.ts';
import { compareOutputs, referenceTensors } from '../../model/reference-tensors.ts';
import type { ModelHost } from '../../model/swappable-model.ts';
import type { ComponentHandler } from '../component-handler.ts';
import { abortError, copyVerified, fileDigest, installError, throwIfAborted } from './install-files.ts';

/** The model's file in its slot. */
export const MODEL_FILE = 'model.onnx';

const metadataSchema = new SchemaValidator<ModelMetadata>(ModelMetadataSchema);

export interface ModelHandlerOptions {
  /** onnxruntime threads of the self-test's session (default 1: the other core stays the screen's). */
  selfTestThreads?: number;
}

/**
 * Installs, tests and activates model releases (issue 10 item 6), in slots of their own that roll back without
 * touching the software's (Greengrass' per-component rollback). Install copies the .onnx into the slot and refuses
 * a file that is not the model its manifest describes (OTA_INSTALL_FAILED with each reason: not ONNX, another
 * opset, input or output names, types or shapes, the self-test's references missing or not the ones the manifest
 * names). The self-test loads it in onnxruntime in a worker thread of its own, runs the reference inputs and
 * compares the outputs within the tolerance (OTA_HEALTH_CHECK_FAILED with the errors measured). Activate hands the
 * slot's file to the runtime's ModelHost, which swaps it in without a restart.
 */
export class ModelComponentHandler implements ComponentHandler {
  readonly component = 'model' as const;
  readonly needsRestart = false;

  constructor(
    private readonly host: ModelHost,
    private readonly log: Logger,
    private readonly options: ModelHandlerOptions = {},
  ) {}

  async install(artifactFile: string, slotDir: string, manifest: ReleaseManifest, signal: AbortSignal): Promise<void> {
    const metadata = modelMetadata(manifest, 'OTA_INSTALL_FAILED');
    const target = join(slotDir, MODEL_FILE);
    await copyVerified(artifactFile, target, manifest.artifact, signal);
    throwIfAborted(signal);
    const info = await modelInfo(target, 'OTA_INSTALL_FAILED');
    const problems = modelFileProblems(info, metadata);
    if (problems.length > 0)
      throw new FleetError('OTA_INSTALL_FAILED', `${manifest.name} ${manifest.version}: ${problems.join('; ')}`, {
        problems,
      });
  }

  async selfTest(slotDir: string, manifest: ReleaseManifest, signal: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    const metadata = modelMetadata(manifest, 'OTA_HEALTH_CHECK_FAILED');
    const file = join(slotDir, MODEL_FILE);
    // The slot may have changed since the install (a disk that lost a write across a power cut): test what is there.
    const digest = await fileDigest(file).catch((err: unknown) => {
      throw installError(err, 'OTA_HEALTH_CHECK_FAILED');
    });
    if (digest.sha256 !== manifest.artifact.sha256)
      throw failed(`the slot's model has sha256 ${digest.sha256}, not the release's ${manifest.artifact.sha256}`);
    const info = await modelInfo(file, 'OTA_HEALTH_CHECK_FAILED');
    const references = referenceTensors(metadata, info.metadataProps);
    if (!references.ok) throw failed(references.reason);
    const { input, expected } = references.tensors;

    const session = new ModelSession(file, { threads: this.options.selfTestThreads ?? 1 });
    const onAbort = () => void session.kill();
    signal.addEventListener('abort', onAbort, { once: true });
    const started = performance.now();
    try {
      await session.start();
      throwIfAborted(signal);
      const mismatch = sessionMismatch(session, metadata);
      if (mismatch) throw failed(mismatch);
      const outputs = await session.run({ [metadata.input.name]: input }, [metadata.output.name]);
      throwIfAborted(signal);
      const actual = outputs[metadata.output.name];
      if (!actual || actual.dims.join(',') !== expected.dims.join(','))
        throw failed(`the output has shape [${actual?.dims.join(', ')}], not [${expected.dims.join(', ')}]`);
      const tolerance = metadata.selfTest.tolerance;
      const result = compareOutputs(actual.data, expected.data, elementsPerItem(metadata.output), tolerance);
      const measured = { maxAbs: result.maxAbs, minCosine: result.minCosine, tolerance };
      if (!result.pass)
        throw failed(
          `outputs differ from the reference: max abs error ${result.maxAbs.toPrecision(3)} (at most ${tolerance.maxAbs}), ` +
            `min cosine ${result.minCosine.toFixed(6)} (at least ${tolerance.minCosine})`,
          measured,
        );
      // For the log only (how long a device spends on the check), never a decision.
      this.log.info(
        { ...measured, ms: Math.round(performance.now() - started), version: manifest.version },
        'model self-test passed',
      );
    } catch (err) {
      if (signal.aborted) throw abortError(signal);
      if (isFleetError(err, 'MODEL_LOAD_FAILED') || isFleetError(err, 'MODEL_RUN_FAILED')) throw failed(err.message);
      throw isFleetError(err) ? err : failed((err as Error).message);
    } finally {
      signal.removeEventListener('abort', onAbort);
      await session.kill();
    }
  }

  async activate(slotDir: string, manifest: ReleaseManifest): Promise<void> {
    const metadata = modelMetadata(manifest, 'OTA_HEALTH_CHECK_FAILED');
    try {
      await this.host.swap(join(slotDir, MODEL_FILE), metadata, { name: manifest.name, version: manifest.version });
    } catch (err) {
      throw isFleetError(err, 'MODEL_LOAD_FAILED') ? failed(err.message) : installError(err, 'OTA_HEALTH_CHECK_FAILED');
    }
  }
}

/** A model release's metadata, checked (schema and rules), or `code` with the reason. */
export function modelMetadata(manifest: ReleaseManifest, code: ErrorCode): ModelMetadata {
  const checked = metadataSchema.check(manifest.metadata ?? {});
  if (!checked.ok) throw new FleetError(code, `the release's model metadata is invalid: ${checked.reason}`);
  const problems = modelMetadataProblems(checked.value);
  if (problems.length > 0)
    throw new FleetError(code, `the release's model metadata is invalid: ${problems.join('; ')}`, { problems });
  return checked.value;
}

async function modelInfo(file: string, code: ErrorCode): Promise<OnnxModelInfo> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw installError(err, code);
  }
  try {
    return readOnnxModelInfo(bytes);
  } catch (err) {
    throw new FleetError(code, `not an ONNX model: ${(err as Error).message}`);
  }
}

/** onnxruntime's own view of the graph, against the metadata (the install read the file; this is what will run). */
function sessionMismatch(session: ModelSession, metadata: ModelMetadata): string | undefined {
  const input = session.inputs.find((i) => i.name === metadata.input.name);
  const output = session.outputs.find((o) => o.name === metadata.output.name);
  if (!input || session.inputs.length !== 1) return `onnxruntime sees inputs [${names(session.inputs)}]`;
  if (!output) return `onnxruntime sees outputs [${names(session.outputs)}]`;
  if (input.type !== metadata.input.elementType || output.type !== metadata.output.elementType)
    return `onnxruntime sees ${input.type} in, ${output.type} out`;
  return undefined;
}

function names(values: SessionValue[]): string {
  return values.map((v) => v.name).join(', ');
}

function failed(message: string, details?: unknown): FleetError {
  return new FleetError('OTA_HEALTH_CHECK_FAILED', message, details);
}
