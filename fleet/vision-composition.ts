import { Readable } from 'node:stream';
import semver from 'semver';
import type { Clock } from '../platform/clock.ts';
import type { EventBus } from '../platform/event-bus.ts';
import type { Logger } from '../platform/log.ts';
import type { RolloutSpec } from '../protocol/api/rollouts.ts';
import { OTA_SHADOW } from '../protocol/ota/device-ota.ts';
import type { ReleaseManifest } from '../protocol/ota/release.ts';
import type { DeviceBroker } from './broker/device-broker.ts';
import type { CatalogService } from './catalog/catalog-service.ts';
import type { FleetConfig } from './config.ts';
import type { DeviceHttpsServer } from './device-https/device-https-server.ts';
import type { FleetEvents } from './fleet-events.ts';
import type { ReleaseService } from './ota/releases/release-service.ts';
import type { RolloutService } from './ota/rollouts/rollout-service.ts';
import type { PresenceService } from './presence/presence-service.ts';
import type { DeviceRegistry } from './registry/device-registry.ts';
import type { StoreRepository } from './registry/store-repository.ts';
import type { ShadowService } from './shadow/shadow-service.ts';
import type { Database } from './storage/database.ts';
import type { DatabaseWriter } from './storage/database-writer.ts';
import { addContributionRoute } from './vision/contribution-route.ts';
import { EmbeddingModels } from './vision/embedding-models.ts';
import { GalleryBuildScheduler } from './vision/gallery-build-scheduler.ts';
import { GalleryBuilds, type GalleryReleasePort, type GalleryRolloutPort } from './vision/gallery-builds.ts';
import { GalleryEnrolment } from './vision/gallery-enrolment.ts';
import { GalleryRepository } from './vision/gallery-repository.ts';
import { PhotoEmbedder } from './vision/photo-embedder.ts';
import { PhotoFiles } from './vision/photo-files.ts';
import { PhotoOptInSync } from './vision/photo-opt-in.ts';
import { RecognitionIngest } from './vision/recognition-ingest.ts';
import { RecognitionRepository } from './vision/recognition-repository.ts';
import { VisionChanges } from './vision/vision-changes.ts';
import { VisionService } from './vision/vision-service.ts';

const GALLERY_ROLLOUT_ACTOR = { username: 'gallery-builder', storeIds: null };

/** A one-wave rollout of a gallery release to one store's carts. */
export function galleryRolloutSpec(storeId: string, releaseId: string, name: string): RolloutSpec {
  return {
    releaseId,
    name,
    targets: { storeIds: [storeId], kinds: ['cart'] },
    // One wave: a gallery is data checked on the cart (it must decode and match its model) and swapped live, and a
    // cart keeps its previous gallery when one is refused; there is no canary to learn from first.
    phases: [{ name: 'store', percent: 100, start: { kind: 'immediately' } }],
    ratePerMinute: null,
    storeBandwidthKbps: null,
    abort: { failureTypes: ['FAILED', 'REJECTED'], thresholdPercent: 50, minFinished: 3 },
    retries: { FAILED: 1, TIMED_OUT: 2 },
    inProgressTimeoutMinutes: 60,
    useMaintenanceWindows: false,
    allowDowngrade: false,
    healthCheckTimeoutSeconds: 60,
    maxTrialBoots: 1,
  };
}

/** The release store as the gallery builds publish through it. */
export function galleryReleasePort(releases: ReleaseService): GalleryReleasePort {
  return {
    canSign: () => releases.keys.signingKey !== null && releases.keys.signingKey !== undefined,
    highestMajor: (name) =>
      releases.repository
        .ofName(name)
        .map((r) => (semver.valid(r.version) ? semver.major(r.version) : 0))
        .reduce((a, b) => Math.max(a, b), 0),
    async publish(bytes: Buffer, manifest: ReleaseManifest, actor: string) {
      await releases.stage(Readable.from([bytes]), { username: actor });
      return (await releases.publish({ manifest }, { username: actor })).id;
    },
  };
}

/** The rollout service as the gallery builds roll out through it. */
export function galleryRolloutPort(rollouts: RolloutService | undefined, writer: DatabaseWriter): GalleryRolloutPort {
  return {
    async start(storeId, releaseId, name, previous) {
      if (!rollouts) return null;
      if (previous) {
        const state = stateOf(rollouts, previous);
        if (state === 'running' || state === 'paused' || state === 'scheduled')
          await rollouts.cancel(GALLERY_ROLLOUT_ACTOR, previous, 'a newer gallery version');
        // The canceled executions reach the rollout's device rows through the (ordered) writer: once a write
        // queued after them has run, the carts are no longer busy on the old rollout.
        await writer.write('vision.gallery.rollout-settle', () => {});
      }
      const spec = galleryRolloutSpec(storeId, releaseId, name);
      const devices = rollouts.preview(spec).devices;
      if (devices === 0) return null;
      // A store with fewer carts than the abort rule's minimum could never abort (ROLLOUT_INVALID).
      spec.abort.minFinished = Math.min(spec.abort.minFinished, devices);
      return (await rollouts.create(spec, GALLERY_ROLLOUT_ACTOR)).id;
    },
    state: (rolloutId) => (rollouts ? stateOf(rollouts, rolloutId) : undefined),
  };
}

function stateOf(rollouts: RolloutService, id: string) {
  try {
    return rollouts.get(GALLERY_ROLLOUT_ACTOR, id).state;
  } catch {
    return undefined;
  }
}

/** Product recognition's fleet parts (issue 11), made together; `FleetServer` starts them after the release store. */
export function composeVision(deps: {
  config: FleetConfig;
  log: Logger;
  clock: Clock;
  bus: EventBus<FleetEvents>;
  db: Database;
  writer: DatabaseWriter;
  broker: DeviceBroker;
  stores: StoreRepository;
  registry: DeviceRegistry;
  presence: PresenceService;
  shadows: ShadowService;
  catalog: CatalogService;
  deviceHttps: DeviceHttpsServer;
  releases: ReleaseService;
  rollouts: () => RolloutService | undefined;
}): VisionService {
  const { config, log, clock, db, writer, releases, stores, registry } = deps;
  const options = config.vision;
  const repository = new GalleryRepository(db);
  const records = new RecognitionRepository(db);
  const files = new PhotoFiles(config.dataDir);
  const models = new EmbeddingModels(
    { committedDir: options.modelDir, modelName: options.modelName },
    {
      releasesNamed: (name) =>
        releases.repository.ofName(name).map((r) => ({
          component: r.component,
          version: r.version,
          sha256: r.sha256,
          metadata: r.manifest.metadata,
        })),
      artifactPath: (sha256) => releases.files.artifactPath(sha256),
    },
  );
  const embedder = new PhotoEmbedder();
  const visionLog = log.child({ component: 'vision' });
  const changes = new VisionChanges(deps.bus, clock);
  let scheduler: GalleryBuildScheduler | undefined;
  const optIn = new PhotoOptInSync({
    carts: () => registry.listThings({ kind: 'cart' }).map((t) => ({ thingName: t.thingName, storeId: t.storeId })),
    cartsOf: (storeId) => registry.listThings({ storeId, kind: 'cart' }).map((t) => t.thingName),
    cartStore: (thingName) => {
      const thing = registry.getThing(thingName);
      return thing?.kind === 'cart' ? (thing.storeId ?? null) : undefined;
    },
    contributions: (storeId) => repository.state(storeId).contributions,
    shadows: deps.shadows,
    bus: deps.bus,
    log: log.child({ component: 'vision' }),
  });
  const enrolment = new GalleryEnrolment(
    {
      repository,
      files,
      writer,
      models,
      embedder,
      catalog: {
        product: (sku) => {
          try {
            return deps.catalog.getProduct(sku);
          } catch {
            return undefined;
          }
        },
        categories: () => deps.catalog.listCategories(),
        storeExists: (storeId) => stores.getStore(storeId) !== undefined,
        zoneIdsOf: (storeId) => stores.listZones(storeId).map((z) => z.id),
      },
      clock,
      log: visionLog,
      onChanged: (storeId) => {
        scheduler?.schedule(storeId);
        changes.changed(storeId, 'gallery');
      },
      onContributionsChanged: (storeId) => optIn.storeChanged(storeId),
    },
    { maxContributionsPerProduct: options.maxContributionsPerProduct },
  );
  const builds = new GalleryBuilds({
    repository,
    enrolment,
    models,
    files,
    writer,
    releases: galleryReleasePort(releases),
    rollouts: {
      start: (...args) => galleryRolloutPort(deps.rollouts(), writer).start(...args),
      state: (id) => galleryRolloutPort(deps.rollouts(), writer).state(id),
    },
    clock,
    log: visionLog,
    onBuilt: (storeId) => changes.changed(storeId, 'gallery'),
  });
  scheduler = new GalleryBuildScheduler(
    builds,
    () => repository.storesChangedSinceLatest(),
    clock,
    visionLog,
    options.buildDebounceMs,
  );
  const ingest = new RecognitionIngest(
    {
      repository: records,
      writer,
      broker: deps.broker,
      storeOf: (thingName) => registry.getThing(thingName)?.storeId ?? null,
      onStored: (rows) => {
        for (const storeId of new Set(rows.map((r) => r.storeId))) if (storeId) changes.changed(storeId, 'records');
        for (const row of rows) {
          void enrolment
            .recordArrived(row.thingName, row.record.id, row.record.outcome?.truthSku ?? null)
            .catch((err: unknown) => visionLog.warn({ err }, 'a contribution did not join its product'));
        }
      },
      log: visionLog,
      clock,
    },
    { retentionDays: options.recordRetentionDays },
  );
  addContributionRoute(deps.deviceHttps, {
    thingOf: (thingName) => registry.getThing(thingName),
    repository,
    records,
    enrolment,
    maxPending: options.maxPendingContributions,
  });
  return new VisionService({
    repository,
    records,
    files,
    models,
    embedder,
    enrolment,
    builds,
    scheduler,
    ingest,
    optIn,
    changes,
    fleet: {
      storeExists: (storeId) => stores.getStore(storeId) !== undefined,
      cartsOf: (storeId) => registry.listThings({ storeId, kind: 'cart' }).map((t) => t.thingName),
      online: (thingName) => deps.presence.get(thingName)?.state === 'online',
      otaReported: (thingName) => deps.shadows.find(thingName, OTA_SHADOW)?.state.reported ?? null,
    },
    clock,
  });
}
