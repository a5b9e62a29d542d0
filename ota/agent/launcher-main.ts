import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { systemClock } from '../../platform/clock.ts';
import { CONFIG_EXIT_CODE } from '../../platform/exit-codes.ts';
import { createLogger } from '../../platform/log.ts';
import { faultPointsFromEnv } from './fault-points.ts';
import { Launcher } from './launcher.ts';
import { nodeModulesAbove } from './node-modules-link.ts';

const USAGE = `usage: node ota/agent/launcher-main.js --ota-dir DIR --entry devices/cart/main.js
         [--factory DIR] [--node-modules DIR] [--node-arg ARG]... -- [runtime args, e.g. --config cart.json]`;

/**
 * The launcher's composition root (docs/operations.md, Running a device under the launcher): the device's
 * "bootloader" process. `--factory` defaults to the tree this file runs from (its grandparent's parent: the
 * compiled `dist/`), `--node-modules` to the first node_modules above it.
 */
async function main(argv: string[]): Promise<void> {
  const separator = argv.indexOf('--');
  const own = separator >= 0 ? argv.slice(0, separator) : argv;
  const args = separator >= 0 ? argv.slice(separator + 1) : [];
  const { values } = parseArgs({
    args: own,
    options: {
      'ota-dir': { type: 'string' },
      entry: { type: 'string' },
      factory: { type: 'string' },
      'node-modules': { type: 'string' },
      'node-arg': { type: 'string', multiple: true },
    },
  });
  const otaDir = values['ota-dir'];
  const entry = values.entry;
  if (!otaDir || !entry) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(CONFIG_EXIT_CODE);
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const factoryDir = resolve(values.factory ?? resolve(here, '..', '..'));
  const nodeModules = values['node-modules'] ?? nodeModulesAbove(factoryDir, existsSync);
  if (!nodeModules) {
    process.stderr.write(`no node_modules above ${factoryDir}: pass --node-modules\n${USAGE}\n`);
    process.exit(CONFIG_EXIT_CODE);
  }
  const log = createLogger('launcher', process.env.LOG_LEVEL ?? 'info');
  const launcher = new Launcher(
    {
      otaDir: resolve(otaDir),
      factoryDir,
      factoryEntry: entry,
      nodeModules: resolve(nodeModules),
      nodePath: process.execPath,
      nodeArgs: values['node-arg'] ?? [],
      args,
      env: process.env,
      echoStderr: true,
      crashLogLines: 40,
      watchdogGraceMs: 60_000,
      restartMinMs: 1000,
      restartMaxMs: 60_000,
      stableMs: 5 * 60_000,
      pollMs: 1000,
    },
    systemClock,
    log,
    faultPointsFromEnv(process.env),
  );
  // The runtime gets the signal and stops cleanly; the launcher ends with it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void launcher.stop());
  await launcher.start();
  process.exit(await launcher.done);
}

await main(process.argv.slice(2));
