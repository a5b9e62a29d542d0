import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComponentHandler, InstallGate } from '../../ota/agent/component-handler.ts';
import type {
  DeltaApplier,
  DiskSpace,
  HealthProbe,
  OtaShadowReporter,
  ProbeResult,
  SoftwareHost,
} from '../../ota/agent/ports.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { OtaComponent, OtaReported, ReleaseManifest } from '../../protocol/ota/index.ts';

/** The runtime's health as a test sets it; listeners hear every change. */
export class FakeHealthProbe implements HealthProbe {
  private isConnected = true;
  private inSync = true;
  hardware: ProbeResult = { ok: true };
  private readonly listeners = new Set<() => void>();

  connected(): boolean {
    return this.isConnected;
  }

  shadowInSync(): boolean {
    return this.inSync;
  }

  async hardwareSelfTest(): Promise<ProbeResult> {
    return this.hardware;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(state: { connected?: boolean; shadowInSync?: boolean }): void {
    if (state.connected !== undefined) this.isConnected = state.connected;
    if (state.shadowInSync !== undefined) this.inSync = state.shadowInSync;
    for (const listener of this.listeners) listener();
  }
}

/** Records what the agent reports to the shadows. */
export class FakeShadowReporter implements OtaShadowReporter {
  readonly ota: OtaReported[] = [];
  readonly versions: string[] = [];

  reportOta(reported: OtaReported): void {
    this.ota.push(structuredClone(reported));
  }

  reportSoftwareVersion(version: string): void {
    this.versions.push(version);
  }

  get last(): OtaReported | undefined {
    return this.ota.at(-1);
  }
}

/** A software host that records restarts; the test plays the reboot (a new agent on `bootedSlot`). */
export class FakeSoftwareHost implements SoftwareHost {
  readonly restarts: string[] = [];

  constructor(public bootedSlot: 'a' | 'b' = 'a') {}

  async restart(reason: string): Promise<void> {
    this.restarts.push(reason);
  }
}

/** Free space as the test says. */
export class FakeDiskSpace implements DiskSpace {
  constructor(public free = 10 * 1024 * 1024 * 1024) {}

  async freeBytes(): Promise<number> {
    return this.free;
  }
}

/** A delta that is the target itself (the agent's logic, not bsdiff, is under test). */
export const copyDeltaApplier: DeltaApplier = {
  async apply(_base, delta, out) {
    await copyFile(delta, out);
  },
};

/**
 * A model- or config-like component: install copies the artifact into the slot as `artifact.bin`; `selfTest` passes
 * unless the test says otherwise (fails with a code, or hangs until aborted); `activate` records the slot.
 */
export class FakeComponentHandler implements ComponentHandler {
  readonly activations: { slotDir: string; version: string }[] = [];
  readonly installs: string[] = [];
  selfTestFails: string | undefined;
  selfTestHangs = false;
  installFails: FleetError | undefined;

  constructor(
    readonly component: OtaComponent,
    readonly needsRestart = false,
  ) {}

  async install(artifactFile: string, slotDir: string): Promise<void> {
    if (this.installFails) throw this.installFails;
    this.installs.push(slotDir);
    await copyFile(artifactFile, join(slotDir, 'artifact.bin'));
  }

  async selfTest(slotDir: string, _manifest: ReleaseManifest, signal: AbortSignal): Promise<void> {
    await readFile(join(slotDir, 'artifact.bin'));
    if (this.selfTestHangs)
      await new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    if (this.selfTestFails) throw new FleetError('OTA_HEALTH_CHECK_FAILED', this.selfTestFails);
  }

  async activate(slotDir: string, manifest: ReleaseManifest): Promise<void> {
    this.activations.push({ slotDir, version: manifest.version });
  }
}

/** An install gate a test opens and closes. */
export class FakeInstallGate implements InstallGate {
  private reason: string | undefined;
  private readonly listeners = new Set<() => void>();

  isOpen(): { open: true } | { open: false; reason: string } {
    return this.reason === undefined ? { open: true } : { open: false, reason: this.reason };
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(reason: string): void {
    this.reason = reason;
    for (const listener of this.listeners) listener();
  }

  open(): void {
    this.reason = undefined;
    for (const listener of this.listeners) listener();
  }
}
