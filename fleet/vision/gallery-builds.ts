import { createHash } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import type { RolloutState } from '../../protocol/api/rollouts.ts';
import type {
  GalleryBuildResult,
  GalleryVersion,
  GalleryVersionPage,
  GalleryVersionState,
} from '../../protocol/api/vision.ts';
import { FleetError } from '../../protocol/errors.ts';
import { ARTIFACT_MEDIA_TYPES, type ReleaseManifest } from '../../protocol/ota/release.ts';
import {
  type GalleryModel,
  type GalleryReleaseMetadata,
  galleryReleaseName,
  galleryReleaseVersion,
} from '../../protocol/vision/gallery.ts';
import { buildGallery } from '../../vision/gallery/gallery-builder.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';
import type { EmbeddingModels } from './embedding-models.ts';
import type { GalleryCandidate, GalleryEnrolment } from './gallery-enrolment.ts';
import type { GalleryRepository, StoredGalleryVersion } from './gallery-repository.ts';
import type { PhotoFiles } from './photo-files.ts';
import { decodePhoto, thumbnailOf } from './product-photo.ts';

/** Zones a gallery product may name (the format's limit). */
const MAX_PRODUCT_ZONES = 16;

/** How a built gallery becomes a signed release (the fleet's release store). */
export interface GalleryReleasePort {
  /** Whether the fleet has a signing key (`ota.signingKeyFile`): a gallery is published signed by it. */
  canSign(): boolean;
  /** The highest major version published under `name`, or 0. */
  highestMajor(name: string): number;
  /** Stages the bytes and publishes the manifest, signed by the fleet's key; the release id. */
  publish(bytes: Buffer, manifest: ReleaseManifest, actor: string): Promise<string>;
}

/** How a gallery release reaches the store's carts (the rollout engine). */
export interface GalleryRolloutPort {
  /**
   * A one-wave rollout of the release to the store's carts, after canceling `previous` if it has not finished (its
   * carts would be busy, and a newer gallery supersedes it); null when the store has no cart to send it to.
   */
  start(storeId: string, releaseId: string, name: string, previous: string | null): Promise<string | null>;
  state(rolloutId: string): RolloutState | undefined;
}

export interface BuildOptions {
  trigger: 'manual' | 'enrolment-change';
  actor: string | null;
  force?: boolean;
}

/**
 * A store's gallery builds (issue 11 item 4): the enrolled products' prototypes (`vision/gallery` `buildGallery`) with
 * a thumbnail from each product's first photo and its zones from the planogram, published as a signed release of
 * component `gallery` (`gallery-<storeId>`, version `<galleryVersion>.0.0`, metadata: store, version, model), then a
 * rollout to the store's carts. Builds of one store run one at a time; a build with nothing changed since the last
 * version (same model, same products, photos and zones) is a no-op. VISION_MODEL_UNAVAILABLE without an embedder,
 * RELEASE_SIGNING_KEY_MISSING without the fleet's signing key: nothing is built either way.
 */
export class GalleryBuilds {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly deps: {
      repository: GalleryRepository;
      enrolment: GalleryEnrolment;
      models: EmbeddingModels;
      files: PhotoFiles;
      writer: DatabaseWriter;
      releases: GalleryReleasePort;
      rollouts: GalleryRolloutPort;
      clock: Clock;
      log: Logger;
      /** A version was built and published (the live view's `vision.changed`). */
      onBuilt?: (storeId: string) => void;
    },
  ) {}

  build(storeId: string, options: BuildOptions): Promise<GalleryBuildResult> {
    const previous = this.queues.get(storeId) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.buildNow(storeId, options));
    this.queues.set(storeId, next);
    const clear = () => {
      if (this.queues.get(storeId) === next) this.queues.delete(storeId);
    };
    next.then(clear, clear);
    return next;
  }

  /** Resolves when no build is running (stop() waits for it). */
  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.allSettled([...this.queues.values()]);
  }

  versions(storeId: string, limit: number, offset: number): GalleryVersionPage {
    const page = this.deps.repository.versions(storeId, limit, offset);
    return { items: page.items.map((v) => this.view(v)), total: page.total };
  }

  latest(storeId: string): GalleryVersion | null {
    const latest = this.deps.repository.latestVersion(storeId);
    return latest ? this.view(latest) : null;
  }

  view(v: StoredGalleryVersion): GalleryVersion {
    return {
      storeId: v.storeId,
      version: v.version,
      createdAt: v.createdAt,
      createdBy: v.createdBy,
      trigger: v.trigger,
      products: v.products,
      photos: v.photos,
      leftOut: v.leftOut,
      model: { name: v.modelName, version: v.modelVersion, embeddingSize: v.embeddingSize },
      sha256: v.sha256,
      bytes: v.bytes,
      releaseId: v.releaseId,
      releaseName: galleryReleaseName(v.storeId),
      releaseVersion: galleryReleaseVersion(v.version),
      rolloutId: v.rolloutId,
      state: this.stateOf(v.rolloutId),
    };
  }

  private stateOf(rolloutId: string | null): GalleryVersionState {
    if (!rolloutId) return 'published';
    const state = this.deps.rollouts.state(rolloutId);
    if (state === 'completed') return 'rolled-out';
    if (state === 'aborted' || state === 'canceled' || state === undefined) return 'stopped';
    return 'rolling-out';
  }

  private async buildNow(storeId: string, options: BuildOptions): Promise<GalleryBuildResult> {
    const { repository, enrolment, releases, clock } = this.deps;
    const model = this.deps.models.current();
    if (!releases.canSign()) {
      throw new FleetError(
        'RELEASE_SIGNING_KEY_MISSING',
        'a gallery is published as a release signed by the fleet: configure ota.signingKeyFile',
      );
    }
    const state = repository.state(storeId);
    const latest = repository.latestVersion(storeId);
    const { ready, leftOut } = await enrolment.candidates(storeId, model);
    const galleryModel: GalleryModel = { name: model.name, version: model.version, embeddingSize: model.embeddingSize };
    const digest = contentDigest(galleryModel, ready);
    if (ready.length === 0) return { built: false, reason: 'no-recognisable-products', version: this.latest(storeId) };
    if (latest && latest.contentDigest === digest && !options.force) {
      return { built: false, reason: 'unchanged', version: this.view(latest) };
    }
    const name = galleryReleaseName(storeId);
    const version = Math.max(latest?.version ?? 0, releases.highestMajor(name)) + 1;
    const createdAt = clock.now();
    const thumbnails = await Promise.all(ready.map((c) => this.thumbnail(c)));
    const built = buildGallery({
      storeId,
      version,
      createdAt,
      model: galleryModel,
      products: ready.map((c, i) => ({
        sku: c.product.sku,
        label: { zh: c.product.name.zh.slice(0, 80), en: c.product.name.en.slice(0, 80) },
        plu: c.product.plu,
        embeddings: c.embeddings,
        thumbnail: thumbnails[i] ?? null,
        ...(c.zones.length > 0 ? { zones: c.zones.slice(0, MAX_PRODUCT_ZONES) } : {}),
      })),
    });
    const metadata: GalleryReleaseMetadata = { storeId, galleryVersion: version, model: galleryModel };
    const manifest: ReleaseManifest = {
      schema: 1,
      component: 'gallery',
      name,
      version: galleryReleaseVersion(version),
      deviceKinds: ['cart'],
      hardwareModels: [],
      upgradeFrom: '*',
      artifact: {
        sha256: createHash('sha256').update(built.bytes).digest('hex'),
        size: built.bytes.length,
        mediaType: ARTIFACT_MEDIA_TYPES.gallery,
      },
      createdAt: new Date(createdAt).toISOString(),
      notes: `${storeId} gallery ${version}: ${built.header.products.length} products, ${model.name}@${model.version}`,
      metadata,
    };
    const actor = options.actor ?? 'gallery-builder';
    const releaseId = await releases.publish(built.bytes, manifest, actor);
    // The version is recorded whether its rollout starts or not (the release exists): a refused rollout is answered
    // with its code after the row is in, and a forced build tries again.
    let rolloutId: string | null = null;
    let rolloutError: unknown;
    try {
      rolloutId = await this.deps.rollouts.start(storeId, releaseId, `${name} ${version}`, latest?.rolloutId ?? null);
    } catch (err) {
      rolloutError = err;
    }
    const stored: StoredGalleryVersion = {
      storeId,
      version,
      createdAt,
      createdBy: options.actor,
      trigger: options.trigger,
      changeSeq: state.changeSeq,
      contentDigest: digest,
      products: built.header.products.length,
      photos: built.header.products.reduce((n, p) => n + p.photos, 0),
      leftOut: [...leftOut, ...built.leftOut],
      skus: built.header.products.map((p) => p.sku),
      modelName: model.name,
      modelVersion: model.version,
      embeddingSize: model.embeddingSize,
      sha256: manifest.artifact.sha256,
      bytes: built.bytes.length,
      releaseId,
      rolloutId,
    };
    await this.deps.writer.write('vision.gallery.version', () => repository.insertVersion(stored));
    if (rolloutError !== undefined) {
      this.deps.log.warn(
        { err: rolloutError, storeId, version, releaseId },
        'gallery published; its rollout did not start',
      );
      throw rolloutError;
    }
    this.deps.log.info(
      { storeId, version, products: stored.products, releaseId, rolloutId, trigger: options.trigger },
      'gallery built and published',
    );
    this.deps.onBuilt?.(storeId);
    return { built: true, reason: null, version: this.view(stored) };
  }

  private async thumbnail(candidate: GalleryCandidate): Promise<Buffer | null> {
    const first = candidate.photos[0];
    if (!first) return null;
    try {
      return await thumbnailOf(await decodePhoto(await this.deps.files.read(first.sha256)));
    } catch (err) {
      this.deps.log.warn({ err, photoId: first.id }, 'no thumbnail for a gallery product');
      return null;
    }
  }
}

/** What a gallery is made of: the model, and per product its label, PLU, photos and zones. Equal: nothing changed. */
function contentDigest(model: GalleryModel, ready: readonly GalleryCandidate[]): string {
  const products = [...ready]
    .sort((a, b) => (a.product.sku < b.product.sku ? -1 : 1))
    .map((c) => ({
      sku: c.product.sku,
      label: c.product.name,
      plu: c.product.plu,
      photos: c.photos.map((p) => p.id).sort(),
      zones: c.zones,
    }));
  return createHash('sha256').update(JSON.stringify({ model, products })).digest('hex');
}
