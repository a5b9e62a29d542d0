/**
 * Cart memory with a hypermarket's pricing snapshot: a real cart runtime in its own process (virtual board; see
 * bench/workers/cart-memory-child.ts) receives a 50,000-product snapshot (the demo catalog grown by
 * sim/scaled-catalog.ts) from a real fleet through its SnapshotStore, and its CartShop builds the pricing context
 * on it; RSS and V8 heap are read after garbage collection, and the peak RSS of the whole process.
 *
 * Baseline, same run: the same cart runtime with an empty snapshot (the same categories, layouts and promotions, no
 * products), so the difference is what the products cost. Target: RSS ≤ 150 MB with 50,000 products.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { FleetConfigSchema } from '../fleet/config.ts';
import { FleetServer } from '../fleet/fleet-server.ts';
import { RegistrySnapshotSource } from '../fleet/pricing/snapshot-source.ts';
import { silentLogger } from '../platform/log.ts';
import type { Product } from '../protocol/commerce/catalog.ts';
import { scaledDemoCatalog } from '../sim/scaled-catalog.ts';
import {
  type BenchOptions,
  benchFleetConfig,
  fmt,
  markdownTable,
  runWhenMain,
  tempDir,
  withTimeout,
} from './lib/common.ts';
import type { CartMemoryResult, CartMemoryTask } from './workers/cart-memory-child.ts';

const STORE = 'hf-shanghai-xuhui';
const TARGET_MB = 150;

export interface CartMemoryRow extends CartMemoryResult {
  label: string;
  gzipBytes: number;
}

export interface CartMemoryReport {
  rows: CartMemoryRow[];
  markdown: string;
}

const log = (message: string) => process.stderr.write(`[cart-memory] ${message}\n`);

export async function run(options: BenchOptions = { quick: false }): Promise<CartMemoryReport> {
  const count = options.quick ? 5_000 : 50_000;
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
    for (const [label, list] of [
      ['empty snapshot (baseline)', [] as Product[]],
      [`${count.toLocaleString('en-US')} products`, catalog.products],
    ] as const) {
      products = list;
      const version = await fleet.services.pricing.rebuild(STORE);
      if (!version) throw new Error('no snapshot built');
      const thingName = `bench-mem-${rows.length}`;
      const registration = await fleet.services.registry.registerDevice({
        thingName,
        kind: 'cart',
        hardwareModel: 'SC-200',
        storeId: STORE,
      });
      const task: CartMemoryTask = {
        thingName,
        port: fleet.services.broker.tlsPort,
        dir: join(dir.path, thingName),
        credentials: {
          certificatePem: registration.certificate.certificatePem,
          privateKeyPem: registration.certificate.privateKeyPem,
          caPem: registration.caPem,
        },
        zones: fleet.services.stores.listZones(STORE),
        version: version.version,
      };
      const result = await measure(task);
      log(`${label}: ${JSON.stringify(result)}`);
      rows.push({ label, gzipBytes: version.size, ...result });
    }
    const report: CartMemoryReport = { rows, markdown: '' };
    report.markdown = render(report, count);
    return report;
  } finally {
    await fleet.stop();
    dir.cleanup();
  }
}

async function measure(task: CartMemoryTask): Promise<CartMemoryResult> {
  const child: ChildProcess = fork(new URL('./workers/cart-memory-child.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  try {
    const result = new Promise<CartMemoryResult>((resolve, reject) => {
      child.once('message', (m) => resolve(m as CartMemoryResult));
      child.once('exit', (code) => reject(new Error(`the cart process exited (${code}) before reporting`)));
    });
    child.send(task);
    return await withTimeout(result, 180_000, 'the cart process to report');
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.connected) child.send('stop');
    await withTimeout(exited, 15_000, 'the cart process to stop').catch(() => child.kill('SIGKILL'));
  }
}

function render(report: CartMemoryReport, count: number): string {
  const mb = (n: number) => `${fmt(n / 1024 / 1024, 1)} MB`;
  const base = report.rows[0];
  return [
    `## Cart memory with a ${count.toLocaleString('en-US')}-product pricing snapshot (target RSS ≤ ${TARGET_MB} MB)`,
    '',
    markdownTable(
      ['cart', 'snapshot gzip', 'products', 'priced', 'RSS', 'V8 heap used', 'external', 'peak RSS', 'RSS − baseline'],
      report.rows.map((r) => [
        r.label,
        `${fmt(r.gzipBytes / 1024, 0)} KiB`,
        r.products,
        r.priced ? 'yes' : 'no',
        mb(r.rssBytes),
        mb(r.heapUsedBytes),
        mb(r.externalBytes),
        mb(r.peakRssBytes),
        base ? mb(r.rssBytes - base.rssBytes) : '',
      ]),
    ),
    '',
    'A real cart runtime (virtual board) in its own process, online to a real fleet: the snapshot arrives through ' +
      'the SnapshotStore (MQTT file delivery, sha256, schema check, stored), and the CartShop holds the pricing ' +
      'context built on it (createPricingContext). RSS and heap after GC; peak RSS over the whole run.',
  ].join('\n');
}

await runWhenMain(import.meta.url, run);
