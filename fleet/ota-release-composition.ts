import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/log.ts';
import type { ReleaseManifest } from '../protocol/ota/release.ts';
import type { FleetConfig } from './config.ts';
import type { DeviceHttpsServer } from './device-https/device-https-server.ts';
import { addOtaDownloadRoutes } from './ota/releases/device-download-routes.ts';
import { jobDownloadPermission, type PendingJobDocuments } from './ota/releases/job-download-permission.ts';
import { loadReleaseKeys } from './ota/releases/release-keys.ts';
import type { DownloadPermission, DownloadThrottle, ReleasePorts } from './ota/releases/release-ports.ts';
import { ReleaseService } from './ota/releases/release-service.ts';
import type { RolloutReleases } from './ota/rollouts/ports.ts';
import type { Database } from './storage/database.ts';
import type { DatabaseWriter } from './storage/database-writer.ts';

/** What the OTA release store takes from the rest of the fleet; each has a default that works alone. */
export interface OtaReleaseExtensions {
  /** Rollouts and installed counts (the rollouts part); default: none. */
  releasePorts?: ReleasePorts;
  /** Whether a device may download an artifact; default: it has an unfinished OTA job naming it (the jobs service). */
  mayDownload?: DownloadPermission;
  /** The per-store download bandwidth cap (the rollouts part); default: none. */
  downloadThrottle?: DownloadThrottle;
  /** A component's own check of an artifact before it is published (a gallery decodes and agrees with its metadata). */
  checkArtifact?: (manifest: ReleaseManifest, file: string) => Promise<void>;
}

/**
 * Makes the release store (keys from the config, files in the data dir) and adds its downloads to the device HTTPS
 * endpoint, for the devices whose unfinished jobs name what they download. A signing key or trusted key that cannot be read stops the fleet here (CONFIG_INVALID).
 */
export function composeOtaReleases(deps: {
  config: FleetConfig;
  log: Logger;
  clock: Clock;
  db: Database;
  writer: DatabaseWriter;
  deviceHttps: DeviceHttpsServer;
  jobs: PendingJobDocuments;
  extensions: OtaReleaseExtensions;
}): ReleaseService {
  const { config, extensions } = deps;
  const releases = new ReleaseService(
    {
      db: deps.db,
      writer: deps.writer,
      keys: loadReleaseKeys(config.ota),
      clock: deps.clock,
      log: deps.log.child({ component: 'releases' }),
      ...(extensions.releasePorts ? { ports: extensions.releasePorts } : {}),
      ...(extensions.checkArtifact ? { checkArtifact: extensions.checkArtifact } : {}),
    },
    {
      dataDir: config.dataDir,
      maxArtifactBytes: config.ota.maxArtifactBytes,
      deltas: config.ota.deltas,
      writeDeadlineMs: config.storage.writeDeadlineMs,
    },
  );
  addOtaDownloadRoutes(deps.deviceHttps, releases, {
    mayDownload: extensions.mayDownload ?? jobDownloadPermission(deps.jobs),
    ...(extensions.downloadThrottle ? { throttle: extensions.downloadThrottle } : {}),
  });
  return releases;
}

/**
 * The release store as the rollouts see it (`RolloutReleases`): a release with its manifest and whether every signature
 * is valid and by a trusted key, and the one job document builder with the ready deltas.
 */
export function rolloutReleasesOf(releases: ReleaseService): RolloutReleases {
  return {
    get(releaseId) {
      if (!releases.get(releaseId)) return undefined;
      const detail = releases.detail(releaseId);
      return { id: detail.id, manifest: detail.manifest, signatureOk: detail.signatureOk };
    },
    jobDocument: (releaseId, rolloutId, options) => releases.jobDocument(releaseId, { rolloutId, ...options }),
  };
}
