import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { digestFile } from '../../../ota/delta/file-digest.ts';
import { generateSigningKey, loadPrivateKey, SigningKeyError, signManifest } from '../../../ota/release/signing.ts';
import { parseReleaseManifest, parseSignedRelease } from '../../../ota/release/verify.ts';
import { DEVICE_KINDS, type DeviceKind } from '../../../protocol/api/devices.ts';
import {
  ARTIFACT_MEDIA_TYPES,
  OTA_COMPONENTS,
  type OtaComponent,
  type ReleaseManifest,
  type SignedRelease,
} from '../../../protocol/ota/release.ts';
import { CliError, EXIT, usageError } from '../cli-error.ts';

/**
 * The offline half of `fleetctl releases`: keys, manifests and signatures made on the machine that holds the key,
 * with the same rules the fleet and the devices apply (`ota/release/`), so a mistake is caught before an upload.
 */

/** Writes a new Ed25519 signing key as PKCS#8 PEM, readable by its owner only (0600); never over an existing file. */
export function writeSigningKey(path: string): { keyId: string; publicKeyPem: string } {
  if (existsSync(path)) throw usageError(`${path} exists: a signing key is never overwritten`);
  const key = generateSigningKey();
  writeFileSync(path, key.privateKeyPem, { mode: 0o600, flag: 'wx' });
  return { keyId: key.keyId, publicKeyPem: key.publicKeyPem };
}

export function readSigningKey(path: string) {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch {
    throw usageError(`cannot read the key file ${path}`);
  }
  try {
    return loadPrivateKey(pem);
  } catch (err) {
    if (err instanceof SigningKeyError) throw usageError(`${path}: ${err.message}`);
    throw err;
  }
}

export interface ManifestFields {
  component: string | undefined;
  name: string | undefined;
  version: string | undefined;
  kinds: string[] | undefined;
  models: string[] | undefined;
  upgradeFrom: string | undefined;
  notes: string | undefined;
  metadataFile: string | undefined;
}

/**
 * A manifest for `file`: its sha256 and size computed here, the media type of its component, `createdAt` now.
 * RELEASE_INVALID (exit 1) for what the release rules refuse, with every problem named.
 */
export async function buildManifest(file: string, fields: ManifestFields): Promise<ReleaseManifest> {
  if (!fields.component || !(OTA_COMPONENTS as readonly string[]).includes(fields.component)) {
    throw usageError(`--component must be one of ${OTA_COMPONENTS.join(', ')}`);
  }
  if (!fields.name) throw usageError('--name is required (e.g. cart-runtime)');
  if (!fields.version) throw usageError('--version is required (semantic version, e.g. 1.4.0)');
  if (!fields.kinds || fields.kinds.length === 0) throw usageError(`--kinds is required (${DEVICE_KINDS.join(', ')})`);
  const unknown = fields.kinds.filter((k) => !(DEVICE_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0)
    throw usageError(`--kinds: ${unknown.join(', ')} is not a device kind (${DEVICE_KINDS.join(', ')})`);
  const digest = await fileDigest(file);
  const component = fields.component as OtaComponent;
  const manifest: ReleaseManifest = {
    schema: 1,
    component,
    name: fields.name,
    version: fields.version,
    deviceKinds: fields.kinds as DeviceKind[],
    hardwareModels: fields.models ?? [],
    upgradeFrom: fields.upgradeFrom ?? '*',
    artifact: { sha256: digest.sha256, size: digest.size, mediaType: ARTIFACT_MEDIA_TYPES[component] },
    // When it was made, by this machine's clock: informational (releases are ordered by version).
    createdAt: new Date().toISOString(),
    ...(fields.notes ? { notes: fields.notes } : {}),
    ...(fields.metadataFile ? { metadata: readJsonFile(fields.metadataFile) as Record<string, unknown> } : {}),
  };
  const parsed = parseReleaseManifest(manifest);
  if (!parsed.ok) throw new CliError(EXIT.failed, parsed.code, parsed.message);
  return parsed.manifest;
}

/** A manifest file: a bare manifest, or a signed release `{manifest, signatures}` (its signatures are kept). */
export function readManifestFile(path: string): { manifest: ReleaseManifest; signatures: SignedRelease['signatures'] } {
  const raw = readJsonFile(path);
  const wrapped = raw !== null && typeof raw === 'object' && 'manifest' in raw;
  const signatures = wrapped ? (raw as { signatures?: unknown }).signatures : undefined;
  if (wrapped && Array.isArray(signatures) && signatures.length > 0) {
    const parsed = parseSignedRelease(raw);
    if (!parsed.ok) throw new CliError(EXIT.failed, parsed.code, `${path}: ${parsed.message}`);
    return { manifest: parsed.release.manifest, signatures: parsed.release.signatures };
  }
  const parsed = parseReleaseManifest(wrapped ? (raw as { manifest: unknown }).manifest : raw);
  if (!parsed.ok) throw new CliError(EXIT.failed, parsed.code, `${path}: ${parsed.message}`);
  return { manifest: parsed.manifest, signatures: [] };
}

/** Adds the key's signature to the release, replacing an earlier one by the same key (signing twice is signing once). */
export function addSignature(
  release: { manifest: ReleaseManifest; signatures: SignedRelease['signatures'] },
  keyFile: string,
): SignedRelease {
  const signature = signManifest(release.manifest, readSigningKey(keyFile));
  const others = release.signatures.filter((s) => s.keyId !== signature.keyId);
  if (others.length + 1 > 4) throw usageError('a release carries at most 4 signatures');
  return { manifest: release.manifest, signatures: [...others, signature] };
}

/** The artifact's sha256 and size, streamed; a usage error when it cannot be read. */
export async function fileDigest(path: string): Promise<{ sha256: string; size: number }> {
  try {
    return await digestFile(path);
  } catch {
    throw usageError(`cannot read ${path}`);
  }
}

function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw usageError(`cannot read ${path}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(EXIT.failed, 'RELEASE_INVALID', `${path} is not JSON: ${(err as Error).message}`);
  }
}
