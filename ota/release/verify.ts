import semver from 'semver';
import { SchemaValidator } from '../../platform/schema-validator.ts';
import type { DeviceKind } from '../../protocol/api/devices.ts';
import {
  MAX_JOB_DOCUMENT_BYTES,
  OTA_JOB_OPERATION,
  type OtaJobDocument,
  OtaJobDocumentSchema,
  otaDownloadPaths,
} from '../../protocol/ota/job-document.ts';
import {
  ARTIFACT_MEDIA_TYPES,
  type ReleaseManifest,
  ReleaseManifestSchema,
  type SignedRelease,
  SignedReleaseSchema,
} from '../../protocol/ota/release.ts';
import type { Keyring } from './keyring.ts';
import { verifyManifestSignature } from './signing.ts';

/**
 * THE release rules, run alike by the fleet (publish, rollout planning) and the device agent (before anything is
 * downloaded or installed): signature trust, compatibility with a device, and the shape of a job document.
 */

export type RuleFailure<C extends string> = { ok: false; code: C; message: string };

// --- Signatures ----------------------------------------------------------------------------------------------------

export type SignatureVerdict = { ok: true; keyId: string } | RuleFailure<'OTA_SIGNATURE_INVALID' | 'OTA_KEY_UNKNOWN'>;

/**
 * A signed release is valid when at least one of its signatures is by a trusted key and verifies over the manifest's
 * canonical JSON. A threshold of one, as TUF's default for targets metadata: the signatures list exists so a release
 * can carry the old and the new key's signature during a rotation (a device that knows only one of them still
 * accepts it), not to require several signers. Signatures by keys the keyring does not know are ignored, neither
 * helping nor hurting. The code says which problem a device's operator must fix: `OTA_KEY_UNKNOWN` when no signature
 * is by a trusted key (ship the verify key first), `OTA_SIGNATURE_INVALID` when a trusted key's signature does not
 * match (a tampered manifest, a corrupted signature).
 */
export function verifySignedRelease(signed: SignedRelease, keyring: Keyring): SignatureVerdict {
  const trusted = signed.signatures.filter((s) => keyring.has(s.keyId));
  if (trusted.length === 0) {
    const ids = signed.signatures.map((s) => s.keyId).join(', ');
    return { ok: false, code: 'OTA_KEY_UNKNOWN', message: `signed only by keys not trusted here (${ids})` };
  }
  for (const signature of trusted) {
    const key = keyring.get(signature.keyId)!;
    if (verifyManifestSignature(signed.manifest, signature, key.publicKey)) return { ok: true, keyId: key.keyId };
  }
  return {
    ok: false,
    code: 'OTA_SIGNATURE_INVALID',
    message: `no signature by a trusted key (${trusted.map((s) => s.keyId).join(', ')}) matches the manifest`,
  };
}

/** Each signature as judged against the keyring (the fleet's release detail shows it). */
export function signatureStatuses(
  signed: SignedRelease,
  keyring: Keyring,
): { keyId: string; trusted: boolean; valid: boolean }[] {
  return signed.signatures.map((signature) => {
    const key = keyring.get(signature.keyId);
    return {
      keyId: signature.keyId,
      trusted: key !== undefined,
      valid: key !== undefined && verifyManifestSignature(signed.manifest, signature, key.publicKey),
    };
  });
}

// --- Compatibility -------------------------------------------------------------------------------------------------

/** What the rule needs to know of a device: its kind, the registry's hardware model, and what the component holds. */
export type DeviceFacts = {
  kind: DeviceKind;
  hardwareModel: string | null;
  /** The release active in the component's slot, or `null` when the component has nothing installed yet. */
  installed: { name: string; version: string } | null;
};

export type CompatibilityFailure = {
  code: 'OTA_KIND_MISMATCH' | 'OTA_HARDWARE_MISMATCH' | 'OTA_DOWNGRADE' | 'OTA_UPGRADE_PATH';
  message: string;
};

/**
 * Whether a release may be installed on a device, in the order an operator fixes things: kind, hardware model, then
 * the version path. `null` means it may.
 *
 * - Versions compare by SemVer 2.0.0 precedence (build metadata ignored); ranges are node-semver's with
 *   `includePrerelease`, so a device on `1.3.0-beta.1` is inside `>=1.0.0` (node-semver's default would leave every
 *   prerelease outside every plain range, refusing updates to exactly the devices that test them).
 * - The same version as installed is compatible (`null`): the release is already there. The caller asks
 *   {@link isAlreadyInstalled} and reports the job SUCCEEDED with `step: committed` without downloading anything, so a
 *   job sent twice (a retry, a device restored from a backup) is idempotent, as Mender reports an artifact already
 *   installed.
 * - A lower version is `OTA_DOWNGRADE` unless `allowDowngrade`; an allowed downgrade skips `upgradeFrom` (an older
 *   release's range was written before the version it is replacing existed).
 * - Otherwise the installed version must be inside `upgradeFrom` (`OTA_UPGRADE_PATH`). A component holding a release
 *   of another name is outside every path: the rule cannot know one name's versions from another's.
 * - Nothing installed yet: any release of the right kind and model may be the first.
 */
export function checkCompatibility(
  manifest: ReleaseManifest,
  device: DeviceFacts,
  options: { allowDowngrade: boolean },
): CompatibilityFailure | null {
  if (!manifest.deviceKinds.includes(device.kind)) {
    return {
      code: 'OTA_KIND_MISMATCH',
      message: `${manifest.name} is for ${manifest.deviceKinds.join(', ')}, not ${device.kind}`,
    };
  }
  if (manifest.hardwareModels.length > 0 && !manifest.hardwareModels.includes(device.hardwareModel ?? '')) {
    return {
      code: 'OTA_HARDWARE_MISMATCH',
      message: `${manifest.name} is for hardware ${manifest.hardwareModels.join(', ')}, not ${device.hardwareModel ?? 'an unknown model'}`,
    };
  }
  const installed = device.installed;
  if (installed === null) return null;
  if (installed.name !== manifest.name) {
    return {
      code: 'OTA_UPGRADE_PATH',
      message: `the ${manifest.component} holds ${installed.name}@${installed.version}, not a version of ${manifest.name}`,
    };
  }
  const order = compareVersions(manifest.version, installed.version);
  if (order === null) {
    return {
      code: 'OTA_UPGRADE_PATH',
      message: `the installed version ${installed.version} is not a semantic version`,
    };
  }
  if (order === 0) return null;
  if (order < 0) {
    if (options.allowDowngrade) return null;
    return {
      code: 'OTA_DOWNGRADE',
      message: `${manifest.version} is lower than the installed ${installed.version} and the rollout does not allow a downgrade`,
    };
  }
  if (!semver.satisfies(installed.version, manifest.upgradeFrom, { includePrerelease: true })) {
    return {
      code: 'OTA_UPGRADE_PATH',
      message: `${manifest.name}@${manifest.version} upgrades from ${manifest.upgradeFrom}, not from ${installed.version}`,
    };
  }
  return null;
}

/** The component already holds this release (same name, same version by SemVer precedence): nothing to install. */
export function isAlreadyInstalled(manifest: ReleaseManifest, installed: DeviceFacts['installed']): boolean {
  return (
    installed !== null && installed.name === manifest.name && compareVersions(manifest.version, installed.version) === 0
  );
}

/** SemVer 2.0.0 precedence (−1, 0, 1), or `null` when either is not a version. */
export function compareVersions(a: string, b: string): number | null {
  if (!semver.valid(a) || !semver.valid(b)) return null;
  return semver.compare(a, b);
}

// --- Manifests and job documents -----------------------------------------------------------------------------------

export type ParseResult<T, C extends string> = ({ ok: true } & T) | RuleFailure<C>;

/**
 * What the JSON Schema cannot say about a manifest: the media type belongs to the component, the version and the
 * range parse as node-semver parses them, `createdAt` is an instant. Empty when the manifest is sound.
 */
export function manifestProblems(manifest: ReleaseManifest): string[] {
  const problems: string[] = [];
  const mediaType = ARTIFACT_MEDIA_TYPES[manifest.component];
  if (manifest.artifact.mediaType !== mediaType) {
    problems.push(
      `artifact.mediaType: a ${manifest.component} artifact is ${mediaType}, not ${manifest.artifact.mediaType}`,
    );
  }
  if (!semver.valid(manifest.version)) problems.push(`version: ${manifest.version} is not a semantic version`);
  if (semver.validRange(manifest.upgradeFrom) === null) {
    problems.push(`upgradeFrom: ${manifest.upgradeFrom} is not a semver range`);
  }
  if (!ISO_INSTANT.test(manifest.createdAt) || Number.isNaN(Date.parse(manifest.createdAt))) {
    problems.push(`createdAt: ${manifest.createdAt} is not an ISO 8601 instant`);
  }
  return problems;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A manifest as read from a file or a request: the schema, then {@link manifestProblems}. */
export function parseReleaseManifest(
  raw: unknown,
  validators = defaultValidators(),
): ParseResult<{ manifest: ReleaseManifest }, 'RELEASE_INVALID'> {
  const checked = validators.manifest.check(raw);
  if (!checked.ok) return { ok: false, code: 'RELEASE_INVALID', message: checked.reason };
  const problems = manifestProblems(checked.value);
  if (problems.length > 0) return { ok: false, code: 'RELEASE_INVALID', message: problems.join('; ') };
  return { ok: true, manifest: checked.value };
}

/** A signed release as read from a file or a request: the schema, then {@link manifestProblems}. Signatures unchecked. */
export function parseSignedRelease(
  raw: unknown,
  validators = defaultValidators(),
): ParseResult<{ release: SignedRelease }, 'RELEASE_INVALID'> {
  const checked = validators.signedRelease.check(raw);
  if (!checked.ok) return { ok: false, code: 'RELEASE_INVALID', message: checked.reason };
  const problems = manifestProblems(checked.value.manifest).map((p) => `manifest.${p}`);
  if (problems.length > 0) return { ok: false, code: 'RELEASE_INVALID', message: problems.join('; ') };
  return { ok: true, release: checked.value };
}

/**
 * A job document as the device receives it (AWS IoT Jobs hands the agent a parsed `jobDocument`; a test or a file may
 * give the JSON text or its bytes). Refused as `OTA_DOCUMENT_INVALID`, with a message saying why: larger than AWS's
 * 32 KiB job document limit, not JSON, not an object, another operation (not an OTA job), another schema version, not
 * the schema, an unsound manifest, or download paths that do not name the manifest's artifact. Signatures and
 * compatibility are the next steps ({@link verifySignedRelease}, {@link checkCompatibility}).
 */
export function parseJobDocument(
  raw: unknown,
  validators = defaultValidators(),
): ParseResult<{ document: OtaJobDocument }, 'OTA_DOCUMENT_INVALID'> {
  const invalid = (message: string): RuleFailure<'OTA_DOCUMENT_INVALID'> => ({
    ok: false,
    code: 'OTA_DOCUMENT_INVALID',
    message,
  });
  let value: unknown = raw;
  let bytes: number;
  if (typeof raw === 'string' || raw instanceof Uint8Array) {
    bytes = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
    if (bytes > MAX_JOB_DOCUMENT_BYTES)
      return invalid(`the job document is ${bytes} bytes, over ${MAX_JOB_DOCUMENT_BYTES}`);
    try {
      value = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8'));
    } catch (err) {
      return invalid(`the job document is not JSON: ${(err as Error).message}`);
    }
  } else {
    try {
      bytes = Buffer.byteLength(JSON.stringify(raw) ?? '');
    } catch (err) {
      return invalid(`the job document is not JSON data: ${(err as Error).message}`);
    }
    if (bytes > MAX_JOB_DOCUMENT_BYTES)
      return invalid(`the job document is ${bytes} bytes, over ${MAX_JOB_DOCUMENT_BYTES}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return invalid('the job document is not a JSON object');
  const { operation, schema } = value as { operation?: unknown; schema?: unknown };
  if (operation !== OTA_JOB_OPERATION) {
    return invalid(`operation ${JSON.stringify(operation) ?? 'missing'} is not ${OTA_JOB_OPERATION}: not an OTA job`);
  }
  if (schema !== 1)
    return invalid(`job document schema ${JSON.stringify(schema) ?? 'missing'} is not supported (this agent reads 1)`);
  const checked = validators.jobDocument.check(value);
  if (!checked.ok) return invalid(checked.reason);
  const document = checked.value;
  const problems = manifestProblems(document.release.manifest).map((p) => `release.manifest.${p}`);
  const target = document.release.manifest.artifact.sha256;
  if (document.download.path !== otaDownloadPaths.artifact(target)) {
    problems.push(`download.path: ${document.download.path} is not the artifact ${target}`);
  }
  document.download.deltas.forEach((delta, i) => {
    if (delta.path !== otaDownloadPaths.delta(delta.fromSha256, target)) {
      problems.push(`download.deltas.${i}.path: ${delta.path} is not the delta from ${delta.fromSha256} to ${target}`);
    }
  });
  if (problems.length > 0) return invalid(problems.join('; '));
  return { ok: true, document };
}

/** The three schemas compiled with Ajv; compile once per process and pass them in where parsing is hot. */
export type ReleaseValidators = {
  manifest: SchemaValidator<ReleaseManifest>;
  signedRelease: SchemaValidator<SignedRelease>;
  jobDocument: SchemaValidator<OtaJobDocument>;
};

export function compileReleaseValidators(): ReleaseValidators {
  return {
    manifest: new SchemaValidator<ReleaseManifest>(ReleaseManifestSchema),
    signedRelease: new SchemaValidator<SignedRelease>(SignedReleaseSchema),
    jobDocument: new SchemaValidator<OtaJobDocument>(OtaJobDocumentSchema),
  };
}

// Compiled on first use and kept: an Ajv compile costs milliseconds and the schemas never change in a process. This is
// the module's only state, immutable once made, like commerce's per-zone Intl.DateTimeFormat cache.
let compiled: ReleaseValidators | undefined;
function defaultValidators(): ReleaseValidators {
  compiled ??= compileReleaseValidators();
  return compiled;
}
