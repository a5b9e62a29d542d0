import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CONFIG_EXIT_CODE } from '../../platform/exit-codes.ts';
import { PROJECT_ROOT } from '../../platform/project-root.ts';
import { DEVICE_KINDS, type DeviceKind } from '../../protocol/api/devices.ts';
import { buildBundle } from './build-bundle.ts';
import { DEVICE_RUNTIME_FOLDERS } from './runtime-folders.ts';

const USAGE = `usage: npm run build:web && npm run build:devices && npx tsx ota/bundle/build-device-bundle-main.ts --kind cart|speaker
         --version 1.2.0 [--name cart-runtime] [--dist dist] --out cart-runtime-1.2.0.tar`;

/**
 * Packs the compiled device runtime into a software bundle for a `software` release (docs/operations.md, OTA
 * updates): the compiled tree without source maps, the kind's entry (`devices/<kind>/main.js`) and self-test
 * (`devices/<kind>/self-test.js`), and for a cart the built web UI its screen serves. Prints the sha256 and size the
 * release manifest names.
 */
async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      kind: { type: 'string' },
      version: { type: 'string' },
      name: { type: 'string' },
      dist: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const kind = values.kind as DeviceKind | undefined;
  if (!kind || !DEVICE_KINDS.includes(kind) || !values.version || !values.out) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(CONFIG_EXIT_CODE);
  }
  const dist = resolve(values.dist ?? join(PROJECT_ROOT, 'dist'));
  if (!existsSync(join(dist, 'devices', kind, 'main.js'))) {
    process.stderr.write(`no compiled ${kind} runtime in ${dist}: npm run build:devices first\n`);
    process.exit(CONFIG_EXIT_CODE);
  }
  // The cart serves its screen from web/dist, which the bundle must carry.
  if (kind === 'cart' && !existsSync(join(PROJECT_ROOT, 'web', 'dist', 'cart.html'))) {
    process.stderr.write('no built web UI (web/dist): npm run build:web first\n');
    process.exit(CONFIG_EXIT_CODE);
  }
  const built = await buildBundle({
    root: dist,
    include: DEVICE_RUNTIME_FOLDERS.filter((folder) => existsSync(join(dist, folder))),
    also: kind === 'cart' ? [{ root: PROJECT_ROOT, include: ['web/dist'] }] : [],
    exclude: (path) => path.endsWith('.map') || path.endsWith('.tsbuildinfo'),
    manifest: {
      schema: 1,
      name: values.name ?? `${kind}-runtime`,
      version: values.version,
      kind,
      entry: `devices/${kind}/main.js`,
      selfTest: `devices/${kind}/self-test.js`,
    },
    outFile: resolve(values.out),
  });
  process.stdout.write(`${JSON.stringify({ file: resolve(values.out), ...built })}\n`);
}

await main(process.argv.slice(2));
