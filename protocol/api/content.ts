import { ASSET_KINDS } from '../broadcast/layers.ts';
import { epochMs, type FromSchema, integer, nullable, object, oneOfValues } from './json-schema.ts';
import { idString, page, paging } from './parameters.ts';

/**
 * The broadcast content library (issue 9 item 1): audio uploaded by HQ and store managers, or made by the announcer,
 * stored normalised in the device format (protocol/broadcast/audio-format.ts) and addressed by the sha256 of the
 * stored file.
 */

export const SHA256_PATTERN = '^[0-9a-f]{64}$';
export const sha256String = { type: 'string', pattern: SHA256_PATTERN } as const;

/** Where an asset came from. */
export const ASSET_ORIGINS = ['upload', 'announcer'] as const;
export type AssetOrigin = (typeof ASSET_ORIGINS)[number];

const lufs = { type: 'number', description: 'LUFS (EBU R128 / ITU-R BS.1770-4 integrated loudness)' } as const;
const dbtp = {
  type: 'number',
  description: 'dBTP (true peak, 4x oversampled); a very large negative value stands for digital silence',
} as const;

export const LoudnessSchema = object({ integratedLufs: lufs, truePeakDbtp: dbtp });

export const ContentAssetSchema = object({
  /** sha256 of the stored (normalised, Ogg/Opus) file: the asset's id and the name the speakers cache it under. */
  sha256: sha256String,
  title: { type: 'string', minLength: 1, maxLength: 200 },
  kind: oneOfValues(ASSET_KINDS),
  origin: oneOfValues(ASSET_ORIGINS),
  /** Size of the stored file. */
  bytes: integer({ minimum: 1 }),
  durationMs: integer({ minimum: 1 }),
  /** The stored file, measured after encoding. */
  loudness: LoudnessSchema,
  /** The upload as received: its own sha256 and size, and its loudness after decoding to 48 kHz mono. */
  input: object({ sha256: sha256String, bytes: integer({ minimum: 1 }), loudness: LoudnessSchema }),
  /** The linear gain applied, dB, and whether the true-peak limiter had to hold the peaks. */
  gainDb: { type: 'number' },
  limited: { type: 'boolean' },
  /** WAVEFORM_POINTS peaks of the stored file, 0..1 (fewer for very short clips). */
  waveform: { type: 'array', items: { type: 'number', minimum: 0, maximum: 1 } },
  /** The store it belongs to, or `null` for chain-wide (HQ) content. */
  storeId: nullable(idString),
  /** Other stores whose managers uploaded the same audio: it is theirs to use too. */
  sharedWith: { type: 'array', items: idString },
  /** Where the stored audio is served (with Range support). */
  audioUrl: { type: 'string' },
  createdBy: nullable({ type: 'string' }),
  createdAt: epochMs,
  updatedAt: epochMs,
});
export type ContentAsset = FromSchema<typeof ContentAssetSchema>;

export const ContentPageSchema = page(ContentAssetSchema);
export type ContentPage = FromSchema<typeof ContentPageSchema>;

/** `/api/content/:sha256` */
export const ContentParams = object({ sha256: sha256String });
export type ContentParams = FromSchema<typeof ContentParams>;

/** `GET /api/content`: newest first. */
export const ContentListQuery = object(
  {
    /** Words in the title (case-insensitive). */
    q: { type: 'string', minLength: 1, maxLength: 100 },
    kind: oneOfValues(ASSET_KINDS),
    origin: oneOfValues(ASSET_ORIGINS),
    /** Assets usable in this store (its own and the chain's); `chain` for chain-wide content only. */
    storeId: { type: 'string', minLength: 1, maxLength: 64 },
    ...paging,
  },
  { optional: ['q', 'kind', 'origin', 'storeId', 'limit', 'offset'] },
);
export type ContentListQuery = FromSchema<typeof ContentListQuery, 'checked'>;

/**
 * `POST /api/content?title=...&kind=...&storeId=...`: the body is the audio file itself (any common format), sent
 * with an `audio/*` or `application/octet-stream` content type. `storeId` is required of store-scoped roles with
 * more than one store, and defaults to their only store; chain-wide roles upload chain-wide content unless they name
 * a store.
 */
export const ContentUploadQuery = object(
  {
    title: { type: 'string', minLength: 1, maxLength: 200 },
    kind: oneOfValues(ASSET_KINDS),
    storeId: idString,
  },
  { optional: ['kind', 'storeId'] },
);
export type ContentUploadQuery = FromSchema<typeof ContentUploadQuery, 'checked'>;

/** `POST /api/content`'s answer: the asset, and whether it already existed (the same upload, not normalised again). */
export const ContentUploadResultSchema = object({ asset: ContentAssetSchema, deduplicated: { type: 'boolean' } });
export type ContentUploadResult = FromSchema<typeof ContentUploadResultSchema>;

/** `PATCH /api/content/:sha256` */
export const ContentPatchBody = object(
  { title: { type: 'string', minLength: 1, maxLength: 200 }, kind: oneOfValues(ASSET_KINDS) },
  { optional: ['title', 'kind'] },
);
export type ContentPatchBody = FromSchema<typeof ContentPatchBody, 'checked'>;

/** The audio route of an asset, built in one place for the API's answers, the CLI and the console. */
export function contentAudioPath(sha256: string): string {
  return `/api/content/${sha256}/audio`;
}
