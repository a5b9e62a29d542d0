import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogRing } from '../../devices/core/log-ring.ts';
import type { OtaAgentOptions } from '../../ota/agent/agent-context.ts';
import { ArtifactDownloader } from '../../ota/agent/artifact-download.ts';
import type { ComponentHandler } from '../../ota/agent/component-handler.ts';
import type { FaultPoints } from '../../ota/agent/fault-points.ts';
import { OtaAgent } from '../../ota/agent/ota-agent.ts';
import { OtaPaths } from '../../ota/agent/ota-paths.ts';
import { buildJobDocument, type DeltaOffer } from '../../ota/release/job-document.ts';
import { Keyring } from '../../ota/release/keyring.ts';
import { type GeneratedSigningKey, generateSigningKey } from '../../ota/release/signing.ts';
import { deviceLogger, type Logger } from '../../platform/log.ts';
import {
  ARTIFACT_MEDIA_TYPES,
  type OtaComponent,
  type OtaJobDocument,
  otaDownloadPaths,
} from '../../protocol/ota/index.ts';
import { FakeClock } from '../mocks/fake-clock.ts';
import { FakeDeviceContentClient } from '../mocks/fake-device-content-client.ts';
import { FakeJobsChannel, FakeJobsService } from '../mocks/fake-jobs-channel.ts';
import {
  copyDeltaApplier,
  FakeComponentHandler,
  FakeDiskSpace,
  FakeHealthProbe,
  FakeInstallGate,
  FakeShadowReporter,
  FakeSoftwareHost,
} from '../mocks/fake-ota-ports.ts';
import { signedRelease, testManifest } from './ota-release.ts';

export const TEST_AGENT_OPTIONS: OtaAgentOptions = {
  stepTimeoutMinutes: { downloading: 60, installing: 15, waiting: 120, restart: 5 },
  retryMs: 1000,
  logLines: 20,
};

/** The factory software of a rig's device: cart-runtime 1.0.0. */
export const FACTORY = { name: 'cart-runtime', version: '1.0.0', sha256: 'f'.repeat(64) };

export interface PublishOptions {
  component?: OtaComponent;
  name?: string;
  upgradeFrom?: string;
  deviceKinds?: ('cart' | 'speaker')[];
  allowDowngrade?: boolean;
  healthCheckTimeoutSeconds?: number;
  maxTrialBoots?: number;
  signer?: GeneratedSigningKey;
  deltas?: DeltaOffer[];
  /** Served at the artifact path instead of the signed bytes (a tampered or truncated artifact). */
  served?: Buffer;
}

/**
 * One device's agent on fakes (no sockets): the jobs service, the download endpoint, disk, health, shadows, software
 * host, a model handler and a software handler that only copy; real files in a temp dir and a FakeClock. `reboot()`
 * makes a new agent on the same directory, as the runtime after a restart (the test plays the launcher's boot count).
 */
export class AgentRig {
  readonly dir = mkdtempSync(join(tmpdir(), 'cartfleet-ota-agent-'));
  readonly paths = new OtaPaths(join(this.dir, 'ota'));
  readonly clock = new FakeClock();
  readonly service = new FakeJobsService();
  channel = new FakeJobsChannel(this.service);
  readonly transport = new FakeDeviceContentClient();
  readonly disk = new FakeDiskSpace();
  readonly probe = new FakeHealthProbe();
  readonly shadow = new FakeShadowReporter();
  readonly host = new FakeSoftwareHost('a');
  readonly gate = new FakeInstallGate();
  readonly logs = new LogRing();
  readonly log: Logger;
  readonly key = generateSigningKey();
  readonly keyring = Keyring.fromPems([this.key.publicKeyPem]);
  model = new FakeComponentHandler('model');
  software = new FakeComponentHandler('software', true);
  agent: OtaAgent | undefined;
  faults: FaultPoints | undefined;
  private jobs = 0;

  constructor() {
    // Into the ring (a failure's `logs`), not onto the test's output.
    this.log = deviceLogger('ota-test', this.logs, 'info', 'fatal');
  }

  handlers(): ComponentHandler[] {
    return [this.model, this.software];
  }

  async start(): Promise<OtaAgent> {
    const downloader = new ArtifactDownloader(this.transport, copyDeltaApplier, this.disk, this.clock, this.log, {
      dir: this.paths.downloads,
      partFile: (sha) => this.paths.partFile(sha),
      deltaPartFile: (from, to) => this.paths.deltaPartFile(from, to),
      reserveBytes: 1024,
      retryMinMs: 1000,
      retryMaxMs: 8000,
      maxRefusals: 3,
    });
    const agent = new OtaAgent({
      paths: this.paths,
      device: { kind: 'cart', hardwareModel: 'SC-200' },
      keyring: this.keyring,
      handlers: this.handlers(),
      gate: this.gate,
      jobs: this.channel,
      downloader,
      probe: this.probe,
      shadow: this.shadow,
      software: this.host,
      logs: this.logs,
      clock: this.clock,
      log: this.log,
      ...(this.faults ? { faults: this.faults } : {}),
      factory: async () => FACTORY,
      options: TEST_AGENT_OPTIONS,
    });
    this.agent = agent;
    await agent.start();
    return agent;
  }

  /** The runtime restarted (a new process: new agent, new channel) on `slot`, after the launcher counted the boot. */
  async reboot(slot?: 'a' | 'b'): Promise<OtaAgent> {
    await this.agent?.stop();
    if (slot) this.host.bootedSlot = slot;
    this.channel = new FakeJobsChannel(this.service);
    return this.start();
  }

  /** Signs a release of `bytes` (published at its artifact path) and queues a job for it; returns the job id. */
  publish(version: string, bytes: Buffer, options: PublishOptions = {}): { jobId: string; document: OtaJobDocument } {
    const component = options.component ?? 'model';
    const manifest = testManifest(
      {
        component,
        name: options.name ?? (component === 'software' ? 'cart-runtime' : 'product-embedder'),
        version,
        upgradeFrom: options.upgradeFrom ?? '*',
        deviceKinds: options.deviceKinds ?? ['cart'],
        artifact: {
          sha256: createHash('sha256').update(bytes).digest('hex'),
          size: bytes.length,
          mediaType: ARTIFACT_MEDIA_TYPES[component],
        },
      },
      bytes,
    );
    const release = signedRelease(manifest, options.signer ?? this.key);
    const document = buildJobDocument(release, options.deltas ?? [], {
      rolloutId: 'rollout-1',
      allowDowngrade: options.allowDowngrade ?? false,
      healthCheckTimeoutSeconds: options.healthCheckTimeoutSeconds ?? 60,
      maxTrialBoots: options.maxTrialBoots ?? 2,
    });
    this.transport.put(otaDownloadPaths.artifact(manifest.artifact.sha256), options.served ?? bytes);
    const jobId = `job-${++this.jobs}`;
    this.service.queue(jobId, document);
    return { jobId, document };
  }

  /** Queues a job with any document (an unparsable one). */
  queueRaw(document: unknown): string {
    const jobId = `job-${++this.jobs}`;
    this.service.queue(jobId, document);
    return jobId;
  }

  async stop(): Promise<void> {
    await this.agent?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
