import type { StoredRelease } from './release-repository.ts';

/**
 * What the release store asks of the rest of the fleet (the rollouts part, the devices' reported slots). Each has a
 * default that makes the release store work alone: no rollouts, nothing installed.
 */
export interface ReleasePorts {
  /** Rollouts of this release, newest first (the detail's `rolloutIds`). */
  rolloutIdsOf?: (releaseId: string) => string[];
  /** A rollout that has not finished uses the release: deleting it is RELEASE_IN_USE. */
  isInUse?: (releaseId: string) => boolean;
  /** Devices whose active slot holds this release now (the summary's `installedOn`). */
  installedOn?: (release: StoredRelease) => number;
}

/**
 * Whether `thingName` may download the artifact `sha256` (or a delta to it) from the device HTTPS endpoint: it has a
 * non-terminal execution of a job whose document names that artifact (`jobDownloadPermission` over the jobs service,
 * by default); a device with no such job gets NOT_AUTHORIZED, so a device certificate cannot be used to pull every release.
 */
export type DownloadPermission = (thingName: string, sha256: string) => boolean;

/**
 * A stream to pipe a device's download through, or `null` for none: the rollouts part's per-store bandwidth cap. A
 * new stream per download; the route ends it with the response.
 */
export type DownloadThrottle = (thingName: string) => NodeJS.ReadWriteStream | null;
