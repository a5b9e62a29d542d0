import { randomBytes } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import {
  type EnrolledProduct,
  type EnrolledProductListQuery,
  type EnrolledProductPage,
  type EnrolledProductSummary,
  type GalleryPhoto,
  MAX_ENROLMENT_PHOTO_BYTES,
  MAX_ENROLMENT_PHOTOS,
  MIN_ENROLMENT_PHOTOS,
  type PhotoUpload,
  type VisionSettings,
  type VisionSettingsBody,
} from '../../protocol/api/vision.ts';
import type { Category, Product } from '../../protocol/commerce/catalog.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';
import type { EmbeddingModel, EmbeddingModels } from './embedding-models.ts';
import type { GalleryRepository, StoredPhoto } from './gallery-repository.ts';
import type { PhotoEmbedder } from './photo-embedder.ts';
import { PhotoFiles } from './photo-files.ts';
import { Planogram } from './planogram.ts';
import { decodePhoto, embedderInput } from './product-photo.ts';

/** What enrolment reads of the catalog and the registry. */
export interface EnrolmentCatalog {
  product(sku: string): Product | undefined;
  categories(): Category[];
  storeExists(storeId: string): boolean;
  zoneIdsOf(storeId: string): string[];
}

export interface GalleryEnrolmentDeps {
  repository: GalleryRepository;
  files: PhotoFiles;
  writer: DatabaseWriter;
  models: EmbeddingModels;
  embedder: PhotoEmbedder;
  catalog: EnrolmentCatalog;
  clock: Clock;
  log: Logger;
  /** A store's enrolment changed: its gallery is due a (debounced) build. */
  onChanged: (storeId: string) => void;
  /** A store's photo contribution opt-in changed: its carts are told (`PhotoOptInSync`). */
  onContributionsChanged?: (storeId: string) => Promise<void>;
}

export interface GalleryEnrolmentOptions {
  /** Contributed photos a product keeps (the newest). */
  maxContributionsPerProduct: number;
}

/** A product ready for the gallery: its photos' embeddings with the model, its thumbnail's photo, its zones. */
export interface GalleryCandidate {
  product: Product;
  photos: StoredPhoto[];
  embeddings: Float32Array[];
  zones: string[];
}

/**
 * A store's gallery enrolment (issue 11 item 4): products of the chain's catalog with their photos (uploaded by
 * staff, or contributed by carts), each photo decoded and checked where it enters (VISION_IMAGE_INVALID, nothing
 * stored), stored content-addressed, and embedded once per model version with the model the store's carts run. A
 * product with fewer than {@link MIN_ENROLMENT_PHOTOS} photos is listed as not yet recognisable, with why. Every
 * change bumps the store's change counter and tells `onChanged` (the debounced build).
 */
export class GalleryEnrolment {
  constructor(
    private readonly deps: GalleryEnrolmentDeps,
    readonly options: GalleryEnrolmentOptions,
  ) {}

  async addPhoto(storeId: string, sku: string, bytes: Buffer, actor: string): Promise<PhotoUpload> {
    this.requireStore(storeId);
    this.requireProduct(sku);
    if (bytes.length > MAX_ENROLMENT_PHOTO_BYTES)
      throw new FleetError('PAYLOAD_TOO_LARGE', `a photo is at most ${MAX_ENROLMENT_PHOTO_BYTES} bytes`, {
        maxBytes: MAX_ENROLMENT_PHOTO_BYTES,
      });
    const sha256 = PhotoFiles.sha256(bytes);
    const same = this.deps.repository.samePhoto(storeId, sku, sha256);
    if (same) return { photo: this.photoView(same), product: this.summary(storeId, sku), existed: true };
    if (this.deps.repository.countPhotos(storeId, sku, 'enrolment') >= MAX_ENROLMENT_PHOTOS) {
      throw new FleetError(
        'VISION_PHOTO_LIMIT',
        `${sku} has ${MAX_ENROLMENT_PHOTOS} enrolment photos already: delete one before adding another`,
      );
    }
    const decoded = await decodePhoto(bytes);
    const photo: StoredPhoto = {
      id: `ph-${randomBytes(8).toString('hex')}`,
      storeId,
      sku,
      source: 'enrolment',
      sha256,
      mediaType: decoded.mediaType,
      bytes: bytes.length,
      width: decoded.width,
      height: decoded.height,
      addedBy: actor,
      thingName: null,
      recordId: null,
      addedAt: this.deps.clock.now(),
    };
    // The file first, then its row: a row never names a missing file.
    await this.deps.files.write(sha256, bytes);
    await this.deps.writer.write('vision.photo', () => {
      if (this.deps.repository.countPhotos(storeId, sku, 'enrolment') >= MAX_ENROLMENT_PHOTOS) {
        throw new FleetError('VISION_PHOTO_LIMIT', `${sku} has ${MAX_ENROLMENT_PHOTOS} enrolment photos already`);
      }
      this.deps.repository.insertPhoto(photo);
      this.deps.repository.markChanged(storeId, photo.addedAt);
    });
    await this.embedNow([photo]);
    this.deps.onChanged(storeId);
    return { photo: this.photoView(photo), product: this.summary(storeId, sku), existed: false };
  }

  /** VISION_PHOTO_NOT_FOUND for an unknown photo or another store's. */
  async deletePhoto(storeId: string, photoId: string): Promise<StoredPhoto> {
    const photo = this.requirePhoto(storeId, photoId);
    await this.deps.writer.write('vision.photo.delete', () => {
      this.deps.repository.deletePhoto(photo.id);
      this.deps.repository.markChanged(storeId, this.deps.clock.now());
    });
    await this.removeUnusedFiles([photo]);
    this.deps.onChanged(storeId);
    return photo;
  }

  /** The product and every photo of it out of the store's gallery (at the next build). PRODUCT_NOT_FOUND when it has none. */
  async deleteProduct(storeId: string, sku: string): Promise<number> {
    this.requireStore(storeId);
    const photos = await this.deps.writer.write('vision.product.delete', () => {
      const removed = this.deps.repository.deleteProduct(storeId, sku);
      if (removed.length > 0) this.deps.repository.markChanged(storeId, this.deps.clock.now());
      return removed;
    });
    if (photos.length === 0) throw new FleetError('PRODUCT_NOT_FOUND', `${sku} is not enrolled in ${storeId}`);
    await this.removeUnusedFiles(photos);
    this.deps.onChanged(storeId);
    return photos.length;
  }

  photo(storeId: string, photoId: string): { photo: StoredPhoto; path: string } {
    const photo = this.requirePhoto(storeId, photoId);
    return { photo, path: this.deps.files.pathOf(photo.sha256) };
  }

  /** The photo's console thumbnail (a JPEG of its centre square, made once and kept). */
  async thumbnail(storeId: string, photoId: string): Promise<{ photo: StoredPhoto; path: string }> {
    const photo = this.requirePhoto(storeId, photoId);
    return { photo, path: await this.deps.files.thumbnailPath(photo.sha256) };
  }

  listProducts(storeId: string, query: EnrolledProductListQuery): EnrolledProductPage {
    this.requireStore(storeId);
    const byProduct = this.deps.repository.photosByProduct(storeId);
    const planogram = this.planogram(storeId);
    const model = this.modelOrNull();
    let items = [...byProduct.entries()].map(([sku, photos]) => this.summaryOf(storeId, sku, photos, planogram, model));
    if (query.sku) items = items.filter((p) => p.sku === query.sku);
    if (query.recognisable !== undefined) items = items.filter((p) => p.recognisable === query.recognisable);
    const offset = query.offset ?? 0;
    return { items: items.slice(offset, offset + (query.limit ?? 50)), total: items.length };
  }

  /** PRODUCT_NOT_FOUND when the store has no photo of it. */
  product(storeId: string, sku: string): EnrolledProduct {
    this.requireStore(storeId);
    const photos = this.deps.repository.photosOf(storeId, sku);
    if (photos.length === 0) throw new FleetError('PRODUCT_NOT_FOUND', `${sku} is not enrolled in ${storeId}`);
    return {
      ...this.summaryOf(storeId, sku, photos, this.planogram(storeId), this.modelOrNull()),
      photos: photos.map((p) => this.photoView(p)),
    };
  }

  counts(storeId: string): { enrolled: number; recognisable: number } {
    const page = this.listProducts(storeId, { limit: 500, offset: 0 });
    const all = page.total > 500 ? this.listProducts(storeId, { limit: page.total, offset: 0 }).items : page.items;
    return { enrolled: all.length, recognisable: all.filter((p) => p.recognisable).length };
  }

  settings(storeId: string): VisionSettings {
    this.requireStore(storeId);
    const state = this.deps.repository.state(storeId);
    return {
      storeId,
      contributions: state.contributions,
      planogram: state.planogram,
      updatedAt: state.settingsUpdatedAt,
      updatedBy: state.settingsUpdatedBy,
    };
  }

  /** ZONE_NOT_FOUND for a zone not of this store, CATEGORY_NOT_FOUND for an unknown category. */
  async putSettings(storeId: string, body: VisionSettingsBody, actor: string): Promise<VisionSettings> {
    this.requireStore(storeId);
    const zones = new Set(this.deps.catalog.zoneIdsOf(storeId));
    const categories = new Set(this.deps.catalog.categories().map((c) => c.id));
    for (const entry of body.planogram) {
      if (!zones.has(entry.zoneId)) throw new FleetError('ZONE_NOT_FOUND', `${storeId} has no zone '${entry.zoneId}'`);
      const unknown = entry.categoryIds.find((c) => !categories.has(c));
      if (unknown) throw new FleetError('CATEGORY_NOT_FOUND', `no category '${unknown}'`);
    }
    const before = this.deps.repository.state(storeId);
    const planogramChanged = JSON.stringify(before.planogram) !== JSON.stringify(body.planogram);
    await this.deps.writer.write('vision.settings', () => {
      const at = this.deps.clock.now();
      this.deps.repository.putSettings(storeId, body.contributions, body.planogram, at, actor);
      // The planogram is in the gallery (each product's zones): a new one is a change to build.
      if (planogramChanged) this.deps.repository.markChanged(storeId, at);
    });
    if (planogramChanged) this.deps.onChanged(storeId);
    if (before.contributions !== body.contributions) await this.deps.onContributionsChanged?.(storeId);
    return this.settings(storeId);
  }

  /**
   * The store's products ready for a build with `model`: in the catalog, with at least MIN_ENROLMENT_PHOTOS photos
   * (enrolment photos and up to the cap of contributions) whose embeddings exist or are made now; the others with
   * why they are left out.
   */
  async candidates(
    storeId: string,
    model: EmbeddingModel,
  ): Promise<{ ready: GalleryCandidate[]; leftOut: { sku: string; reason: string }[] }> {
    const byProduct = this.deps.repository.photosByProduct(storeId);
    const planogram = this.planogram(storeId);
    const ready: GalleryCandidate[] = [];
    const leftOut: { sku: string; reason: string }[] = [];
    for (const [sku, photos] of byProduct) {
      const product = this.deps.catalog.product(sku);
      if (!product) {
        leftOut.push({ sku, reason: 'not in the catalog' });
        continue;
      }
      if (photos.length < MIN_ENROLMENT_PHOTOS) {
        leftOut.push({ sku, reason: `${photos.length} photo(s): at least ${MIN_ENROLMENT_PHOTOS} are needed` });
        continue;
      }
      const embeddings = await this.embeddingsOf(photos, model);
      const usable = photos.filter((_, i) => embeddings[i] !== undefined);
      if (usable.length < MIN_ENROLMENT_PHOTOS) {
        leftOut.push({
          sku,
          reason: `${usable.length} photo(s) could be embedded: at least ${MIN_ENROLMENT_PHOTOS} are needed`,
        });
        continue;
      }
      ready.push({
        product,
        photos: usable,
        embeddings: embeddings.filter((e): e is Float32Array => e !== undefined),
        zones: planogram.zonesOf(sku, product.categoryId),
      });
    }
    return { ready, leftOut };
  }

  /** A contribution's photo, checked and stored, pending until its recognition record names the product. */
  async addContribution(input: {
    storeId: string;
    thingName: string;
    recordId: string;
    bytes: Buffer;
    truthSku: string | null;
    maxPending: number;
  }): Promise<StoredPhoto> {
    const existing = this.deps.repository.contribution(input.thingName, input.recordId);
    if (existing) return existing;
    if (input.truthSku === null && this.deps.repository.pendingContributions(input.storeId) >= input.maxPending) {
      throw new FleetError(
        'VISION_CONTRIBUTIONS_FULL',
        `${input.storeId} has ${input.maxPending} contributions waiting for their records already`,
      );
    }
    const decoded = await decodePhoto(input.bytes);
    const sha256 = PhotoFiles.sha256(input.bytes);
    const photo: StoredPhoto = {
      id: `ph-${randomBytes(8).toString('hex')}`,
      storeId: input.storeId,
      sku: null,
      source: 'contribution',
      sha256,
      mediaType: decoded.mediaType,
      bytes: input.bytes.length,
      width: decoded.width,
      height: decoded.height,
      addedBy: null,
      thingName: input.thingName,
      recordId: input.recordId,
      addedAt: this.deps.clock.now(),
    };
    await this.deps.files.write(sha256, input.bytes);
    await this.deps.writer.write('vision.contribution', () => this.deps.repository.insertPhoto(photo));
    if (input.truthSku !== null) await this.assignContribution(photo, input.truthSku);
    return this.deps.repository.photo(photo.id) ?? photo;
  }

  /** A recognition record arrived: its cart's pending contribution (if any) joins the truth's product. */
  async recordArrived(thingName: string, recordId: string, truthSku: string | null): Promise<void> {
    const photo = this.deps.repository.contribution(thingName, recordId);
    if (!photo || photo.sku !== null || truthSku === null) return;
    await this.assignContribution(photo, truthSku);
  }

  private async assignContribution(photo: StoredPhoto, sku: string): Promise<void> {
    if (!this.deps.catalog.product(sku)) {
      await this.deps.writer.write('vision.contribution.drop', () => this.deps.repository.deletePhoto(photo.id));
      await this.removeUnusedFiles([photo]);
      return;
    }
    const dropped = await this.deps.writer.write('vision.contribution.assign', () => {
      this.deps.repository.assignContribution(photo.id, sku);
      const beyond = this.deps.repository.contributionsBeyond(
        photo.storeId,
        sku,
        this.options.maxContributionsPerProduct,
      );
      for (const old of beyond) this.deps.repository.deletePhoto(old.id);
      this.deps.repository.markChanged(photo.storeId, this.deps.clock.now());
      return beyond;
    });
    await this.removeUnusedFiles(dropped);
    this.deps.onChanged(photo.storeId);
  }

  /** Embeddings of `photos` with `model`, made (and stored) for those that have none; undefined where one fails. */
  private async embeddingsOf(photos: StoredPhoto[], model: EmbeddingModel): Promise<(Float32Array | undefined)[]> {
    const { repository } = this.deps;
    const out = photos.map((p) => repository.embedding(p.id, model.name, model.version));
    const missing = photos.filter((_, i) => out[i] === undefined);
    if (missing.length > 0) {
      const made = await this.embedPhotos(missing, model);
      for (const [i, photo] of photos.entries()) if (out[i] === undefined) out[i] = made.get(photo.id);
    }
    return out;
  }

  /** Embeds photos with the current model, if there is one; a failure is logged (the next build tries again). */
  private async embedNow(photos: StoredPhoto[]): Promise<void> {
    let model: EmbeddingModel;
    try {
      model = this.deps.models.current();
    } catch {
      return;
    }
    try {
      await this.embedPhotos(photos, model);
    } catch (err) {
      this.deps.log.warn({ err, photos: photos.map((p) => p.id) }, 'photos not embedded now; the next build will');
    }
  }

  private async embedPhotos(photos: StoredPhoto[], model: EmbeddingModel): Promise<Map<string, Float32Array>> {
    const pre = model.metadata.preprocessing;
    const inputs: { photo: StoredPhoto; rgb: Uint8Array }[] = [];
    for (const photo of photos) {
      try {
        const decoded = await decodePhoto(await this.deps.files.read(photo.sha256));
        inputs.push({ photo, rgb: embedderInput(decoded, pre.width, pre.height) });
      } catch (err) {
        this.deps.log.warn({ err, photoId: photo.id }, 'a stored photo could not be read; left out');
      }
    }
    const embeddings = await this.deps.embedder.embed(
      model,
      inputs.map((i) => i.rgb),
    );
    const at = this.deps.clock.now();
    await this.deps.writer.write('vision.embeddings', () => {
      for (const [i, { photo }] of inputs.entries()) {
        if (this.deps.repository.photo(photo.id))
          this.deps.repository.insertEmbedding(photo.id, model.name, model.version, embeddings[i]!, at);
      }
    });
    return new Map(inputs.map((input, i) => [input.photo.id, embeddings[i]!]));
  }

  private summary(storeId: string, sku: string): EnrolledProductSummary {
    return this.summaryOf(
      storeId,
      sku,
      this.deps.repository.photosOf(storeId, sku),
      this.planogram(storeId),
      this.modelOrNull(),
    );
  }

  private summaryOf(
    storeId: string,
    sku: string,
    photos: StoredPhoto[],
    planogram: Planogram,
    model: EmbeddingModel | null,
  ): EnrolledProductSummary {
    const product = this.deps.catalog.product(sku);
    const reasons: EnrolledProductSummary['reasons'] = [];
    if (!product) reasons.push({ reason: 'not-in-catalog', message: `${sku} is not in the chain's catalog` });
    if (photos.length < MIN_ENROLMENT_PHOTOS) {
      reasons.push({
        reason: 'too-few-photos',
        message: `${photos.length} photo(s): at least ${MIN_ENROLMENT_PHOTOS} are needed`,
      });
    }
    if (!model) {
      reasons.push({ reason: 'not-embedded', message: 'no embedding model is available to embed the photos' });
    }
    return {
      sku,
      name: product?.name ?? null,
      plu: product?.plu ?? null,
      enrolmentPhotos: photos.filter((p) => p.source === 'enrolment').length,
      contributedPhotos: photos.filter((p) => p.source === 'contribution').length,
      recognisable: reasons.length === 0,
      reasons,
      zones: product ? planogram.zonesOf(sku, product.categoryId) : [],
      inGalleryVersion: this.deps.repository.latestVersionWith(storeId, sku),
      updatedAt: photos.reduce((latest, p) => Math.max(latest, p.addedAt), 0),
    };
  }

  photoView(photo: StoredPhoto): GalleryPhoto {
    return {
      id: photo.id,
      storeId: photo.storeId,
      sku: photo.sku,
      source: photo.source,
      sha256: photo.sha256,
      mediaType: photo.mediaType,
      bytes: photo.bytes,
      width: photo.width,
      height: photo.height,
      addedBy: photo.addedBy,
      thingName: photo.thingName,
      recordId: photo.recordId,
      addedAt: photo.addedAt,
      embeddedWith: this.deps.repository.embeddedWith(photo.id),
    };
  }

  planogram(storeId: string): Planogram {
    return new Planogram(this.deps.repository.state(storeId).planogram, this.deps.catalog.categories());
  }

  private modelOrNull(): EmbeddingModel | null {
    try {
      return this.deps.models.current();
    } catch {
      return null;
    }
  }

  private async removeUnusedFiles(photos: StoredPhoto[]): Promise<void> {
    for (const sha256 of new Set(photos.map((p) => p.sha256))) {
      if (this.deps.repository.sha256Uses(sha256) === 0) await this.deps.files.remove(sha256);
    }
  }

  private requireStore(storeId: string): void {
    if (!this.deps.catalog.storeExists(storeId)) throw new FleetError('STORE_NOT_FOUND', `no store '${storeId}'`);
  }

  private requireProduct(sku: string): Product {
    const product = this.deps.catalog.product(sku);
    if (!product) throw new FleetError('PRODUCT_NOT_FOUND', `no product '${sku}' in the catalog`);
    return product;
  }

  private requirePhoto(storeId: string, photoId: string): StoredPhoto {
    const photo = this.deps.repository.photo(photoId);
    if (!photo || photo.storeId !== storeId)
      throw new FleetError('VISION_PHOTO_NOT_FOUND', `no photo '${photoId}' in ${storeId}`);
    return photo;
  }
}
