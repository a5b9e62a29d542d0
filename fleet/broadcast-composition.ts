import { join } from 'node:path';
import type { Clock } from '../platform/clock.ts';
import type { EventBus } from '../platform/event-bus.ts';
import type { Logger } from '../platform/log.ts';
import { MIN_HORIZON_DAYS } from '../protocol/broadcast/manifest.ts';
import { Announcer } from './broadcast/announcer/announcer.ts';
import { CatalogProductFields } from './broadcast/announcer/product-fields.ts';
import { announcerIngest } from './broadcast/content/announcer-ingest.ts';
import { ContentLibrary, visibleTo } from './broadcast/content/content-library.ts';
import { addBroadcastRoutes } from './broadcast/delivery/device-content-routes.ts';
import { ManifestPublisher } from './broadcast/delivery/manifest-publisher.ts';
import { ManifestRepository } from './broadcast/delivery/manifest-repository.ts';
import { InsertRepository } from './broadcast/inserts/insert-repository.ts';
import { InsertService } from './broadcast/inserts/insert-service.ts';
import { PlayIngest } from './broadcast/plays/play-ingest.ts';
import { PlayRepository } from './broadcast/plays/play-repository.ts';
import { CartPresenceRelay } from './broadcast/presence/cart-presence-relay.ts';
import { BroadcastScheduleService } from './broadcast/schedule/broadcast-schedule-service.ts';
import type { UpliftSources } from './broadcast/uplift/uplift-service.ts';
import type { DeviceBroker } from './broker/device-broker.ts';
import type { CatalogService } from './catalog/catalog-service.ts';
import type { FleetConfig } from './config.ts';
import { DeviceHttpsServer } from './device-https/device-https-server.ts';
import type { FleetEvents } from './fleet-events.ts';
import type { FleetExtensions } from './fleet-server.ts';
import type { DeviceAuthenticator } from './identity/device-authenticator.ts';
import { storeDay } from './loyalty/store-day.ts';
import type { CertificateAuthority } from './pki/certificate-authority.ts';
import type { PresenceService } from './presence/presence-service.ts';
import type { PromotionService } from './promotions/promotion-service.ts';
import type { DeviceRegistry } from './registry/device-registry.ts';
import type { StoreRepository } from './registry/store-repository.ts';
import type { ShadowService } from './shadow/shadow-service.ts';
import type { Database } from './storage/database.ts';
import type { DatabaseWriter } from './storage/database-writer.ts';

/** The store broadcast parts of the fleet (issue 9), made together; `FleetServer` starts and stops them in order. */
export interface BroadcastParts {
  content: ContentLibrary;
  broadcastSchedule: BroadcastScheduleService;
  manifestRepository: ManifestRepository;
  manifests: ManifestPublisher;
  announcer: Announcer;
  deviceHttps: DeviceHttpsServer;
  playRepository: PlayRepository;
  plays: PlayIngest;
  cartPresence: CartPresenceRelay;
  inserts: InsertService;
}

export interface BroadcastDeps {
  config: FleetConfig;
  log: Logger;
  clock: Clock;
  bus: EventBus<FleetEvents>;
  ca: CertificateAuthority;
  db: Database;
  writer: DatabaseWriter;
  stores: StoreRepository;
  registry: DeviceRegistry;
  broker: DeviceBroker;
  shadows: ShadowService;
  presence: PresenceService;
  catalog: CatalogService;
  promotions: PromotionService;
  identifyThing: DeviceAuthenticator['identifyThing'];
  extensions: FleetExtensions;
}

/**
 * Makes the broadcast parts and ties them to each other: the content library (whose removals the schedule can refuse),
 * the schedule (compiling from the library's assets), delivery (publishing what the schedule compiles, serving the
 * library's files on the device HTTPS endpoint to speakers whose manifests or live inserts name them), the announcer
 * (storing through the library), proof of play, inserts and emergencies, and the cart presence relay.
 */
export function composeBroadcast(deps: BroadcastDeps): BroadcastParts {
  const { config, log, clock, bus, db, writer, stores, registry, extensions } = deps;
  const content = new ContentLibrary(
    { dataDir: config.dataDir, ...config.broadcast, writeDeadlineMs: config.storage.writeDeadlineMs },
    db,
    writer,
    log.child({ component: 'content' }),
    clock,
    // A programme, campaign or store override still naming it: removing it would silence a schedule.
    { isInUse: (sha256) => broadcastSchedule.usesAsset(sha256) },
  );
  const broadcastSchedule = new BroadcastScheduleService(
    db,
    writer,
    stores,
    registry,
    extensions.broadcastAssets ?? content,
    bus,
    { writeDeadlineMs: config.storage.writeDeadlineMs, horizonDays: MIN_HORIZON_DAYS },
    clock,
  );
  const manifestRepository = new ManifestRepository(db);
  const manifests = new ManifestPublisher(
    manifestRepository,
    extensions.manifestSource ?? broadcastSchedule,
    deps.shadows,
    registry,
    writer,
    bus,
    {
      debounceMs: config.broadcastDelivery.debounceMs,
      keepVersions: config.broadcastDelivery.keepManifestVersions,
      rolloverCheckMs: config.broadcastDelivery.rolloverCheckMs,
    },
    log.child({ component: 'broadcast-delivery' }),
    clock,
  );
  const announcer = new Announcer(
    {
      db,
      writer,
      ingest: announcerIngest(content),
      products: new CatalogProductFields(deps.catalog, deps.promotions, stores),
      storeExists: (id) => stores.getStore(id) !== undefined,
      clock,
      log: log.child({ component: 'announcer' }),
    },
    {
      speechThreads: config.announcer.speechThreads,
      tempDir: join(config.dataDir, 'tmp', 'announcer'),
      writeDeadlineMs: config.storage.writeDeadlineMs,
    },
  );
  const inserts = new InsertService({
    repository: new InsertRepository(db),
    writer,
    assets: {
      usableIn: (sha256, storeId) => {
        const asset = content.get(sha256);
        return asset && visibleTo(asset, new Set([storeId])) ? asset : undefined;
      },
    },
    speakersOf: (storeId) => registry.listThings({ kind: 'speaker', storeId }).map((t) => t.thingName),
    storeOf: (thingName) => registry.getThing(thingName)?.storeId,
    online: (thingName) => deps.presence.get(thingName)?.state === 'online',
    shadows: deps.shadows,
    bus,
    clock,
    log: log.child({ component: 'broadcast-inserts' }),
  });
  const deviceHttps = new DeviceHttpsServer(
    {
      host: config.mqtt.host,
      port: config.deviceHttps.port,
      tls: { caPem: deps.ca.caPem, certPem: deps.ca.serverCertificatePem, keyPem: deps.ca.serverPrivateKeyPem },
    },
    deps.identifyThing,
    log.child({ component: 'device-https' }),
  );
  // Speakers download the library's stored files (a test may pass other files).
  addBroadcastRoutes(deviceHttps, manifestRepository, extensions.contentFiles ?? content, (thing, sha256) =>
    inserts.references(thing, sha256),
  );
  const playRepository = new PlayRepository(db);
  const plays = new PlayIngest(playRepository, writer, deps.broker, registry, log.child({ component: 'plays' }), clock);
  const cartPresence = new CartPresenceRelay({
    bus,
    things: registry,
    publish: (topic, payload) => deps.broker.publish(topic, payload, 0),
    clock,
    log: log.child({ component: 'cart-presence' }),
  });
  return {
    content,
    broadcastSchedule,
    manifestRepository,
    manifests,
    announcer,
    deviceHttps,
    playRepository,
    plays,
    cartPresence,
    inserts,
  };
}

/** The uplift report's broadcast side: the schedule's promo placements, and their plays from proof of play. */
export function upliftPromos(
  parts: Pick<BroadcastParts, 'broadcastSchedule' | 'playRepository'>,
  stores: StoreRepository,
): Pick<UpliftSources, 'placements' | 'plays'> {
  return {
    placements: (storeId, fromDay, toDay) => parts.broadcastSchedule.promoPlacements(storeId, fromDay, toDay),
    plays: (storeId, thingNames, campaignId, fromDay, toDay) => {
      const zone = stores.getStore(storeId)?.timeZone ?? 'UTC';
      // Noon UTC of a date lies on that date in every zone within ±11 h of UTC (all of the chain's).
      const dayOf = (day: string) => storeDay(Date.parse(`${day}T12:00:00Z`), zone);
      const rows = parts.playRepository.totals('thing', {
        storeIds: [storeId],
        from: dayOf(fromDay).start,
        to: dayOf(toDay).end,
        ...(campaignId ? { campaignId } : {}),
      });
      const mine = rows.filter((r) => r.key !== null && thingNames.includes(r.key));
      return {
        plays: mine.reduce((n, r) => n + r.completed, 0),
        presenceTriggers: mine.reduce((n, r) => n + r.pir + r.cart, 0),
      };
    },
  };
}
