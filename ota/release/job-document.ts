import { FleetError } from '../../protocol/errors.ts';
import { OTA_JOB_OPERATION, type OtaJobDocument, otaDownloadPaths } from '../../protocol/ota/job-document.ts';
import type { SignedRelease } from '../../protocol/ota/release.ts';
import { parseJobDocument } from './verify.ts';

/** A delta on offer, as the release store knows it (the path is derived, never stored). */
export type DeltaOffer = { fromVersion: string; fromSha256: string; sha256: string; size: number };

export type JobDocumentOptions = {
  rolloutId: string;
  allowDowngrade: boolean;
  healthCheckTimeoutSeconds: number;
  maxTrialBoots: number;
};

/** The job document holds at most this many deltas (the schema's `maxItems`); the newest bases come first. */
export const MAX_JOB_DOCUMENT_DELTAS = 8;

/**
 * The one builder of an OTA job document, used by the fleet for every rollout. The result is checked with the
 * device's own parser ({@link parseJobDocument}) before it is returned, so the fleet never queues a document a device
 * would reject as `OTA_DOCUMENT_INVALID` (too large for AWS's 32 KiB, a bad manifest); such a release fails here,
 * with that code, when the rollout is created.
 */
export function buildJobDocument(
  signed: SignedRelease,
  deltas: readonly DeltaOffer[],
  options: JobDocumentOptions,
): OtaJobDocument {
  const target = signed.manifest.artifact.sha256;
  const document: OtaJobDocument = {
    operation: OTA_JOB_OPERATION,
    schema: 1,
    rolloutId: options.rolloutId,
    release: { manifest: signed.manifest, signatures: signed.signatures },
    download: {
      path: otaDownloadPaths.artifact(target),
      deltas: deltas.slice(0, MAX_JOB_DOCUMENT_DELTAS).map((delta) => ({
        fromVersion: delta.fromVersion,
        fromSha256: delta.fromSha256,
        sha256: delta.sha256,
        size: delta.size,
        path: otaDownloadPaths.delta(delta.fromSha256, target),
      })),
    },
    allowDowngrade: options.allowDowngrade,
    healthCheckTimeoutSeconds: options.healthCheckTimeoutSeconds,
    maxTrialBoots: options.maxTrialBoots,
  };
  const parsed = parseJobDocument(document);
  if (!parsed.ok) throw new FleetError('OTA_DOCUMENT_INVALID', `the job document would be refused: ${parsed.message}`);
  return document;
}
