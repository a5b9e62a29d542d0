/**
 * Broadcast content delivery (issue 9 item 4): an hour of device-format audio (28 MB: Opus at 64 kbit/s) downloaded by
 * a speaker's `DeviceHttpsClient` from the fleet's `DeviceHttpsServer` exactly as its content cache does it: mTLS with
 * the device's certificate, the fleet identifying the thing and checking that its manifest references the asset on
 * every request, streamed into a `.part` file, then sha256 over the file.
 *
 * Baseline, same run, same machine: the same file from a bare `node:https` server (the fleet's server certificate, no
 * client certificate, no routing or checks) fetched by a bare `https.get` into a file and hashed the same way: the
 * floor for moving these bytes through TLS on loopback. A third row cuts the download at half and resumes it with a
 * Range request: the bytes sent again, and the time of both halves.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, get } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { DeviceHttpsClient } from '../devices/core/device-https-client.ts';
import type { ManifestSource } from '../fleet/broadcast/delivery/delivery-ports.ts';
import { FleetConfigSchema } from '../fleet/config.ts';
import { FleetServer } from '../fleet/fleet-server.ts';
import { silentLogger } from '../platform/log.ts';
import { deviceContentPaths } from '../protocol/broadcast/device-content.ts';
import type { ManifestAsset } from '../protocol/broadcast/manifest.ts';
import { type BenchOptions, benchFleetConfig, fmt, markdownTable, median, runWhenMain, tempDir } from './lib/common.ts';

const STORE = 'hf-shanghai-xuhui';
const THING = 'bench-content-speaker';
const DAY = 86_400_000;

export interface ContentDownloadReport {
  bytes: number;
  runs: number;
  downloadMs: number;
  baselineMs: number;
  resume: { firstMs: number; resumeMs: number; resentBytes: number };
  markdown: string;
}

const log = (message: string) => process.stderr.write(`[content-download] ${message}\n`);

export async function run(options: BenchOptions = { quick: false }): Promise<ContentDownloadReport> {
  const runs = options.quick ? 2 : 5;
  const size = options.quick ? 4_000_000 : 28_000_000;
  const dir = tempDir('cartfleet-bench-content-');
  const bytes = randomBytes(size);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const file = join(dir.path, `${sha256}.opus`);
  writeFileSync(file, bytes);
  const asset: ManifestAsset = { sha256, bytes: size, durationMs: 3_600_000, title: 'an hour', kind: 'music' };
  const source: ManifestSource = {
    speakersOf: (storeId) => (storeId === STORE ? [THING] : []),
    compileForThing: (thingName, from) => ({
      thingName,
      storeId: STORE,
      timeZone: 'Asia/Shanghai',
      compiledAt: from,
      from: Math.floor(from / DAY) * DAY,
      to: Math.floor(from / DAY) * DAY + 8 * DAY,
      assets: [asset],
      music: [],
      items: [],
      volume: [],
      promo: null,
      minGapMs: 0,
    }),
  };
  const fleet = new FleetServer(
    FleetConfigSchema.parse({ ...benchFleetConfig(join(dir.path, 'fleet')), seedDemoData: true }),
    silentLogger(),
    undefined,
    { manifestSource: source, contentFiles: { pathOf: (sha) => (sha === sha256 ? file : undefined) } },
  );
  const downloads = join(dir.path, 'downloads');
  mkdirSync(downloads);
  let baselineServer: ReturnType<typeof createServer> | undefined;
  try {
    await fleet.start();
    const reg = await fleet.services.registry.registerDevice({
      thingName: THING,
      kind: 'speaker',
      hardwareModel: 'BX-100',
      storeId: STORE,
    });
    await fleet.services.manifests.publish(THING);
    const credentials = {
      certificatePem: reg.certificate.certificatePem,
      privateKeyPem: reg.certificate.privateKeyPem,
      caPem: reg.caPem,
    };
    const client = new DeviceHttpsClient(
      { host: 'localhost', port: fleet.services.deviceHttps.port, timeoutMs: 60_000 },
      credentials,
    );
    const path = deviceContentPaths.content(sha256);
    const part = join(downloads, 'asset.part');

    baselineServer = createServer(
      { cert: fleet.ca.serverCertificatePem, key: fleet.ca.serverPrivateKeyPem },
      (_req, res) => {
        res.writeHead(200, { 'content-length': String(size) });
        createReadStream(file).pipe(res);
      },
    );
    await new Promise<void>((resolve) => baselineServer?.listen(0, '127.0.0.1', resolve));
    const baselinePort = (baselineServer.address() as AddressInfo).port;

    const device = async () => {
      rmSync(part, { force: true });
      const started = performance.now();
      await client.downloadPart(path, part, 0, `"${sha256}"`);
      check(await hashFile(part), sha256);
      return performance.now() - started;
    };
    const bare = async () => {
      rmSync(part, { force: true });
      const started = performance.now();
      await new Promise<void>((resolve, reject) => {
        get({ host: 'localhost', port: baselinePort, path: '/', ca: credentials.caPem, agent: false }, (res) => {
          pipeline(res, createWriteStream(part)).then(resolve, reject);
        }).on('error', reject);
      });
      check(await hashFile(part), sha256);
      return performance.now() - started;
    };
    await device(); // warm-up: TLS contexts, JIT
    await bare();
    const deviceMs: number[] = [];
    const baselineMs: number[] = [];
    // Interleaved, so a slow moment of the shared machine falls on both.
    for (let i = 0; i < runs; i++) {
      deviceMs.push(await device());
      baselineMs.push(await bare());
      log(`run ${i + 1}/${runs}: device ${fmt(deviceMs.at(-1) ?? 0, 0)} ms, bare ${fmt(baselineMs.at(-1) ?? 0, 0)} ms`);
    }

    // Cut at half, then resume with Range from what the part holds.
    rmSync(part, { force: true });
    let received = 0;
    const t0 = performance.now();
    await client
      .downloadPart(path, part, 0, `"${sha256}"`, (n) => {
        received += n;
        if (received >= size / 2) client.abortAll();
      })
      .catch(() => undefined);
    const firstMs = performance.now() - t0;
    const offset = statSync(part).size;
    const t1 = performance.now();
    const resumed = await client.downloadPart(path, part, offset, `"${sha256}"`);
    check(await hashFile(part), sha256);
    const resumeMs = performance.now() - t1;

    const report = {
      bytes: size,
      runs,
      downloadMs: median(deviceMs),
      baselineMs: median(baselineMs),
      resume: { firstMs, resumeMs, resentBytes: resumed.received },
    };
    return { ...report, markdown: markdown(report) };
  } finally {
    await new Promise<void>((resolve) => (baselineServer ? baselineServer.close(() => resolve()) : resolve()));
    await fleet.stop();
    dir.cleanup();
  }
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function check(actual: string, expected: string): void {
  if (actual !== expected) throw new Error(`downloaded file hashes to ${actual}, not ${expected}`);
}

function markdown(r: Omit<ContentDownloadReport, 'markdown'>): string {
  const mb = r.bytes / 1e6;
  const rate = (ms: number) => `${fmt(mb / (ms / 1000), 0)} MB/s`;
  return [
    `## Broadcast content download (${fmt(mb, 0)} MB asset, median of ${r.runs})`,
    '',
    markdownTable(
      ['path', 'time', 'throughput', '÷ baseline'],
      [
        [
          'speaker DeviceHttpsClient ← fleet DeviceHttpsServer (mTLS, checks, sha256)',
          `${fmt(r.downloadMs, 0)} ms`,
          rate(r.downloadMs),
          fmt(r.downloadMs / r.baselineMs, 2),
        ],
        [
          'baseline: bare https.get ← bare https server, same file, sha256',
          `${fmt(r.baselineMs, 0)} ms`,
          rate(r.baselineMs),
          '1.00',
        ],
      ],
    ),
    '',
    markdownTable(
      ['cut at half, then resumed with Range', 'value'],
      [
        ['first half (until the cut)', `${fmt(r.resume.firstMs, 0)} ms`],
        ['resume (rest of the file + sha256)', `${fmt(r.resume.resumeMs, 0)} ms`],
        ['bytes sent again by the resume', `${fmt(r.resume.resentBytes / 1e6, 1)} MB of ${fmt(mb, 1)} MB`],
      ],
    ),
  ].join('\n');
}

await runWhenMain(import.meta.url, run);
