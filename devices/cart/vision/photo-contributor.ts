import { createCanvas } from '@napi-rs/canvas';
import type { Logger } from '../../../platform/log.ts';
import { MAX_CONTRIBUTED_PHOTO_BYTES, visionDevicePaths } from '../../../protocol/vision/device-vision.ts';
import type { PhotoSink } from './product-recognizer.ts';

/** How a photo reaches the fleet: the device HTTPS client (mTLS), or a fake. */
export interface PhotoUpload {
  post(path: string, body: Buffer, contentType: string): Promise<void>;
}

/** JPEG quality of a contributed crop: a 96 px crop is a few KiB, well under the limit. */
const JPEG_QUALITY = 88;

/**
 * Barcode-confirmed drops' crops to the fleet, where the store opted in (issue 11 item 4: the gallery improves with
 * use): the crop the model saw, JPEG-encoded (`@napi-rs/canvas`), POSTed to `visionDevicePaths.photo(recordId)`.
 * One at a time, newest kept while one is on its way; any failure (offline, refused) is logged and the photo
 * dropped: a contribution is never worth the shopper's time or the cart's memory.
 */
export class PhotoContributor implements PhotoSink {
  private sending = false;
  private next: { recordId: string; crop: { rgb: Uint8Array; size: number } } | null = null;

  constructor(
    private readonly upload: PhotoUpload,
    private readonly log: Logger,
  ) {}

  contribute(recordId: string, crop: { rgb: Uint8Array; size: number }): void {
    this.next = { recordId, crop };
    if (!this.sending) void this.drain();
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.next) {
        const { recordId, crop } = this.next;
        this.next = null;
        try {
          const jpeg = await cropJpeg(crop.rgb, crop.size);
          if (jpeg.length > MAX_CONTRIBUTED_PHOTO_BYTES) throw new Error(`a ${jpeg.length}-byte photo`);
          await this.upload.post(visionDevicePaths.photo(recordId), jpeg, 'image/jpeg');
          this.log.debug({ recordId, bytes: jpeg.length }, 'photo contributed');
        } catch (err) {
          this.log.info({ recordId, err: (err as Error).message }, 'photo not contributed (dropped)');
        }
      }
    } finally {
      this.sending = false;
    }
  }
}

/** An RGB `size`×`size` crop as a JPEG. */
export async function cropJpeg(rgb: Uint8Array, size: number): Promise<Buffer> {
  const canvas = createCanvas(size, size);
  const context = canvas.getContext('2d');
  const image = context.createImageData(size, size);
  for (let p = 0; p < size * size; p++) {
    image.data[p * 4] = rgb[p * 3] as number;
    image.data[p * 4 + 1] = rgb[p * 3 + 1] as number;
    image.data[p * 4 + 2] = rgb[p * 3 + 2] as number;
    image.data[p * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  return canvas.encode('jpeg', JPEG_QUALITY);
}
