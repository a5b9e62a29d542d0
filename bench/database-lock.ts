/**
 * Shadow gets while another process holds the database's write lock (a backup tool, an operator's `sqlite3` shell in
 * `BEGIN EXCLUSIVE`), against the same gets with the database free, in the same run.
 *
 * One fleet per configuration; a device (mqtt.js over mTLS) sends sequential shadow `get` requests and times each to
 * its `get/accepted`, an HTTP client sends sequential `GET /api/devices/{thing}/shadow` with an API token, and a
 * second device publishes telemetry every 10 ms throughout, so the fleet has writes to make while the lock is held.
 * First the gets run with the database free (baseline); then a child process takes `BEGIN EXCLUSIVE` for
 * `lockMs` and lets go by itself, and the same gets run until it has. A get counts as "during the lock" when the
 * file is still locked at the moment its answer arrives (a `BEGIN IMMEDIATE` probe on another connection).
 *
 * Two configurations: the fleet as shipped (`storage.busyTimeoutMs` 0, writes retried on a timer by the
 * `DatabaseWriter`), and `busyTimeoutMs` 5000, SQLite's blocking wait inside the event loop (what the fleet did
 * before: every write waited up to 5 s and held every answer with it).
 */
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { FleetConfigSchema } from '../fleet/config.ts';
import { FleetServer } from '../fleet/fleet-server.ts';
import { silentLogger } from '../platform/log.ts';
import {
  type BenchOptions,
  benchFleetConfig,
  fmt,
  type LatencySummary,
  markdownTable,
  runWhenMain,
  summarize,
  tempDir,
  withTimeout,
} from './lib/common.ts';
import { holdExclusiveLock, WriteLockProbe } from './lib/sqlite-lock.ts';

export interface LockParameters {
  /** Sequential gets of each kind with the database free. */
  baselineGets: number;
  /** How long the other process holds the lock. */
  lockMs: number;
  requestTimeoutMs: number;
}

export function lockParameters(options: BenchOptions): LockParameters {
  return options.quick
    ? { baselineGets: 50, lockMs: 1000, requestTimeoutMs: 15_000 }
    : { baselineGets: 300, lockMs: 3000, requestTimeoutMs: 15_000 };
}

export type LockConfig = 'as shipped' | 'blocking busy_timeout';

export interface GetSamples {
  free: LatencySummary;
  /** Answered while the file was still locked. */
  locked: LatencySummary;
}

export interface ConfigResult {
  config: LockConfig;
  mqtt: GetSamples;
  http: GetSamples;
  /** Longest stretch of the lock without any answer (from the lock's start to its end, answers in between). */
  longestSilenceMs: number;
  /** Telemetry published after the lock was taken and acknowledged while it was held (acknowledged means stored). */
  telemetryAckedWhileLocked: number;
  /** Telemetry never acknowledged, after the lock and a final wait. */
  telemetryLost: number;
}

export interface LockReport {
  parameters: LockParameters;
  results: ConfigResult[];
  markdown: string;
}

const log = (message: string) => process.stderr.write(`[lock] ${message}\n`);

const THING = 'bench-lock-cart';
const FEEDER = 'bench-lock-feeder';

export async function run(options: BenchOptions = { quick: false }): Promise<LockReport> {
  const parameters = lockParameters(options);
  const results: ConfigResult[] = [];
  results.push(await measureConfig('as shipped', 0, parameters));
  results.push(await measureConfig('blocking busy_timeout', 5000, parameters));
  const report: LockReport = { parameters, results, markdown: '' };
  report.markdown = renderLock(report);
  return report;
}

async function measureConfig(config: LockConfig, busyTimeoutMs: number, p: LockParameters): Promise<ConfigResult> {
  const dir = tempDir('cartfleet-bench-lock-');
  const base = benchFleetConfig(dir.path);
  const fleet = new FleetServer(
    FleetConfigSchema.parse({ ...base, storage: { ...base.storage, busyTimeoutMs } }),
    silentLogger(),
  );
  const closers: (() => unknown)[] = [];
  try {
    await fleet.start();
    closers.push(() => fleet.stop());
    const probe = new WriteLockProbe(join(dir.path, 'fleet.sqlite'));
    closers.push(() => probe.close());
    const { user } = await fleet.services.access.createUser(
      { username: 'bench-lock', displayName: 'bench', role: 'hq-admin' },
      'Bench-Lock-Password-42',
    );
    const { token } = fleet.services.access.createToken(user.id, 'bench');
    const device = await ShadowDevice.connect(fleet, THING, p.requestTimeoutMs);
    closers.push(() => device.close());
    const feeder = await TelemetryFeeder.start(fleet, FEEDER);
    closers.push(() => feeder.stop());
    const httpUrl = `http://127.0.0.1:${fleet.services.http.port}/api/devices/${THING}/shadow`;
    const httpGet = async (): Promise<number> => {
      const started = performance.now();
      const res = await fetch(httpUrl, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(p.requestTimeoutMs),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      return performance.now() - started;
    };
    await device.update({ state: { reported: { brightness: 1 } } });

    const free = { mqtt: [] as number[], http: [] as number[] };
    for (let i = 0; i < p.baselineGets; i++) {
      free.mqtt.push(await device.get());
      free.http.push(await httpGet());
    }

    const during = { mqtt: [] as number[], http: [] as number[] };
    const lock = await holdExclusiveLock(join(dir.path, 'fleet.sqlite'), p.lockMs);
    const firstSentUnderLock = feeder.sent + 1;
    let ackedWhileLocked = 0;
    let lockEnd: number | undefined;
    void lock.released.then((at) => {
      lockEnd = at;
    });
    // Wall-clock times, as the lock holder reports its own.
    const answeredAt: number[] = [];
    const record = (samples: number[], latency: number) => {
      if (!probe.locked()) return;
      samples.push(latency);
      answeredAt.push(Date.now());
      ackedWhileLocked = feeder.ackedFrom(firstSentUnderLock);
    };
    while (lockEnd === undefined) {
      record(during.mqtt, await device.get());
      record(during.http, await httpGet());
    }
    const marks = [lock.lockedAt, ...answeredAt, lockEnd];
    const longestSilenceMs = Math.max(...marks.slice(1).map((at, i) => at - (marks[i] as number)));
    const lost = await feeder.stop();
    log(
      `${config}: ${during.mqtt.length} MQTT and ${during.http.length} HTTP gets answered during the ` +
        `${p.lockMs} ms lock; p50 ${fmt(summarize(during.mqtt).p50, 2)} ms vs ${fmt(summarize(free.mqtt).p50, 2)} ms free`,
    );
    return {
      config,
      mqtt: { free: summarize(free.mqtt), locked: summarize(during.mqtt) },
      http: { free: summarize(free.http), locked: summarize(during.http) },
      longestSilenceMs,
      telemetryAckedWhileLocked: ackedWhileLocked,
      telemetryLost: lost,
    };
  } finally {
    for (const close of closers.reverse()) await close();
    dir.cleanup();
  }
}

async function connectDevice(fleet: FleetServer, thingName: string): Promise<mqtt.MqttClient> {
  const registration = await fleet.services.registry.registerDevice({
    thingName,
    kind: 'cart',
    hardwareModel: 'SC-200',
  });
  const client = mqtt.connect({
    protocol: 'mqtts',
    host: '127.0.0.1',
    port: fleet.services.broker.tlsPort,
    clientId: thingName,
    cert: registration.certificate.certificatePem,
    key: registration.certificate.privateKeyPem,
    ca: registration.caPem,
    servername: 'localhost',
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    }),
    15_000,
    `${thingName} connect`,
  );
  // The broker sets TCP_NODELAY on its side; without it here too, Nagle holds each sequential request until the
  // broker's delayed ACK of the previous PUBACK (~40 ms on Linux), and that floor would hide what the lock adds.
  (client.stream as unknown as Socket).setNoDelay(true);
  return client;
}

/** A device asking for its classic shadow, one request at a time, matched by clientToken. */
class ShadowDevice {
  private readonly waiting = new Map<string, (at: number) => void>();
  private seq = 0;

  private constructor(
    private readonly client: mqtt.MqttClient,
    private readonly timeoutMs: number,
  ) {
    client.on('message', (_topic, payload) => {
      const at = performance.now();
      const token = (JSON.parse(payload.toString()) as { clientToken?: string }).clientToken;
      if (token === undefined) return;
      this.waiting.get(token)?.(at);
      this.waiting.delete(token);
    });
  }

  static async connect(fleet: FleetServer, thingName: string, timeoutMs: number): Promise<ShadowDevice> {
    const client = await connectDevice(fleet, thingName);
    await client.subscribeAsync(
      [`$aws/things/${thingName}/shadow/get/accepted`, `$aws/things/${thingName}/shadow/update/accepted`],
      { qos: 1 },
    );
    return new ShadowDevice(client, timeoutMs);
  }

  get(): Promise<number> {
    return this.request('get', {});
  }

  update(body: object): Promise<number> {
    return this.request('update', body);
  }

  close(): void {
    this.client.end(true);
  }

  private async request(operation: 'get' | 'update', body: object): Promise<number> {
    const clientToken = `t${++this.seq}`;
    const answered = new Promise<number>((resolve) => this.waiting.set(clientToken, resolve));
    const started = performance.now();
    this.client.publish(`$aws/things/${THING}/shadow/${operation}`, JSON.stringify({ ...body, clientToken }), {
      qos: 1,
    });
    return (await withTimeout(answered, this.timeoutMs, `shadow ${operation}`)) - started;
  }
}

/** A second device publishing telemetry every 10 ms at QoS 1, counting PUBACKs. */
class TelemetryFeeder {
  acked = 0;
  sent = 0;
  /** Sequence numbers acknowledged, in order of acknowledgement. */
  private readonly ackedSeqs: number[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();

  private constructor(
    private readonly client: mqtt.MqttClient,
    private readonly timer: NodeJS.Timeout,
  ) {}

  static async start(fleet: FleetServer, thingName: string): Promise<TelemetryFeeder> {
    const client = await connectDevice(fleet, thingName);
    let feeder: TelemetryFeeder | undefined;
    const timer = setInterval(() => feeder?.publish(thingName), 10);
    feeder = new TelemetryFeeder(client, timer);
    return feeder;
  }

  /** How many messages numbered `seq` or later were acknowledged so far. */
  ackedFrom(seq: number): number {
    return this.ackedSeqs.filter((n) => n >= seq).length;
  }

  /** Stops publishing, waits for the outstanding PUBACKs; returns how many never came. */
  async stop(): Promise<number> {
    clearInterval(this.timer);
    await withTimeout(Promise.allSettled([...this.inFlight]), 15_000, 'telemetry PUBACKs').catch(() => {});
    const lost = this.sent - this.acked;
    this.client.end(true);
    return lost;
  }

  private publish(thingName: string): void {
    const n = ++this.sent;
    const payload = JSON.stringify({ msgId: `f-${n}`, ts: Date.now(), metrics: { 'battery.percent': n % 100 } });
    const sending = this.client.publishAsync(`dt/cartfleet/${thingName}/telemetry`, payload, { qos: 1 }).then(() => {
      this.acked++;
      this.ackedSeqs.push(n);
    });
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }
}

const CONFIG_LABEL: Record<LockConfig, string> = {
  'as shipped': 'as shipped (busy_timeout 0, DatabaseWriter retries)',
  'blocking busy_timeout': 'busy_timeout 5000 (blocking wait, as before)',
};

export function renderLock(report: LockReport): string {
  const p = report.parameters;
  const rows = report.results.flatMap((r) => {
    const line = (what: string, phase: string, s: LatencySummary) => [
      CONFIG_LABEL[r.config],
      what,
      phase,
      s.n,
      fmt(s.p50, 2),
      fmt(s.p99, 2),
      fmt(s.max, 2),
    ];
    const ratio = (g: GetSamples) =>
      g.locked.n > 0 ? `**${fmt(g.locked.p50 / g.free.p50, 2)}**` : '**no answer during the lock**';
    return [
      line('MQTT shadow get', 'database free', r.mqtt.free),
      line('MQTT shadow get', 'answered during the lock', r.mqtt.locked),
      [CONFIG_LABEL[r.config], 'MQTT shadow get', '**p50 locked ÷ free**', '', ratio(r.mqtt), '', ''],
      line('HTTP GET shadow', 'database free', r.http.free),
      line('HTTP GET shadow', 'answered during the lock', r.http.locked),
      [CONFIG_LABEL[r.config], 'HTTP GET shadow', '**p50 locked ÷ free**', '', ratio(r.http), '', ''],
      [
        CONFIG_LABEL[r.config],
        'any',
        'longest time without an answer during the lock',
        '',
        '',
        '',
        fmt(r.longestSilenceMs, 0),
      ],
    ];
  });
  const table = markdownTable(['fleet', 'request', 'phase', 'n', 'p50 ms', 'p99 ms', 'max ms'], rows);
  const telemetry = report.results
    .map(
      (r) =>
        `${CONFIG_LABEL[r.config]}: ${r.telemetryAckedWhileLocked} telemetry messages published under the lock were ` +
        `acknowledged while it was held, ${r.telemetryLost} were never acknowledged.`,
    )
    .join(' ');
  return [
    `### Shadow gets while another process holds the database lock (${p.lockMs} ms of BEGIN EXCLUSIVE; ${p.baselineGets} gets of each kind with the database free; telemetry every 10 ms throughout)`,
    '',
    table,
    '',
    telemetry,
    '',
    'Baseline: the same sequential gets, same device, same HTTP client, with the database free, measured just before ' +
      'the lock. "During the lock" counts an answer only if the file was still locked when it arrived.',
  ].join('\n');
}

await runWhenMain(import.meta.url, run);
