import type { Keyring } from '../../../ota/release/keyring.ts';
import { signatureStatuses } from '../../../ota/release/verify.ts';
import type { ReleaseDetail, ReleaseSummary } from '../../../protocol/api/releases.ts';
import type { SignedRelease } from '../../../protocol/ota/release.ts';
import type { StoredDelta, StoredRelease } from './release-repository.ts';

export function signedReleaseOf(release: StoredRelease): SignedRelease {
  return { manifest: release.manifest, signatures: release.signatures };
}

/** A release as the list shows it; `signatureOk`: every signature valid and by a key trusted now. */
export function releaseSummary(release: StoredRelease, keyring: Keyring, installedOn: number): ReleaseSummary {
  const statuses = signatureStatuses(signedReleaseOf(release), keyring);
  return {
    id: release.id,
    component: release.component,
    name: release.name,
    version: release.version,
    deviceKinds: release.manifest.deviceKinds,
    hardwareModels: release.manifest.hardwareModels,
    upgradeFrom: release.manifest.upgradeFrom,
    sha256: release.sha256,
    size: release.size,
    signatureOk: statuses.every((s) => s.trusted && s.valid),
    publishedBy: release.publishedBy,
    publishedAt: release.publishedAt,
    installedOn,
  };
}

/** The detail: the summary, the signed manifest, each signature as judged now, the ready deltas, the rollouts. */
export function releaseDetail(
  release: StoredRelease,
  context: { keyring: Keyring; installedOn: number; deltas: StoredDelta[]; rolloutIds: string[] },
): ReleaseDetail {
  return {
    ...releaseSummary(release, context.keyring, context.installedOn),
    manifest: release.manifest,
    signatures: release.signatures,
    signatureStatus: signatureStatuses(signedReleaseOf(release), context.keyring),
    deltas: context.deltas
      .filter((d) => d.state === 'ready' && d.sha256 !== null && d.size !== null)
      .map((d) => ({
        fromReleaseId: d.fromReleaseId,
        fromVersion: d.fromVersion,
        fromSha256: d.fromSha256,
        sha256: d.sha256 as string,
        size: d.size as number,
        ratio: (d.size as number) / release.size,
      })),
    rolloutIds: context.rolloutIds,
  };
}
