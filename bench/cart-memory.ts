/**
 * Cart memory with a hypermarket's pricing snapshot: the cart process as it ships (package.json's `cart` script:
 * compiled JS, the V8 flags it sets, `board.io: "virtual"`, its screen server on; see bench/lib/cart-launch.ts),
 * online to a real fleet, receives a 50,000-product snapshot (the demo catalog grown by sim/scaled-catalog.ts)
 * through its SnapshotStore, and its CartShop builds the pricing context on it; then the fleet publishes the next
 * version (every price changed) and the same cart swaps to it, as after a nightly price update. Memory is read from
 * outside (/proc) and nothing is done to the process from outside: RSS once the cart has reported the snapshot in use
 * and then idled for the settle time, as a cart on the floor would sit, and the peak RSS of its life so far.
 *
 * Baseline, same run: the same cart with an empty snapshot (the same categories, layouts and promotions, no
 * products), so the difference is what the products cost. Target: RSS ≤ 150 MB with 50,000 products.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FleetConfigSchema } from '../fleet/config.ts';
import { FleetServer } from '../fleet/fleet-server.ts';
import { writeCertificateBundle } from '../fleet/identity/certificate-bundle.ts';
import { RegistrySnapshotSource } from '../fleet/pricing/snapshot-source.ts';
import { silentLogger } from '../platform/log.ts';
import type { Product } from '../protocol/commerce/catalog.ts';
import { scaledDemoCatalog } from '../sim/scaled-catalog.ts';
import { buildCart, type CartLaunch, cartLaunch, type ProcessMemory, readProcessMemory } from './lib/cart-launch.ts';
import {
  type BenchOptions,
  benchFleetConfig,
  fmt,
  markdownTable,
  runWhenMain,
  sleep,
  tempDir,
  waitUntil,
} from './lib/common.ts';

const STORE = 'hf-shanghai-xuhui';
const TARGET_MB = 150;
/** How long the cart idles after reporting the snapshot before its RSS is read. */
const SETTLE_MS = 10_000;

export interface CartMemoryRow extends ProcessMemory {
  label: string;
  gzipBytes: number;
  products: number;
  /** From the cart's start (or the catalog change, for a next version) to the fleet seeing the snapshot in use. */
  inUseAfterMs: number;
}

export interface CartMemoryReport {
  launch: string;
  settleMs: number;
  rows: CartMemoryRow[];
  markdown: string;
}

const log = (message: string) => process.stderr.write(`[cart-memory] ${message}\n`);

export async function run(options: BenchOptions = { quick: false }): Promise<CartMemoryReport> {
  const count = options.quick ? 5_000 : 50_000;
  const settleMs = options.quick ? 2_000 : SETTLE_MS;
  buildCart();
  const launch = cartLaunch();
  const catalog = scaledDemoCatalog(count);
  const dir = tempDir('cartfleet-bench-cart-memory-');
  let products: Product[] = [];
  const fleet = new FleetServer(
    FleetConfigSchema.parse({ ...benchFleetConfig(join(dir.path, 'fleet')), seedDemoData: true }),
    silentLogger(),
    undefined,
    {
      snapshotSource: (stores) =>
        new RegistrySnapshotSource(stores, {
          products: () => products,
          categories: () => catalog.categories,
          promotions: () => catalog.promotions,
          variableMeasureLayouts: () => catalog.layouts,
        }),
    },
  );
  try {
    await fleet.start();
    const rows: CartMemoryRow[] = [];
    const publish = async (list: Product[]) => {
      products = list;
      const version = await fleet.services.pricing.rebuild(STORE);
      if (!version) throw new Error('no snapshot built');
      return version;
    };
    const phases: [string, Product[]][][] = [
      [['empty snapshot (baseline)', []]],
      [
        [`${count.toLocaleString('en-US')} products`, catalog.products],
        // Tomorrow's prices: every product's price changes, so the cart holds both snapshots while it swaps.
        [
          `${count.toLocaleString('en-US')} products, then the next version installed over them`,
          catalog.products.map((p) => ({ ...p, priceFen: p.priceFen + 1 })),
        ],
      ],
    ];
    for (const [index, cartPhases] of phases.entries()) {
      const first = await publish(cartPhases[0]?.[1] ?? []);
      const cart = await startCart(fleet, dir.path, `bench-mem-${index}`, launch);
      try {
        let version = first;
        for (const [k, [label, list]] of cartPhases.entries()) {
          const from = k === 0 ? cart.startedAt : Date.now();
          if (k > 0) version = await publish(list);
          const memory = await cart.measureOnce(version.version, settleMs, from);
          log(`${label}: ${JSON.stringify(memory)}`);
          rows.push({ label, gzipBytes: version.size, products: list.length, ...memory });
        }
      } finally {
        await cart.stop();
      }
    }
    const report: CartMemoryReport = { launch: launch.script, settleMs, rows, markdown: '' };
    report.markdown = render(report, count);
    return report;
  } finally {
    await fleet.stop();
    dir.cleanup();
  }
}

interface RunningCart {
  startedAt: number;
  /** Waits until the cart reports `version` in use, lets it idle `settleMs`, and reads its memory. */
  measureOnce(version: number, settleMs: number, from: number): Promise<ProcessMemory & { inUseAfterMs: number }>;
  stop(): Promise<void>;
}

/** Registers a cart, writes its certificate bundle and config, and starts it the way `npm run cart` does. */
async function startCart(
  fleet: FleetServer,
  root: string,
  thingName: string,
  launch: CartLaunch,
): Promise<RunningCart> {
  const registration = await fleet.services.registry.registerDevice({
    thingName,
    kind: 'cart',
    hardwareModel: 'SC-200',
    storeId: STORE,
  });
  const cartDir = join(root, thingName);
  const certDir = join(cartDir, 'certs');
  writeCertificateBundle(certDir, {
    thingName,
    certificateId: registration.certificate.certificateId,
    certificatePem: registration.certificate.certificatePem,
    privateKeyPem: registration.certificate.privateKeyPem,
    caPem: registration.caPem,
  });
  const configFile = join(cartDir, 'cart.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      thingName,
      endpoint: { host: 'localhost', port: fleet.services.broker.tlsPort },
      certDir,
      dataDir: join(cartDir, 'data'),
      board: { io: 'virtual' },
      logLevel: 'warn',
      // Any free port: the screen server runs as on a cart.
      screen: { port: 0 },
    }),
  );
  const reportedVersion = () =>
    (fleet.services.shadows.find(thingName, 'commerce')?.state.reported?.pricingSnapshot as { version?: number })
      ?.version;
  const child: ChildProcess = spawn(launch.command, [...launch.args, '--config', configFile], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  return {
    startedAt: Date.now(),
    async measureOnce(version, settleMs, from) {
      const inUse = await waitUntil(() => reportedVersion() === version || exited, 180_000, 100);
      if (!inUse || exited)
        throw new Error(exited ? 'the cart exited before using the snapshot' : 'no snapshot in use');
      const inUseAfterMs = Date.now() - from;
      await sleep(settleMs);
      if (exited || child.pid === undefined) throw new Error('the cart exited while settling');
      return { ...readProcessMemory(child.pid), inUseAfterMs };
    },
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      if (!(await waitUntil(() => exited, 15_000, 50))) child.kill('SIGKILL');
    },
  };
}

function render(report: CartMemoryReport, count: number): string {
  const mb = (n: number) => `${fmt(n / 1024 / 1024, 1)} MB`;
  const base = report.rows[0];
  return [
    `## Cart memory with a ${count.toLocaleString('en-US')}-product pricing snapshot (target RSS ≤ ${TARGET_MB} MB)`,
    '',
    markdownTable(
      [
        'cart',
        'snapshot gzip',
        'products',
        'snapshot in use after',
        'RSS',
        'anonymous',
        'file-backed',
        'peak RSS',
        'RSS − baseline',
      ],
      report.rows.map((r) => [
        r.label,
        `${fmt(r.gzipBytes / 1024, 0)} KiB`,
        r.products,
        `${fmt(r.inUseAfterMs / 1000, 1)} s`,
        mb(r.rssBytes),
        mb(r.anonymousBytes),
        mb(r.fileBytes),
        mb(r.peakRssBytes),
        base ? mb(r.rssBytes - base.rssBytes) : '',
      ]),
    ),
    '',
    `The cart process as \`npm run cart\` starts it, without npm: \`${report.launch}\` (virtual board, screen ` +
      'server on), online to a real fleet: the snapshot arrives through the SnapshotStore (MQTT file delivery, ' +
      'sha256, streamed gunzip and parse, schema check, stored) and the CartShop builds its pricing context on it. ' +
      'The last row is the same process after the fleet published the next version (every price changed): it ' +
      'holds both snapshots while it swaps. ' +
      `RSS read from /proc ${fmt(report.settleMs / 1000, 0)} s after the cart reported the snapshot in use, with no ` +
      'forced GC; anonymous (V8 heaps, native allocations) and file-backed (node binary, libraries) from ' +
      'smaps_rollup; peak RSS (VmHWM) over the process life so far. "Snapshot in use after": from the start of the ' +
      'cart, or for the next version from the catalog change (rebuild, announcement, download, parse).',
  ].join('\n');
}

await runWhenMain(import.meta.url, run);
