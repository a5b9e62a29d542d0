import { DEVICE_KINDS } from '../../../../protocol/api/devices.ts';
import {
  ARTIFACT_MEDIA_TYPES,
  KEY_ID_PATTERN,
  OTA_COMPONENTS,
  RELEASE_NAME_PATTERN,
  SEMVER_PATTERN,
} from '../../../../protocol/ota/release.ts';
import { HARDWARE_MODEL_PATTERN, HARDWARE_MODEL_RULE } from '../../../../protocol/thing-names.ts';
import type {
  DeviceKind,
  OtaComponent,
  ReleaseManifest,
  ReleaseSignature,
  SignedRelease,
  StagedArtifact,
} from '../../api/types.ts';
import { refusalOf } from './refusal.ts';

/**
 * The release form as typed (texts where the manifest has lists), and the manifest it makes. The rules are the
 * contract's patterns (protocol/ota/release.ts); whatever else the fleet checks (semver ranges, keys, hashes) comes
 * back as a coded refusal and is placed next to the field it concerns by {@link publishProblems}.
 */
export interface ReleaseDraft {
  component: OtaComponent;
  name: string;
  version: string;
  deviceKinds: DeviceKind[];
  /** Comma or space separated; empty: every model of the kinds. */
  hardwareModels: string;
  upgradeFrom: string;
  notes: string;
  /** JSON object or empty (a model's input shape and reference outputs; signed with the manifest). */
  metadata: string;
}

/** The form's fields, plus the file (`artifact`), the signing (`signatures`) and anything else (`form`). */
export type ReleaseField =
  | 'component'
  | 'name'
  | 'version'
  | 'deviceKinds'
  | 'hardwareModels'
  | 'upgradeFrom'
  | 'notes'
  | 'metadata'
  | 'artifact'
  | 'signatures'
  | 'form';

export interface ReleaseProblem {
  field: ReleaseField;
  message: string;
}

const SEMVER = new RegExp(SEMVER_PATTERN);
const NAME = new RegExp(RELEASE_NAME_PATTERN);
const KEY_ID = new RegExp(KEY_ID_PATTERN);

/** The component a file most likely is, from its name (a tar bundle, an ONNX model, a JSON config). */
export function guessComponent(fileName: string): OtaComponent {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.onnx')) return 'model';
  if (lower.endsWith('.json')) return 'config';
  return 'software';
}

/** A first draft for a picked file: `cart-runtime-1.4.0.tar` → name `cart-runtime`, version `1.4.0`. */
export function newReleaseDraft(fileName = ''): ReleaseDraft {
  const base = fileName.replace(/\.(tar|onnx|json)$/i, '');
  const m = /^(.*?)[-_]v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(base);
  const name = (m ? m[1]! : base).toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  return {
    component: guessComponent(fileName),
    name: NAME.test(name) ? name : '',
    version: m ? m[2]! : '',
    deviceKinds: ['cart'],
    hardwareModels: '',
    upgradeFrom: '*',
    notes: '',
    metadata: '',
  };
}

export function splitList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,;]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

/** What the form can tell before asking the fleet: the contract's patterns and the metadata's JSON. */
export function draftProblems(draft: ReleaseDraft): ReleaseProblem[] {
  const problems: ReleaseProblem[] = [];
  if (!OTA_COMPONENTS.includes(draft.component)) problems.push({ field: 'component', message: 'pick a component' });
  if (!NAME.test(draft.name)) {
    problems.push({ field: 'name', message: 'lower-case letters, digits and -, starting with a letter or digit' });
  }
  if (!SEMVER.test(draft.version)) {
    problems.push({ field: 'version', message: 'a semantic version such as 1.4.0 or 2.0.0-rc.1 (no leading v)' });
  }
  if (draft.deviceKinds.length === 0 || draft.deviceKinds.some((k) => !DEVICE_KINDS.includes(k))) {
    problems.push({ field: 'deviceKinds', message: 'pick at least one device kind' });
  }
  const models = splitList(draft.hardwareModels);
  if (models.some((m) => !HARDWARE_MODEL_PATTERN.test(m))) {
    problems.push({ field: 'hardwareModels', message: HARDWARE_MODEL_RULE });
  } else if (models.length > 32) {
    problems.push({ field: 'hardwareModels', message: 'at most 32 models' });
  }
  const range = draft.upgradeFrom.trim();
  if (!range || range.length > 200) {
    problems.push({ field: 'upgradeFrom', message: 'a version range such as * or >=1.2.0 <2.0.0' });
  }
  if (draft.notes.length > 2000) problems.push({ field: 'notes', message: 'at most 2,000 characters' });
  if ('problem' in parseMetadata(draft.metadata)) {
    problems.push({ field: 'metadata', message: (parseMetadata(draft.metadata) as { problem: string }).problem });
  }
  return problems;
}

function parseMetadata(text: string): { value: Record<string, unknown> | undefined } | { problem: string } {
  if (!text.trim()) return { value: undefined };
  try {
    const value = JSON.parse(text) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return { problem: 'a JSON object' };
    return { value: value as Record<string, unknown> };
  } catch (err) {
    return { problem: `not JSON: ${(err as Error).message}` };
  }
}

/** The manifest the fleet is asked to sign (or that an offline signature must cover), from a draft with no problems. */
export function manifestOf(draft: ReleaseDraft, staged: StagedArtifact, createdAt: string): ReleaseManifest {
  const metadata = parseMetadata(draft.metadata);
  const notes = draft.notes.trim();
  return {
    schema: 1,
    component: draft.component,
    name: draft.name,
    version: draft.version,
    deviceKinds: [...draft.deviceKinds],
    hardwareModels: splitList(draft.hardwareModels),
    upgradeFrom: draft.upgradeFrom.trim(),
    artifact: { sha256: staged.sha256, size: staged.size, mediaType: ARTIFACT_MEDIA_TYPES[draft.component] },
    createdAt,
    ...(notes ? { notes } : {}),
    ...('value' in metadata && metadata.value ? { metadata: metadata.value } : {}),
  };
}

/**
 * A file from the offline signing step (`fleetctl releases sign`): a signed release `{ manifest, signatures }`.
 * Only its shape is checked here; the fleet verifies the signatures against its trusted keys.
 */
export function readSignedRelease(text: string): SignedRelease | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { problem: `not JSON: ${(err as Error).message}` };
  }
  const o = value as { manifest?: unknown; signatures?: unknown };
  if (!o || typeof o !== 'object' || !o.manifest || typeof o.manifest !== 'object') {
    return { problem: 'no manifest in it: expected { manifest, signatures } as fleetctl releases sign writes' };
  }
  if (!Array.isArray(o.signatures) || o.signatures.length === 0) {
    return { problem: 'no signatures in it: sign the manifest first (fleetctl releases sign)' };
  }
  const signatures = o.signatures as Partial<ReleaseSignature>[];
  if (
    signatures.some((s) => typeof s?.keyId !== 'string' || !KEY_ID.test(s.keyId) || typeof s.signature !== 'string')
  ) {
    return { problem: 'a signature without a key id (16 hex digits) or signature' };
  }
  return { manifest: o.manifest as ReleaseManifest, signatures: signatures as ReleaseSignature[] };
}

const MANIFEST_FIELDS: Record<string, ReleaseField> = {
  component: 'component',
  name: 'name',
  version: 'version',
  deviceKinds: 'deviceKinds',
  hardwareModels: 'hardwareModels',
  upgradeFrom: 'upgradeFrom',
  notes: 'notes',
  metadata: 'metadata',
  artifact: 'artifact',
  signatures: 'signatures',
};

/** `/manifest/version`, `manifest.upgradeFrom`, `upgradeFrom`, `/signatures/0` → the field they name. */
function fieldOfPath(path: string): ReleaseField | undefined {
  const parts = path.split(/[/.[\]]+/).filter(Boolean);
  if (parts[0] === 'manifest' || parts[0] === 'body') parts.shift();
  if (parts[0] === 'manifest') parts.shift();
  return parts[0] ? MANIFEST_FIELDS[parts[0]] : undefined;
}

/**
 * Where a publish refusal belongs: the signing codes at the signature, a hash mismatch at the file, a duplicate at
 * the version, a refused field (from `details`: `{ field | path, message }`, Ajv's `missingProperty`) at that field.
 */
export function publishProblems(error: unknown): ReleaseProblem[] {
  const err = refusalOf(error);
  if (!err) return [];
  switch (err.code) {
    case 'RELEASE_SIGNATURE_INVALID':
    case 'RELEASE_KEY_UNKNOWN':
    case 'RELEASE_SIGNING_KEY_MISSING':
      return [{ field: 'signatures', message: err.message }];
    case 'RELEASE_HASH_MISMATCH':
      return [{ field: 'artifact', message: err.message }];
    case 'RELEASE_EXISTS':
      return [{ field: 'version', message: err.message }];
  }
  const details = Array.isArray(err.details) ? (err.details as unknown[]) : [];
  const placed: ReleaseProblem[] = [];
  for (const d of details) {
    const o = (d ?? {}) as { field?: unknown; path?: unknown; message?: unknown; params?: unknown };
    const message = typeof o.message === 'string' ? o.message : String(d);
    const missing = (o.params as { missingProperty?: unknown } | undefined)?.missingProperty;
    const path = [o.field, o.path].find((p): p is string => typeof p === 'string') ?? '';
    const field = fieldOfPath(path) ?? (typeof missing === 'string' ? MANIFEST_FIELDS[missing] : undefined) ?? 'form';
    placed.push({ field, message });
  }
  return placed.length ? placed : [{ field: 'form', message: err.message || err.code }];
}

/** The problems of one field. */
export function problemsAt(problems: ReleaseProblem[], field: ReleaseField): string[] {
  return problems.filter((p) => p.field === field).map((p) => p.message);
}
