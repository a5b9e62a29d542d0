import { DEVICE_AUDIO_FORMAT } from '../../../protocol/broadcast/audio-format.ts';
import { deviceContentPaths } from '../../../protocol/broadcast/device-content.ts';
import { FleetError } from '../../../protocol/errors.ts';
import type { DeviceHttpsServer } from '../../device-https/device-https-server.ts';
import { sendBytes, sendFile } from '../../device-https/range-response.ts';
import type { ContentFiles } from './delivery-ports.ts';
import type { ManifestRepository } from './manifest-repository.ts';

/**
 * The broadcast routes of the device HTTPS endpoint: a speaker downloads its own manifests, and the assets one of
 * its kept manifests or its live inserts (an ad-hoc announcement, the store's emergency) reference (by sha256,
 * resumable); any other asset, even one that exists, is NOT_AUTHORIZED, so a device certificate cannot be used to
 * pull the content library.
 */
export function addBroadcastRoutes(
  server: DeviceHttpsServer,
  manifests: ManifestRepository,
  files: ContentFiles,
  inserted: (thingName: string, sha256: string) => boolean = () => false,
): void {
  server.route(deviceContentPaths.contentPattern, (request, response) => {
    const sha256 = request.params[0] ?? '';
    if (!manifests.references(request.thingName, sha256) && !inserted(request.thingName, sha256))
      throw new FleetError('NOT_AUTHORIZED', 'no manifest or insert of this thing references that asset');
    const path = files.pathOf(sha256);
    if (!path) throw new FleetError('ASSET_NOT_FOUND', 'the content library has no file for that asset');
    return sendFile(request.method, request.headers, response, path, sha256, DEVICE_AUDIO_FORMAT.mimeType);
  });
  server.route(deviceContentPaths.manifestPattern, (request, response) => {
    const manifest = manifests.get(request.thingName, Number(request.params[0]));
    if (!manifest) throw new FleetError('NOT_FOUND', 'this thing has no manifest of that version');
    return sendBytes(request.method, request.headers, response, manifest.bytes, manifest.sha256, 'application/json');
  });
}
