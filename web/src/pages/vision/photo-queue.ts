import { MAX_ENROLMENT_PHOTO_BYTES, PHOTO_MEDIA_TYPES } from '../../../../protocol/api/vision.ts';
import type { EnrolledProductSummary, PhotoUpload } from '../../api/types.ts';
import { refusalOf } from '../ota/refusal.ts';

/**
 * Enrolment photos sent one after the other (POST .../photos, one photo per request), each with its own progress and,
 * when refused, its own coded refusal (VISION_IMAGE_INVALID, VISION_PHOTO_LIMIT, PAYLOAD_TOO_LARGE, ...). Free of the
 * DOM: the sender is passed in, so the rules are unit-tested under Node (`test/web/vision/photo-queue.test.ts`).
 */

export type PhotoItemState = 'waiting' | 'sending' | 'stored' | 'existed' | 'refused';

export interface PhotoItem {
  name: string;
  bytes: number;
  state: PhotoItemState;
  /** Upload progress 0–1 while sending. */
  fraction: number;
  code: string | null;
  message: string | null;
}

export interface PhotoFile {
  name: string;
  size: number;
  type: string;
}

/** The request's media type: the file's when it is one the API takes, else octet-stream (the fleet sniffs it). */
export function photoContentType(file: PhotoFile): string {
  return (PHOTO_MEDIA_TYPES as readonly string[]).includes(file.type) ? file.type : 'application/octet-stream';
}

/**
 * The queue for the files picked. A file over the API's size limit is refused here with the code the API would
 * answer (`PAYLOAD_TOO_LARGE`), without sending megabytes the fleet would drop.
 */
export function photoItems(files: readonly PhotoFile[]): PhotoItem[] {
  return files.map((f) =>
    f.size > MAX_ENROLMENT_PHOTO_BYTES
      ? {
          name: f.name,
          bytes: f.size,
          state: 'refused',
          fraction: 0,
          code: 'PAYLOAD_TOO_LARGE',
          message: `larger than ${MAX_ENROLMENT_PHOTO_BYTES / 1024 / 1024} MB`,
        }
      : { name: f.name, bytes: f.size, state: 'waiting', fraction: 0, code: null, message: null },
  );
}

/**
 * Sends the waiting items in order with `send(index, onProgress)`, reporting every change through `update` (a fresh
 * array each time). One refusal does not stop the others. Resolves with the product as the last stored photo left it
 * (null when none was stored).
 */
export async function sendPhotos(
  items: readonly PhotoItem[],
  send: (index: number, onProgress: (fraction: number) => void) => Promise<PhotoUpload>,
  update: (items: PhotoItem[]) => void,
): Promise<EnrolledProductSummary | null> {
  let current = [...items];
  const patch = (index: number, change: Partial<PhotoItem>) => {
    current = current.map((item, i) => (i === index ? { ...item, ...change } : item));
    update(current);
  };
  let product: EnrolledProductSummary | null = null;
  for (let i = 0; i < current.length; i++) {
    if (current[i]?.state !== 'waiting') continue;
    patch(i, { state: 'sending', fraction: 0 });
    try {
      const answer = await send(i, (fraction) => {
        if (current[i]?.state === 'sending' && fraction > (current[i]?.fraction ?? 0)) patch(i, { fraction });
      });
      product = answer.product;
      patch(i, { state: answer.existed ? 'existed' : 'stored', fraction: 1 });
    } catch (err) {
      const refusal = refusalOf(err);
      patch(i, {
        state: 'refused',
        code: refusal?.code ?? 'NETWORK',
        message: refusal?.message || (err instanceof Error ? err.message : String(err)),
      });
    }
  }
  return product;
}

/** What the photo codes mean to the person who picked the photo; the server's message follows for the particulars. */
export const PHOTO_REFUSALS: Record<string, string> = {
  VISION_IMAGE_INVALID: 'Not a usable JPEG or PNG photo',
  VISION_PHOTO_LIMIT: 'The product has its 5 photos already: delete one first',
  PAYLOAD_TOO_LARGE: 'The photo is too large',
  PRODUCT_NOT_FOUND: 'The product is not in the catalog',
  STORE_NOT_FOUND: 'The store is outside your stores',
  NOT_AUTHORIZED: 'Your role may not enrol products',
  VISION_MODEL_UNAVAILABLE: 'The fleet has no embedder model to read the photo with',
  NETWORK: 'The fleet server cannot be reached',
};
