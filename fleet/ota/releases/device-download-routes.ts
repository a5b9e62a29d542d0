import { FleetError } from '../../../protocol/errors.ts';
import { otaDownloadPaths } from '../../../protocol/ota/job-document.ts';
import type { DeviceHttpsServer } from '../../device-https/device-https-server.ts';
import { sendFile } from '../../device-https/range-response.ts';
import type { DownloadPermission, DownloadThrottle } from './release-ports.ts';
import type { ReleaseService } from './release-service.ts';

/** A delta's media type: bsdiff has no registered one; the bytes are opaque to anything but bspatch. */
export const DELTA_MEDIA_TYPE = 'application/octet-stream';

/**
 * The OTA downloads of the device HTTPS endpoint (mTLS, docs/protocol.md): a release's artifact by its sha256, and a
 * delta from a base artifact to it. Resumable: Range and If-Range, ETag = the sha256 of the bytes served (the
 * artifact's, or the delta file's own). Only for a device the jobs part says has an unfinished job naming that
 * artifact (`mayDownload`; NOT_AUTHORIZED otherwise, before anything about the file is told); bytes pass the
 * per-store bandwidth cap when `throttle` gives one.
 */
export function addOtaDownloadRoutes(
  server: DeviceHttpsServer,
  releases: ReleaseService,
  ports: { mayDownload: DownloadPermission; throttle?: DownloadThrottle },
): void {
  server.route(otaDownloadPaths.artifactPattern, (request, response) => {
    const sha256 = request.params[0] ?? '';
    if (!ports.mayDownload(request.thingName, sha256)) {
      throw new FleetError('NOT_AUTHORIZED', 'no unfinished job of this thing names that artifact');
    }
    const file = releases.artifactFile(sha256);
    if (!file) throw new FleetError('RELEASE_NOT_FOUND', 'no release has that artifact');
    return sendFile(
      request.method,
      request.headers,
      response,
      file.path,
      sha256,
      file.mediaType,
      ports.throttle?.(request.thingName) ?? null,
    );
  });
  server.route(otaDownloadPaths.deltaPattern, (request, response) => {
    const [fromSha256 = '', toSha256 = ''] = request.params;
    if (!ports.mayDownload(request.thingName, toSha256)) {
      throw new FleetError('NOT_AUTHORIZED', 'no unfinished job of this thing names that artifact');
    }
    const delta = releases.deltaFile(fromSha256, toSha256);
    if (!delta) throw new FleetError('NOT_FOUND', 'no delta between those artifacts');
    return sendFile(
      request.method,
      request.headers,
      response,
      delta.path,
      delta.sha256,
      DELTA_MEDIA_TYPE,
      ports.throttle?.(request.thingName) ?? null,
    );
  });
}
