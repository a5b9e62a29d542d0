import { sha256String } from '../broadcast/manifest.ts';
import { skuString } from '../commerce/catalog.ts';
import { LocalizedTextSchema } from '../commerce/text.ts';
import { OTA_SLOTS, OTA_STEPS } from '../ota/device-ota.ts';
import { RELEASE_NAME_PATTERN, semverString } from '../ota/release.ts';
import { GalleryModelSchema } from '../vision/gallery.ts';
import { RECOGNITION_DECISION_KINDS, RECOGNITION_ID_PATTERN, RecognitionRecordSchema } from '../vision/recognition.ts';
import { epochMs, type FromSchema, integer, nullable, nullableEpochMs, object, oneOfValues } from './json-schema.ts';
import { idString, page, paging, thingNameString } from './parameters.ts';

/**
 * Product recognition on the fleet (issue 11 items 4, 7, 8): a store's gallery of enrolled products (photos, their
 * embeddings with the model the store's carts run), the gallery versions built from it (each a signed OTA release of
 * component `gallery` rolled out to the store's carts), the store's vision settings (contributions opt-in, the
 * planogram), the recognition records carts send, and the field accuracy measured from them.
 *
 * Routes (docs/api.md, Vision):
 * - `GET /api/stores/:storeId/vision` — the store's vision view ({@link StoreVisionSchema}): model, latest gallery
 *   version, counts, what each cart runs (from the `ota` shadow's reported slots).
 * - `GET /api/stores/:storeId/gallery/products` — enrolled products ({@link EnrolledProductPageSchema}).
 * - `GET /api/stores/:storeId/gallery/products/:sku` — one, with its photos ({@link EnrolledProductSchema}).
 * - `POST /api/stores/:storeId/gallery/products/:sku/photos` — one photo as the raw body (`image/jpeg` or
 *   `image/png`, at most {@link MAX_ENROLMENT_PHOTO_BYTES}) → 201 {@link PhotoUploadSchema}.
 * - `GET /api/stores/:storeId/gallery/photos/:photoId` — the photo's bytes (its media type).
 * - `GET /api/stores/:storeId/gallery/photos/:photoId/thumbnail` — its centre square as a small JPEG (the console's list).
 * - `DELETE /api/stores/:storeId/gallery/photos/:photoId` — 204.
 * - `DELETE /api/stores/:storeId/gallery/products/:sku` — the product and all its photos out of the gallery, 204.
 * - `POST /api/stores/:storeId/gallery/builds` — build now ({@link GalleryBuildRequestSchema} →
 *   {@link GalleryBuildResultSchema}); a build with nothing changed is a no-op.
 * - `GET /api/stores/:storeId/gallery/versions` — the versions built, newest first ({@link GalleryVersionPageSchema}).
 * - `GET|PUT /api/stores/:storeId/vision/settings` — {@link VisionSettingsSchema} / {@link VisionSettingsBodySchema}.
 * - `GET /api/stores/:storeId/vision/records` — recognition records, newest first ({@link RecognitionRecordPageSchema}).
 * - `GET /api/stores/:storeId/vision/accuracy?from&to` and `GET /api/vision/accuracy?from&to&storeId` (chain-wide
 *   for a chain-wide role, the caller's stores otherwise) — {@link FieldAccuracyReportSchema}.
 *
 * Permissions (`protocol/api/roles.ts`): `vision:read` (every staff role but attendants), `vision:enrol` (HQ admins;
 * store managers for their own stores): photos and builds, `vision:manage` (HQ admins): the settings.
 */

/** Photos a product needs before it is put in the gallery (issue 11 item 4: "3–5 photos"). */
export const MIN_ENROLMENT_PHOTOS = 3;
/** Enrolment photos a product may have: a sixth is refused (`VISION_PHOTO_LIMIT`); delete one first. */
export const MAX_ENROLMENT_PHOTOS = 5;
/** Largest enrolment photo upload (a phone's JPEG; the fleet keeps the original and a square crop's embedding). */
export const MAX_ENROLMENT_PHOTO_BYTES = 8 * 1024 * 1024;
/** Largest side of a photo the fleet decodes (a 48-megapixel phone photo is 8000 px wide). */
export const MAX_PHOTO_SIDE_PX = 8192;
/** Smallest side of a useful photo (the embedder's input is 96 px; smaller is upscaled noise). */
export const MIN_PHOTO_SIDE_PX = 32;
export const PHOTO_MEDIA_TYPES = ['image/jpeg', 'image/png'] as const;

/** Where a photo came from: uploaded by staff, or sent by a cart from a barcode-confirmed drop (opt-in). */
export const PHOTO_SOURCES = ['enrolment', 'contribution'] as const;
export type PhotoSource = (typeof PHOTO_SOURCES)[number];

/** Why a product is not in the gallery yet. */
export const NOT_RECOGNISABLE_REASONS = [
  /** Fewer than {@link MIN_ENROLMENT_PHOTOS} usable photos. */
  'too-few-photos',
  /** Photos not embedded yet (no model was available when they came): the next build embeds them. */
  'not-embedded',
  /** Not in the chain's catalog (any more). */
  'not-in-catalog',
] as const;

export const GalleryPhotoSchema = object({
  id: idString,
  storeId: idString,
  /** The product; null for a cart's contribution whose recognition record has not arrived yet. */
  sku: nullable(skuString),
  source: oneOfValues(PHOTO_SOURCES),
  sha256: sha256String,
  mediaType: oneOfValues(PHOTO_MEDIA_TYPES),
  bytes: integer({ minimum: 1 }),
  width: integer({ minimum: 1 }),
  height: integer({ minimum: 1 }),
  /** The staff member who uploaded it; null for a contribution. */
  addedBy: nullable({ type: 'string' }),
  /** The cart and recognition record a contribution came with; null for an enrolment photo. */
  thingName: nullable(thingNameString),
  recordId: nullable({ type: 'string', pattern: RECOGNITION_ID_PATTERN }),
  addedAt: epochMs,
  /** The model versions the photo is embedded with (each photo once per model version). */
  embeddedWith: { type: 'array', items: object({ name: { type: 'string' }, version: semverString }) },
});
export type GalleryPhoto = FromSchema<typeof GalleryPhotoSchema>;

const productStatus = {
  sku: skuString,
  /** The catalog's name; null when the product has left the catalog. */
  name: nullable(LocalizedTextSchema),
  plu: nullable({ type: 'string' }),
  enrolmentPhotos: integer({ minimum: 0 }),
  /** Cart contributions kept for it (capped per product, the newest kept). */
  contributedPhotos: integer({ minimum: 0 }),
  /** In the next build: enough usable photos, embedded or embeddable. */
  recognisable: { type: 'boolean' },
  /** Why not (empty when recognisable). */
  reasons: {
    type: 'array',
    items: object({ reason: oneOfValues(NOT_RECOGNISABLE_REASONS), message: { type: 'string' } }),
  },
  /** The planogram's zones for it (what the gallery's `zones` will say). */
  zones: { type: 'array', items: idString },
  /** The newest built gallery version that has it; null when none yet. */
  inGalleryVersion: nullable(integer({ minimum: 1 })),
  updatedAt: epochMs,
} as const;

export const EnrolledProductSummarySchema = object(productStatus);
export type EnrolledProductSummary = FromSchema<typeof EnrolledProductSummarySchema>;

export const EnrolledProductSchema = object({
  ...productStatus,
  photos: { type: 'array', items: GalleryPhotoSchema },
});
export type EnrolledProduct = FromSchema<typeof EnrolledProductSchema>;

export const EnrolledProductPageSchema = page(EnrolledProductSummarySchema);
export type EnrolledProductPage = FromSchema<typeof EnrolledProductPageSchema>;

export const EnrolledProductListQuerySchema = object(
  { sku: skuString, recognisable: { type: 'boolean' }, ...paging },
  { optional: ['sku', 'recognisable', 'limit', 'offset'] },
);
export type EnrolledProductListQuery = FromSchema<typeof EnrolledProductListQuerySchema>;

/** `POST .../photos`: the photo stored, and the product as it stands now. */
export const PhotoUploadSchema = object({
  photo: GalleryPhotoSchema,
  product: EnrolledProductSummarySchema,
  /** `true` when the store already had these bytes for this product (nothing new was stored). */
  existed: { type: 'boolean' },
});
export type PhotoUpload = FromSchema<typeof PhotoUploadSchema>;

export const GalleryProductParams = object({ storeId: idString, sku: skuString });
export const GalleryPhotoParams = object({ storeId: idString, photoId: idString });

/** A gallery version's place: built and published, on its way to the carts, there, or stopped. */
export const GALLERY_VERSION_STATES = [
  /** Published; no rollout (the store has no carts to send it to). */
  'published',
  'rolling-out',
  'rolled-out',
  /** Its rollout was aborted or canceled (a newer version took over, or an operator stopped it). */
  'stopped',
] as const;
export type GalleryVersionState = (typeof GALLERY_VERSION_STATES)[number];

export const GALLERY_BUILD_TRIGGERS = ['manual', 'enrolment-change'] as const;

export const GalleryVersionSchema = object({
  storeId: idString,
  version: integer({ minimum: 1 }),
  createdAt: epochMs,
  createdBy: nullable({ type: 'string' }),
  trigger: oneOfValues(GALLERY_BUILD_TRIGGERS),
  /** Products in it (rows). */
  products: integer({ minimum: 0 }),
  photos: integer({ minimum: 0 }),
  /** Enrolled products left out, with why. */
  leftOut: { type: 'array', items: object({ sku: skuString, reason: { type: 'string' } }) },
  model: GalleryModelSchema,
  sha256: sha256String,
  bytes: integer({ minimum: 1 }),
  /** The OTA release (`gallery-<storeId>`, version `<galleryVersion>.0.0`). */
  releaseId: idString,
  releaseName: { type: 'string', pattern: RELEASE_NAME_PATTERN },
  releaseVersion: semverString,
  /** The rollout to the store's carts; null when it had no carts. */
  rolloutId: nullable(idString),
  state: oneOfValues(GALLERY_VERSION_STATES),
});
export type GalleryVersion = FromSchema<typeof GalleryVersionSchema>;

export const GalleryVersionPageSchema = page(GalleryVersionSchema);
export type GalleryVersionPage = FromSchema<typeof GalleryVersionPageSchema>;

/** `POST .../gallery/builds` */
export const GalleryBuildRequestSchema = object(
  {
    /** Build even when nothing changed since the last version (a new version with the same products). */
    force: { type: 'boolean' },
  },
  { optional: ['force'] },
);
export type GalleryBuildRequest = FromSchema<typeof GalleryBuildRequestSchema>;

/** Why a build made nothing. */
export const GALLERY_NOOP_REASONS = ['unchanged', 'no-recognisable-products'] as const;

export const GalleryBuildResultSchema = object({
  built: { type: 'boolean' },
  /** Null when `built`. */
  reason: nullable(oneOfValues(GALLERY_NOOP_REASONS)),
  /** The version made, or the latest one when nothing was built (null when there is none). */
  version: nullable(GalleryVersionSchema),
});
export type GalleryBuildResult = FromSchema<typeof GalleryBuildResultSchema>;

/** One planogram entry: the zone, and which categories (with their subcategories) and products are shelved there. */
export const PlanogramEntrySchema = object({
  zoneId: idString,
  categoryIds: { type: 'array', items: idString, maxItems: 200, uniqueItems: true },
  skus: { type: 'array', items: skuString, maxItems: 5000, uniqueItems: true },
});
export type PlanogramEntry = FromSchema<typeof PlanogramEntrySchema>;

/** `PUT .../vision/settings` */
export const VisionSettingsBodySchema = object({
  /** Carts of this store may send photos of barcode-confirmed drops, which join the gallery at its next build. */
  contributions: { type: 'boolean' },
  /** Zones of this store (ZONE_NOT_FOUND for another's) and what is shelved in each. */
  planogram: { type: 'array', items: PlanogramEntrySchema, maxItems: 500 },
});
export type VisionSettingsBody = FromSchema<typeof VisionSettingsBodySchema>;

export const VisionSettingsSchema = object({
  storeId: idString,
  ...VisionSettingsBodySchema.properties,
  updatedAt: nullableEpochMs,
  updatedBy: nullable({ type: 'string' }),
});
export type VisionSettings = FromSchema<typeof VisionSettingsSchema>;

/** What one component slot of a cart holds, from its `ota` shadow's reported slots. */
const runningRelease = nullable(
  object({
    name: { type: 'string' },
    version: semverString,
    slot: oneOfValues(OTA_SLOTS),
    /** Switched to but not committed yet (its self-test is running). */
    onTrial: { type: 'boolean' },
  }),
);

export const CartVisionSchema = object({
  thingName: thingNameString,
  online: { type: 'boolean' },
  /** The embedder's release active on the cart; null when the cart reports none. */
  model: runningRelease,
  gallery: runningRelease,
  /** The gallery version (the release's major version); null without a gallery. */
  galleryVersion: nullable(integer({ minimum: 1 })),
  /** The cart's OTA job and step now, if any. */
  job: nullable(object({ jobId: { type: 'string' }, step: oneOfValues(OTA_STEPS) })),
});
export type CartVision = FromSchema<typeof CartVisionSchema>;

/** `GET /api/stores/:storeId/vision` */
export const StoreVisionSchema = object({
  storeId: idString,
  /** The model enrolment photos are embedded with now (the one the store's carts run); null when none is available. */
  model: nullable(object({ ...GalleryModelSchema.properties, source: oneOfValues(['committed', 'release'] as const) })),
  /** Why no model is available (null when one is). */
  modelProblem: nullable({ type: 'string' }),
  latestVersion: nullable(GalleryVersionSchema),
  products: object({ enrolled: integer({ minimum: 0 }), recognisable: integer({ minimum: 0 }) }),
  /** Contributions waiting for their recognition record. */
  pendingContributions: integer({ minimum: 0 }),
  /** Enrolment changed since the latest version: a build is due. */
  changedSinceLatest: { type: 'boolean' },
  /** When the debounced automatic build runs; null when none is scheduled. */
  nextBuildAt: nullableEpochMs,
  settings: VisionSettingsSchema,
  carts: { type: 'array', items: CartVisionSchema },
});
export type StoreVision = FromSchema<typeof StoreVisionSchema>;

/** A recognition record as the fleet stored it (one per cart and record id, the latest outcome). */
export const StoredRecognitionSchema = object({
  thingName: thingNameString,
  storeId: nullable(idString),
  receivedAt: epochMs,
  record: RecognitionRecordSchema,
});
export type StoredRecognition = FromSchema<typeof StoredRecognitionSchema>;

export const RecognitionRecordPageSchema = page(StoredRecognitionSchema);
export type RecognitionRecordPage = FromSchema<typeof RecognitionRecordPageSchema>;

export const RecognitionRecordQuerySchema = object(
  {
    from: epochMs,
    to: epochMs,
    thingName: thingNameString,
    /** The truth's SKU. */
    sku: skuString,
    decision: oneOfValues(RECOGNITION_DECISION_KINDS),
    ...paging,
  },
  { optional: ['from', 'to', 'thingName', 'sku', 'decision', 'limit', 'offset'] },
);
export type RecognitionRecordQuery = FromSchema<typeof RecognitionRecordQuerySchema>;

/** A share with its count and 95 % Wilson interval (`vision/fusion/accuracy.ts` `share()`). */
export const ShareSchema = object({
  n: integer({ minimum: 0 }),
  hits: integer({ minimum: 0 }),
  rate: nullable({ type: 'number', minimum: 0, maximum: 1 }),
  low: nullable({ type: 'number', minimum: 0, maximum: 1 }),
  high: nullable({ type: 'number', minimum: 0, maximum: 1 }),
});
export type ShareFigure = FromSchema<typeof ShareSchema>;

const count = integer({ minimum: 0 });

/** Decisions by kind (`RECOGNITION_DECISION_KINDS`). */
const DecisionCountsSchema = object({ add: count, pick: count, scan: count, 'suggest-produce': count, barcode: count });
/** Scans by reason (`SCAN_REASONS`). */
const ScanReasonCountsSchema = object({
  'no-candidate': count,
  'weight-veto': count,
  'low-confidence': count,
  'camera-unavailable': count,
});

export const AccuracyFiguresSchema = object({
  key: nullable({ type: 'string' }),
  records: integer({ minimum: 0 }),
  firstAt: nullableEpochMs,
  lastAt: nullableEpochMs,
  visionTop1: ShareSchema,
  fusedTop1: ShareSchema,
  decisionCorrect: ShareSchema,
  decisions: DecisionCountsSchema,
  scanReasons: ScanReasonCountsSchema,
  wrongAdds: integer({ minimum: 0 }),
});

/** `fieldAccuracy()` over the records of a time range, with the range and what was counted. */
export const FieldAccuracyReportSchema = object({
  /** The store; null for the chain (or the caller's stores). */
  storeId: nullable(idString),
  from: epochMs,
  to: epochMs,
  /** Records in the range read (at most {@link MAX_ACCURACY_RECORDS}). */
  records: integer({ minimum: 0 }),
  /** More records than {@link MAX_ACCURACY_RECORDS} fell in the range: the newest were counted. */
  truncated: { type: 'boolean' },
  overall: AccuracyFiguresSchema,
  bySku: { type: 'array', items: AccuracyFiguresSchema },
  byModelVersion: { type: 'array', items: AccuracyFiguresSchema },
  pending: integer({ minimum: 0 }),
  withoutTruth: integer({ minimum: 0 }),
});
export type FieldAccuracyReport = FromSchema<typeof FieldAccuracyReportSchema>;

/** Records an accuracy report reads at most (newest first). */
export const MAX_ACCURACY_RECORDS = 100_000;
/** The default range of an accuracy report or a record list: the last 7 days. */
export const DEFAULT_ACCURACY_RANGE_MS = 7 * 86_400_000;

export const AccuracyQuerySchema = object({ from: epochMs, to: epochMs }, { optional: ['from', 'to'] });
export type AccuracyQuery = FromSchema<typeof AccuracyQuerySchema>;

export const ChainAccuracyQuerySchema = object(
  { from: epochMs, to: epochMs, storeId: idString },
  { optional: ['from', 'to', 'storeId'] },
);
export type ChainAccuracyQuery = FromSchema<typeof ChainAccuracyQuerySchema>;

/** What changed in a store's recognition: records arrived (accuracy), or its gallery (photos, a build). */
export const VISION_CHANGES = ['records', 'gallery'] as const;
export type VisionChange = (typeof VISION_CHANGES)[number];

/**
 * The live `vision` event: something the Recognition section shows changed in a store; the console reloads what it
 * shows of that store. A signal without the data (the API answers by the reader's scope), at most once every
 * {@link VISION_LIVE_INTERVAL_MS} per store and kind.
 */
export interface VisionLiveEvent {
  storeId: string;
  what: VisionChange;
}

export const VISION_LIVE_INTERVAL_MS = 2000;
