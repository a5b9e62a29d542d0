/**
 * Live-update fan-out: the delay from a device's telemetry publish to the `telemetry` event in each of 50 connected
 * console sockets, against a bare socket.io server broadcasting the same payloads in the same run.
 *
 * - `fleet`: a real FleetServer (the shipped config on ephemeral loopback ports, demo stores seeded). One device,
 *   registered in store A with its own certificate, publishes telemetry at QoS 1 over mTLS (mqtt.js, in a worker
 *   thread). 50 socket.io clients (another worker thread) are signed in with an hq-admin API token
 *   (`auth: { token }`). Delay = the client's handler time − the time stamped in the message's metrics just before
 *   the device's publish call: MQTT over TLS, aedes, the ingest's validation, the bus, the live gateway's room
 *   emit, and the websocket frames.
 * - `bare` (the baseline): `new Server(http.createServer())` in the same process on port 0, no MQTT, no fleet; the
 *   main thread emits the same live event (same shape and metrics) to all 50 clients on the same send plan.
 *   Delay = handler time − the time stamped just before `io.emit`. The fleet's overhead is the difference.
 *
 * Send plans: steady (20 msg/s) and bursts (100 messages back to back, every second). Rounds alternate bare and
 * fleet, in alternating order. Clients use the websocket transport from the start (browsers start with polling
 * and upgrade; the steady state is the same). All 50 clients share one worker thread, so the last of them handles
 * a frame after the other 49: that spread is in both configurations.
 *
 * Scoping: 50 more sockets of a store manager of store B (the device is in store A) join for a last fleet phase,
 * with one store manager of store A as a positive control; every event they receive is counted.
 */
import { createServer, type Server as NodeHttpServer } from 'node:http';
import { isMainThread, type Worker } from 'node:worker_threads';
import { Server as SocketIoServer } from 'socket.io';
import { FleetConfigSchema } from '../fleet/config.ts';
import { FleetServer } from '../fleet/fleet-server.ts';
import { DEMO_STORES } from '../fleet/registry/demo-seed.ts';
import { silentLogger } from '../platform/log.ts';
import {
  type BenchOptions,
  benchFleetConfig,
  fmt,
  type LatencySummary,
  markdownTable,
  median,
  nextMessage,
  runWhenMain,
  sleep,
  startTsWorker,
  stopWorker,
  summarize,
  tempDir,
} from './lib/common.ts';
import { cpuSince, threadCpuMs } from './lib/thread-cpu.ts';
import {
  benchMetrics,
  type FromLiveWorker,
  type GroupReport,
  type LiveWorkerData,
  planCount,
  runPlan,
  type SendPlan,
  type ToLiveWorker,
} from './workers/live-clients.ts';

const WORKER_URL = new URL('./workers/live-clients.ts', import.meta.url);
const STORE_A = (DEMO_STORES[0] as { id: string }).id;
const STORE_B = (DEMO_STORES[1] as { id: string }).id;
const THING = 'bench-live-cart';

export interface FanoutParameters {
  clients: number;
  rounds: number;
  steady: Extract<SendPlan, { kind: 'steady' }>;
  burst: Extract<SendPlan, { kind: 'burst' }>;
  scoped: Extract<SendPlan, { kind: 'steady' }>;
  warmup: Extract<SendPlan, { kind: 'steady' }>;
}

export function fanoutParameters(options: BenchOptions): FanoutParameters {
  return options.quick
    ? {
        clients: 50,
        rounds: 1,
        steady: { kind: 'steady', count: 40, ratePerSecond: 20 },
        burst: { kind: 'burst', bursts: 2, size: 100, gapMs: 1000 },
        scoped: { kind: 'steady', count: 40, ratePerSecond: 20 },
        warmup: { kind: 'steady', count: 20, ratePerSecond: 50 },
      }
    : {
        clients: 50,
        rounds: 3,
        steady: { kind: 'steady', count: 200, ratePerSecond: 20 },
        burst: { kind: 'burst', bursts: 5, size: 100, gapMs: 1000 },
        scoped: { kind: 'steady', count: 100, ratePerSecond: 20 },
        warmup: { kind: 'steady', count: 40, ratePerSecond: 50 },
      };
}

type ServerKind = 'bare' | 'fleet';
type Scenario = 'steady' | 'burst';

export interface FanoutPhase {
  scenario: Scenario | 'scoped';
  server: ServerKind;
  round: number;
  sent: number;
  clients: number;
  expected: number;
  received: number;
  lost: number;
  duplicates: number;
  delay: LatencySummary;
  /** Main-thread CPU per message sent, ms (the server under test: fleet or bare socket.io). */
  serverCpuMsPerMessage: number;
  notes: string[];
}

export interface ScopeCheck {
  outsiders: number;
  outsiderEvents: Record<string, number>;
  insiders: number;
  insiderTelemetry: number;
  insiderExpected: number;
}

export interface FanoutReport {
  parameters: FanoutParameters;
  phases: FanoutPhase[];
  scope: ScopeCheck;
  markdown: string;
}

const log = (message: string) => process.stderr.write(`[fanout] ${message}\n`);

export async function run(options: BenchOptions = { quick: false }): Promise<FanoutReport> {
  const p = fanoutParameters(options);
  const dir = tempDir('cartfleet-bench-fanout-');
  let fleet: FleetServer | undefined;
  let bare: { http: NodeHttpServer; io: SocketIoServer } | undefined;
  let sockets: Worker | undefined;
  let device: Worker | undefined;
  try {
    fleet = new FleetServer(
      FleetConfigSchema.parse({ ...benchFleetConfig(dir.path), seedDemoData: true }),
      silentLogger(),
    );
    await fleet.start();
    const { registry, access } = fleet.services;
    const registration = await registry.registerDevice({
      thingName: THING,
      kind: 'cart',
      hardwareModel: 'SC-200',
      storeId: STORE_A,
    });
    const tokenFor = async (username: string, role: 'hq-admin' | 'store-manager', storeIds: string[]) => {
      const { user } = await access.createUser(
        { username, displayName: username, role, storeIds },
        `pw-${username}-Correct-Horse-7`,
      );
      return access.createToken(user.id, 'bench').token;
    };
    const adminToken = await tokenFor('bench-hq', 'hq-admin', []);
    const outsiderToken = await tokenFor('bench-manager-b', 'store-manager', [STORE_B]);
    const insiderToken = await tokenFor('bench-manager-a', 'store-manager', [STORE_A]);

    bare = await startBareServer();
    const fleetUrl = `http://127.0.0.1:${fleet.services.http.port}`;
    const bareUrl = `http://127.0.0.1:${(bare.http.address() as { port: number }).port}`;

    sockets = startTsWorker(WORKER_URL, { role: 'sockets' } satisfies LiveWorkerData);
    sockets.on('error', (err) => log(`sockets worker error: ${err.message}`));
    const clients = new SocketClients(sockets);
    await clients.connect('fleet', fleetUrl, adminToken, p.clients);
    await clients.connect('bare', bareUrl, undefined, p.clients);

    device = startTsWorker(WORKER_URL, {
      role: 'device',
      port: fleet.services.broker.tlsPort,
      caPem: registration.caPem,
      certificatePem: registration.certificate.certificatePem,
      privateKeyPem: registration.certificate.privateKeyPem,
      thingName: THING,
    } satisfies LiveWorkerData);
    device.on('error', (err) => log(`device worker error: ${err.message}`));
    const ready = await nextMessage<FromLiveWorker>(device, (m) => m.type === 'device-ready', 30_000, 'device');
    if (ready.type !== 'device-ready' || !ready.ok) throw new Error(`device did not connect: ${JSON.stringify(ready)}`);

    const phaseRunner = new PhaseRunner(clients, device, bare.io);
    await phaseRunner.run('fleet', 'steady', 0, p.warmup, ['fleet']);
    await phaseRunner.run('bare', 'steady', 0, p.warmup, ['bare']);
    const phases: FanoutPhase[] = [];
    for (const scenario of ['steady', 'burst'] as const) {
      for (let round = 1; round <= p.rounds; round++) {
        const order: ServerKind[] = round % 2 === 1 ? ['bare', 'fleet'] : ['fleet', 'bare'];
        for (const server of order) {
          const phase = await phaseRunner.run(server, scenario, round, p[scenario], [server]);
          phases.push(phase);
          logPhase(phase);
        }
      }
    }

    await clients.connect('outsiders', fleetUrl, outsiderToken, p.clients);
    await clients.connect('insider', fleetUrl, insiderToken, 1);
    const scoped = await phaseRunner.run('fleet', 'scoped', 1, p.scoped, ['fleet', 'insider']);
    phases.push(scoped);
    logPhase(scoped);
    const report = phaseRunner.lastReport;
    const group = (name: string) => report?.groups.find((g) => g.group === name);
    const scope: ScopeCheck = {
      outsiders: group('outsiders')?.clients ?? 0,
      outsiderEvents: group('outsiders')?.events ?? {},
      insiders: group('insider')?.clients ?? 0,
      insiderTelemetry: group('insider')?.received ?? 0,
      insiderExpected: scoped.sent * (group('insider')?.clients ?? 0),
    };
    const result: FanoutReport = { parameters: p, phases, scope, markdown: '' };
    result.markdown = renderFanout(result);
    return result;
  } finally {
    if (device) await stopWorker(device, 5_000);
    if (sockets) await stopWorker(sockets, 5_000);
    if (bare) {
      bare.io.disconnectSockets(true);
      await new Promise<void>((resolve) => bare?.io.close(() => resolve()));
    }
    await fleet?.stop();
    dir.cleanup();
  }
}

async function startBareServer(): Promise<{ http: NodeHttpServer; io: SocketIoServer }> {
  const http = createServer();
  const io = new SocketIoServer(http, { path: '/socket.io', serveClient: false, cors: { origin: false } });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { http, io };
}

class SocketClients {
  constructor(private readonly worker: Worker) {}

  async connect(group: string, url: string, token: string | undefined, count: number): Promise<void> {
    const done = nextMessage<FromLiveWorker>(
      this.worker,
      (m) => m.type === 'connected' && m.group === group,
      60_000,
      `${group} sockets`,
    );
    this.worker.postMessage({ type: 'connect', group, url, token, count } satisfies ToLiveWorker);
    const m = (await done) as Extract<FromLiveWorker, { type: 'connected' }>;
    if (m.ok !== count) throw new Error(`${group}: ${m.ok} of ${count} sockets connected (${m.firstError})`);
    log(`${group}: ${m.ok} sockets connected in ${fmt(m.ms, 0)} ms`);
  }

  async startPhase(phase: string): Promise<void> {
    this.worker.postMessage({ type: 'phase', phase } satisfies ToLiveWorker);
    await sleep(100); // the worker switches phase before the first message can arrive
  }

  async report(phase: string, groups: string[], expected: number) {
    const done = nextMessage<FromLiveWorker>(
      this.worker,
      (m) => m.type === 'report' && m.phase === phase,
      60_000,
      `report ${phase}`,
    );
    this.worker.postMessage({
      type: 'await',
      phase,
      groups,
      expected,
      timeoutMs: 10_000,
      settleMs: 250,
    } satisfies ToLiveWorker);
    return (await done) as Extract<FromLiveWorker, { type: 'report' }>;
  }
}

class PhaseRunner {
  lastReport: Extract<FromLiveWorker, { type: 'report' }> | undefined;

  constructor(
    private readonly clients: SocketClients,
    private readonly device: Worker,
    private readonly bareIo: SocketIoServer,
  ) {}

  async run(
    server: ServerKind,
    scenario: Scenario | 'scoped',
    round: number,
    plan: SendPlan,
    groups: string[],
  ): Promise<FanoutPhase> {
    const phase = `${server}-${scenario}-${round}`;
    await this.clients.startPhase(phase);
    const notes: string[] = [];
    const cpu0 = threadCpuMs();
    let sent: number;
    if (server === 'fleet') {
      const done = nextMessage<FromLiveWorker>(
        this.device,
        (m) => m.type === 'sent' && m.phase === phase,
        120_000,
        phase,
      );
      this.device.postMessage({ type: 'send', phase, plan } satisfies ToLiveWorker);
      const m = (await done) as Extract<FromLiveWorker, { type: 'sent' }>;
      sent = m.sent;
      if (m.acked !== m.sent) notes.push(`${m.acked} of ${m.sent} acknowledged (${m.errors} errors: ${m.firstError})`);
    } else {
      sent = 0;
      await runPlan(plan, (seq) => {
        sent++;
        this.bareIo.emit('telemetry', {
          thingName: THING,
          storeId: STORE_A,
          stream: 'telemetry',
          ts: Date.now(),
          metrics: benchMetrics(phase, seq),
        });
      });
    }
    const report = await this.clients.report(phase, groups, planCount(plan));
    const serverCpuMsPerMessage = cpuSince(cpu0) / sent;
    this.lastReport = report;
    const mine = report.groups.find((g) => g.group === server) as GroupReport;
    const expected = sent * mine.clients;
    if (!report.complete) notes.push('not every client got every message within 10 s');
    return {
      scenario,
      server,
      round,
      sent,
      clients: mine.clients,
      expected,
      received: mine.received,
      lost: expected - mine.received,
      duplicates: mine.duplicates,
      delay: summarize(mine.delays),
      serverCpuMsPerMessage,
      notes,
    };
  }
}

function logPhase(r: FanoutPhase): void {
  log(
    `${r.server} ${r.scenario} #${r.round}: ${r.received}/${r.expected} (lost ${r.lost}, dup ${r.duplicates}) ` +
      `p50 ${fmt(r.delay.p50, 2)} p99 ${fmt(r.delay.p99, 2)} max ${fmt(r.delay.max, 2)} ms; ` +
      `server CPU ${fmt(r.serverCpuMsPerMessage, 3)} ms/msg${r.notes.length ? `; ${r.notes.join('; ')}` : ''}`,
  );
}

// ---------------------------------------------------------------------------------------------------------------

export function renderFanout(report: FanoutReport): string {
  const p = report.parameters;
  const ms = (v: number) => fmt(v, 2);
  const plan = (s: Scenario) =>
    s === 'steady'
      ? `steady ${p.steady.ratePerSecond} msg/s × ${p.steady.count}`
      : `bursts ${p.burst.bursts} × ${p.burst.size} back to back, ${p.burst.gapMs} ms apart`;
  const summaryRows: (string | number)[][] = [];
  for (const scenario of ['steady', 'burst'] as const) {
    const row = (server: ServerKind) => {
      const runs = report.phases.filter((r) => r.scenario === scenario && r.server === server);
      return {
        runs,
        p50: median(runs.map((r) => r.delay.p50)),
        p99: median(runs.map((r) => r.delay.p99)),
        max: Math.max(...runs.map((r) => r.delay.max)),
        mean: median(runs.map((r) => r.delay.mean)),
        cpu: median(runs.map((r) => r.serverCpuMsPerMessage)),
      };
    };
    const bare = row('bare');
    const fleet = row('fleet');
    for (const [server, r] of [
      ['bare socket.io (baseline)', bare],
      ['fleet: device → MQTT → live gateway', fleet],
    ] as const) {
      const received = r.runs.reduce((s, x) => s + x.received, 0);
      const expected = r.runs.reduce((s, x) => s + x.expected, 0);
      summaryRows.push([
        plan(scenario),
        server,
        r.runs.length,
        `${received} / ${expected}`,
        expected - received,
        ms(r.p50),
        ms(r.p99),
        ms(r.max),
        ms(r.mean),
        fmt(r.cpu, 3),
      ]);
    }
    summaryRows.push([
      plan(scenario),
      '**fleet − bare (fleet ÷ bare)**',
      '',
      '',
      '',
      `**${ms(fleet.p50 - bare.p50)} (${fmt(fleet.p50 / bare.p50, 2)}×)**`,
      `**${ms(fleet.p99 - bare.p99)} (${fmt(fleet.p99 / bare.p99, 2)}×)**`,
      '',
      `${ms(fleet.mean - bare.mean)} (${fmt(fleet.mean / bare.mean, 2)}×)`,
      '',
    ]);
  }
  const summary = markdownTable(
    [
      'send plan',
      'server',
      'rounds',
      'delivered / expected',
      'lost',
      'p50 ms',
      'p99 ms',
      'max ms',
      'mean ms',
      'server-thread CPU ms/msg',
    ],
    summaryRows,
  );
  const runs = markdownTable(
    ['phase', 'sent × clients', 'delivered', 'lost', 'dup', 'p50 ms', 'p99 ms', 'max ms', 'CPU ms/msg', 'notes'],
    report.phases.map((r) => [
      `${r.server} ${r.scenario} #${r.round}`,
      `${r.sent} × ${r.clients}`,
      r.received,
      r.lost,
      r.duplicates,
      ms(r.delay.p50),
      ms(r.delay.p99),
      ms(r.delay.max),
      fmt(r.serverCpuMsPerMessage, 3),
      r.notes.join('; '),
    ]),
  );
  const s = report.scope;
  const scopedPhase = report.phases.find((r) => r.scenario === 'scoped');
  const outsiderTotal = Object.values(s.outsiderEvents).reduce((a, b) => a + b, 0);
  const eventList = Object.entries(s.outsiderEvents)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const scope = [
    `**Scoping** (fleet, steady ${p.scoped.ratePerSecond} msg/s × ${p.scoped.count}, device in store A): ` +
      `${s.outsiders} sockets of a store manager of store B received **${outsiderTotal} events** ` +
      `${outsiderTotal ? `(${eventList})` : '(of any kind)'} while connected; ` +
      `the control socket of a store manager of store A received ${s.insiderTelemetry} of ${s.insiderExpected} ` +
      `telemetry events, and the ${scopedPhase?.clients ?? 0} hq-admin sockets ${scopedPhase?.received ?? 0} of ` +
      `${scopedPhase?.expected ?? 0} (p50 ${ms(scopedPhase?.delay.p50 ?? Number.NaN)} ms, p99 ` +
      `${ms(scopedPhase?.delay.p99 ?? Number.NaN)} ms with the 51 store-manager sockets also connected).`,
  ].join('');
  return [
    `### Live fan-out: ${p.clients} socket.io clients, telemetry from one device, ${p.rounds} alternating rounds per send plan`,
    '',
    summary,
    '',
    scope,
    '',
    '<details><summary>every phase</summary>',
    '',
    runs,
    '',
    '</details>',
    '',
    'Delay = client handler time − time stamped just before the device’s publish call (fleet) or `io.emit` (bare), ' +
      'over every client and message of a phase; p50/p99 are medians of the rounds’ values, max is the largest. ' +
      'Lost = expected − distinct messages received. Server-thread CPU = main-thread CPU time / messages ' +
      '(fleet: TLS, aedes, ingest with its SQLite commit, live gateway; bare: socket.io only).',
  ].join('\n');
}

if (isMainThread) await runWhenMain(import.meta.url, run);
