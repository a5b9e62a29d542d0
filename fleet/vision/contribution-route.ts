import type { IncomingMessage } from 'node:http';
import { FleetError } from '../../protocol/errors.ts';
import { MAX_CONTRIBUTED_PHOTO_BYTES, visionDevicePaths } from '../../protocol/vision/device-vision.ts';
import type { DeviceHttpsServer } from '../device-https/device-https-server.ts';
import type { GalleryEnrolment } from './gallery-enrolment.ts';
import type { GalleryRepository } from './gallery-repository.ts';
import type { RecognitionRepository } from './recognition-repository.ts';

/** What the route asks of the registry. */
export interface ContributingThing {
  kind: string;
  storeId: string | null;
}

/**
 * Carts' contributed photos (issue 11 item 4): `POST visionDevicePaths.photo(recordId)` on the device HTTPS endpoint
 * (mTLS), one JPEG or PNG of a barcode-confirmed drop. Refused unless the thing is a cart of a store that opted in
 * (VISION_CONTRIBUTIONS_OFF), past MAX_CONTRIBUTED_PHOTO_BYTES (PAYLOAD_TOO_LARGE, the rest not read), or when the
 * image does not decode (VISION_IMAGE_INVALID); nothing is stored then. The photo joins the product the cart's
 * recognition record names as the truth; until the record is in, it waits (at most `maxPending` per store). Answers
 * 201 `{ photoId, sku }` (sku null while it waits); the same record again answers the stored photo.
 */
export function addContributionRoute(
  server: DeviceHttpsServer,
  deps: {
    thingOf: (thingName: string) => ContributingThing | undefined;
    repository: GalleryRepository;
    records: RecognitionRepository;
    enrolment: GalleryEnrolment;
    maxPending: number;
  },
): void {
  server.postRoute(visionDevicePaths.photoPattern, async (request, response) => {
    const recordId = request.params[0] ?? '';
    const thing = deps.thingOf(request.thingName);
    if (thing?.kind !== 'cart' || !thing.storeId) {
      throw new FleetError('VISION_CONTRIBUTIONS_OFF', 'only a cart of a store contributes photos');
    }
    if (!deps.repository.state(thing.storeId).contributions) {
      throw new FleetError('VISION_CONTRIBUTIONS_OFF', `${thing.storeId} has not opted in to contributed photos`);
    }
    let bytes: Buffer;
    try {
      bytes = await readBody(request.body, MAX_CONTRIBUTED_PHOTO_BYTES);
    } catch (err) {
      response.setHeader('Connection', 'close');
      throw err;
    }
    const record = deps.records.get(request.thingName, recordId);
    const photo = await deps.enrolment.addContribution({
      storeId: thing.storeId,
      thingName: request.thingName,
      recordId,
      bytes,
      truthSku: record?.outcome?.truthSku ?? null,
      maxPending: deps.maxPending,
    });
    response.statusCode = 201;
    response.setHeader('Content-Type', 'application/json');
    response.end(JSON.stringify({ photoId: photo.id, sku: photo.sku }));
  });
}

/** The body, or PAYLOAD_TOO_LARGE as soon as it passes `max` (by its declared length, or while reading). */
function readBody(body: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(body.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    return Promise.reject(new FleetError('PAYLOAD_TOO_LARGE', `a contributed photo is at most ${max} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        body.off('data', onData);
        body.pause();
        reject(new FleetError('PAYLOAD_TOO_LARGE', `a contributed photo is at most ${max} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    body.on('data', onData);
    body.once('end', () => resolve(Buffer.concat(chunks)));
    body.once('error', reject);
  });
}
