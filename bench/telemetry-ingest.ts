/**
 * Telemetry ingest capacity: messages per second the fleet persists to SQLite, against the raw pub→sub throughput of
 * a bare aedes broker under the same offered load.
 *
 * Both configurations use the same transport: mTLS on 127.0.0.1 with the fleet CA's server certificate and one
 * device certificate per client (ECDSA P-256, issued by the fleet's registry). The load is the same too: N mqtt.js
 * clients in a worker thread, each publishing M valid telemetry messages (`{msgId, ts, metrics}` on
 * `dt/cartfleet/{thing}/telemetry`) at QoS 1, as fast as PUBACKs allow with at most W unacknowledged per client.
 *
 * - baseline: `Aedes.createBroker()` with no hooks behind `tls.createServer(...)`, and one mqtt.js subscriber (its own
 *   worker thread) on `dt/cartfleet/#` at QoS 0. Throughput = messages received by the subscriber / (last receipt -
 *   first publish).
 * - fleet: a real FleetServer (default telemetry batching: 1000 rows or 100 ms), devices registered through
 *   `registry.registerDevice`. Throughput = rows stored (`telemetry.stats().stored`, after a final flush once the
 *   last PUBACK is in) / (final flush done - first publish).
 *
 * Runs alternate baseline, fleet, baseline, fleet, ... and each run starts with a short unmeasured warm-up phase.
 */
import { cpSync } from 'node:fs';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Worker } from 'node:worker_threads';
import { Aedes } from 'aedes';
import type { FleetServer } from '../fleet/fleet-server.ts';
import {
  type BenchOptions,
  fmt,
  machineDescription,
  markdownTable,
  median,
  nextMessage,
  nowMs,
  startBenchFleet,
  startTsWorker,
  stopWorker,
  tempDir,
} from './lib/common.ts';
import { cpuSince, threadCpuMs } from './lib/thread-cpu.ts';
import type { DeviceCert, FromWorker, LoadWorkerData } from './workers/mqtt-load.ts';

const WORKER_URL = new URL('./workers/mqtt-load.ts', import.meta.url);
/** The issue's aim: ingest at least this fraction of the raw broker's throughput. */
export const AIM_RATIO = 0.6;

export interface IngestParameters {
  devices: number;
  messagesPerClient: number;
  warmupPerClient: number;
  window: number;
  reps: number;
  connectConcurrency: number;
  /** Upper bound on one measured publish phase. */
  phaseDeadlineMs: number;
}

/** Defaults; each can be overridden for experiments with BENCH_DEVICES, BENCH_MESSAGES, BENCH_WINDOW, BENCH_REPS. */
export function ingestParameters(options: BenchOptions): IngestParameters {
  const defaults: IngestParameters = options.quick
    ? { devices: 100, messagesPerClient: 50, warmupPerClient: 5, window: 4, reps: 2, connectConcurrency: 16, phaseDeadlineMs: 30_000 }
    : { devices: 1000, messagesPerClient: 60, warmupPerClient: 5, window: 4, reps: 3, connectConcurrency: 16, phaseDeadlineMs: 120_000 };
  const env = (name: string, fallback: number, max: number) => {
    const value = Number(process.env[name]);
    return Number.isInteger(value) && value > 0 ? Math.min(value, max) : fallback;
  };
  return {
    ...defaults,
    devices: env('BENCH_DEVICES', defaults.devices, 5000),
    messagesPerClient: env('BENCH_MESSAGES', defaults.messagesPerClient, 10_000),
    window: env('BENCH_WINDOW', defaults.window, 1000),
    reps: env('BENCH_REPS', defaults.reps, 20),
  };
}

export interface IngestRun {
  config: 'baseline' | 'fleet';
  rep: number;
  connectMs: number;
  connected: number;
  offered: number;
  /** Received by the subscriber (baseline) or stored in SQLite (fleet). */
  counted: number;
  durationMs: number;
  perSecond: number;
  brokerElu: number;
  publisherElu: number;
  subscriberElu: number | undefined;
  /** CPU time of the broker's thread (the main thread: aedes, TLS, and in the fleet ingest + SQLite) in the phase. */
  brokerCpuMs: number;
  publisherCpuMs: number;
  subscriberCpuMs: number | undefined;
  notes: string[];
}

/** Broker-thread CPU per counted message, in µs. */
export function cpuPerMessageUs(r: IngestRun): number {
  return (r.brokerCpuMs * 1000) / r.counted;
}

export interface IngestReport {
  parameters: IngestParameters;
  registrationMs: number;
  runs: IngestRun[];
  baselineMedian: number;
  fleetMedian: number;
  ratio: number;
  aimMet: boolean;
  /** Medians of broker-thread CPU µs per message. */
  baselineCpuUs: number;
  fleetCpuUs: number;
  markdown: string;
}

interface Pki {
  caPem: string;
  certPem: string;
  keyPem: string;
}

const log = (message: string) => process.stderr.write(`[ingest] ${message}\n`);

export async function run(options: BenchOptions = { quick: false }): Promise<IngestReport> {
  const parameters = ingestParameters(options);
  const template = tempDir('cartfleet-bench-ingest-template-');
  try {
    const { devices, pki, registrationMs } = await prepareTemplate(template.path, parameters.devices);
    log(`registered ${devices.length} devices in ${fmt(registrationMs / 1000, 2)} s (${fmt(registrationMs / devices.length, 2)} ms each)`);
    const runs: IngestRun[] = [];
    for (let rep = 1; rep <= parameters.reps; rep++) {
      runs.push(await baselineRun(rep, devices, pki, parameters));
      logRun(runs[runs.length - 1] as IngestRun);
      runs.push(await fleetRun(rep, devices, template.path, pki, parameters));
      logRun(runs[runs.length - 1] as IngestRun);
    }
    const baselineMedian = median(runs.filter((r) => r.config === 'baseline').map((r) => r.perSecond));
    const fleetMedian = median(runs.filter((r) => r.config === 'fleet').map((r) => r.perSecond));
    const ratio = fleetMedian / baselineMedian;
    const aimMet = ratio >= AIM_RATIO;
    const baselineCpuUs = median(runs.filter((r) => r.config === 'baseline').map(cpuPerMessageUs));
    const fleetCpuUs = median(runs.filter((r) => r.config === 'fleet').map(cpuPerMessageUs));
    const report = { parameters, registrationMs, runs, baselineMedian, fleetMedian, ratio, aimMet, baselineCpuUs, fleetCpuUs, markdown: '' };
    report.markdown = renderIngest(report);
    return report;
  } finally {
    template.cleanup();
  }
}

function logRun(r: IngestRun): void {
  log(
    `${r.config} #${r.rep}: ${r.counted}/${r.offered} in ${fmt(r.durationMs, 0)} ms = ${fmt(r.perSecond, 0)} msg/s ` +
      `(connect ${fmt(r.connectMs / 1000, 2)} s; ELU/CPU ms: broker ${fmt(r.brokerElu, 2)}/${fmt(r.brokerCpuMs, 0)}, ` +
      `publishers ${fmt(r.publisherElu, 2)}/${fmt(r.publisherCpuMs, 0)}` +
      `${r.subscriberElu === undefined ? '' : `, subscriber ${fmt(r.subscriberElu, 2)}/${fmt(r.subscriberCpuMs ?? Number.NaN, 0)}`}; ` +
      `${fmt(cpuPerMessageUs(r), 1)} µs broker CPU/msg)${r.notes.length ? ` NOTES: ${r.notes.join('; ')}` : ''}`,
  );
}

/** Starts a fleet once, registers the devices (timed), and leaves a data dir every fleet run starts from a copy of. */
async function prepareTemplate(dir: string, count: number): Promise<{ devices: DeviceCert[]; pki: Pki; registrationMs: number }> {
  const fleet = await startBenchFleet(dir);
  try {
    const devices: DeviceCert[] = [];
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const thingName = `bench-cart-${String(i).padStart(4, '0')}`;
      const r = await fleet.services.registry.registerDevice({ thingName, kind: 'cart', hardwareModel: 'SC-200' });
      devices.push({ thingName, certificatePem: r.certificate.certificatePem, privateKeyPem: r.certificate.privateKeyPem });
    }
    const registrationMs = performance.now() - started;
    const pki = { caPem: fleet.ca.caPem, certPem: fleet.ca.serverCertificatePem, keyPem: fleet.ca.serverPrivateKeyPem };
    return { devices, pki, registrationMs };
  } finally {
    await fleet.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------

type Published = Extract<FromWorker, { type: 'published' }>;
type Received = Extract<FromWorker, { type: 'received' }>;
type Connected = Extract<FromWorker, { type: 'connected' }>;

function startLoad(data: LoadWorkerData): Worker {
  const worker = startTsWorker(WORKER_URL, data);
  worker.on('error', (err) => log(`worker error: ${err.message}`));
  return worker;
}

async function connectPublishers(port: number, devices: DeviceCert[], pki: Pki, p: IngestParameters) {
  const worker = startLoad({ role: 'publishers', port, caPem: pki.caPem, devices, connectConcurrency: p.connectConcurrency, window: p.window });
  const connected = await nextMessage<FromWorker>(worker, (m) => m.type === 'connected', 300_000, 'publishers connected');
  return { worker, connected: connected as Connected };
}

async function publishPhase(worker: Worker, phase: string, messagesPerClient: number, p: IngestParameters): Promise<Published> {
  const done = nextMessage<FromWorker>(worker, (m) => m.type === 'published' && m.phase === phase, p.phaseDeadlineMs + 30_000, `phase ${phase}`);
  worker.postMessage({ type: 'publish', phase, messagesPerClient, deadlineMs: p.phaseDeadlineMs });
  return (await done) as Published;
}

async function received(subscriber: Worker, timeoutMs: number): Promise<Received> {
  const wait = nextMessage<FromWorker>(subscriber, (m) => m.type === 'received', timeoutMs, 'subscriber count');
  try {
    return (await wait) as Received;
  } catch {
    // Not everything arrived in time (QoS 0 may drop under pressure): take the count as it is.
    const now = nextMessage<FromWorker>(subscriber, (m) => m.type === 'received', 10_000, 'subscriber report');
    subscriber.postMessage({ type: 'report' });
    return (await now) as Received;
  }
}

async function baselineRun(rep: number, devices: DeviceCert[], pki: Pki, p: IngestParameters): Promise<IngestRun> {
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server: TlsServer = createTlsServer(
    { ca: pki.caPem, cert: pki.certPem, key: pki.keyPem, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' },
    (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      aedes.handle(socket);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const notes: string[] = [];
  let subscriber: Worker | undefined;
  let publishers: Worker | undefined;
  try {
    const subscriberDevice = devices[0] as DeviceCert;
    subscriber = startLoad({ role: 'subscriber', port, caPem: pki.caPem, device: subscriberDevice, clientId: 'bench-subscriber', filter: 'dt/cartfleet/#' });
    const subConnected = (await nextMessage<FromWorker>(subscriber, (m) => m.type === 'connected', 60_000, 'subscriber connected')) as Connected;
    if (subConnected.ok !== 1) throw new Error(`subscriber did not connect: ${subConnected.firstError}`);
    const pub = await connectPublishers(port, devices, pki, p);
    publishers = pub.worker;
    const connectedCount = pub.connected.ok;
    if (pub.connected.failed > 0) notes.push(`${pub.connected.failed} clients failed to connect (${pub.connected.firstError})`);

    // warm-up
    subscriber.postMessage({ type: 'expect', total: connectedCount * p.warmupPerClient });
    await publishPhase(publishers, `w${rep}`, p.warmupPerClient, p);
    await received(subscriber, 10_000);

    // measured
    const offered = connectedCount * p.messagesPerClient;
    subscriber.postMessage({ type: 'expect', total: offered });
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = threadCpuMs();
    const published = await publishPhase(publishers, `m${rep}`, p.messagesPerClient, p);
    const got = await received(subscriber, 30_000);
    const brokerElu = performance.eventLoopUtilization(elu0).utilization;
    const brokerCpuMs = cpuSince(cpu0);
    if (published.timedOut) notes.push('publish phase hit its deadline');
    if (published.errors > 0) notes.push(`${published.errors} publish errors`);
    if (!got.complete) notes.push(`subscriber received ${got.count} of ${offered}`);
    const durationMs = got.lastReceivedAt - published.firstPublishAt;
    return {
      config: 'baseline',
      rep,
      connectMs: pub.connected.ms,
      connected: connectedCount,
      offered,
      counted: got.count,
      durationMs,
      perSecond: (got.count / durationMs) * 1000,
      brokerElu,
      publisherElu: published.elu,
      subscriberElu: got.elu,
      brokerCpuMs,
      publisherCpuMs: published.cpuMs,
      subscriberCpuMs: got.cpuMs,
      notes,
    };
  } finally {
    if (publishers) await stopWorker(publishers);
    if (subscriber) await stopWorker(subscriber);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
  }
}

async function fleetRun(rep: number, devices: DeviceCert[], templateDir: string, pki: Pki, p: IngestParameters): Promise<IngestRun> {
  const dir = tempDir('cartfleet-bench-ingest-');
  cpSync(templateDir, dir.path, { recursive: true });
  let fleet: FleetServer | undefined;
  let publishers: Worker | undefined;
  const notes: string[] = [];
  try {
    fleet = await startBenchFleet(dir.path);
    const telemetry = fleet.services.telemetry;
    const pub = await connectPublishers(fleet.services.broker.tlsPort, devices, pki, p);
    publishers = pub.worker;
    const connectedCount = pub.connected.ok;
    if (pub.connected.failed > 0) notes.push(`${pub.connected.failed} clients failed to connect (${pub.connected.firstError})`);

    // warm-up, then a clean slate for the measured phase
    await publishPhase(publishers, `w${rep}`, p.warmupPerClient, p);
    telemetry.flush();
    const before = telemetry.stats();

    const offered = connectedCount * p.messagesPerClient;
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = threadCpuMs();
    const published = await publishPhase(publishers, `m${rep}`, p.messagesPerClient, p);
    // Every PUBACK has been sent, so every message is at least in the ingest buffer: the final flush.
    telemetry.flush();
    const storedAt = nowMs();
    const brokerElu = performance.eventLoopUtilization(elu0).utilization;
    const brokerCpuMs = cpuSince(cpu0);
    const after = telemetry.stats();
    const stored = after.stored - before.stored;
    const rows = (fleet.services.db.prepare('SELECT count(*) AS n FROM telemetry').get() as { n: number }).n;
    if (rows !== after.stored) notes.push(`table has ${rows} rows, stats say ${after.stored}`);
    if (published.timedOut) notes.push('publish phase hit its deadline');
    if (published.errors > 0) notes.push(`${published.errors} publish errors`);
    if (stored !== offered) notes.push(`stored ${stored} of ${offered}`);
    for (const key of ['rejected', 'duplicates', 'dropped'] as const) {
      if (after[key] !== before[key]) notes.push(`${after[key] - before[key]} ${key}`);
    }
    const durationMs = storedAt - published.firstPublishAt;
    return {
      config: 'fleet',
      rep,
      connectMs: pub.connected.ms,
      connected: connectedCount,
      offered,
      counted: stored,
      durationMs,
      perSecond: (stored / durationMs) * 1000,
      brokerElu,
      publisherElu: published.elu,
      subscriberElu: undefined,
      brokerCpuMs,
      publisherCpuMs: published.cpuMs,
      subscriberCpuMs: undefined,
      notes,
    };
  } finally {
    if (publishers) await stopWorker(publishers);
    await fleet?.stop();
    dir.cleanup();
  }
}

// ---------------------------------------------------------------------------------------------------------------

export function renderIngest(report: Omit<IngestReport, 'markdown'>): string {
  const p = report.parameters;
  const rows = report.runs.map((r) => [
    `${r.config} #${r.rep}`,
    `${r.connected} (${fmt(r.connectMs / 1000, 2)} s)`,
    r.offered,
    r.counted,
    fmt(r.durationMs / 1000, 2),
    fmt(r.perSecond, 0),
    fmt(r.brokerElu, 2),
    fmt(r.publisherElu, 2),
    r.subscriberElu === undefined ? '-' : fmt(r.subscriberElu, 2),
    r.notes.length ? r.notes.join('; ') : '',
  ]);
  const runs = markdownTable(
    [
      'run',
      'mTLS clients (connect time)',
      'offered',
      'received / stored',
      'seconds',
      'msg/s',
      'broker thread ELU',
      'publishers ELU',
      'subscriber ELU',
      'notes',
    ],
    rows,
  );
  const summary = markdownTable(
    ['', 'median msg/s'],
    [
      ['baseline: bare aedes, pub→sub (received by 1 subscriber)', fmt(report.baselineMedian, 0)],
      ['fleet: persisted to SQLite', fmt(report.fleetMedian, 0)],
      ['ratio fleet / baseline', fmt(report.ratio, 3)],
      [`aim ≥ ${AIM_RATIO} × raw broker`, report.aimMet ? '**met**' : '**NOT met**'],
    ],
  );
  return [
    `### Telemetry ingest (${p.devices} mTLS devices × ${p.messagesPerClient} messages, QoS 1, window ${p.window} per client, ${p.reps} runs each, alternating)`,
    '',
    `Device registration (${p.devices} × registry.registerDevice, sequential): ${fmt(report.registrationMs / 1000, 2)} s ` +
      `(${fmt(report.registrationMs / p.devices, 2)} ms per device).`,
    '',
    runs,
    '',
    summary,
    '',
    `Aim (ingest ≥ ${AIM_RATIO} × raw broker throughput): ${report.aimMet ? 'MET' : 'NOT MET'} ` +
      `(ratio ${fmt(report.ratio, 3)}).`,
    '',
    'ELU = event-loop utilization of the thread during the measured phase (1.00 = never idle). Broker and ' +
      'publishers run on separate threads in one process; the baseline subscriber has a third thread.',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  console.log(`Machine: ${machineDescription()}\n`);
  const report = await run({ quick });
  console.log(report.markdown);
}
