import { fileURLToPath } from 'node:url';
import { type Clock, systemClock } from '../platform/clock.ts';
import { EventBus } from '../platform/event-bus.ts';
import type { Logger } from '../platform/log.ts';
import { AccessService } from './access/access-service.ts';
import { AlertEngine } from './alerts/alert-engine.ts';
import { AlertRepository } from './alerts/alert-repository.ts';
import { AuditLog } from './audit/audit-log.ts';
import { DeviceBroker } from './broker/device-broker.ts';
import { CommandRepository } from './commands/command-repository.ts';
import { CommandService } from './commands/command-service.ts';
import type { FleetConfig } from './config.ts';
import type { FleetEvents } from './fleet-events.ts';
import { DeviceView } from './http/device-view.ts';
import { HttpServer } from './http/http-server.ts';
import { CertificateRepository } from './identity/certificate-repository.ts';
import { DeviceAuthenticator } from './identity/device-authenticator.ts';
import { IdentityWatcher } from './identity/identity-watcher.ts';
import { LiveGateway } from './live/live-gateway.ts';
import { LoyaltyService } from './loyalty/loyalty-service.ts';
import { FleetMetrics } from './metrics/fleet-metrics.ts';
import { CertificateAuthority, certificateAuthorityOptions } from './pki/certificate-authority.ts';
import { PolicyRepository } from './policy/policy-repository.ts';
import { LifecycleEventPublisher } from './presence/lifecycle-event-publisher.ts';
import { LifecycleVersionRepository } from './presence/lifecycle-version-repository.ts';
import { PresenceRepository } from './presence/presence-repository.ts';
import { PresenceService } from './presence/presence-service.ts';
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
import { ShadowRepository } from './shadow/shadow-repository.ts';
import { ShadowService } from './shadow/shadow-service.ts';
import { type Database, openDatabase } from './storage/database.ts';
import { DatabaseWriter } from './storage/database-writer.ts';
import { HistoryRetention } from './storage/history-retention.ts';
import { TelemetryIngest } from './telemetry/telemetry-ingest.ts';
import { TelemetryRepository } from './telemetry/telemetry-repository.ts';

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
    const loyalty = new LoyaltyService({
      db,
      writer,
      clock,
      timeZoneOf: (storeId) => stores.getStore(storeId)?.timeZone,
      onConfigChanged: () => this.bus.emit('loyalty.configChanged', { at: clock.now() }),
    });
    const openAlertCounts = () => toMap(alerts.openCountsByThing());
    const devices = new DeviceView(registry, presence, telemetry, shadows, openAlertCounts, clock);
    const live = new LiveGateway(this.bus, access, registry, devices, log.child({ component: 'live' }), clock);
    const metrics = new FleetMetrics({
      broker,
      telemetry,
      presence,
      alerts,
      commands,
      liveConnections: () => live.connections,
      writer,
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
        loyalty,
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
      provisioning,
      commands,
      alerts,
      access,
      devices,
      http,
      live,
      identities,
      retention,
      loyalty,
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
    commands.start();
    identities.start();
    retention.start();
    this.offs.push(
      this.bus.on('certificate.revoked', (e) => broker.disconnectCertificate(e.certificateId)),
      this.bus.on('identity.changed', () => broker.reauthorizeAll()),
    );
    await broker.start();
    await access.start();
    await http.start();
    const server = http.instance!;
    live.start(server.server, (header) => server.parseCookie(header));
    log.info(
      { mqttTls: broker.tlsPort, mqttPlain: broker.plainPort, http: http.port, dataDir: config.dataDir },
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
    await services.live.stop();
    await services.http.stop();
    services.access.stop();
    await services.broker.stop();
    services.alerts.stop();
    services.commands.stop();
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
  provisioning: FleetProvisioningService;
  commands: CommandService;
  access: AccessService;
  devices: DeviceView;
  http: HttpServer;
  live: LiveGateway;
  identities: IdentityWatcher;
  retention: HistoryRetention;
  loyalty: LoyaltyService;
}

function toMap(counts: ReadonlyMap<string, number> | Record<string, number>): ReadonlyMap<string, number> {
  return counts instanceof Map ? counts : new Map(Object.entries(counts));
}
