import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { deviceIdentity } from '../devices/core/claim-provisioner.ts';
import { readCredentials } from '../devices/core/device-config.ts';
import { LogRing } from '../devices/core/log-ring.ts';
import { SpeakerConfigSchema } from '../devices/speaker/speaker-config.ts';
import { writeCertificateBundle } from '../fleet/identity/certificate-bundle.ts';
import type { DeviceRegistry } from '../fleet/registry/device-registry.ts';
import type { DeviceKind, Store, Zone } from '../fleet/registry/registry-types.ts';
import { systemClock } from '../platform/clock.ts';
import { deviceLogger, type Logger } from '../platform/log.ts';
import { mulberry32 } from '../platform/seeded-random.ts';
import { SimulatedCart } from './simulated-cart.ts';
import type { ShopperWorld } from './simulated-shopper.ts';
import { SimulatedSpeaker } from './simulated-speaker.ts';

export interface SimulatedStoreOptions {
  store: Store;
  zones: Zone[];
  carts: number;
  broadcastSpeakers: number;
  promoSpeakers: number;
  /** Where device bundles and device data (outboxes) live. */
  dataDir: string;
  /** `contentPort`: the fleet's device HTTPS endpoint (speakers' broadcast content). */
  endpoint: { host: string; port: number; contentPort?: number };
  telemetryIntervalMs: number;
  healthIntervalMs: number;
  timeScale: number;
  seed: number;
  /**
   * Give each device its own log ring (answers the `logs` command) with warnings on stdout. Off: devices log
   * through the store's logger (tests pass a silent one) into an empty ring.
   */
  deviceLogs?: boolean;
  /** Shoppers really shop (scan, weigh, pay) when the store has a world around it: a member app and phones. */
  world?: ShopperWorld;
  /** Real milliseconds between a shopper's steps. */
  shopperStepMs?: number;
  /** Cart i's screen listens on this + i - 1 (so a person can open it); absent: a free port each. */
  screenBasePort?: number;
  /** The release verify key (SPKI PEM file) every device's OTA agent trusts; absent: the agents are off. */
  otaVerifyKey?: string;
  /** Each cart gets a virtual basket camera the shoppers' drops show in (product recognition, issue 11). */
  cameras?: boolean;
}

/**
 * A store full of real device runtimes on virtual hardware: registers each device with the fleet (once: bundles are
 * kept in the data dir across runs), then starts its runtime, each with its own mTLS connection.
 */
export class SimulatedStore {
  readonly carts: SimulatedCart[] = [];
  readonly speakers: SimulatedSpeaker[] = [];
  private readonly random: () => number;

  constructor(
    private readonly options: SimulatedStoreOptions,
    private readonly registry: DeviceRegistry,
    private readonly log: Logger,
  ) {
    this.random = mulberry32(options.seed);
  }

  async start(): Promise<void> {
    const { store, zones } = this.options;
    const suffix = store.id.split('-').slice(-1)[0] ?? store.id;
    const dock = zones.find((z) => z.kind === 'dock')?.id ?? null;
    for (let i = 1; i <= this.options.carts; i++) {
      const thingName = `cart-${suffix}-${String(i).padStart(3, '0')}`;
      const credentials = await this.ensureDevice(thingName, 'cart', 'SC-200', dock);
      this.carts.push(
        new SimulatedCart(
          {
            ...this.deviceConfig(thingName),
            hardwareModel: 'SC-200',
            screen: { port: this.options.screenBasePort === undefined ? 0 : this.options.screenBasePort + i - 1 },
          },
          credentials,
          zones,
          { drainPerMinute: 0.25, chargePerMinute: 0.8, timeScale: this.options.timeScale },
          this.random,
          ...this.cartLog(thingName),
          this.options.world ?? null,
          this.options.shopperStepMs,
        ),
      );
    }
    const speakerPlan: { model: 'broadcast' | 'promo'; count: number; hw: string }[] = [
      { model: 'broadcast', count: this.options.broadcastSpeakers, hw: 'BX-100' },
      { model: 'promo', count: this.options.promoSpeakers, hw: 'PX-20' },
    ];
    for (const plan of speakerPlan) {
      for (let i = 1; i <= plan.count; i++) {
        const thingName = `spk-${suffix}-${plan.model === 'broadcast' ? 'bx' : 'px'}${String(i).padStart(2, '0')}`;
        // Promo speakers stand at department shelves, the dairy's first (the demo promotes its milk).
        const shelves = zones
          .filter((z) => z.kind === 'department')
          .sort((a, b) => Number(b.id.endsWith('-dairy')) - Number(a.id.endsWith('-dairy')));
        const zone = plan.model === 'broadcast' ? null : (shelves[i - 1]?.id ?? null);
        const credentials = await this.ensureDevice(thingName, 'speaker', plan.hw, zone);
        this.speakers.push(
          new SimulatedSpeaker(
            // Promo speakers carry a sound level sensor: their promos rise over the aisle's noise.
            {
              ...this.deviceConfig(thingName),
              model: plan.model,
              hardwareModel: plan.hw,
              microphone: plan.model === 'promo',
            },
            credentials,
            this.options.timeScale,
            this.random,
            ...this.deviceLog(thingName),
          ),
        );
      }
    }
    await Promise.all([...this.carts, ...this.speakers].map((d) => d.start()));
  }

  private cartLog(thingName: string): [Logger, { logs: LogRing; camera: boolean }] {
    const [log, options] = this.deviceLog(thingName);
    return [log, { ...options, camera: this.options.cameras ?? false }];
  }

  /** Each device logs into its own ring (its `logs` command reads it); warnings also reach the demo's stdout. */
  private deviceLog(thingName: string): [Logger, { logs: LogRing }] {
    if (!this.options.deviceLogs) return [this.log.child({ thing: thingName }), { logs: new LogRing() }];
    const logs = new LogRing();
    return [deviceLogger(thingName, logs), { logs }];
  }

  /**
   * A new promo speaker unboxed in this store: it holds only the shared claim bundle in `claimDir`, provisions itself
   * with the fleet (its own key pair and certificate through CreateCertificateFromCsr, its thing via RegisterThing),
   * then runs. With a template that needs approval it waits, connected, until a technician approves it.
   */
  async onboardByClaim(serialNumber: string, claimDir: string, templateName: string): Promise<SimulatedSpeaker> {
    const expected = `spk-${serialNumber}`;
    const config = SpeakerConfigSchema.parse({
      ...this.deviceConfig(expected),
      model: 'promo',
      hardwareModel: 'PX-20',
      claim: { certDir: claimDir, templateName, serialNumber, storeId: this.options.store.id },
    });
    const [log, options] = this.deviceLog(expected);
    const identity = await deviceIdentity(config, log, systemClock, { HardwareModel: 'PX-20' });
    const speaker = new SimulatedSpeaker(
      { ...config, thingName: identity.thingName },
      identity.credentials,
      this.options.timeScale,
      this.random,
      log,
      options,
    );
    this.speakers.push(speaker);
    await speaker.start();
    return speaker;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.carts, ...this.speakers].map((d) => d.stop()));
  }

  private deviceConfig(thingName: string) {
    return {
      thingName,
      endpoint: this.options.endpoint,
      certDir: join(this.options.dataDir, thingName, 'certs'),
      dataDir: join(this.options.dataDir, thingName, 'data'),
      telemetryIntervalMs: this.options.telemetryIntervalMs,
      healthIntervalMs: this.options.healthIntervalMs,
      reconnect: { minSeconds: 1, maxSeconds: 10 },
      ...(this.options.otaVerifyKey ? { ota: { enabled: true, verifyKeys: [this.options.otaVerifyKey] } } : {}),
    };
  }

  private async ensureDevice(thingName: string, kind: DeviceKind, hardwareModel: string, zoneId: string | null) {
    const certDir = join(this.options.dataDir, thingName, 'certs');
    const existing = this.registry.getThing(thingName);
    if (existing && existsSync(join(certDir, 'key.pem'))) return readCredentials(certDir);
    const registration = existing
      ? await this.registry.issueCertificate(thingName)
      : await this.registry.registerDevice({
          thingName,
          kind,
          hardwareModel,
          storeId: this.options.store.id,
          zoneId,
          tags: ['demo'],
        });
    writeCertificateBundle(certDir, {
      thingName,
      certificateId: registration.certificate.certificateId,
      certificatePem: registration.certificate.certificatePem,
      privateKeyPem: registration.certificate.privateKeyPem,
      caPem: registration.caPem,
    });
    return readCredentials(certDir);
  }
}

/** The demo's seeded PRNG lives in platform/ (the virtual cart hardware uses it too); re-exported for its callers. */
export { mulberry32 };
