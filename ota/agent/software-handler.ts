import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import type { DeviceKind } from '../../protocol/api/devices.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { ReleaseManifest } from '../../protocol/ota/index.ts';
import { extractBundle, readBundleManifest } from '../bundle/extract-bundle.ts';
import type { ComponentHandler } from './component-handler.ts';
import { ensureNodeModulesLink } from './node-modules-link.ts';
import type { DiskSpace } from './ports.ts';

export interface SoftwareHandlerOptions {
  kind: DeviceKind;
  /** The platform's node_modules, linked next to the slots (the launcher does the same). */
  nodeModules: string;
  disk: DiskSpace;
  /** Kept free beyond the unpacked bundle. */
  reserveBytes: number;
  /** The `node` a self-test runs with (the one running now). */
  nodePath?: string;
  /** Lines of a failed self-test's stderr kept in the message. */
  stderrLines?: number;
}

/** Environment variable a bundle's self-test sees (so a shared entry can tell it is being tested, not booted). */
export const SELF_TEST_ENV = 'CARTFLEET_OTA_SELF_TEST';

/**
 * The software component: a bundle (ota/bundle/) unpacked into the slot, checked to be this release and this kind of
 * device, and after the switch its own self-test script run in a child `node` (bundle.json `selfTest`): exit 0 or
 * OTA_HEALTH_CHECK_FAILED with its last stderr lines. Under the launcher the running runtime is the new code itself;
 * in process (simulator, tests) the child is what proves the bundle's code loads and works.
 */
export class SoftwareHandler implements ComponentHandler {
  readonly component = 'software' as const;
  readonly needsRestart = true;

  constructor(private readonly options: SoftwareHandlerOptions) {}

  async install(artifactFile: string, slotDir: string, manifest: ReleaseManifest, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw signal.reason;
    const free = await this.options.disk.freeBytes(slotDir);
    const bundle = await extractBundle(artifactFile, slotDir, {
      maxBytes: Math.max(0, free - this.options.reserveBytes),
    });
    if (bundle.name !== manifest.name || bundle.version !== manifest.version)
      throw new FleetError(
        'OTA_INSTALL_FAILED',
        `the bundle is ${bundle.name}@${bundle.version}, the release ${manifest.name}@${manifest.version}`,
      );
    if (bundle.kind !== this.options.kind)
      throw new FleetError(
        'OTA_INSTALL_FAILED',
        `the bundle is a ${bundle.kind} runtime, this is a ${this.options.kind}`,
      );
    await ensureNodeModulesLink(join(dirname(slotDir), 'node_modules'), this.options.nodeModules);
  }

  async selfTest(slotDir: string, _manifest: ReleaseManifest, signal: AbortSignal): Promise<void> {
    const bundle = await readBundleManifest(slotDir).catch((err: Error) => {
      throw new FleetError('OTA_HEALTH_CHECK_FAILED', err.message);
    });
    if (!bundle.selfTest) return;
    const script = join(slotDir, bundle.selfTest);
    const keep = this.options.stderrLines ?? 20;
    const result = await new Promise<{ code: number | null; signal: string | null; stderr: string[] }>(
      (resolve, reject) => {
        const child = spawn(this.options.nodePath ?? process.execPath, [script], {
          cwd: slotDir,
          env: { ...process.env, [SELF_TEST_ENV]: '1' },
          stdio: ['ignore', 'ignore', 'pipe'],
          signal,
          killSignal: 'SIGKILL',
        });
        const lines: string[] = [];
        let partial = '';
        child.stderr.setEncoding('utf8');
        child.stderr.on('data', (chunk: string) => {
          const parts = (partial + chunk).split('\n');
          partial = parts.pop() ?? '';
          lines.push(...parts);
          if (lines.length > keep) lines.splice(0, lines.length - keep);
        });
        child.on('error', (err) =>
          signal.aborted ? reject(signal.reason) : resolve({ code: -1, signal: null, stderr: [err.message] }),
        );
        child.on('close', (code, killedBy) => {
          if (signal.aborted) reject(signal.reason);
          else resolve({ code, signal: killedBy, stderr: partial ? [...lines, partial].slice(-keep) : lines });
        });
      },
    );
    if (result.code === 0) return;
    const how = result.signal ? `was killed by ${result.signal}` : `exited with ${result.code}`;
    throw new FleetError(
      'OTA_HEALTH_CHECK_FAILED',
      `the bundle's self-test ${how}: ${result.stderr.filter((l) => l.trim()).join(' | ') || 'no output'}`,
    );
  }
}
