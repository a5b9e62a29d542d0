import type { GALLERY_BUILD_TRIGGERS, PhotoSource, PlanogramEntry } from '../../protocol/api/vision.ts';
import type { Database } from '../storage/database.ts';

export interface StoredPhoto {
  id: string;
  storeId: string;
  sku: string | null;
  source: PhotoSource;
  sha256: string;
  mediaType: 'image/jpeg' | 'image/png';
  bytes: number;
  width: number;
  height: number;
  addedBy: string | null;
  thingName: string | null;
  recordId: string | null;
  addedAt: number;
}

export interface StoreVisionState {
  storeId: string;
  contributions: boolean;
  planogram: PlanogramEntry[];
  settingsUpdatedAt: number | null;
  settingsUpdatedBy: string | null;
  changeSeq: number;
  changedAt: number | null;
}

export interface StoredGalleryVersion {
  storeId: string;
  version: number;
  createdAt: number;
  createdBy: string | null;
  trigger: (typeof GALLERY_BUILD_TRIGGERS)[number];
  changeSeq: number;
  contentDigest: string;
  products: number;
  photos: number;
  leftOut: { sku: string; reason: string }[];
  skus: string[];
  modelName: string;
  modelVersion: string;
  embeddingSize: number;
  sha256: string;
  bytes: number;
  releaseId: string;
  rolloutId: string | null;
}

type PhotoRow = {
  id: string;
  store_id: string;
  sku: string | null;
  source: PhotoSource;
  sha256: string;
  media_type: 'image/jpeg' | 'image/png';
  bytes: number;
  width: number;
  height: number;
  added_by: string | null;
  thing_name: string | null;
  record_id: string | null;
  added_at: number;
};

const photoOf = (r: PhotoRow): StoredPhoto => ({
  id: r.id,
  storeId: r.store_id,
  sku: r.sku,
  source: r.source,
  sha256: r.sha256,
  mediaType: r.media_type,
  bytes: r.bytes,
  width: r.width,
  height: r.height,
  addedBy: r.added_by,
  thingName: r.thing_name,
  recordId: r.record_id,
  addedAt: r.added_at,
});

type VersionRow = {
  store_id: string;
  version: number;
  created_at: number;
  created_by: string | null;
  trigger: StoredGalleryVersion['trigger'];
  change_seq: number;
  content_digest: string;
  products: number;
  photos: number;
  left_out: string;
  skus: string;
  model_name: string;
  model_version: string;
  embedding_size: number;
  sha256: string;
  bytes: number;
  release_id: string;
  rollout_id: string | null;
};

const versionOf = (r: VersionRow): StoredGalleryVersion => ({
  storeId: r.store_id,
  version: r.version,
  createdAt: r.created_at,
  createdBy: r.created_by,
  trigger: r.trigger,
  changeSeq: r.change_seq,
  contentDigest: r.content_digest,
  products: r.products,
  photos: r.photos,
  leftOut: JSON.parse(r.left_out) as StoredGalleryVersion['leftOut'],
  skus: JSON.parse(r.skus) as string[],
  modelName: r.model_name,
  modelVersion: r.model_version,
  embeddingSize: r.embedding_size,
  sha256: r.sha256,
  bytes: r.bytes,
  releaseId: r.release_id,
  rolloutId: r.rollout_id,
});

/** Gallery photos, their embeddings, the stores' vision state and gallery versions (migration 37). */
export class GalleryRepository {
  constructor(private readonly db: Database) {}

  insertPhoto(photo: StoredPhoto): void {
    this.db
      .prepare(
        `INSERT INTO vision_photos (id, store_id, sku, source, sha256, media_type, bytes, width, height, added_by,
           thing_name, record_id, added_at)
         VALUES (@id, @storeId, @sku, @source, @sha256, @mediaType, @bytes, @width, @height, @addedBy, @thingName,
           @recordId, @addedAt)`,
      )
      .run(photo);
  }

  photo(id: string): StoredPhoto | undefined {
    const row = this.db.prepare('SELECT * FROM vision_photos WHERE id = ?').get(id) as PhotoRow | undefined;
    return row && photoOf(row);
  }

  /** A product's photos, enrolment first, then oldest first. */
  photosOf(storeId: string, sku: string): StoredPhoto[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM vision_photos WHERE store_id = ? AND sku = ?
           ORDER BY source = 'contribution', added_at, id`,
        )
        .all(storeId, sku) as PhotoRow[]
    ).map(photoOf);
  }

  /** Every photo of a store with a product, by product. */
  photosByProduct(storeId: string): Map<string, StoredPhoto[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM vision_photos WHERE store_id = ? AND sku IS NOT NULL
         ORDER BY sku, source = 'contribution', added_at, id`,
      )
      .all(storeId) as PhotoRow[];
    const out = new Map<string, StoredPhoto[]>();
    for (const row of rows) {
      const list = out.get(row.sku!) ?? [];
      list.push(photoOf(row));
      out.set(row.sku!, list);
    }
    return out;
  }

  samePhoto(storeId: string, sku: string, sha256: string): StoredPhoto | undefined {
    const row = this.db
      .prepare(`SELECT * FROM vision_photos WHERE store_id = ? AND sku = ? AND sha256 = ? AND source = 'enrolment'`)
      .get(storeId, sku, sha256) as PhotoRow | undefined;
    return row && photoOf(row);
  }

  countPhotos(storeId: string, sku: string, source: PhotoSource): number {
    return this.db
      .prepare('SELECT count(*) FROM vision_photos WHERE store_id = ? AND sku = ? AND source = ?')
      .pluck()
      .get(storeId, sku, source) as number;
  }

  deletePhoto(id: string): void {
    this.db.prepare('DELETE FROM vision_photos WHERE id = ?').run(id);
  }

  deleteProduct(storeId: string, sku: string): StoredPhoto[] {
    const photos = this.photosOf(storeId, sku);
    this.db.prepare('DELETE FROM vision_photos WHERE store_id = ? AND sku = ?').run(storeId, sku);
    return photos;
  }

  /** Rows naming a file: when none is left, the file goes. */
  sha256Uses(sha256: string): number {
    return this.db.prepare('SELECT count(*) FROM vision_photos WHERE sha256 = ?').pluck().get(sha256) as number;
  }

  allSha256(): string[] {
    return this.db.prepare('SELECT DISTINCT sha256 FROM vision_photos').pluck().all() as string[];
  }

  /** A cart's contribution for a record (at most one per cart and record). */
  contribution(thingName: string, recordId: string): StoredPhoto | undefined {
    const row = this.db
      .prepare('SELECT * FROM vision_photos WHERE thing_name = ? AND record_id = ?')
      .get(thingName, recordId) as PhotoRow | undefined;
    return row && photoOf(row);
  }

  pendingContributions(storeId: string): number {
    return this.db
      .prepare(`SELECT count(*) FROM vision_photos WHERE store_id = ? AND source = 'contribution' AND sku IS NULL`)
      .pluck()
      .get(storeId) as number;
  }

  assignContribution(id: string, sku: string): void {
    this.db.prepare('UPDATE vision_photos SET sku = ? WHERE id = ?').run(sku, id);
  }

  /** A product's contributions beyond the newest `keep`, oldest first (to be deleted). */
  contributionsBeyond(storeId: string, sku: string, keep: number): StoredPhoto[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM vision_photos WHERE store_id = ? AND sku = ? AND source = 'contribution'
           ORDER BY added_at DESC, id DESC LIMIT -1 OFFSET ?`,
        )
        .all(storeId, sku, keep) as PhotoRow[]
    ).map(photoOf);
  }

  embedding(photoId: string, modelName: string, modelVersion: string): Float32Array | undefined {
    const blob = this.db
      .prepare('SELECT embedding FROM vision_embeddings WHERE photo_id = ? AND model_name = ? AND model_version = ?')
      .pluck()
      .get(photoId, modelName, modelVersion) as Buffer | undefined;
    if (!blob) return undefined;
    const out = new Float32Array(blob.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = blob.readFloatLE(i * 4);
    return out;
  }

  embeddedWith(photoId: string): { name: string; version: string }[] {
    return this.db
      .prepare(
        'SELECT model_name AS name, model_version AS version FROM vision_embeddings WHERE photo_id = ? ORDER BY created_at',
      )
      .all(photoId) as { name: string; version: string }[];
  }

  insertEmbedding(photoId: string, modelName: string, modelVersion: string, embedding: Float32Array, at: number): void {
    const blob = Buffer.alloc(embedding.length * 4);
    for (let i = 0; i < embedding.length; i++) blob.writeFloatLE(embedding[i]!, i * 4);
    this.db
      .prepare(
        `INSERT OR REPLACE INTO vision_embeddings (photo_id, model_name, model_version, embedding, created_at)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(photoId, modelName, modelVersion, blob, at);
  }

  state(storeId: string): StoreVisionState {
    const row = this.db.prepare('SELECT * FROM vision_store_state WHERE store_id = ?').get(storeId) as
      | {
          contributions: number;
          planogram: string;
          settings_updated_at: number | null;
          settings_updated_by: string | null;
          change_seq: number;
          changed_at: number | null;
        }
      | undefined;
    if (!row) {
      return {
        storeId,
        contributions: false,
        planogram: [],
        settingsUpdatedAt: null,
        settingsUpdatedBy: null,
        changeSeq: 0,
        changedAt: null,
      };
    }
    return {
      storeId,
      contributions: row.contributions === 1,
      planogram: JSON.parse(row.planogram) as PlanogramEntry[],
      settingsUpdatedAt: row.settings_updated_at,
      settingsUpdatedBy: row.settings_updated_by,
      changeSeq: row.change_seq,
      changedAt: row.changed_at,
    };
  }

  putSettings(storeId: string, contributions: boolean, planogram: PlanogramEntry[], at: number, by: string): void {
    this.db
      .prepare(
        `INSERT INTO vision_store_state (store_id, contributions, planogram, settings_updated_at, settings_updated_by)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (store_id) DO UPDATE SET contributions = excluded.contributions, planogram = excluded.planogram,
           settings_updated_at = excluded.settings_updated_at, settings_updated_by = excluded.settings_updated_by`,
      )
      .run(storeId, contributions ? 1 : 0, JSON.stringify(planogram), at, by);
  }

  /** Records that the store's enrolment changed (its gallery is due a build). */
  markChanged(storeId: string, at: number): void {
    this.db
      .prepare(
        `INSERT INTO vision_store_state (store_id, change_seq, changed_at) VALUES (?, 1, ?)
         ON CONFLICT (store_id) DO UPDATE SET change_seq = change_seq + 1, changed_at = excluded.changed_at`,
      )
      .run(storeId, at);
  }

  insertVersion(v: StoredGalleryVersion): void {
    this.db
      .prepare(
        `INSERT INTO vision_gallery_versions (store_id, version, created_at, created_by, trigger, change_seq,
           content_digest, products, photos, left_out, skus, model_name, model_version, embedding_size, sha256, bytes,
           release_id, rollout_id)
         VALUES (@storeId, @version, @createdAt, @createdBy, @trigger, @changeSeq, @contentDigest, @products, @photos,
           @leftOut, @skus, @modelName, @modelVersion, @embeddingSize, @sha256, @bytes, @releaseId, @rolloutId)`,
      )
      .run({ ...v, leftOut: JSON.stringify(v.leftOut), skus: JSON.stringify(v.skus) });
  }

  latestVersion(storeId: string): StoredGalleryVersion | undefined {
    const row = this.db
      .prepare('SELECT * FROM vision_gallery_versions WHERE store_id = ? ORDER BY version DESC LIMIT 1')
      .get(storeId) as VersionRow | undefined;
    return row && versionOf(row);
  }

  versions(storeId: string, limit: number, offset: number): { items: StoredGalleryVersion[]; total: number } {
    const rows = this.db
      .prepare('SELECT * FROM vision_gallery_versions WHERE store_id = ? ORDER BY version DESC LIMIT ? OFFSET ?')
      .all(storeId, limit, offset) as VersionRow[];
    const total = this.db
      .prepare('SELECT count(*) FROM vision_gallery_versions WHERE store_id = ?')
      .pluck()
      .get(storeId) as number;
    return { items: rows.map(versionOf), total };
  }

  /** The newest version that has the product. */
  latestVersionWith(storeId: string, sku: string): number | null {
    return (
      (this.db
        .prepare(
          `SELECT max(version) FROM vision_gallery_versions, json_each(vision_gallery_versions.skus)
           WHERE store_id = ? AND json_each.value = ?`,
        )
        .pluck()
        .get(storeId, sku) as number | null) ?? null
    );
  }

  /** Stores with enrolment changes newer than their latest version (an automatic build was due at a restart). */
  storesChangedSinceLatest(): string[] {
    return this.db
      .prepare(
        `SELECT s.store_id FROM vision_store_state s
         WHERE s.change_seq > coalesce((SELECT max(v.change_seq) FROM vision_gallery_versions v
           WHERE v.store_id = s.store_id), 0)`,
      )
      .pluck()
      .all() as string[];
  }

  /** Products of a store with at least one photo. */
  skusWithPhotos(storeId: string): string[] {
    return this.db
      .prepare('SELECT DISTINCT sku FROM vision_photos WHERE store_id = ? AND sku IS NOT NULL ORDER BY sku')
      .pluck()
      .all(storeId) as string[];
  }
}
