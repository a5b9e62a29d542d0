import type { GalleryHeader, GalleryModel } from '../../protocol/vision/gallery.ts';
import { GALLERY_FORMAT_VERSION } from '../../protocol/vision/gallery.ts';
import { decodeGallery, encodeGallery, type GalleryHeaderDraft } from './gallery-file.ts';
import { embeddingProblem, productPrototype } from './prototypes.ts';

/** A product to enrol: its enrolment photos' embeddings (from the gallery's model) and its thumbnail. */
export interface EnrolledProduct {
  sku: string;
  label?: { zh: string; en: string };
  plu: string | null;
  embeddings: readonly Float32Array[];
  /** A small PNG or JPEG for the cart's pick list, or null. */
  thumbnail: Uint8Array | null;
  /** The store's zones it is shelved in (the planogram), for the cart's location prior; absent: no prior. */
  zones?: readonly string[];
}

export interface GalleryBuildInput {
  storeId: string;
  version: number;
  createdAt: number;
  model: GalleryModel;
  products: readonly EnrolledProduct[];
}

export interface GalleryBuild {
  bytes: Buffer;
  header: GalleryHeader;
  /** Products left out (no usable embedding), with why. */
  leftOut: { sku: string; reason: string }[];
  /** Embeddings dropped from products that stayed (NaN, wrong length, not normalised). */
  droppedPhotos: { sku: string; index: number; reason: string }[];
}

/**
 * A store's gallery file from its enrolled products: one prototype per product (`productPrototype`) from the
 * embeddings that are usable, rows in sku order so the same products give the same bytes whatever order they come
 * in. A product with no usable embedding is left out and reported, not fatal: one bad enrolment must not hold back a
 * store's gallery. Refuses (GALLERY_INVALID) what the format refuses: a duplicate sku, a thumbnail that is not a
 * PNG or JPEG or is too large, too many products.
 */
export function buildGallery(input: GalleryBuildInput): GalleryBuild {
  const dimension = input.model.embeddingSize;
  const leftOut: GalleryBuild['leftOut'] = [];
  const droppedPhotos: GalleryBuild['droppedPhotos'] = [];
  const kept: { product: EnrolledProduct; vector: Float32Array; photos: number }[] = [];
  for (const product of [...input.products].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0))) {
    const usable = product.embeddings.filter((embedding, index) => {
      const reason = embeddingProblem(embedding, dimension);
      if (reason) droppedPhotos.push({ sku: product.sku, index, reason });
      return !reason;
    });
    if (usable.length === 0) {
      leftOut.push({ sku: product.sku, reason: 'no usable enrolment embedding' });
      continue;
    }
    try {
      const prototype = productPrototype(usable, dimension);
      kept.push({ product, vector: prototype.vector, photos: prototype.photos });
    } catch (err) {
      leftOut.push({ sku: product.sku, reason: (err as Error).message });
    }
  }
  const matrix = new Float32Array(kept.length * dimension);
  for (const [row, k] of kept.entries()) matrix.set(k.vector, row * dimension);
  const draft: GalleryHeaderDraft = {
    schema: GALLERY_FORMAT_VERSION,
    storeId: input.storeId,
    version: input.version,
    createdAt: input.createdAt,
    model: input.model,
    products: kept.map(({ product, photos }) => ({
      sku: product.sku,
      ...(product.label ? { label: product.label } : {}),
      plu: product.plu,
      photos,
      ...(product.zones ? { zones: [...product.zones] } : {}),
    })),
    metric: 'cosine',
  };
  const bytes = encodeGallery(
    draft,
    matrix,
    kept.map((k) => k.product.thumbnail),
  );
  // Read back as a cart will: the header with the thumbnails' places, and a check of what was written.
  return { bytes, header: decodeGallery(bytes).header, leftOut, droppedPhotos };
}
