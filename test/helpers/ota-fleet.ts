import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FleetConfigInput } from '../../fleet/config.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { buildBundle } from '../../ota/bundle/build-bundle.ts';
import type { JobDocumentOptions } from '../../ota/release/job-document.ts';
import { type GeneratedSigningKey, loadPrivateKey, signManifest } from '../../ota/release/signing.ts';
import { ARTIFACT_MEDIA_TYPES, type OtaComponent, type ReleaseManifest } from '../../protocol/ota/index.ts';
import type { FleetTestOptions } from './fleet-harness.ts';
import { startFleet } from './fleet-harness.ts';

const ACTOR = { username: 'ota-test' };

/** A fleet that trusts `key` for releases (downloads allowed as in production: to a device with a job naming them). */
export function startOtaFleet(
  dir: string,
  key: GeneratedSigningKey,
  overrides: FleetConfigInput = {},
  options: FleetTestOptions = {},
): Promise<FleetServer> {
  return startFleet(dir, { ota: { trustedKeys: [key.publicKeyPem] }, ...overrides }, options);
}

/** The device's copy of the verify key (config `ota.verifyKeys`). */
export function writeVerifyKey(dir: string, key: GeneratedSigningKey): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `verify-${key.keyId}.pem`);
  writeFileSync(file, key.publicKeyPem);
  return file;
}

export interface ReleaseInput {
  component?: OtaComponent;
  name?: string;
  version: string;
  deviceKinds?: ('cart' | 'speaker')[];
  upgradeFrom?: string;
  metadata?: Record<string, unknown>;
}

/** Stages `bytes` in the fleet's release store and publishes them signed by `key`; returns the release id. */
export async function publishRelease(
  fleet: FleetServer,
  bytes: Buffer,
  input: ReleaseInput,
  key: GeneratedSigningKey,
): Promise<{ id: string; manifest: ReleaseManifest }> {
  const component = input.component ?? 'software';
  const manifest: ReleaseManifest = {
    schema: 1,
    component,
    name: input.name ?? 'cart-runtime',
    version: input.version,
    deviceKinds: input.deviceKinds ?? ['cart'],
    hardwareModels: [],
    upgradeFrom: input.upgradeFrom ?? '*',
    artifact: {
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      mediaType: ARTIFACT_MEDIA_TYPES[component],
    },
    createdAt: '2027-01-15T08:00:00.000Z',
    ...(input.metadata ? { metadata: input.metadata } : {}),
  };
  await fleet.services.releases.stage(Readable.from([bytes]), ACTOR);
  const signatures = [signManifest(manifest, loadPrivateKey(key.privateKeyPem))];
  const detail = await fleet.services.releases.publish({ manifest, signatures }, ACTOR);
  return { id: detail.id, manifest };
}

let jobs = 0;

/** A job of the release's document for `things` (what a rollout does), through the fleet's jobs service. */
export function queueOtaJob(
  fleet: FleetServer,
  releaseId: string,
  things: string[],
  options: Partial<JobDocumentOptions> = {},
): string {
  const document = fleet.services.releases.jobDocument(releaseId, {
    rolloutId: 'rollout-test',
    allowDowngrade: false,
    healthCheckTimeoutSeconds: 30,
    maxTrialBoots: 2,
    ...options,
  });
  return queueDocument(fleet, document, things);
}

/** A job of any document (a tampered or unparsable one). */
export function queueDocument(fleet: FleetServer, document: unknown, things: string[]): string {
  const jobId = `ota-job-${process.pid}-${++jobs}`;
  fleet.services.jobs.createJob({ jobId, document });
  fleet.services.jobs.queueExecutions(jobId, things);
  return jobId;
}

/**
 * A tiny software bundle (ota/bundle/) whose self-test script passes or fails: what the in-process runtime checks
 * before it commits a software slot. `size` pads the tree with a file of that many pseudo-random bytes.
 */
export async function tinyBundle(
  dir: string,
  version: string,
  options: { selfTestFails?: boolean; padding?: Buffer } = {},
): Promise<Buffer> {
  const tree = join(dir, `tree-${version}`);
  mkdirSync(join(tree, 'devices/cart'), { recursive: true });
  writeFileSync(join(tree, 'devices/cart/main.js'), `console.log('cart ${version}');\n`);
  writeFileSync(
    join(tree, 'devices/cart/self-test.js'),
    options.selfTestFails
      ? `process.stderr.write('self-test ${version}: the scanner driver does not load\\n'); process.exit(1);\n`
      : 'process.exit(0);\n',
  );
  if (options.padding) writeFileSync(join(tree, 'devices/cart/assets.bin'), options.padding);
  const out = join(dir, `bundle-${version}.tar`);
  await buildBundle({
    root: tree,
    include: ['devices'],
    manifest: {
      schema: 1,
      name: 'cart-runtime',
      version,
      kind: 'cart',
      entry: 'devices/cart/main.js',
      selfTest: 'devices/cart/self-test.js',
    },
    outFile: out,
  });
  return readFileSync(out);
}
