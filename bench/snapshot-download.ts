/**
 * Pricing snapshot delivery at hypermarket scale: a 50,000-product snapshot (the demo catalog grown by
 * `sim/scaled-catalog.ts`: realistic names, GTINs, prices, the demo's categories, layouts and promotions) is built by
 * the fleet's PricingSnapshotService (build, JSON, gzip, sha256, SQLite row, stream, shadow announcement) and
 * downloaded by a device's FileStreamClient over the device's own connection (DeviceConnection: AWS SDK, aws-crt,
 * MQTT 3.1.1 over mTLS) through the embedded broker, exactly as a cart does: DescribeStream, then GetStream windows of
 * four 32 KiB blocks, each block one base64 JSON message, size and sha256 checked.
 *
 * Baseline, same run, same connection: the same gzip bytes pushed by the fleet as plain QoS 1 publishes of 32 KiB
 * raw binary chunks to a topic the device subscribes to. That is the floor for moving those bytes through this broker,
 * TLS and SDK; the difference is what file delivery costs on top (request/response round trips per 128 KB window,
 * base64 and JSON per block, QoS 0 answers). A 1,000-product snapshot is measured too, to show how the cost scales.
 * Each figure is the median of `runs` downloads.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { DeviceConnection } from '../devices/core/device-connection.ts';
import { FileStreamClient } from '../devices/core/file-stream-client.ts';
import { FleetConfigSchema } from '../fleet/config.ts';
import { FleetServer } from '../fleet/fleet-server.ts';
import { RegistrySnapshotSource } from '../fleet/pricing/snapshot-source.ts';
import { systemClock } from '../platform/clock.ts';
import { silentLogger } from '../platform/log.ts';
import type { Product } from '../protocol/commerce/catalog.ts';
import { commandTopics } from '../protocol/topics.ts';
import type { DemoCatalog } from '../sim/demo-catalog.ts';
import { scaledDemoCatalog } from '../sim/scaled-catalog.ts';
import {
  type BenchOptions,
  benchFleetConfig,
  fmt,
  markdownTable,
  median,
  runWhenMain,
  tempDir,
  waitUntil,
  withTimeout,
} from './lib/common.ts';

const STORE = 'hf-shanghai-xuhui';
const THING = 'bench-snapshot-cart';
const CHUNK = 32 * 1024;

export interface SnapshotDownloadRow {
  products: number;
  jsonBytes: number;
  gzipBytes: number;
  buildMs: number;
  downloadMs: number;
  baselineMs: number;
}

export interface SnapshotDownloadReport {
  runs: number;
  rows: SnapshotDownloadRow[];
  markdown: string;
}

const log = (message: string) => process.stderr.write(`[snapshot-download] ${message}\n`);

export async function run(options: BenchOptions = { quick: false }): Promise<SnapshotDownloadReport> {
  const runs = options.quick ? 2 : 5;
  const sizes = options.quick ? [1_000, 10_000] : [1_000, 50_000];
  const dir = tempDir('cartfleet-bench-snapshot-');
  let catalog: DemoCatalog = scaledDemoCatalog(1);
  /** Changed before each build, so each makes a new version (an unchanged catalog makes none). */
  let bump = 0;
  const products = (): Product[] =>
    catalog.products.map((p, k) => (k === 0 ? { ...p, priceFen: p.priceFen + bump } : p));
  const fleet = new FleetServer(
    FleetConfigSchema.parse({
      ...benchFleetConfig(dir.path),
      seedDemoData: true,
      pricing: { snapshotDebounceMs: 600_000 },
    }),
    silentLogger(),
    undefined,
    {
      snapshotSource: (stores) =>
        new RegistrySnapshotSource(stores, {
          products,
          categories: () => catalog.categories,
          promotions: () => catalog.promotions,
          variableMeasureLayouts: () => catalog.layouts,
        }),
    },
  );
  let connection: DeviceConnection | undefined;
  let client: FileStreamClient | undefined;
  try {
    await fleet.start();
    const registration = await fleet.services.registry.registerDevice({
      thingName: THING,
      kind: 'cart',
      hardwareModel: 'SC-200',
      storeId: STORE,
    });
    connection = new DeviceConnection(
      {
        thingName: THING,
        host: 'localhost',
        port: fleet.services.broker.tlsPort,
        keepAliveSeconds: 30,
        reconnectMinSeconds: 1,
        reconnectMaxSeconds: 2,
      },
      {
        certificatePem: registration.certificate.certificatePem,
        privateKeyPem: registration.certificate.privateKeyPem,
        caPem: registration.caPem,
      },
      silentLogger(),
      systemClock,
    );
    connection.start();
    const device = connection;
    if (!(await waitUntil(() => device.online, 15_000))) throw new Error('the device did not connect');
    client = new FileStreamClient(device, THING, systemClock, silentLogger());
    client.start();
    const baseline = await rawPublisher(fleet, device);

    const rows: SnapshotDownloadRow[] = [];
    for (const count of sizes) {
      catalog = scaledDemoCatalog(count);
      const builds: number[] = [];
      const downloads: number[] = [];
      const floors: number[] = [];
      let gzipBytes = 0;
      let jsonBytes = 0;
      for (let r = 0; r < runs; r++) {
        bump++;
        const started = performance.now();
        const version = await fleet.services.pricing.rebuild(STORE);
        builds.push(performance.now() - started);
        if (!version?.bytes) throw new Error('no snapshot built');
        const bytes = version.bytes;
        gzipBytes = bytes.length;
        jsonBytes = gunzipSync(bytes).length;
        const announcement = fleet.services.pricing.announcement(STORE);
        if (!announcement) throw new Error('no announcement');
        const t0 = performance.now();
        const got = await withTimeout(
          client.download({
            streamId: announcement.streamId,
            fileId: announcement.fileId,
            size: announcement.size,
            sha256: announcement.sha256,
          }),
          120_000,
          'snapshot download',
        );
        downloads.push(performance.now() - t0);
        if (createHash('sha256').update(got).digest('hex') !== announcement.sha256) throw new Error('bytes differ');
        floors.push(await baseline(bytes));
      }
      const row = {
        products: count,
        jsonBytes,
        gzipBytes,
        buildMs: median(builds),
        downloadMs: median(downloads),
        baselineMs: median(floors),
      };
      log(`${count} products: ${JSON.stringify(row)}`);
      rows.push(row);
    }
    const report: SnapshotDownloadReport = { runs, rows, markdown: '' };
    report.markdown = render(report);
    return report;
  } finally {
    await client?.stop();
    await connection?.stop();
    await fleet.stop();
    dir.cleanup();
  }
}

/** The baseline: the fleet publishes `bytes` as QoS 1 chunks of 32 KiB to the device; ms until the last byte is in. */
async function rawPublisher(fleet: FleetServer, device: DeviceConnection): Promise<(bytes: Buffer) => Promise<number>> {
  const topic = commandTopics.request(THING, 'bench-blob');
  let received = 0;
  let done: (() => void) | undefined;
  let expected = 0;
  await device.subscribe(topic, (_topic, payload) => {
    received += payload.length;
    if (received >= expected) done?.();
  });
  return async (bytes) => {
    received = 0;
    expected = bytes.length;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    const t0 = performance.now();
    for (let offset = 0; offset < bytes.length; offset += CHUNK)
      await fleet.services.broker.publish(topic, bytes.subarray(offset, offset + CHUNK), 1);
    await withTimeout(finished, 60_000, 'raw publishes');
    return performance.now() - t0;
  };
}

function render(report: SnapshotDownloadReport): string {
  const kb = (n: number) => `${fmt(n / 1024, 0)} KiB`;
  return [
    `## Pricing snapshot: build and download over MQTT file delivery (median of ${report.runs} runs)`,
    '',
    markdownTable(
      [
        'products',
        'JSON',
        'gzip',
        'build (fleet)',
        'download (FileStreamClient)',
        'baseline: same bytes as raw QoS 1 publishes',
        'download ÷ baseline',
      ],
      report.rows.map((r) => [
        r.products.toLocaleString('en-US'),
        kb(r.jsonBytes),
        kb(r.gzipBytes),
        `${fmt(r.buildMs, 0)} ms`,
        `${fmt(r.downloadMs, 0)} ms`,
        `${fmt(r.baselineMs, 0)} ms`,
        fmt(r.downloadMs / r.baselineMs, 2),
      ]),
    ),
    '',
    'Build: PricingSnapshotService.rebuild (snapshot, JSON, gzip, sha256, SQLite, stream, shadow announcement). ' +
      'Download: DescribeStream + GetStream windows of 4 × 32 KiB, base64 JSON per block, sha256 checked, on the ' +
      "cart's own DeviceConnection (aws-crt, mTLS). Baseline: the fleet publishing the same gzip bytes as 32 KiB " +
      'binary QoS 1 messages to the same connection.',
  ].join('\n');
}

await runWhenMain(import.meta.url, run);
