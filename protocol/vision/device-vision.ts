import { type FromSchema, object } from '../api/json-schema.ts';
import { DEVICE_HTTPS_PREFIX } from '../broadcast/device-content.ts';
import { APP, THING_NAME_PATTERN } from '../topics.ts';
import { RecognitionRecordSchema } from './recognition.ts';

/**
 * What a cart sends the fleet about recognition (issue 11), besides its OTA reports:
 * - its recognition records (`dt/cartfleet/{thing}/recognitions`, through the outbox: nothing lost offline; a record
 *   is sent once decided and again when its outcome is known, and the fleet keeps one row per record id, the latest);
 * - photos of barcode-confirmed drops, where the store opted in (device HTTPS, mTLS: `POST` of one JPEG to
 *   `visionDevicePaths.photo(recordId)`), so the gallery improves with use.
 */
export const RECOGNITIONS_STREAM = 'recognitions';

/** Records per message: what piled up offline goes in as few messages as this allows. */
export const MAX_RECOGNITION_BATCH = 50;

export const RecognitionBatchSchema = object({
  records: { type: 'array', items: RecognitionRecordSchema, minItems: 1, maxItems: MAX_RECOGNITION_BATCH },
});
export type RecognitionBatch = FromSchema<typeof RecognitionBatchSchema>;

export const recognitionTopics = {
  publish(thingName: string): string {
    return `dt/${APP}/${thingName}/${RECOGNITIONS_STREAM}`;
  },
  /** What the fleet's recognition ingest subscribes to. */
  filter(): string {
    return `dt/${APP}/+/${RECOGNITIONS_STREAM}`;
  },
};

/** The thing a recognitions topic names, or undefined when the topic is not one. */
export function parseRecognitionsTopic(topic: string): string | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== 'dt' || parts[1] !== APP || parts[3] !== RECOGNITIONS_STREAM) return undefined;
  const thingName = parts[2] ?? '';
  return THING_NAME_PATTERN.test(thingName) ? thingName : undefined;
}

/** Largest contributed photo (a JPEG of the basket crop; the cart sends its camera's crop, a few tens of KiB). */
export const MAX_CONTRIBUTED_PHOTO_BYTES = 2 * 1024 * 1024;

export const visionDevicePaths = {
  /** A barcode-confirmed drop's photo (image/jpeg body), named by the recognition record it belongs to. */
  photo(recordId: string): string {
    return `${DEVICE_HTTPS_PREFIX}/vision/photos/${encodeURIComponent(recordId)}`;
  },
  photoPattern: new RegExp(`^${DEVICE_HTTPS_PREFIX}/vision/photos/([A-Za-z0-9][A-Za-z0-9._:-]{0,63})$`),
};
