/**
 * Telemetry ingest capacity: messages per second the fleet persists to SQLite, against the raw throughput of a bare
 * aedes broker under the same offered load.
 *
 * Every configuration uses the same transport: mTLS on 127.0.0.1 with the fleet CA's server certificate and one
 * device certificate per client (ECDSA P-256, issued by the fleet's registry). The offered load is the same too: N
 * mqtt.js clients in a worker thread, each publishing M valid telemetry messages (`{msgId, ts, metrics}` on
 * `dt/cartfleet/{thing}/telemetry`) at QoS 1, as fast as PUBACKs allow with at most W unacknowledged per client.
 *
 * - `raw` (the issue's baseline): `Aedes.createBroker()` with no hooks behind `tls.createServer(...)`, and one mqtt.js
 *   subscriber (its own worker thread) on `dt/cartfleet/#` at QoS 0.
 *   Throughput = messages received by the subscriber / (last receipt - first publish).
 * - `raw-inproc`: the same bare broker, with the subscriber on `dt/cartfleet/#` registered in-process
 *   (`aedes.subscribe`, a counting callback) — the way the fleet's ingest subscribes. It isolates what the fleet adds
 *   (policy hooks, validation, SQLite) from what a socket subscriber costs aedes. See docs/benchmarks.md for why it
 *   is here.
 * - `fleet`: a real FleetServer (default config: group commit, one transaction per event-loop turn of at most 1000
 *   rows, each PUBACK sent after the commit that stored the message), devices registered through
 *   `registry.registerDevice`. Throughput = rows stored (`telemetry.stats().stored`, after a final flush once the
 *   ingest has seen every acknowledged message) / (final flush done - first publish).
 *
 * Runs alternate raw, raw-inproc, fleet, raw, raw-inproc, fleet, ...; each run starts with an unmeasured warm-up.
 */
import { cpSync } from 'node:fs';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Worker } from 'node:worker_threads';
import { Aedes, type AedesPublishPacket } from 'aedes';
import { mqemitterBacklog } from '../fleet/broker/mqemitter-backlog.ts';
import type { FleetServer } from '../fleet/fleet-server.ts';
import { dataTopics } from '../protocol/topics.ts';
import {
  type BenchOptions,
  fmt,
  markdownTable,
  median,
  nextMessage,
  nowMs,
  runWhenMain,
  startBenchFleet,
  startTsWorker,
  stopWorker,
  tempDir,
  waitUntil,
} from './lib/common.ts';
import { startPhaseProfile } from './lib/profile.ts';
import { cpuSince, threadCpuMs } from './lib/thread-cpu.ts';
import type { DeviceCert, FromWorker, LoadWorkerData } from './workers/mqtt-load.ts';

const WORKER_URL = new URL('./workers/mqtt-load.ts', import.meta.url);
/** The issue's aim: ingest at least this fraction of the raw broker's throughput. */
export const AIM_RATIO = 0.6;

export type IngestConfig = 'raw' | 'raw-inproc' | 'fleet';
const CONFIGS: IngestConfig[] = ['raw', 'raw-inproc', 'fleet'];
const CONFIG_LABEL: Record<IngestConfig, string> = {
  raw: 'raw: bare aedes → 1 mqtt.js subscriber (issue baseline)',
  'raw-inproc': 'raw-inproc: bare aedes → in-process subscriber',
  fleet: 'fleet: persisted to SQLite',
};

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

/**
 * Defaults; each can be overridden for experiments with BENCH_DEVICES, BENCH_MESSAGES, BENCH_WINDOW, BENCH_REPS
 * (BENCH_ONLY=raw,fleet picks configurations).
 */
export function ingestParameters(options: BenchOptions): IngestParameters {
  const defaults: IngestParameters = options.quick
    ? {
        devices: 100,
        messagesPerClient: 50,
        warmupPerClient: 5,
        window: 4,
        reps: 1,
        connectConcurrency: 16,
        phaseDeadlineMs: 30_000,
      }
    : {
        devices: 1000,
        messagesPerClient: 100,
        warmupPerClient: 5,
        window: 4,
        reps: 5,
        connectConcurrency: 16,
        phaseDeadlineMs: 120_000,
      };
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
  config: IngestConfig;
  rep: number;
  connectMs: number;
  connected: number;
  offered: number;
  /** Received by the subscriber (raw, raw-inproc) or stored in SQLite (fleet). */
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
  /** Longest aedes message queue (mqemitter: accepted, not yet handed to subscribers) seen in the phase. */
  maxQueue: number;
  notes: string[];
}

/** Broker-thread CPU per counted message, in µs. */
export function cpuPerMessageUs(r: IngestRun): number {
  return (r.brokerCpuMs * 1000) / r.counted;
}

export interface ConfigSummary {
  config: IngestConfig;
  runs: number;
  medianPerSecond: number;
  medianCpuUs: number;
}

export interface IngestReport {
  parameters: IngestParameters;
  registrationMs: number;
  runs: IngestRun[];
  summaries: ConfigSummary[];
  /** fleet / raw (the issue's definition) and fleet / raw-inproc, from medians of msg/s. */
  ratio: number;
  ratioInproc: number;
  /** raw-inproc broker-thread CPU per message / fleet's: the capacity ratio if each broker had a core to itself. */
  ratioCpu: number;
  aimMet: boolean;
  aimMetInproc: boolean;
  aimMetCpu: boolean;
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
  const only = process.env.BENCH_ONLY?.split(',').filter((c): c is IngestConfig => CONFIGS.includes(c as IngestConfig));
  const configs = only?.length ? CONFIGS.filter((c) => only.includes(c)) : CONFIGS;
  const template = tempDir('cartfleet-bench-ingest-template-');
  try {
    log(`registering ${parameters.devices} devices...`);
    const { devices, pki, registrationMs } = await prepareTemplate(template.path, parameters.devices);
    log(
      `registered ${devices.length} devices in ${fmt(registrationMs / 1000, 2)} s (${fmt(registrationMs / devices.length, 2)} ms each)`,
    );
    const runs: IngestRun[] = [];
    for (let rep = 1; rep <= parameters.reps; rep++) {
      for (const config of configs) {
        const result =
          config === 'fleet'
            ? await fleetRun(rep, devices, template.path, pki, parameters)
            : await rawRun(config, rep, devices, pki, parameters);
        runs.push(result);
        logRun(result);
      }
    }
    const summaries = configs.map((config): ConfigSummary => {
      const mine = runs.filter((r) => r.config === config);
      return {
        config,
        runs: mine.length,
        medianPerSecond: median(mine.map((r) => r.perSecond)),
        medianCpuUs: median(mine.map(cpuPerMessageUs)),
      };
    });
    const perSecond = (c: IngestConfig) => summaries.find((s) => s.config === c)?.medianPerSecond ?? Number.NaN;
    const ratio = perSecond('fleet') / perSecond('raw');
    const ratioInproc = perSecond('fleet') / perSecond('raw-inproc');
    const cpuUs = (c: IngestConfig) => summaries.find((s) => s.config === c)?.medianCpuUs ?? Number.NaN;
    const ratioCpu = cpuUs('raw-inproc') / cpuUs('fleet');
    const report: IngestReport = {
      parameters,
      registrationMs,
      runs,
      summaries,
      ratio,
      ratioInproc,
      ratioCpu,
      aimMet: ratio >= AIM_RATIO,
      aimMetInproc: ratioInproc >= AIM_RATIO,
      aimMetCpu: ratioCpu >= AIM_RATIO,
      markdown: '',
    };
    report.markdown = renderIngest(report);
    return report;
  } finally {
    template.cleanup();
  }
}

function logRun(r: IngestRun): void {
  const sub =
    r.subscriberElu === undefined
      ? ''
      : `, subscriber ${fmt(r.subscriberElu, 2)}/${fmt(r.subscriberCpuMs ?? Number.NaN, 0)}`;
  log(
    `${r.config} #${r.rep}: ${r.counted}/${r.offered} in ${fmt(r.durationMs, 0)} ms = ${fmt(r.perSecond, 0)} msg/s ` +
      `(connect ${fmt(r.connectMs / 1000, 2)} s; ELU/CPU ms: broker ${fmt(r.brokerElu, 2)}/${fmt(r.brokerCpuMs, 0)}, ` +
      `publishers ${fmt(r.publisherElu, 2)}/${fmt(r.publisherCpuMs, 0)}${sub}; ` +
      `${fmt(cpuPerMessageUs(r), 1)} µs broker CPU/msg; max queue ${r.maxQueue})` +
      `${r.notes.length ? ` NOTES: ${r.notes.join('; ')}` : ''}`,
  );
}

/** Starts a fleet once, registers the devices (timed), and leaves a data dir every fleet run starts from a copy of. */
async function prepareTemplate(
  dir: string,
  count: number,
): Promise<{ devices: DeviceCert[]; pki: Pki; registrationMs: number }> {
  const fleet = await startBenchFleet(dir);
  try {
    const devices: DeviceCert[] = [];
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const thingName = `bench-cart-${String(i).padStart(4, '0')}`;
      const r = await fleet.services.registry.registerDevice({ thingName, kind: 'cart', hardwareModel: 'SC-200' });
      devices.push({
        thingName,
        certificatePem: r.certificate.certificatePem,
        privateKeyPem: r.certificate.privateKeyPem,
      });
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

/**
 * aedes hands every message to subscribers through mqemitter, which runs at most 100 deliveries at a time and queues
 * the rest in an array. Sampling its length (read-only) shows whether deliveries keep up with what was accepted.
 */
function sampleQueue(backlog: () => number | undefined): { stop: () => number } {
  const read = () => backlog() ?? Number.NaN; // NaN: not reachable
  let max = read();
  const timer = setInterval(() => {
    max = Math.max(max, read());
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(max, read());
    },
  };
}

function startLoad(data: LoadWorkerData): Worker {
  const worker = startTsWorker(WORKER_URL, data);
  worker.on('error', (err) => log(`worker error: ${err.message}`));
  return worker;
}

async function connectPublishers(port: number, devices: DeviceCert[], pki: Pki, p: IngestParameters) {
  const worker = startLoad({
    role: 'publishers',
    port,
    caPem: pki.caPem,
    devices,
    connectConcurrency: p.connectConcurrency,
    window: p.window,
  });
  const connected = await nextMessage<FromWorker>(
    worker,
    (m) => m.type === 'connected',
    300_000,
    'publishers connected',
  );
  return { worker, connected: connected as Connected };
}

async function publishPhase(
  worker: Worker,
  phase: string,
  messagesPerClient: number,
  p: IngestParameters,
): Promise<Published> {
  const done = nextMessage<FromWorker>(
    worker,
    (m) => m.type === 'published' && m.phase === phase,
    p.phaseDeadlineMs + 30_000,
    `phase ${phase}`,
  );
  worker.postMessage({ type: 'publish', phase, messagesPerClient, deadlineMs: p.phaseDeadlineMs });
  return (await done) as Published;
}

async function subscriberCount(subscriber: Worker, timeoutMs: number): Promise<Received> {
  try {
    return (await nextMessage<FromWorker>(
      subscriber,
      (m) => m.type === 'received',
      timeoutMs,
      'subscriber count',
    )) as Received;
  } catch {
    // Not everything arrived in time (QoS 0 may be dropped under pressure): take the count as it is.
    const now = nextMessage<FromWorker>(subscriber, (m) => m.type === 'received', 10_000, 'subscriber report');
    subscriber.postMessage({ type: 'report' });
    return (await now) as Received;
  }
}

function publishNotes(published: Published, offered: number): string[] {
  const notes: string[] = [];
  if (published.timedOut) notes.push('publish phase hit its deadline');
  if (published.errors > 0) notes.push(`${published.errors} publish errors`);
  if (published.acked !== offered) notes.push(`${published.acked} of ${offered} acknowledged`);
  return notes;
}

async function rawRun(
  config: 'raw' | 'raw-inproc',
  rep: number,
  devices: DeviceCert[],
  pki: Pki,
  p: IngestParameters,
): Promise<IngestRun> {
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server: TlsServer = createTlsServer(
    {
      ca: pki.caPem,
      cert: pki.certPem,
      key: pki.keyPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
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
  // in-process subscriber (raw-inproc)
  let delivered = 0;
  let lastDeliveryAt = 0;
  const onMessage = (_packet: AedesPublishPacket, cb: () => void) => {
    delivered++;
    lastDeliveryAt = nowMs();
    cb();
  };
  try {
    if (config === 'raw') {
      subscriber = startLoad({
        role: 'subscriber',
        port,
        caPem: pki.caPem,
        device: devices[0] as DeviceCert, // the bare broker checks no identity; any fleet-CA certificate will do
        clientId: 'bench-subscriber',
        filter: dataTopics.filter(),
      });
      const ready = (await nextMessage<FromWorker>(
        subscriber,
        (m) => m.type === 'connected',
        60_000,
        'subscriber',
      )) as Connected;
      if (ready.ok !== 1) throw new Error(`subscriber did not connect: ${ready.firstError}`);
    } else {
      await new Promise<void>((resolve) => aedes.subscribe(dataTopics.filter(), onMessage, () => resolve()));
    }
    const pub = await connectPublishers(port, devices, pki, p);
    publishers = pub.worker;
    const connected = pub.connected.ok;
    if (pub.connected.failed > 0)
      notes.push(`${pub.connected.failed} clients failed to connect (${pub.connected.firstError})`);

    // warm-up
    subscriber?.postMessage({ type: 'expect', total: connected * p.warmupPerClient });
    const warm = await publishPhase(publishers, `w${rep}`, p.warmupPerClient, p);
    if (subscriber) await subscriberCount(subscriber, 10_000);
    else await waitUntil(() => delivered >= warm.acked, 10_000, 1);

    // measured
    const offered = connected * p.messagesPerClient;
    subscriber?.postMessage({ type: 'expect', total: offered });
    const delivered0 = delivered;
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = threadCpuMs();
    const queue = sampleQueue(() => mqemitterBacklog(aedes));
    const stopProfile = await startPhaseProfile(`${config}-${rep}`);
    const published = await publishPhase(publishers, `m${rep}`, p.messagesPerClient, p);
    let counted: number;
    let endAt: number;
    let sub: Received | undefined;
    if (subscriber) {
      sub = await subscriberCount(subscriber, 60_000);
      counted = sub.count;
      endAt = sub.lastReceivedAt;
      if (!sub.complete) notes.push(`subscriber received ${sub.count} of ${offered}`);
    } else {
      if (!(await waitUntil(() => delivered - delivered0 >= published.acked, 60_000, 1))) {
        notes.push(`delivered ${delivered - delivered0} of ${published.acked} acknowledged`);
      }
      counted = delivered - delivered0;
      endAt = lastDeliveryAt;
    }
    await stopProfile();
    const maxQueue = queue.stop();
    const brokerCpuMs = cpuSince(cpu0);
    const brokerElu = performance.eventLoopUtilization(elu0).utilization;
    notes.push(...publishNotes(published, offered));
    const durationMs = endAt - published.firstPublishAt;
    return {
      config,
      rep,
      connectMs: pub.connected.ms,
      connected,
      offered,
      counted,
      durationMs,
      perSecond: (counted / durationMs) * 1000,
      brokerElu,
      publisherElu: published.elu,
      subscriberElu: sub?.elu,
      brokerCpuMs,
      publisherCpuMs: published.cpuMs,
      subscriberCpuMs: sub?.cpuMs,
      maxQueue,
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

async function fleetRun(
  rep: number,
  devices: DeviceCert[],
  templateDir: string,
  pki: Pki,
  p: IngestParameters,
): Promise<IngestRun> {
  const dir = tempDir('cartfleet-bench-ingest-');
  cpSync(templateDir, dir.path, { recursive: true });
  let fleet: FleetServer | undefined;
  let publishers: Worker | undefined;
  const notes: string[] = [];
  try {
    fleet = await startBenchFleet(dir.path);
    const telemetry = fleet.services.telemetry;
    const broker = fleet.services.broker;
    const pub = await connectPublishers(broker.tlsPort, devices, pki, p);
    publishers = pub.worker;
    const connected = pub.connected.ok;
    if (pub.connected.failed > 0)
      notes.push(`${pub.connected.failed} clients failed to connect (${pub.connected.firstError})`);

    // warm-up, then a clean slate for the measured phase
    const warm = await publishPhase(publishers, `w${rep}`, p.warmupPerClient, p);
    await waitUntil(() => telemetry.stats().received >= warm.acked, 10_000, 1);
    telemetry.flush();
    const before = telemetry.stats();

    const offered = connected * p.messagesPerClient;
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = threadCpuMs();
    const queue = sampleQueue(() => broker.deliveryBacklog());
    const stopProfile = await startPhaseProfile(`fleet-${rep}`);
    const published = await publishPhase(publishers, `m${rep}`, p.messagesPerClient, p);
    // The ingest acknowledges a message only after the commit that stored it, so this wait returns at once; it stays
    // as a check (a PUBACK sent before the ingest saw the message would show here as a shortfall).
    const target = before.received + published.acked;
    const allSeen = await waitUntil(() => telemetry.stats().received >= target, 60_000, 1);
    telemetry.flush();
    const storedAt = nowMs();
    await stopProfile();
    const maxQueue = queue.stop();
    const brokerCpuMs = cpuSince(cpu0);
    const brokerElu = performance.eventLoopUtilization(elu0).utilization;
    const after = telemetry.stats();
    const stored = after.stored - before.stored;
    if (!allSeen) notes.push(`ingest saw ${after.received - before.received} of ${published.acked} acknowledged`);
    const rows = (fleet.services.db.prepare('SELECT count(*) AS n FROM telemetry').get() as { n: number }).n;
    if (rows !== after.stored) notes.push(`table has ${rows} rows, stats say ${after.stored}`);
    notes.push(...publishNotes(published, offered));
    if (stored !== offered) notes.push(`stored ${stored} of ${offered}`);
    for (const key of ['rejected', 'duplicates', 'withheld'] as const) {
      if (after[key] !== before[key]) notes.push(`${after[key] - before[key]} ${key}`);
    }
    const durationMs = storedAt - published.firstPublishAt;
    return {
      config: 'fleet',
      rep,
      connectMs: pub.connected.ms,
      connected,
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
      maxQueue,
      notes,
    };
  } finally {
    if (publishers) await stopWorker(publishers);
    await fleet?.stop();
    dir.cleanup();
  }
}

// ---------------------------------------------------------------------------------------------------------------

export function renderIngest(report: IngestReport): string {
  const p = report.parameters;
  const runs = markdownTable(
    [
      'run',
      'mTLS clients (connect s)',
      'received / stored',
      'seconds',
      'msg/s',
      'broker-thread CPU µs/msg',
      'ELU broker / publishers / subscriber',
      'max aedes queue',
      'notes',
    ],
    report.runs.map((r) => [
      `${r.config} #${r.rep}`,
      `${r.connected} (${fmt(r.connectMs / 1000, 1)})`,
      `${r.counted} / ${r.offered}`,
      fmt(r.durationMs / 1000, 2),
      fmt(r.perSecond, 0),
      fmt(cpuPerMessageUs(r), 1),
      `${fmt(r.brokerElu, 2)} / ${fmt(r.publisherElu, 2)} / ${r.subscriberElu === undefined ? '-' : fmt(r.subscriberElu, 2)}`,
      Number.isNaN(r.maxQueue) ? 'n/a' : r.maxQueue,
      r.notes.join('; '),
    ]),
  );
  const summary = markdownTable(
    ['configuration', 'runs', 'median msg/s', 'median broker-thread CPU µs/msg'],
    report.summaries.map((s) => [CONFIG_LABEL[s.config], s.runs, fmt(s.medianPerSecond, 0), fmt(s.medianCpuUs, 1)]),
  );
  const verdict = (ratio: number, met: boolean) =>
    Number.isFinite(ratio)
      ? `${fmt(ratio, 2)} → aim ${met ? '**met**' : '**NOT met**'}`
      : 'n/a (configuration not run)';
  const ratios = markdownTable(
    ['ratio (of medians)', `value (aim ≥ ${AIM_RATIO})`],
    [
      ['msg/s fleet ÷ raw (the issue’s definition)', verdict(report.ratio, report.aimMet)],
      ['msg/s fleet ÷ raw-inproc (same broker path as the fleet)', verdict(report.ratioInproc, report.aimMetInproc)],
      ['broker-thread CPU/msg raw-inproc ÷ fleet (capacity per core)', verdict(report.ratioCpu, report.aimMetCpu)],
    ],
  );
  return [
    `### Telemetry ingest: ${p.devices} mTLS devices × ${p.messagesPerClient} messages, QoS 1, ≤ ${p.window} in flight per client, ${p.reps} alternating runs per configuration`,
    '',
    `Registering ${p.devices} devices (registry.registerDevice, one after another): ${fmt(report.registrationMs / 1000, 2)} s ` +
      `(${fmt(report.registrationMs / p.devices, 2)} ms per device).`,
    '',
    summary,
    '',
    ratios,
    '',
    '<details><summary>every run</summary>',
    '',
    runs,
    '',
    '</details>',
    '',
    'msg/s = messages received by the subscriber (raw, raw-inproc) or rows stored in SQLite (fleet) / time from the ' +
      'first publish to the last receipt (or to the end of the final flush). Broker-thread CPU = CPU time of the thread ' +
      'running the broker (aedes, TLS, and in the fleet the ingest and SQLite writes) / messages. ELU = event-loop ' +
      'utilization of each thread in the measured phase (1.00 = never idle). Max aedes queue = longest mqemitter queue ' +
      '(accepted but not yet delivered) sampled every 10 ms.',
  ].join('\n');
}

await runWhenMain(import.meta.url, run);
