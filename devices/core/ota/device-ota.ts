import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactDownloader, hashFile } from '../../../ota/agent/artifact-download.ts';
import type { SlotRecord } from '../../../ota/agent/boot-state.ts';
import { readBootState, withComponent, writeBootState } from '../../../ota/agent/boot-state.ts';
import { alwaysOpenGate, type ComponentHandler, type InstallGate } from '../../../ota/agent/component-handler.ts';
import { type FaultPoints, noFaults } from '../../../ota/agent/fault-points.ts';
import { IotJobsChannel, type MqttLink } from '../../../ota/agent/iot-jobs-channel.ts';
import { OTA_SLOT_ENV } from '../../../ota/agent/launcher-env.ts';
import { nodeModulesAbove } from '../../../ota/agent/node-modules-link.ts';
import { OtaAgent } from '../../../ota/agent/ota-agent.ts';
import { OtaPaths } from '../../../ota/agent/ota-paths.ts';
import { type DeltaApplier, type SoftwareHost, statfsDiskSpace } from '../../../ota/agent/ports.ts';
import { countTrialBoot } from '../../../ota/agent/slot-transitions.ts';
import { SoftwareHandler } from '../../../ota/agent/software-handler.ts';
import { applyDelta } from '../../../ota/delta/bsdiff-delta.ts';
import { Keyring } from '../../../ota/release/keyring.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { Logger } from '../../../platform/log.ts';
import { PROJECT_ROOT } from '../../../platform/project-root.ts';
import type { DeviceKind } from '../../../protocol/api/devices.ts';
import { OTA_SHADOW } from '../../../protocol/ota/index.ts';
import type { DeviceConfig, DeviceCredentials } from '../device-config.ts';
import type { DeviceConnection } from '../device-connection.ts';
import { DeviceHttpsClient } from '../device-https-client.ts';
import type { DeviceRestarter } from '../device-restarter.ts';
import type { Diagnostics } from '../diagnostics.ts';
import type { LogRing } from '../log-ring.ts';
import { NamedShadowWatch } from '../named-shadow-watch.ts';
import type { ShadowSync } from '../shadow-sync.ts';
import { readableLogLines } from './log-lines.ts';
import { ShadowOtaReporter } from './ota-shadow-reporter.ts';
import { RuntimeHealthProbe } from './runtime-health-probe.ts';

/**
 * How this runtime's software is updated: `launcher` when it runs under the OTA launcher (which says so in
 * CARTFLEET_OTA_SLOT), `in-process` in the simulator and tests (a restart stops and starts the runtime; the bundle's
 * self-test runs in a child process), `none` otherwise (a runtime started by hand, or by a service manager, cannot
 * boot another slot: software jobs are refused, models and config still update).
 */
export type SoftwareUpdates = 'launcher' | 'in-process' | 'none';

/** What the agent must know of the device beyond its config. */
export interface DeviceOtaIdentity {
  kind: DeviceKind;
  hardwareModel: string;
  /** The config's `softwareVersion`: the factory software's version (slot a until the first update). */
  softwareVersion: string;
}

/** The runtime's parts the agent works with. */
export interface OtaRuntimeParts {
  connection: DeviceConnection;
  shadow: ShadowSync;
  diagnostics: Diagnostics;
  logs: LogRing;
  clock: Clock;
}

export interface DeviceOtaOptions {
  identity: DeviceOtaIdentity;
  softwareUpdates: SoftwareUpdates;
  /** Applies deltas; ota/delta's bsdiff when not given. */
  deltas?: DeltaApplier;
  /** The power-cut test's kill points (ota/agent/fault-points.ts). */
  faults?: FaultPoints;
  env?: NodeJS.ProcessEnv;
}

/**
 * The OTA agent as a device runtime subsystem (ota/agent/, docs/ota.md): built from the runtime's connection (AWS IoT
 * Jobs through the SDK's IotJobsClient), the device HTTPS endpoint (downloads with the device's certificate), the
 * shadows (named shadow `ota`, `softwareVersion`), the health probe (connection, shadow sync, diagnostics) and the
 * restarter; the device kind adds its model and config handlers and its install gate before start. `boot()` runs
 * first in the runtime's start (which slot and version this process is), `start()` once the kind is set up.
 */
export class DeviceOta {
  private readonly handlers: ComponentHandler[] = [];
  private gate: InstallGate = alwaysOpenGate;
  private restarter: DeviceRestarter | undefined;
  private agent: OtaAgent | undefined;
  private starting: Promise<void> | undefined;
  private watch: NamedShadowWatch | undefined;
  private bootedSlot: 'a' | 'b' = 'a';
  private bootedVersion: string | undefined;
  readonly paths: OtaPaths;

  constructor(
    private readonly config: DeviceConfig,
    private readonly credentials: DeviceCredentials,
    private readonly parts: OtaRuntimeParts,
    private readonly log: Logger,
    private readonly options: DeviceOtaOptions,
  ) {
    this.paths = new OtaPaths(config.ota.dir ?? join(config.dataDir, 'ota'));
  }

  /** A model or config handler (the device kind's); software's is the agent's own. Before start(). */
  addHandler(handler: ComponentHandler): void {
    this.handlers.push(handler);
  }

  /** When installing is allowed (a cart: no shopper's session; a speaker: no announcement). Before start(). */
  setGate(gate: InstallGate): void {
    this.gate = gate;
  }

  /** How the runtime restarts (the kind's restarter: exit 75 for the launcher, or stop and start in process). */
  useRestarter(restarter: DeviceRestarter): void {
    this.restarter = restarter;
  }

  /** The version of the software this process runs (after boot()). */
  get softwareVersion(): string | undefined {
    return this.bootedVersion;
  }

  /** The running agent (after start()): its slots, for tests and the simulator. */
  get running(): OtaAgent | undefined {
    return this.agent;
  }

  /**
   * Which slot this process runs, before the kind reports its version: the launcher's word, or (in process) the
   * launcher's boot logic played here: a pending trial uses up a boot, none left restores the previous slot.
   */
  async boot(): Promise<void> {
    const mode = this.options.softwareUpdates;
    const read = await readBootState(this.paths.bootState);
    let software = read.state?.components.software;
    if (mode === 'in-process' && read.state && software) {
      const counted = countTrialBoot(software, this.parts.clock.now());
      if (counted.changed)
        await writeBootState(this.paths.bootState, withComponent(read.state, 'software', counted.boot));
      software = counted.boot;
    }
    const env = this.options.env ?? process.env;
    const fromLauncher = env[OTA_SLOT_ENV];
    this.bootedSlot =
      mode === 'launcher' && (fromLauncher === 'a' || fromLauncher === 'b')
        ? fromLauncher
        : mode === 'in-process'
          ? (software?.active ?? 'a')
          : 'a';
    this.bootedVersion = software?.slots[this.bootedSlot]?.version ?? this.options.identity.softwareVersion;
  }

  /** Starts the agent in the background (its start reads and may write files); failures are logged. */
  start(): void {
    this.starting ??= this.startAgent().catch((err) => {
      this.log.error({ err: (err as Error).message }, 'OTA agent not started');
    });
  }

  async stop(): Promise<void> {
    await this.starting;
    this.starting = undefined;
    const agent = this.agent;
    this.agent = undefined;
    await agent?.stop();
    this.watch?.stop();
    this.watch = undefined;
  }

  private async startAgent(): Promise<void> {
    const { config, parts, log, options } = this;
    const keyring = await Keyring.fromFiles(config.ota.verifyKeys);
    const clock = parts.clock;
    const disk = statfsDiskSpace;
    const handlers = [...this.handlers];
    const software = this.softwareHost();
    if (software) {
      handlers.push(
        new SoftwareHandler({
          kind: options.identity.kind,
          nodeModules: this.nodeModules(),
          disk,
          reserveBytes: config.ota.reserveBytes,
        }),
      );
    }
    const transport = new DeviceHttpsClient(
      { host: config.endpoint.host, port: config.endpoint.contentPort, timeoutMs: config.ota.downloadTimeoutMs },
      this.credentials,
    );
    const downloader = new ArtifactDownloader(transport, options.deltas ?? { apply: applyDelta }, disk, clock, log, {
      dir: this.paths.downloads,
      partFile: (sha) => this.paths.partFile(sha),
      deltaPartFile: (from, to) => this.paths.deltaPartFile(from, to),
      reserveBytes: config.ota.reserveBytes,
      retryMinMs: 1000,
      retryMaxMs: config.reconnect.maxSeconds * 1000,
      maxRefusals: 3,
    });
    this.watch = new NamedShadowWatch(parts.connection, config.thingName, OTA_SHADOW, log, clock);
    this.watch.start();
    const agent = new OtaAgent({
      paths: this.paths,
      device: { kind: options.identity.kind, hardwareModel: options.identity.hardwareModel },
      keyring,
      handlers,
      gate: this.gate,
      jobs: new IotJobsChannel(mqttLink(parts.connection), config.thingName, clock, log, {
        requestTimeoutMs: config.ota.requestTimeoutMs,
      }),
      downloader,
      probe: new RuntimeHealthProbe(parts.connection, parts.shadow, parts.diagnostics),
      shadow: new ShadowOtaReporter(this.watch, parts.shadow),
      software,
      logs: { tail: (count) => readableLogLines(parts.logs.tail(count)) },
      clock,
      log,
      faults: options.faults ?? noFaults,
      factory: () => this.factoryRecord(),
      options: {
        stepTimeoutMinutes: config.ota.stepTimeoutMinutes,
        retryMs: config.ota.requestTimeoutMs,
        logLines: 20,
      },
    });
    await agent.start();
    this.agent = agent;
  }

  private softwareHost(): SoftwareHost | null {
    if (this.options.softwareUpdates === 'none') return null;
    const restarter = this.restarter;
    if (!restarter) {
      this.log.warn('no restarter given: software updates are off');
      return null;
    }
    const host = { bootedSlot: this.bootedSlot, restart: async () => restarter.restart() };
    return host;
  }

  /** Slot a before the first update: the factory software, named by its bundle's sha256 when the device has it. */
  private async factoryRecord(): Promise<SlotRecord> {
    const name = `${this.options.identity.kind}-runtime`;
    const version = this.options.identity.softwareVersion;
    const artifact = this.config.ota.factoryArtifact;
    if (artifact) {
      // Kept as slot a's artifact: the base of a delta from the factory version.
      await mkdir(this.paths.componentDir('software'), { recursive: true });
      await copyFile(artifact, this.paths.slotArtifact('software', 'a'));
      return { name, version, sha256: (await hashFile(artifact)).sha256 };
    }
    return { name, version, sha256: createHash('sha256').update(`cartfleet-factory:${name}@${version}`).digest('hex') };
  }

  private nodeModules(): string {
    const configured = this.config.ota.nodeModules;
    const found = configured ?? nodeModulesAbove(PROJECT_ROOT, existsSync);
    if (!found) throw new Error(`no node_modules above ${PROJECT_ROOT}: set ota.nodeModules`);
    // The real directory: from a slot the first one found is the link beside the slots.
    return realpathSync(found);
  }
}

function mqttLink(connection: DeviceConnection): MqttLink {
  return {
    get online() {
      return connection.online;
    },
    get mqttConnection() {
      return connection.mqttConnection;
    },
    onOnline(listener) {
      connection.on('online', listener);
      return () => connection.off('online', listener);
    },
    onOffline(listener) {
      const offline = () => listener();
      connection.on('offline', offline);
      return () => connection.off('offline', offline);
    },
  };
}
