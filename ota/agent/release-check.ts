import type { DeviceKind } from '../../protocol/api/devices.ts';
import type { OtaComponent, OtaFailureReason, OtaJobDocument, ReleaseManifest } from '../../protocol/ota/index.ts';
import type { Keyring } from '../release/keyring.ts';
import { checkCompatibility, isAlreadyInstalled, parseJobDocument, verifySignedRelease } from '../release/verify.ts';
import type { SlotRecord } from './boot-state.ts';

export type JobCheck =
  | { ok: true; document: OtaJobDocument; manifest: ReleaseManifest; alreadyInstalled: boolean }
  | { ok: false; reason: OtaFailureReason; message: string };

export interface DeviceIdentity {
  kind: DeviceKind;
  hardwareModel: string;
}

/**
 * Everything decided before a byte is downloaded, with the release rules the fleet uses too (ota/release/): the
 * document parses (OTA_DOCUMENT_INVALID), a trusted key signed the manifest (OTA_KEY_UNKNOWN, OTA_SIGNATURE_INVALID),
 * this device has the component, and the release fits the device and what the component holds (OTA_KIND_MISMATCH,
 * OTA_HARDWARE_MISMATCH, OTA_DOWNGRADE, OTA_UPGRADE_PATH). Any failure is the job's REJECTED reason.
 */
export function checkJob(
  raw: unknown,
  keyring: Keyring,
  device: DeviceIdentity,
  components: ReadonlySet<OtaComponent>,
  installed: (component: OtaComponent) => SlotRecord | null,
): JobCheck {
  const parsed = parseJobDocument(raw);
  if (!parsed.ok) return { ok: false, reason: parsed.code, message: parsed.message };
  const { document } = parsed;
  const signature = verifySignedRelease(document.release, keyring);
  if (!signature.ok) return { ok: false, reason: signature.code, message: signature.message };
  const manifest = document.release.manifest;
  if (!components.has(manifest.component))
    return {
      ok: false,
      reason: 'OTA_KIND_MISMATCH',
      message: `this ${device.kind} has no ${manifest.component} to update`,
    };
  const current = installed(manifest.component);
  const facts = {
    kind: device.kind,
    hardwareModel: device.hardwareModel,
    installed: current ? { name: current.name, version: current.version } : null,
  };
  const problem = checkCompatibility(manifest, facts, { allowDowngrade: document.allowDowngrade });
  if (problem) return { ok: false, reason: problem.code, message: problem.message };
  // Same name and version but other bytes is not "already installed": it is installed again.
  const alreadyInstalled =
    isAlreadyInstalled(manifest, facts.installed) && current?.sha256 === manifest.artifact.sha256;
  return { ok: true, document, manifest, alreadyInstalled };
}
