import { fileURLToPath } from 'node:url';
import type { AssetCatalog } from '../broadcast/schedule/compile-input.ts';
import { type Clock, systemClock } from '../platform/clock.ts';
import { EventBus } from '../platform/event-bus.ts';
import type { Logger } from '../platform/log.ts';
import { AccessService } from './access/access-service.ts';
import { AlertEngine } from './alerts/alert-engine.ts';
import { AlertRepository } from './alerts/alert-repository.ts';
import type { AttendantService } from './attendants/attendant-service.ts';
import type { OfflineApprovalFlags } from './attendants/offline-approval-flags.ts';
import type { StaffCodes } from './attendants/staff-codes.ts';
import { AuditLog } from './audit/audit-log.ts';
import type { Announcer } from './broadcast/announcer/announcer.ts';
import type { ContentLibrary } from './broadcast/content/content-library.ts';
import type { ContentFiles, ManifestSource } from './broadcast/delivery/delivery-ports.ts';
import type { ManifestPublisher } from './broadcast/delivery/manifest-publisher.ts';
import type { InsertService } from './broadcast/inserts/insert-service.ts';
import type { PlayIngest } from './broadcast/plays/play-ingest.ts';
import type { PlayRepository } from './broadcast/plays/play-repository.ts';
import type { CartPresenceRelay } from './broadcast/presence/cart-presence-relay.ts';
import type { BroadcastScheduleService } from './broadcast/schedule/broadcast-schedule-service.ts';
import { composeBroadcast, upliftPromos } from './broadcast-composition.ts';
import { DeviceBroker } from './broker/device-broker.ts';
import { CatalogService } from './catalog/catalog-service.ts';
import { composeCheckout, snapshotOrderPricing } from './checkout-composition.ts';
import { CommandRepository } from './commands/command-repository.ts';
import { CommandService } from './commands/command-service.ts';
import type { CommerceGateway } from './commerce-gateway/commerce-gateway.ts';
import { ScreenRelay } from './commerce-gateway/screen-relay.ts';
import type { FleetConfig } from './config.ts';
import type { DeviceHttpsServer } from './device-https/device-https-server.ts';
import type { FleetEvents } from './fleet-events.ts';
import { DeviceView } from './http/device-view.ts';
import { HttpServer } from './http/http-server.ts';
import { CertificateRepository } from './identity/certificate-repository.ts';
import { DeviceAuthenticator } from './identity/device-authenticator.ts';
import { IdentityWatcher } from './identity/identity-watcher.ts';
import { JobsService } from './jobs/jobs-service.ts';
import { LiveGateway } from './live/live-gateway.ts';
import { LoyaltyService } from './loyalty/loyalty-service.ts';
import { MemberAppAccess } from './member-app/member-app-access.ts';
import { MemberCard } from './member-app/member-card.ts';
import { FleetMetrics } from './metrics/fleet-metrics.ts';
import type { LoyaltyLedger, OrderPricing } from './orders/commerce-ports.ts';
import type { LatePayments } from './orders/late-payments.ts';
import { ServiceLoyaltyLedger } from './orders/loyalty-ledger.ts';
import type { OrderService } from './orders/order-service.ts';
import type { OrderSettlement } from './orders/order-settlement.ts';
import type { ReleaseService } from './ota/releases/release-service.ts';
import { composeOtaReleases, type OtaReleaseExtensions, rolloutReleasesOf } from './ota-release-composition.ts';
import { composeRollouts, type RolloutParts, type RolloutPorts } from './ota-rollout-composition.ts';
import type { SandboxPaymentProvider } from './payments/sandbox-provider.ts';
import { CertificateAuthority, certificateAuthorityOptions } from './pki/certificate-authority.ts';
import { PolicyRepository } from './policy/policy-repository.ts';
import { LifecycleEventPublisher } from './presence/lifecycle-event-publisher.ts';
import { LifecycleVersionRepository } from './presence/lifecycle-version-repository.ts';
import { PresenceRepository } from './presence/presence-repository.ts';
import { PresenceService } from './presence/presence-service.ts';
import { PricingSnapshotService } from './pricing/pricing-snapshot-service.ts';
import { SnapshotRepository } from './pricing/snapshot-repository.ts';
import { RegistrySnapshotSource, type SnapshotSource } from './pricing/snapshot-source.ts';
import { PromotionService } from './promotions/promotion-service.ts';
import { CertificateRequestLimiter } from './provisioning/certificate-request-limiter.ts';
import { FleetProvisioningService } from './provisioning/fleet-provisioning-service.ts';
import { OwnershipTokens } from './provisioning/ownership-token.ts';
import {
  ProvisionedCertificateRepository,
  ProvisioningTemplateRepository,
} from './provisioning/template-repository.ts';
import { seedDemoData } from './registry/demo-seed.ts';
import { DeviceRegistry } from './registry/device-registry.ts';
import { StoreRepository } from './registry/store-repository.ts';
import { ThingRepository } from './registry/thing-repository.ts';
import { composeSales, type SalesParts } from './sales/sales-composition.ts';
import { ShadowRepository } from './shadow/shadow-repository.ts';
import { ShadowService } from './shadow/shadow-service.ts';
import { type Database, openDatabase } from './storage/database.ts';
import { DatabaseWriter } from './storage/database-writer.ts';
import { HistoryRetention } from './storage/history-retention.ts';
import { StreamService } from './streams/stream-service.ts';
import { TelemetryIngest } from './telemetry/telemetry-ingest.ts';
import { TelemetryRepository } from './telemetry/telemetry-repository.ts';
import { checkGalleryArtifact } from './vision/gallery-artifact-check.ts';
import type { VisionService } from './vision/vision-service.ts';
import { composeVision } from './vision-composition.ts';

/**
 * The fleet server: wires every subsystem (the one place that does) and starts and stops them in order.
 * Subsystems are created in start() because several need the CA's certificates and the open database.
 */
export class FleetServer {
  readonly bus: EventBus<FleetEvents>;
  readonly ca: CertificateAuthority;
  private running: FleetServices | undefined;
  private offs: (() => void)[] = [];

  /** `clock` decides every deadline, debounce, expiry and sweep; tests pass a fake one. */
  constructor(
    readonly config: FleetConfig,
    private readonly log: Logger,
    readonly clock: Clock = systemClock,
    private readonly extensions: FleetExtensions = {},
  ) {
    this.bus = new EventBus<FleetEvents>(log.child({ component: 'bus' }));
    this.ca = new CertificateAuthority(certificateAuthorityOptions(config), log.child({ component: 'pki' }));
  }

  async start(): Promise<void> {
    const { config, log, clock } = this;
    await this.ca.start();
    const db = openDatabase(config.dataDir, log.child({ component: 'db' }), {
      busyTimeoutMs: config.storage.busyTimeoutMs,
    });
    const writer = new DatabaseWriter(db, config.storage, log.child({ component: 'db' }), clock);
    const stores = new StoreRepository(db);
    const things = new ThingRepository(db);
    const certificates = new CertificateRepository(db);
    const policies = new PolicyRepository(db);
    if (config.seedDemoData) seedDemoData(stores);
    const registry = new DeviceRegistry(
      db,
      stores,
      things,
      certificates,
      policies,
      this.ca,
      this.bus,
      log.child({ component: 'registry' }),
    );
    const authenticator = new DeviceAuthenticator(certificates, policies, things, config.aws);
    const broker = new DeviceBroker(
      {
        host: config.mqtt.host,
        tlsPort: config.mqtt.tlsPort,
        plainPort: config.mqtt.plainPort,
        plainHost: config.mqtt.plainHost,
        maxPayloadBytes: config.mqtt.maxPayloadBytes,
        tls: { caPem: this.ca.caPem, certPem: this.ca.serverCertificatePem, keyPem: this.ca.serverPrivateKeyPem },
      },
      (attempt) => authenticator.authenticate(attempt),
      this.bus,
      log.child({ component: 'broker' }),
      clock,
    );
    const lifecycle = new LifecycleEventPublisher(
      new LifecycleVersionRepository(db),
      writer,
      broker,
      this.bus,
      log.child({ component: 'lifecycle' }),
    );
    const presence = new PresenceService(new PresenceRepository(db), writer, this.bus, config.presence, clock);
    const telemetry = new TelemetryIngest(
      new TelemetryRepository(db),
      writer,
      broker,
      this.bus,
      config.telemetry,
      log.child({ component: 'telemetry' }),
      clock,
    );
    const shadows = new ShadowService(
      new ShadowRepository(db, clock),
      writer,
      broker,
      this.bus,
      { ...config.shadow, writeDeadlineMs: config.storage.writeDeadlineMs },
      log.child({ component: 'shadow' }),
      clock,
    );
    const streams = new StreamService(
      broker,
      (thingName) => registry.getThing(thingName)?.storeId,
      log.child({ component: 'streams' }),
    );
    const jobs = new JobsService(db, writer, broker, config.storage, log.child({ component: 'jobs' }), clock);
    const catalog = new CatalogService(
      db,
      writer,
      stores,
      this.bus,
      { ...config.catalog, writeDeadlineMs: config.storage.writeDeadlineMs },
      clock,
    );
    const promotions = new PromotionService(
      db,
      writer,
      catalog,
      stores,
      this.bus,
      { writeDeadlineMs: config.storage.writeDeadlineMs },
      clock,
    );
    const broadcast = composeBroadcast({
      config,
      log,
      clock,
      bus: this.bus,
      ca: this.ca,
      db,
      writer,
      stores,
      registry,
      broker,
      shadows,
      presence,
      catalog,
      promotions,
      identifyThing: (certificateId) => authenticator.identifyThing(certificateId),
      extensions: this.extensions,
    });
    const {
      content,
      broadcastSchedule,
      manifests,
      announcer,
      deviceHttps,
      playRepository,
      plays,
      cartPresence,
      inserts,
    } = broadcast;
    // The rollouts are made below (they ship from the release store); the release store asks them, once running,
    // which rollouts use a release and how fast a store may download.
    let rollouts: RolloutParts | undefined;
    const releases = composeOtaReleases({
      config,
      log,
      clock,
      db,
      writer,
      deviceHttps,
      jobs,
      extensions: {
        releasePorts: this.extensions.releasePorts ?? {
          rolloutIdsOf: (releaseId) => rollouts?.service.rolloutIdsOf(releaseId) ?? [],
          isInUse: (releaseId) => rollouts?.service.releaseInUse(releaseId) ?? false,
        },
        downloadThrottle: this.extensions.downloadThrottle ?? ((thing) => rollouts?.bandwidth.throttle(thing) ?? null),
        ...(this.extensions.mayDownload ? { mayDownload: this.extensions.mayDownload } : {}),
        checkArtifact: checkGalleryArtifact,
      },
    });
    const loyalty = new LoyaltyService({
      db,
      writer,
      clock,
      timeZoneOf: (storeId) => stores.getStore(storeId)?.timeZone,
      // The program is chain-wide: every store's snapshot carries it.
      onConfigChanged: () => this.bus.emit('loyalty.changed', { storeIds: null }),
    });
    // StaffCodes is made with checkout below (it needs access); snapshots are built only once pricing has started,
    // after every part is made, so the lazy lookup always finds it.
    let staffCodes: StaffCodes | undefined;
    const pricing = new PricingSnapshotService(
      new SnapshotRepository(db),
      this.extensions.snapshotSource?.(stores) ??
        new RegistrySnapshotSource(stores, {
          products: (storeId) => catalog.productsForStore(storeId),
          categories: () => catalog.listCategories(),
          promotions: () => promotions.repository.all().map((r) => r.promotion),
          variableMeasureLayouts: () => catalog.listLayouts(),
          tiers: () => loyalty.settings.tiers(),
          earnRules: () => loyalty.settings.earnRules(),
          redemption: () => loyalty.settings.redemptionPolicy(),
          staff: (storeId) => staffCodes?.offlineStaff(storeId) ?? [],
        }),
      streams,
      shadows,
      registry,
      this.bus,
      { debounceMs: config.pricing.snapshotDebounceMs, keepVersions: config.pricing.keepSnapshotVersions },
      log.child({ component: 'pricing' }),
      clock,
    );
    const provisioning = new FleetProvisioningService(
      {
        db,
        templates: new ProvisioningTemplateRepository(db),
        provisioned: new ProvisionedCertificateRepository(db),
        things,
        stores,
        certificates,
        policies,
        ca: this.ca,
        broker,
        tokens: new OwnershipTokens(config.dataDir, config.provisioning.tokenLifetimeMs),
        certificateRequests: new CertificateRequestLimiter(config.provisioning.certificateRequests, clock),
        bus: this.bus,
        clock,
      },
      log.child({ component: 'provisioning' }),
    );
    const commands = new CommandService(
      new CommandRepository(db),
      writer,
      registry,
      broker,
      this.bus,
      config.commands,
      log.child({ component: 'commands' }),
      clock,
    );
    const alerts = new AlertEngine(
      new AlertRepository(db),
      registry,
      presence,
      this.bus,
      log.child({ component: 'alerts' }),
      clock,
    );
    const access = new AccessService(
      db,
      stores,
      {
        sessionIdleMs: config.http.sessionIdleMinutes * 60_000,
        sessionMaxMs: config.http.sessionMaxHours * 3_600_000,
        loginTicketMs: config.http.loginTicketMinutes * 60_000,
      },
      this.bus,
      log.child({ component: 'access' }),
      clock,
      undefined,
      undefined,
      writer,
    );
    const commerce = composeCheckout({
      config,
      log,
      clock,
      bus: this.bus,
      db,
      writer,
      stores,
      access,
      registry,
      broker,
      httpPort: () => http.port,
      pricing: this.extensions.pricing ?? snapshotOrderPricing(pricing, catalog, promotions),
      loyalty: this.extensions.loyalty ?? new ServiceLoyaltyLedger(loyalty),
      sandboxPost: this.extensions.sandboxPost,
    });
    const memberApp = new MemberAppAccess({
      db,
      writer,
      members: loyalty.members,
      clock,
      options: {
        linkMs: config.memberApp.enrolmentLinkHours * 3_600_000,
        sessionMs: config.memberApp.sessionDays * 86_400_000,
      },
    });
    staffCodes = commerce.http.staffCodes;
    rollouts = composeRollouts({
      config,
      log,
      clock,
      bus: this.bus,
      db,
      writer,
      stores,
      registry,
      shadows,
      jobs,
      // The fleet's own release store unless a composition root brings another (tests: a fake one).
      ports: this.extensions.rollouts ?? { releases: rolloutReleasesOf(releases) },
    });
    const vision = composeVision({
      config,
      log,
      clock,
      bus: this.bus,
      db,
      writer,
      broker,
      stores,
      registry,
      presence,
      shadows,
      catalog,
      deviceHttps,
      releases,
      rollouts: () => rollouts?.service,
    });
    const openAlertCounts = () => toMap(alerts.openCountsByThing());
    const devices = new DeviceView(registry, presence, telemetry, shadows, openAlertCounts, clock);
    const live = new LiveGateway(this.bus, access, registry, devices, log.child({ component: 'live' }), clock);
    const screenRelay = new ScreenRelay({
      broker,
      things: registry,
      bus: this.bus,
      now: () => clock.now(),
      log: log.child({ component: 'screen-relay' }),
    });
    const metrics = new FleetMetrics({
      broker,
      telemetry,
      presence,
      alerts,
      commands,
      liveConnections: () => live.connections,
      writer,
    });
    const sales = composeSales({
      db,
      writer,
      bus: this.bus,
      stores,
      catalog,
      clock,
      log: log.child({ component: 'sales' }),
      promos: upliftPromos(broadcast, stores),
    });
    const http = new HttpServer(
      config.http,
      {
        config: config.http,
        bus: this.bus,
        clock,
        access,
        audit: new AuditLog(db),
        devices,
        registry,
        stores,
        presence,
        telemetry,
        shadows,
        broker,
        metrics,
        commands,
        alerts,
        provisioning,
        catalog,
        promotions,
        broadcastSchedule,
        commerce: commerce.http,
        content,
        announcer,
        loyalty,
        memberApp: {
          access: memberApp,
          card: new MemberCard(loyalty, (id) => promotions.repository.get(id)?.promotion.name),
          publicUrl: commerce.publicUrl,
        },
        sales: { history: sales.history, uplift: sales.uplift },
        playRepository,
        inserts,
        rollouts: rollouts?.service,
        releases,
        vision,
        webRoot: config.http.webRoot ?? fileURLToPath(new URL('../web/dist', import.meta.url)),
      },
      log.child({ component: 'http' }),
    );
    const retention = new HistoryRetention(db, config.retention, log.child({ component: 'retention' }), clock);
    const identities = new IdentityWatcher(
      db,
      this.bus,
      config.identityWatchMs,
      log.child({ component: 'identity' }),
      clock,
    );
    this.running = {
      db,
      writer,
      stores,
      registry,
      broker,
      lifecycle,
      presence,
      telemetry,
      shadows,
      streams,
      jobs,
      pricing,
      manifests,
      deviceHttps,
      plays,
      playRepository,
      provisioning,
      commands,
      alerts,
      access,
      catalog,
      promotions,
      broadcastSchedule,
      devices,
      http,
      live,
      identities,
      retention,
      orders: commerce.http.orders,
      settlement: commerce.http.settlement,
      latePayments: commerce.http.late,
      attendants: commerce.http.attendants,
      staffCodes: commerce.http.staffCodes,
      sandbox: commerce.http.sandbox,
      commerceGateway: commerce.gateway,
      offlineApprovalFlags: commerce.offlineApprovalFlags,
      loyalty,
      memberApp,
      screenRelay,
      sales,
      cartPresence,
      content,
      announcer,
      inserts,
      rollouts,
      releases,
      vision,
    };

    registry.start();
    // After registry.start() (the DeviceDefault policy the default templates use); before the broker listens.
    provisioning.start();
    lifecycle.start();
    presence.start();
    telemetry.start();
    telemetry.warmLatest(registry.listThings().map((t) => t.thingName));
    // After presence.start(): the alerts rebuild their offline periods from the presence table.
    alerts.start();
    shadows.start();
    streams.start();
    jobs.start();
    // After shadows and streams: it serves the kept versions and announces through the commerce shadow.
    pricing.start();
    // Before manifests: delivery compiles through it from its start.
    broadcastSchedule.start();
    // After shadows: it announces through the named shadow broadcast.
    manifests.start();
    plays.start();
    commands.start();
    identities.start();
    retention.start();
    commerce.http.staffCodes.start();
    commerce.offlineApprovalFlags.start();
    commerce.http.orders.start();
    commerce.http.late.start();
    commerce.gateway.start();
    screenRelay.start();
    memberApp.start();
    sales.rollup.start();
    cartPresence.start();
    await content.start();
    // After the content library (it stores through it), before http.start().
    await announcer.start();
    // After shadows.start(): it re-announces what is live in the speakers' broadcast-insert shadows.
    inserts.start();
    // After the jobs service (it follows its executions from the start).
    rollouts?.engine.start();
    // Before the HTTP and device HTTPS listeners: they publish and serve through it.
    await releases.start();
    // After the release store and the rollouts: its builds publish and roll out through them.
    await vision.start();
    this.offs.push(
      this.bus.on('certificate.revoked', (e) => broker.disconnectCertificate(e.certificateId)),
      this.bus.on('identity.changed', () => broker.reauthorizeAll()),
    );
    await broker.start();
    await access.start();
    await http.start();
    await deviceHttps.start();
    const server = http.instance!;
    live.start(server.server, (header) => server.parseCookie(header));
    log.info(
      {
        mqttTls: broker.tlsPort,
        mqttPlain: broker.plainPort,
        http: http.port,
        deviceHttps: deviceHttps.port,
        dataDir: config.dataDir,
      },
      'fleet server started',
    );
  }

  async stop(): Promise<void> {
    const services = this.running;
    if (!services) return;
    this.running = undefined;
    for (const off of this.offs) off();
    this.offs = [];
    services.identities.stop();
    services.retention.stop();
    services.commerceGateway.stop();
    services.screenRelay.stop();
    services.memberApp.stop();
    services.cartPresence.stop();
    services.inserts.stop();
    // Before the rollouts and the release store: a build in progress publishes through them.
    await services.vision.stop();
    services.rollouts?.engine.stop();
    services.rollouts?.bandwidth.stop();
    await services.sales.rollup.stop();
    services.content.stop();
    services.orders.stop();
    services.offlineApprovalFlags.stop();
    services.staffCodes.stop();
    await services.live.stop();
    await services.http.stop();
    await services.announcer.stop();
    await services.deviceHttps.stop();
    // After the listeners: no publish or download is left; waits for a delta being made.
    await services.releases.stop();
    services.access.stop();
    await services.broker.stop();
    services.alerts.stop();
    services.commands.stop();
    services.broadcastSchedule.stop();
    services.pricing.stop();
    await services.manifests.stop();
    services.plays.stop();
    services.jobs.stop();
    services.streams.stop();
    services.shadows.stop();
    services.provisioning.stop();
    services.telemetry.stop();
    services.presence.stop();
    services.lifecycle.stop();
    services.registry.stop();
    // Last: every service above may still have written through it while stopping.
    services.writer.stop();
    services.db.close();
    this.log.info('fleet server stopped');
  }

  /** The running subsystems; throws before start(). */
  get services(): FleetServices {
    if (!this.running) throw new Error('FleetServer is not running');
    return this.running;
  }
}

/** The running subsystems of a fleet server, as `services` hands them to tests, the demo and benchmarks. */
export interface FleetServices {
  db: Database;
  writer: DatabaseWriter;
  stores: StoreRepository;
  registry: DeviceRegistry;
  broker: DeviceBroker;
  lifecycle: LifecycleEventPublisher;
  presence: PresenceService;
  telemetry: TelemetryIngest;
  alerts: AlertEngine;
  shadows: ShadowService;
  streams: StreamService;
  /** AWS IoT Jobs for every thing: the device MQTT API, notifications, timeouts, and the rollouts' `JobsPort`. */
  jobs: JobsService;
  pricing: PricingSnapshotService;
  /** Speakers' broadcast manifests: compiled, versioned, announced in the named shadow `broadcast`. */
  manifests: ManifestPublisher;
  /** The HTTPS listener for devices (mTLS): manifests and content. */
  deviceHttps: DeviceHttpsServer;
  /** Proof of play from `dt/cartfleet/{thing}/plays`. */
  plays: PlayIngest;
  playRepository: PlayRepository;
  provisioning: FleetProvisioningService;
  commands: CommandService;
  access: AccessService;
  catalog: CatalogService;
  promotions: PromotionService;
  /** Programmes, campaigns, store overrides and the schedule compiler (issue 9). */
  broadcastSchedule: BroadcastScheduleService;
  devices: DeviceView;
  http: HttpServer;
  live: LiveGateway;
  identities: IdentityWatcher;
  retention: HistoryRetention;
  orders: OrderService;
  settlement: OrderSettlement;
  latePayments: LatePayments;
  attendants: AttendantService;
  staffCodes: StaffCodes;
  sandbox: SandboxPaymentProvider;
  commerceGateway: CommerceGateway;
  /** Ties a refused offline approval (an age check approved on a cart without network) to its trip's order. */
  offlineApprovalFlags: OfflineApprovalFlags;
  loyalty: LoyaltyService;
  /** The member app's sign-in: enrolment links, PINs, sessions. */
  memberApp: MemberAppAccess;
  /** Carts' mirrored screens to the console sockets watching them. */
  screenRelay: ScreenRelay;
  /** Daily sales (cart rollup, point-of-sale history) and the promo uplift report. */
  sales: SalesParts;
  /** Tells promo speakers when a cart enters their zone (carts as presence sensors). */
  cartPresence: CartPresenceRelay;
  /** The broadcast content library: normalised audio assets (issue 9). */
  content: ContentLibrary;
  /** Announcer templates and speech (issue 9 item 2). */
  announcer: Announcer;
  /** Ad-hoc inserts and emergency announcements. */
  inserts: InsertService;
  /** OTA rollouts (issue 10), shipping from `releases` unless `extensions.rollouts` brings another release store. */
  rollouts: RolloutParts | undefined;
  /** OTA releases: artifacts, signed manifests, deltas (issue 10). */
  releases: ReleaseService;
  /** Product recognition (issue 11): gallery enrolment and builds, contributed photos, recognition records. */
  vision: VisionService;
}

/** Parts a composition root may supply instead of the defaults. */
export interface FleetExtensions extends OtaReleaseExtensions {
  /**
   * What pricing snapshots are built from. Default: stores from the registry, the catalog, promotions and the loyalty
   * program's tiers, earn rules and redemption policy; tests and benchmarks may pass fixtures.
   */
  snapshotSource?: (stores: StoreRepository) => SnapshotSource;
  /** How orders and quotes are priced; default: the pricing engine over the stores' snapshots. */
  pricing?: OrderPricing;
  /** The loyalty ledger orders hold and earn points with; default: the fleet's `LoyaltyService`. */
  loyalty?: LoyaltyLedger;
  /**
   * How the sandbox payment provider sends its signed notifications to the fleet; default: `fetch` from the fleet's
   * thread. The sandbox stands in for an outside provider, whose HTTP client is not the fleet's work: the checkout
   * burst benchmark sends them from its load-generator thread.
   */
  sandboxPost?: typeof fetch;
  /** What compiles speakers' manifests; default: the fleet's `BroadcastScheduleService`. */
  manifestSource?: ManifestSource;
  /** Where asset files are; default: the content library's (`ContentLibrary.pathOf`). */
  contentFiles?: ContentFiles;
  /** The content library as the schedule compiler sees it (sha256 → duration, size, kind); default: the fleet's. */
  broadcastAssets?: AssetCatalog;
  /** The release store OTA rollouts ship from (and a jobs service instead of the fleet's); default: the fleet's own. */
  rollouts?: RolloutPorts;
}

function toMap(counts: ReadonlyMap<string, number> | Record<string, number>): ReadonlyMap<string, number> {
  return counts instanceof Map ? counts : new Map(Object.entries(counts));
}
