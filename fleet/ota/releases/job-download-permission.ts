import { OTA_JOB_OPERATION } from '../../../protocol/ota/job-document.ts';
import type { DownloadPermission } from './release-ports.ts';

/** What the permission needs of the jobs service: the documents of a thing's QUEUED and IN_PROGRESS executions. */
export interface PendingJobDocuments {
  pendingJobDocuments(thingName: string): { document: unknown }[];
}

/**
 * The download rule: a thing may download an artifact (or a delta to it) while it has a QUEUED or IN_PROGRESS
 * execution of an OTA job whose document names that artifact. The documents are the fleet's own (built by
 * `buildJobDocument`, checked when the job was made), so only the names are read here, not the whole schema. Once the
 * execution ends (succeeded, failed, canceled, timed out) the permission goes with it.
 */
export function jobDownloadPermission(jobs: PendingJobDocuments): DownloadPermission {
  return (thingName, sha256) => jobs.pendingJobDocuments(thingName).some((job) => namesArtifact(job.document, sha256));
}

function namesArtifact(document: unknown, sha256: string): boolean {
  const d = document as { operation?: unknown; release?: { manifest?: { artifact?: { sha256?: unknown } } } } | null;
  return d?.operation === OTA_JOB_OPERATION && d.release?.manifest?.artifact?.sha256 === sha256;
}
