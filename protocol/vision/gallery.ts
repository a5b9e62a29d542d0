import { epochMs, type FromSchema, integer, nullable, object } from '../api/json-schema.ts';
import { idString } from '../api/parameters.ts';
import { pluString, skuString } from '../commerce/catalog.ts';
import { MAX_ARTIFACT_BYTES, RELEASE_NAME_PATTERN, semverString } from '../ota/release.ts';

/**
 * A store's gallery (issue 11 item 4): one prototype embedding per product the store sells, made by the fleet from
 * enrolment photos with one embedding model, and shipped to the store's carts as a signed OTA artifact. A cart
 * searches it with the embedding of what the shopper dropped in.
 *
 * The file (`vision/gallery/gallery-file.ts` reads and writes it), all integers and floats little-endian:
 *
 * | bytes | what |
 * |---|---|
 * | 8 | the magic {@link GALLERY_MAGIC} (`CFGAL001`; its last three digits are {@link GALLERY_FORMAT_VERSION}) |
 * | 4 | uint32: the header's length in bytes |
 * | n | the header: canonical JSON (RFC 8785), UTF-8, {@link GalleryHeaderSchema} |
 * | 0–3 | zero bytes, so the matrix starts at a multiple of 4 (a Float32Array can view it in place) |
 * | rows × embeddingSize × 4 | float32: row i is `products[i]`'s prototype, L2-normalised (cosine = dot product) |
 * | rest | the thumbnails, each at `products[i].thumbnail` (offset from the section's start, length) |
 *
 * Nothing may follow the last thumbnail: the file's length is exactly what the header says, so a truncated or padded
 * file is refused.
 */
export const GALLERY_FORMAT_VERSION = 1;
export const GALLERY_MAGIC = 'CFGAL001';
/** The artifact's media type in a release manifest. */
export const GALLERY_MEDIA_TYPE = 'application/vnd.cartfleet.gallery';
/** How prototypes are compared: cosine similarity, i.e. the dot product of L2-normalised rows. */
export const GALLERY_METRICS = ['cosine'] as const;

/** Largest gallery in products (a hypermarket sells ~50,000; the search benchmark measures 100,000). */
export const GALLERY_MAX_PRODUCTS = 200_000;
/** Largest embedding the format carries (the embedder of issue 11 makes 128). */
export const GALLERY_MAX_EMBEDDING_SIZE = 4096;
/** Largest header (about 150 bytes a product with labels; 200,000 products fit). */
export const GALLERY_MAX_HEADER_BYTES = 64 * 1024 * 1024;
/** Largest thumbnail: a cart screen's pick list shows ~120 px images (a few KiB of JPEG). */
export const GALLERY_MAX_THUMBNAIL_BYTES = 64 * 1024;
/** Largest gallery file: the largest OTA artifact. */
export const GALLERY_MAX_FILE_BYTES = MAX_ARTIFACT_BYTES;
/**
 * How far a row's L2 norm may be from 1. A float32 row normalised in float64 and rounded is within ~1e-7 of 1 at
 * 128 dimensions and ~1e-6 at 4096; a row off by more was not normalised (or was damaged).
 */
export const GALLERY_NORM_TOLERANCE = 1e-3;

/** Why a gallery file is refused (`GALLERY_INVALID`'s `details.problem`). */
export const GALLERY_PROBLEMS = [
  /** Larger than {@link GALLERY_MAX_FILE_BYTES}, or a thumbnail larger than its limit. */
  'oversize',
  /** Not `CFGAL001` (another file, or another format version). */
  'magic',
  /** The file ends before the header does. */
  'truncated-header',
  /** The header is not UTF-8 JSON, not the schema, or breaks a rule the schema cannot say (duplicate skus). */
  'header',
  /** The padding after the header is not zeros. */
  'padding',
  /** The file ends before the matrix does. */
  'truncated-matrix',
  /** The file's length is not the one its header says (rows × embedding size + thumbnails). */
  'size',
  /** A row is not finite or not L2-normalised, or a matrix does not have the header's rows. */
  'row',
  /** A thumbnail outside the section, or not a PNG or JPEG. */
  'thumbnail',
  /** Enrolment embeddings a prototype cannot be made of (none, NaN, not normalised, cancelling out). */
  'embedding',
] as const;
export type GalleryProblem = (typeof GALLERY_PROBLEMS)[number];

const name = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;

/** Bytes of the thumbnail section: from its start, as the file stores them. */
export const ThumbnailRangeSchema = object({
  offset: integer({ minimum: 0, maximum: GALLERY_MAX_FILE_BYTES }),
  length: integer({ minimum: 1, maximum: GALLERY_MAX_THUMBNAIL_BYTES }),
});
export type ThumbnailRange = FromSchema<typeof ThumbnailRangeSchema>;

export const GalleryProductSchema = object(
  {
    sku: skuString,
    /** The name a cart's screen shows when it asks the shopper to pick (the catalog's name when the gallery was made). */
    label: object({ zh: name(80), en: name(80) }),
    /** The produce's PLU, so vision can suggest it before weighing (issue 11 item 6); null for packaged goods. */
    plu: nullable(pluString),
    /** How many enrolment photos made the prototype. */
    photos: integer({ minimum: 1, maximum: 10_000 }),
    thumbnail: { anyOf: [ThumbnailRangeSchema, { type: 'null' }] },
    /**
     * The store's zones the product is shelved in (its planogram when the gallery was made), for the fusion's
     * location prior on the cart; absent when the store has no planogram for it (no prior, never a veto).
     */
    zones: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 16 },
  },
  { optional: ['label', 'zones'] },
);
export type GalleryProduct = FromSchema<typeof GalleryProductSchema>;

/** The embedding model a gallery was built with: a cart refuses a gallery its model did not make (item 7). */
export const GalleryModelSchema = object({
  /** The model release's name (e.g. `product-embedder`). */
  name: { type: 'string', pattern: RELEASE_NAME_PATTERN },
  version: semverString,
  embeddingSize: integer({ minimum: 1, maximum: GALLERY_MAX_EMBEDDING_SIZE }),
});
export type GalleryModel = FromSchema<typeof GalleryModelSchema>;

export const GalleryHeaderSchema = object({
  schema: { const: GALLERY_FORMAT_VERSION },
  storeId: idString,
  /** Counts up per store; a cart never installs a version below the one it runs. */
  version: integer({ minimum: 1, maximum: 2 ** 31 - 1 }),
  createdAt: epochMs,
  model: GalleryModelSchema,
  /** Row i of the matrix is `products[i]`'s prototype. */
  products: { type: 'array', items: GalleryProductSchema, maxItems: GALLERY_MAX_PRODUCTS },
  metric: { type: 'string', enum: [...GALLERY_METRICS] },
});
export type GalleryHeader = FromSchema<typeof GalleryHeaderSchema>;

/** Rules the schema cannot say; empty when the header holds together. */
export function galleryHeaderProblems(header: GalleryHeader): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, product] of header.products.entries()) {
    if (seen.has(product.sku)) problems.push(`products[${i}].sku: ${product.sku} is listed twice`);
    seen.add(product.sku);
  }
  return problems;
}

/** What a cart runs, as far as a gallery cares. */
export interface RunningModel {
  name: string;
  version: string;
  embeddingSize: number;
}

/**
 * Why a gallery cannot serve a cart's model (`GALLERY_MODEL_MISMATCH`), or an empty list. Another embedding size or
 * another model's embeddings are meaningless to search. Another version of the same model is refused only when
 * `sameVersion` is asked: a retrained model's embedding space differs too, but whether a cart keeps searching a
 * gallery of the previous version while the fleet rebuilds is the rollout's decision, not the format's.
 */
export function galleryModelProblems(
  gallery: GalleryModel,
  running: RunningModel,
  options: { sameVersion?: boolean } = {},
): string[] {
  const problems: string[] = [];
  if (gallery.embeddingSize !== running.embeddingSize)
    problems.push(
      `the gallery's embeddings have ${gallery.embeddingSize} dimensions, the model makes ${running.embeddingSize}`,
    );
  if (gallery.name !== running.name)
    problems.push(`the gallery was built with model ${gallery.name}, the cart runs ${running.name}`);
  else if (options.sameVersion && gallery.version !== running.version)
    problems.push(`the gallery was built with ${gallery.name} ${gallery.version}, the cart runs ${running.version}`);
  return problems;
}

/** A gallery release's name: one release line per store. */
export function galleryReleaseName(storeId: string): string {
  return `gallery-${storeId}`;
}

/** A gallery version as its release's semver: the version is the major (`3` → `3.0.0`), so versions order as numbers. */
export function galleryReleaseVersion(galleryVersion: number): string {
  return `${galleryVersion}.0.0`;
}

/**
 * A gallery release's signed `manifest.metadata`: which store and gallery version the artifact is, and the model it
 * was built with, so a cart can refuse a gallery its model did not make before downloading it, and the fleet's
 * publish path can check the artifact says the same (`GALLERY_INVALID` when it does not).
 */
export const GalleryReleaseMetadataSchema = object({
  storeId: idString,
  galleryVersion: integer({ minimum: 1, maximum: 2 ** 31 - 1 }),
  model: GalleryModelSchema,
});
export type GalleryReleaseMetadata = FromSchema<typeof GalleryReleaseMetadataSchema>;

/**
 * Why a decoded gallery's header does not agree with its release (name, version, metadata), or an empty list: the
 * release says `gallery-<storeId>` at `<galleryVersion>.0.0` and the header must say that store, that version and
 * that model.
 */
export function galleryReleaseProblems(
  header: Pick<GalleryHeader, 'storeId' | 'version' | 'model'>,
  release: { name: string; version: string; metadata: GalleryReleaseMetadata },
): string[] {
  const problems: string[] = [];
  const { metadata } = release;
  if (release.name !== galleryReleaseName(metadata.storeId))
    problems.push(
      `the release is named ${release.name}, a gallery of ${metadata.storeId} is ${galleryReleaseName(metadata.storeId)}`,
    );
  if (release.version !== galleryReleaseVersion(metadata.galleryVersion))
    problems.push(`the release's version ${release.version} is not gallery version ${metadata.galleryVersion}`);
  if (header.storeId !== metadata.storeId)
    problems.push(`the file is store ${header.storeId}'s gallery, the release says ${metadata.storeId}`);
  if (header.version !== metadata.galleryVersion)
    problems.push(`the file is gallery version ${header.version}, the release says ${metadata.galleryVersion}`);
  const m = header.model;
  if (
    m.name !== metadata.model.name ||
    m.version !== metadata.model.version ||
    m.embeddingSize !== metadata.model.embeddingSize
  )
    problems.push(
      `the file was built with ${m.name}@${m.version} (${m.embeddingSize}), the release says ${metadata.model.name}@${metadata.model.version} (${metadata.model.embeddingSize})`,
    );
  return problems;
}
