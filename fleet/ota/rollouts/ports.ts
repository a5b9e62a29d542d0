import type { InventoryDevice } from '../../../ota/rollout/inventory.ts';
import type { OtaReported } from '../../../protocol/ota/device-ota.ts';
import type { OtaJobDocument } from '../../../protocol/ota/job-document.ts';
import type { ReleaseManifest } from '../../../protocol/ota/release.ts';

/**
 * What the rollout engine needs from the rest of the fleet, declared here (structurally) so that it depends on what
 * those parts offer, not on how they are built. The composition root wires them; tests use the fakes in
 * test/mocks/ (fake-jobs.ts and others).
 */

/** The fleet's AWS IoT Jobs service (fleet/jobs/): its port is the rollouts' (one contract, defined there). */
export type { JobExecution, JobsPort } from '../../jobs/ports.ts';
export type { InventoryDevice };

/** The devices a rollout can target: the registry's with each one's store facts and its named shadow `ota`. */
export interface RolloutInventory {
  list(): InventoryDevice[];
}

/** A published release as a rollout sees it. */
export interface RolloutRelease {
  id: string;
  manifest: ReleaseManifest;
  /** Every signature valid and by a trusted key: a rollout of anything else is refused. */
  signatureOk: boolean;
}

/** The release store (fleet/ota/releases/): releases by id, and the one job document builder. */
export interface RolloutReleases {
  get(releaseId: string): RolloutRelease | undefined;
  jobDocument(
    releaseId: string,
    rolloutId: string,
    options: { allowDowngrade: boolean; healthCheckTimeoutSeconds: number; maxTrialBoots: number },
  ): OtaJobDocument;
}

/** A device's named shadow `ota` as reported (unchecked: the device wrote it). */
export type OtaShadowReader = (thingName: string) => OtaReported | unknown | null;
