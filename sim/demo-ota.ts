import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { FleetServer } from '../fleet/fleet-server.ts';
import { buildBundle } from '../ota/bundle/build-bundle.ts';
import { DEVICE_RUNTIME_FOLDERS } from '../ota/bundle/runtime-folders.ts';
import { generateSigningKey } from '../ota/release/signing.ts';
import type { Logger } from '../platform/log.ts';
import { PROJECT_ROOT } from '../platform/project-root.ts';
import { ARTIFACT_MEDIA_TYPES, type ReleaseManifest } from '../protocol/ota/release.ts';

const run = promisify(execFile);

/** The demo's release key: made at the first start in the demo's data dir (never in the repo), kept across runs. */
export interface DemoOtaKeys {
  /** PKCS#8 PEM: the fleet signs publishes with it (`ota.signingKeyFile`). */
  signingKeyFile: string;
  /** SPKI PEM: what every demo device trusts (`ota.verifyKeys`). */
  verifyKeyFile: string;
}

export function demoOtaKeys(dataRoot: string): DemoOtaKeys {
  const dir = join(dataRoot, 'ota-keys');
  const signingKeyFile = join(dir, 'release-signing.pem');
  const verifyKeyFile = join(dir, 'release-verify.pem');
  if (!existsSync(signingKeyFile) || !existsSync(verifyKeyFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const key = generateSigningKey();
    writeFileSync(signingKeyFile, key.privateKeyPem, { mode: 0o600 });
    chmodSync(signingKeyFile, 0o600);
    writeFileSync(verifyKeyFile, key.publicKeyPem);
  }
  return { signingKeyFile, verifyKeyFile };
}

/** The two cart software releases the demo offers (README, "Updates in the demo"). */
export const DEMO_RELEASES = {
  good: { name: 'cart-runtime', version: '0.2.0' },
  broken: { name: 'cart-runtime', version: '0.3.0' },
} as const;

/** The module the broken build gets wrong: the cart runtime's own, so its self-test fails to load it. */
const BROKEN_MODULE = 'devices/cart/cart-runtime.js';
const BROKEN_LINE =
  "throw new Error('cart-runtime 0.3.0: the scanner driver was built against the wrong HID library (demo: a broken build)');\n";

/**
 * Publishes the demo's cart software releases once (idempotent across runs): 0.2.0, a real bundle of the compiled
 * cart runtime (tsconfig.devices.json, `ota/bundle/`), and 0.3.0, the same tree with its runtime module broken, so
 * that its self-test, run by each cart's agent in a child `node` from the new slot after the switch, fails and the
 * cart rolls back. Both are signed by the fleet with the demo key. Returns whether anything was published.
 */
export async function loadDemoReleases(fleet: FleetServer, log: Logger): Promise<boolean> {
  const releases = fleet.services.releases;
  const missing = Object.values(DEMO_RELEASES).filter((r) => !releases.byNameVersion(r.name, r.version));
  if (missing.length === 0) return false;
  const work = await mkdtemp(join(tmpdir(), 'cartfleet-demo-ota-'));
  try {
    const dist = join(work, 'dist');
    // The compiled device tree, as a device image is built (npm run build:devices, into a scratch dir).
    await run(
      process.execPath,
      [join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.devices.json', '--outDir', dist],
      {
        cwd: PROJECT_ROOT,
      },
    );
    for (const release of missing) {
      const root = release === DEMO_RELEASES.broken ? join(work, 'broken') : dist;
      if (root !== dist) {
        await cp(dist, root, { recursive: true });
        const module = join(root, BROKEN_MODULE);
        await writeFile(module, BROKEN_LINE + (await readFile(module, 'utf8')));
      }
      const outFile = join(work, `${release.name}-${release.version}.tar`);
      const built = await buildBundle({
        root,
        include: DEVICE_RUNTIME_FOLDERS.filter((f) => existsSync(join(root, f))),
        also: [{ root: PROJECT_ROOT, include: ['web/dist'] }],
        exclude: (path) => path.endsWith('.map') || path.endsWith('.tsbuildinfo'),
        manifest: {
          schema: 1,
          name: release.name,
          version: release.version,
          kind: 'cart',
          entry: 'devices/cart/main.js',
          selfTest: 'devices/cart/self-test.js',
        },
        outFile,
      });
      const manifest: ReleaseManifest = {
        schema: 1,
        component: 'software',
        name: release.name,
        version: release.version,
        deviceKinds: ['cart'],
        hardwareModels: [],
        upgradeFrom: '>=0.1.0',
        artifact: { sha256: built.sha256, size: built.size, mediaType: ARTIFACT_MEDIA_TYPES.software },
        createdAt: new Date().toISOString(),
        notes:
          release === DEMO_RELEASES.broken
            ? 'Demo: a broken build. Its self-test fails on the cart, which rolls back; a rollout of it aborts itself.'
            : 'Demo: the cart runtime as built from this checkout.',
      };
      await releases.stage(Readable.from([readFileSync(outFile)]), { username: 'demo' });
      await releases.publish({ manifest }, { username: 'demo' });
      log.warn({ release: `${release.name}@${release.version}`, bytes: built.size }, 'demo release published');
    }
    return true;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
