/**
 * OTA downloads (issue 10 item 12; target: 100 devices downloading at once, with resumes, get at least 0.8× the
 * throughput of a plain static-file server in the same run). 100 devices fetch one 6 MiB release artifact at once
 * from the fleet's device HTTPS endpoint as the update agent does: mTLS with each device's own certificate, the thing
 * identified and its download permission checked per request (its queued execution of an OTA job naming the
 * artifact, from the jobs service), ETag and Range from the release store's file. Every device's first connection is cut at a random
 * point (20–80 %) and the download resumed with `Range` + `If-Range`; the bytes are hashed and checked.
 *
 * Baseline, same run, same clients, same cuts: a plain `node:https` server (the fleet's server certificate, no client
 * certificate) streaming the same file with `fs.createReadStream` and the same single-range support. A reference row
 * runs the same plain server with mutual TLS, to show how much of any gap is the client certificates the fleet must
 * ask for. The clients run in a worker thread so the servers have the main thread; the three are interleaved round by
 * round (the order rotating); throughputs are medians, the ratio is the median of each round's own ratio.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FleetConfigSchema } from '../fleet/config.ts';
import { FleetServer } from '../fleet/fleet-server.ts';
import { generateSigningKey } from '../ota/release/signing.ts';
import { silentLogger } from '../platform/log.ts';
import { mulberry32 } from '../platform/seeded-random.ts';
import { otaDownloadPaths } from '../protocol/ota/job-document.ts';
import { ARTIFACT_MEDIA_TYPES } from '../protocol/ota/release.ts';
import {
  type BenchOptions,
  benchFleetConfig,
  fmt,
  markdownTable,
  median,
  nextMessage,
  runWhenMain,
  startTsWorker,
  stopWorker,
  tempDir,
} from './lib/common.ts';
import { cpuSince, threadCpuMs } from './lib/thread-cpu.ts';
import type { DownloadDevice, FromDownloadWorker, ToDownloadWorker } from './workers/ota-download-clients.ts';

export interface OtaDownloadReport {
  devices: number;
  bytes: number;
  rounds: number;
  fleetMBps: number;
  baselineMBps: number;
  /** The same plain server with mutual TLS (client certificates), for how much of the gap TLS itself is. */
  mutualMBps: number;
  /** Median over rounds of the fleet's throughput ÷ the plain server's in the same round. */
  ratio: number;
  mutualRatio: number;
  requestsPerRound: number;
  /** The servers' thread's CPU per round (median): what each side costs the fleet process, beyond wall time. */
  serverCpuMs: Record<'fleet' | 'plain' | 'mutual', number>;
  markdown: string;
}

type Side = 'fleet' | 'plain' | 'mutual';
const SIDES: readonly Side[] = ['fleet', 'plain', 'mutual'];

const log = (message: string) => process.stderr.write(`[ota-download] ${message}\n`);

export async function run(options: BenchOptions = { quick: false }): Promise<OtaDownloadReport> {
  const devices = options.quick ? 20 : 100;
  const size = options.quick ? 4 * 1024 * 1024 : 6 * 1024 * 1024;
  const rounds = options.quick ? 2 : 7;
  const dir = tempDir('cartfleet-bench-ota-download-');
  const key = generateSigningKey();
  writeFileSync(join(dir.path, 'signing.pem'), key.privateKeyPem, { mode: 0o600 });
  const fleet = new FleetServer(
    FleetConfigSchema.parse({
      ...benchFleetConfig(join(dir.path, 'fleet')),
      ota: { signingKeyFile: join(dir.path, 'signing.pem'), deltas: { bases: 0 } },
    }),
    silentLogger(),
  );
  let baseline: Server | undefined;
  let mutual: Server | undefined;
  let worker: ReturnType<typeof startTsWorker> | undefined;
  try {
    await fleet.start();
    const bytes = randomBytes(size);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const { releases } = fleet.services;
    await releases.stage(Readable.from([bytes]), { username: 'bench' });
    const release = await releases.publish(
      {
        manifest: {
          schema: 1,
          component: 'software',
          name: 'cart-runtime',
          version: '2.0.0',
          deviceKinds: ['cart'],
          hardwareModels: [],
          upgradeFrom: '*',
          artifact: { sha256, size, mediaType: ARTIFACT_MEDIA_TYPES.software },
          createdAt: new Date().toISOString(),
        },
      },
      { username: 'bench' },
    );
    const file = releases.artifactFile(sha256)!.path;
    const jobDocument = releases.jobDocument(release.id, {
      rolloutId: 'bench',
      allowDowngrade: false,
      healthCheckTimeoutSeconds: 600,
      maxTrialBoots: 3,
    });
    log(`registering ${devices} devices`);
    const credentials: DownloadDevice[] = [];
    for (let i = 0; i < devices; i++) {
      const reg = await fleet.services.registry.registerDevice({
        thingName: `bench-ota-${String(i).padStart(3, '0')}`,
        kind: 'cart',
        hardwareModel: 'SC-200',
      });
      credentials.push({
        certificatePem: reg.certificate.certificatePem,
        privateKeyPem: reg.certificate.privateKeyPem,
      });
    }
    // A job naming the artifact, queued for every device: the fleet's own download permission allows them.
    fleet.services.jobs.createJob({ jobId: 'bench-ota', document: jobDocument });
    fleet.services.jobs.queueExecutions(
      'bench-ota',
      Array.from({ length: devices }, (_, i) => `bench-ota-${String(i).padStart(3, '0')}`),
    );

    // The same handler behind two TLS setups: without client certificates (the plain static-file server of the
    // target) and with mutual TLS as the fleet's endpoint needs (what is left is the fleet's own overhead).
    const serveFile: Parameters<typeof createServer>[1] = (req, res) => {
      const total = statSync(file).size;
      const etag = `"${sha256}"`;
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      const start = range && req.headers['if-range'] === etag ? Number(range[1]) : 0;
      res.writeHead(start > 0 ? 206 : 200, {
        etag,
        'accept-ranges': 'bytes',
        'content-length': String(total - start),
        ...(start > 0 ? { 'content-range': `bytes ${start}-${total - 1}/${total}` } : {}),
      });
      createReadStream(file, { start }).pipe(res);
    };
    const tls = { cert: fleet.ca.serverCertificatePem, key: fleet.ca.serverPrivateKeyPem };
    baseline = createServer(tls, serveFile);
    mutual = createServer({ ...tls, ca: fleet.ca.caPem, requestCert: true, rejectUnauthorized: true }, serveFile);
    for (const server of [baseline, mutual])
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const ports: Record<Side, number> = {
      fleet: fleet.services.deviceHttps.port,
      plain: (baseline.address() as AddressInfo).port,
      mutual: (mutual.address() as AddressInfo).port,
    };

    worker = startTsWorker(new URL('./workers/ota-download-clients.ts', import.meta.url), {
      caPem: fleet.ca.caPem,
      devices: credentials,
    });
    const random = mulberry32(12);
    let id = 0;
    const round = async (side: Side, cuts: number[]) => {
      const message: ToDownloadWorker = {
        type: 'run',
        id: ++id,
        port: ports[side],
        path: side === 'fleet' ? otaDownloadPaths.artifact(sha256) : '/artifact',
        size,
        sha256,
        clientCertificates: side !== 'plain',
        cuts,
      };
      const waiting = nextMessage<FromDownloadWorker>(
        worker!,
        (m) => m.type === 'done' && m.id === id,
        300_000,
        'downloads',
      );
      const cpu = threadCpuMs();
      worker!.postMessage(message);
      const done = await waiting;
      if (done.errors > 0) throw new Error(`${side}: ${done.errors} downloads failed: ${done.firstError}`);
      // The servers' thread (TLS encryption runs here; file reads in libuv's pool do not).
      return { ...done, serverCpuMs: cpuSince(cpu) };
    };
    const cutsOf = () => credentials.map(() => Math.floor(size * (0.2 + 0.6 * random())));
    // Warm-up: TLS contexts, JIT, the file in the page cache.
    for (const side of SIDES) await round(side, cutsOf());
    const rates: Record<Side, number[]> = { fleet: [], plain: [], mutual: [] };
    const cpuMs: Record<Side, number[]> = { fleet: [], plain: [], mutual: [] };
    let requests = 0;
    for (let i = 0; i < rounds; i++) {
      // The same cuts for every side of a round; the order rotates, so a busy moment of the shared machine does not
      // always fall on the same side.
      const cuts = cutsOf();
      for (let j = 0; j < SIDES.length; j++) {
        const side = SIDES[(i + j) % SIDES.length]!;
        const done = await round(side, cuts);
        const mbps = done.bytes / 1e6 / (done.wallMs / 1000);
        rates[side].push(mbps);
        cpuMs[side].push(done.serverCpuMs);
        if (side === 'fleet') requests = done.requests;
        log(`round ${i + 1}/${rounds} ${side}: ${fmt(done.wallMs, 0)} ms, ${fmt(mbps, 0)} MB/s`);
      }
    }
    const report = {
      devices,
      bytes: size,
      rounds,
      fleetMBps: median(rates.fleet),
      baselineMBps: median(rates.plain),
      mutualMBps: median(rates.mutual),
      // Each round's own ratio (the same cuts, minutes apart at most), then their median: steadier than a ratio of
      // medians when the shared machine's load drifts during the run.
      ratio: median(rates.fleet.map((f, i) => f / rates.plain[i]!)),
      mutualRatio: median(rates.mutual.map((m, i) => m / rates.plain[i]!)),
      requestsPerRound: requests,
      serverCpuMs: { fleet: median(cpuMs.fleet), plain: median(cpuMs.plain), mutual: median(cpuMs.mutual) },
    };
    return { ...report, markdown: markdown(report) };
  } finally {
    if (worker) await stopWorker(worker);
    for (const server of [baseline, mutual])
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await fleet.stop();
    dir.cleanup();
  }
}

function markdown(r: Omit<OtaDownloadReport, 'markdown'>): string {
  const total = (r.devices * r.bytes) / 1e6;
  return [
    `## OTA downloads (${r.devices} devices at once, ${fmt(r.bytes / 2 ** 20, 0)} MiB artifact, each cut once and resumed; median of ${r.rounds} rounds)`,
    '',
    markdownTable(
      [
        'server',
        'throughput (median)',
        'time for all',
        '÷ baseline (median of the rounds’ ratios)',
        'server thread CPU per round',
      ],
      [
        [
          `fleet device HTTPS (mTLS, thing identified, its job checked, Range/If-Range; ${r.requestsPerRound} requests)`,
          `${fmt(r.fleetMBps, 0)} MB/s`,
          `${fmt(total / r.fleetMBps, 2)} s`,
          fmt(r.ratio, 2),
          `${fmt(r.serverCpuMs.fleet, 0)} ms`,
        ],
        [
          'baseline: plain node:https + fs stream, same cuts and resumes, no client certificate',
          `${fmt(r.baselineMBps, 0)} MB/s`,
          `${fmt(total / r.baselineMBps, 2)} s`,
          '1.00',
          `${fmt(r.serverCpuMs.plain, 0)} ms`,
        ],
        [
          'reference: the same plain server with mutual TLS (client certificates verified)',
          `${fmt(r.mutualMBps, 0)} MB/s`,
          `${fmt(total / r.mutualMBps, 2)} s`,
          fmt(r.mutualRatio, 2),
          `${fmt(r.serverCpuMs.mutual, 0)} ms`,
        ],
      ],
    ),
    '',
    `Target: ≥ 0.8× the baseline — ${r.ratio >= 0.8 ? 'met' : 'NOT met'}.`,
  ].join('\n');
}

await runWhenMain(import.meta.url, run);
