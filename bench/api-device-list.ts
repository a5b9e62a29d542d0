/**
 * Device list API latency with 10,000 registered devices, against trivial routes of the same server in the same run.
 *
 * Setup: a real FleetServer (the shipped config on ephemeral loopback ports and a temp data dir, demo stores seeded),
 * 10,000 things split over the two stores, inserted through the registry's ThingRepository in one transaction
 * *without* certificates (the list never reads certificates, and issuing 10,000 would take ~40 s). A few hundred of
 * them get latest telemetry (battery, charging, zone, temperature: rows written through TelemetryRepository, then
 * `telemetry.warmLatest`, as after a restart) and presence (`broker.clientConnected` / `clientDisconnected` on the
 * fleet's bus, which the presence service stores; offline grace set to 0 so the offline ones settle at once).
 * Users: an hq-admin and a store manager of one store, each with an API token.
 *
 * Load: keep-alive `fetch` from a worker thread (the fleet keeps the main thread), over real HTTP on 127.0.0.1.
 * Every endpoint runs in every round, the order rotating from round to round; first sequential requests, then
 * rounds with 8 requests in flight. Latency is from the call to the last byte of the body.
 *
 * Baselines, same server, same run: `GET /healthz` (public: no auth hook work) and `GET /api/auth/me` (token auth,
 * trivial handler). The ratio column divides by /api/auth/me, so it shows what the list costs on top of HTTP + auth.
 *
 * Then, in-process (no HTTP), the parts of one list call are timed separately: the registry's list of every thing
 * (from its in-memory directory), the presence list, and `DeviceView.list` as a whole. BENCH_PROFILE_DIR=<dir> also writes a CPU profile of the main
 * thread during extra sequential first-page requests (`api-device-list.cpuprofile`).
 */
import { performance } from 'node:perf_hooks';
import { isMainThread, type Worker } from 'node:worker_threads';
import type { Principal } from '../fleet/access/principal.ts';
import { FleetConfigSchema } from '../fleet/config.ts';
import { FleetServer } from '../fleet/fleet-server.ts';
import { DEMO_STORES } from '../fleet/registry/demo-seed.ts';
import { ThingRepository } from '../fleet/registry/thing-repository.ts';
import { type TelemetryRecord, TelemetryRepository } from '../fleet/telemetry/telemetry-repository.ts';
import { silentLogger } from '../platform/log.ts';
import type { DeviceListQuery } from '../protocol/api/devices.ts';
import {
  type BenchOptions,
  benchFleetConfig,
  fmt,
  type LatencySummary,
  markdownTable,
  median,
  nextMessage,
  runWhenMain,
  startTsWorker,
  stopWorker,
  summarize,
  tempDir,
} from './lib/common.ts';
import { startPhaseProfile } from './lib/profile.ts';
import { cpuSince, threadCpuMs } from './lib/thread-cpu.ts';
import type { FromHttpClient, HttpClientData, ToHttpClient } from './workers/http-client.ts';

const WORKER_URL = new URL('./workers/http-client.ts', import.meta.url);
const STORE_A = (DEMO_STORES[0] as { id: string }).id;
const STORE_B = (DEMO_STORES[1] as { id: string }).id;

export interface ApiListParameters {
  devices: number;
  /** Devices with latest telemetry; the first `online` + `offline` of them also have presence. */
  withTelemetry: number;
  online: number;
  offline: number;
  rounds: number;
  warmupPerRound: number;
  sequentialPerRound: number;
  concurrentPerRound: number;
  concurrency: number;
  breakdownReps: number;
}

export function apiListParameters(options: BenchOptions): ApiListParameters {
  return options.quick
    ? {
        devices: 1000,
        withTelemetry: 100,
        online: 60,
        offline: 20,
        rounds: 2,
        warmupPerRound: 3,
        sequentialPerRound: 20,
        concurrentPerRound: 40,
        concurrency: 8,
        breakdownReps: 10,
      }
    : {
        devices: 10_000,
        withTelemetry: 400,
        online: 300,
        offline: 100,
        rounds: 4,
        warmupPerRound: 5,
        sequentialPerRound: 50,
        concurrentPerRound: 48,
        concurrency: 8,
        breakdownReps: 30,
      };
}

type Who = 'anonymous' | 'hq-admin' | 'store-manager';
interface Endpoint {
  key: string;
  label: string;
  path: string;
  who: Who;
  baseline: boolean;
}

function endpoints(p: ApiListParameters): Endpoint[] {
  return [
    { key: 'healthz', label: 'GET /healthz (public)', path: '/healthz', who: 'anonymous', baseline: true },
    { key: 'me', label: 'GET /api/auth/me', path: '/api/auth/me', who: 'hq-admin', baseline: true },
    {
      key: 'first-page',
      label: 'first page, default sort',
      path: '/api/devices?limit=50',
      who: 'hq-admin',
      baseline: false,
    },
    {
      key: 'battery',
      label: 'sort by battery, desc',
      path: '/api/devices?sort=battery&order=desc&limit=50',
      who: 'hq-admin',
      baseline: false,
    },
    {
      key: 'online-store',
      label: 'online in one store',
      path: `/api/devices?presence=online&storeId=${STORE_A}`,
      who: 'hq-admin',
      baseline: false,
    },
    {
      key: 'last-page',
      label: 'last page',
      path: `/api/devices?offset=${p.devices - 50}`,
      who: 'hq-admin',
      baseline: false,
    },
    {
      key: 'manager',
      label: 'store manager (one store), first page',
      path: '/api/devices?limit=50',
      who: 'store-manager',
      baseline: false,
    },
  ];
}

export interface EndpointResult {
  key: string;
  label: string;
  path: string;
  who: Who;
  baseline: boolean;
  bytes: number;
  sequential: LatencySummary;
  /** Median of each round's p50, and the lowest and highest of them. */
  roundP50s: number[];
  /** Main-thread (fleet) CPU per sequential request, ms. */
  serverCpuMs: number;
  concurrent: LatencySummary;
  /** Completed requests per second with `concurrency` in flight (median over rounds). */
  concurrentPerSecond: number;
  errors: number;
  firstError: string | undefined;
}

export interface BreakdownRow {
  part: string;
  medianMs: number;
  p90Ms: number;
}

export interface ApiListReport {
  parameters: ApiListParameters;
  setupMs: number;
  endpoints: EndpointResult[];
  breakdown: BreakdownRow[];
  markdown: string;
}

const log = (message: string) => process.stderr.write(`[api-list] ${message}\n`);

export async function run(options: BenchOptions = { quick: false }): Promise<ApiListReport> {
  const p = apiListParameters(options);
  const dir = tempDir('cartfleet-bench-api-list-');
  let fleet: FleetServer | undefined;
  let client: Worker | undefined;
  try {
    const config = FleetConfigSchema.parse({
      ...benchFleetConfig(dir.path),
      seedDemoData: true,
      presence: { offlineGraceMs: 0 },
    });
    fleet = new FleetServer(config, silentLogger());
    await fleet.start();
    const setupStarted = performance.now();
    const tokens = await populate(fleet, p);
    const setupMs = performance.now() - setupStarted;
    log(
      `${p.devices} things, ${p.withTelemetry} with telemetry, ${p.online + p.offline} with presence in ${fmt(setupMs, 0)} ms`,
    );

    client = startTsWorker(WORKER_URL, {
      baseUrl: `http://127.0.0.1:${fleet.services.http.port}`,
    } satisfies HttpClientData);
    client.on('error', (err) => log(`worker error: ${err.message}`));
    const http = new HttpClient(client);
    const list = endpoints(p);
    const tokenOf = (who: Who) => (who === 'anonymous' ? undefined : tokens[who]);
    const acc = new Map(
      list.map((e) => [
        e.key,
        {
          seq: [] as number[],
          roundP50s: [] as number[],
          cpuMs: 0,
          seqCount: 0,
          conc: [] as number[],
          perSecond: [] as number[],
          bytes: 0,
          errors: 0,
          firstError: undefined as string | undefined,
        },
      ]),
    );

    for (const phase of ['sequential', 'concurrent'] as const) {
      for (let round = 0; round < p.rounds; round++) {
        // Rotate the order each round so no endpoint always follows the same neighbour or runs first.
        const order = list.map((_, i) => list[(i + round) % list.length] as Endpoint);
        for (const e of order) {
          const a = acc.get(e.key)!;
          const token = tokenOf(e.who);
          await http.run(e.path, token, p.warmupPerRound, 1);
          if (phase === 'sequential') {
            const cpu0 = threadCpuMs();
            const r = await http.run(e.path, token, p.sequentialPerRound, 1);
            a.cpuMs += cpuSince(cpu0);
            a.seqCount += r.samples.length;
            a.seq.push(...r.samples);
            a.roundP50s.push(summarize(r.samples).p50);
            a.bytes = r.bytes;
            a.errors += r.errors;
            a.firstError ??= r.firstError;
          } else {
            const r = await http.run(e.path, token, p.concurrentPerRound, p.concurrency);
            a.conc.push(...r.samples);
            a.perSecond.push((r.samples.length / r.wallMs) * 1000);
            a.errors += r.errors;
            a.firstError ??= r.firstError;
          }
        }
        log(`${phase} round ${round + 1}/${p.rounds} done`);
      }
    }

    const stopProfile = await startPhaseProfile('api-device-list');
    if (process.env.BENCH_PROFILE_DIR) {
      const first = list.find((e) => e.key === 'first-page')!;
      await http.run(first.path, tokenOf(first.who), p.sequentialPerRound * 2, 1);
    }
    await stopProfile();

    const breakdown = breakdownInProcess(fleet, tokens['hq-admin'], p.breakdownReps);

    const results: EndpointResult[] = list.map((e) => {
      const a = acc.get(e.key)!;
      return {
        key: e.key,
        label: e.label,
        path: e.path,
        who: e.who,
        baseline: e.baseline,
        bytes: a.bytes,
        sequential: summarize(a.seq),
        roundP50s: a.roundP50s,
        serverCpuMs: a.cpuMs / a.seqCount,
        concurrent: summarize(a.conc),
        concurrentPerSecond: median(a.perSecond),
        errors: a.errors,
        firstError: a.firstError,
      };
    });
    const report: ApiListReport = { parameters: p, setupMs, endpoints: results, breakdown, markdown: '' };
    report.markdown = renderApiList(report);
    return report;
  } finally {
    if (client) await stopWorker(client);
    await fleet?.stop();
    dir.cleanup();
  }
}

class HttpClient {
  private nextId = 1;
  constructor(private readonly worker: Worker) {}

  async run(path: string, token: string | undefined, count: number, concurrency: number) {
    const id = this.nextId++;
    const done = nextMessage<FromHttpClient>(
      this.worker,
      (m) => m.type === 'done' && m.id === id,
      300_000,
      `GET ${path}`,
    );
    this.worker.postMessage({ type: 'run', id, path, token, count, concurrency } satisfies ToHttpClient);
    return (await done) as Extract<FromHttpClient, { type: 'done' }>;
  }
}

/** Things, telemetry, presence and two users with tokens; returns the tokens. */
async function populate(
  fleet: FleetServer,
  p: ApiListParameters,
): Promise<Record<'hq-admin' | 'store-manager', string>> {
  const { db, telemetry, access, registry } = fleet.services;
  const things = new ThingRepository(db);
  const names: string[] = [];
  db.transaction(() => {
    for (let i = 0; i < p.devices; i++) {
      const storeId = i % 2 === 0 ? STORE_A : STORE_B;
      const speaker = i % 8 === 0;
      const thingName = `${speaker ? 'speaker' : 'cart'}-${storeId.split('-')[1]}-${String(i).padStart(5, '0')}`;
      names.push(thingName);
      things.insert({
        thingName,
        kind: speaker ? 'speaker' : 'cart',
        hardwareModel: speaker ? 'BX-100' : 'SC-200',
        storeId,
        zoneId: speaker ? `${storeId}-produce` : `${storeId}-dock`,
        tags: i % 10 === 0 ? ['pilot'] : [],
        softwareVersion: i % 3 === 0 ? '1.5.0' : '1.4.2',
      });
    }
  })();
  if (registry.listThings().length !== p.devices) throw new Error('things were not all inserted');

  // Spread the devices with data over the whole list and both stores.
  const step = Math.max(1, Math.floor(p.devices / p.withTelemetry));
  const reporting = names.filter((_, i) => i % step === 0).slice(0, p.withTelemetry);
  const now = Date.now();
  const records: TelemetryRecord[] = [];
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  reporting.forEach((thingName, i) => {
    const ts = now - Math.floor(random() * 600_000);
    records.push(
      {
        thingName,
        stream: 'telemetry',
        msgId: `t-${i}`,
        ts,
        receivedAt: ts + 50,
        metrics: {
          'battery.percent': Math.round(5 + random() * 95),
          'battery.charging': random() < 0.2,
          zone: thingName.includes('cart') ? 'aisles' : 'produce',
        },
      },
      {
        thingName,
        stream: 'health',
        msgId: `h-${i}`,
        ts,
        receivedAt: ts + 50,
        metrics: { 'temperature.c': Math.round(200 + random() * 150) / 10, 'uptime.s': 3600 },
      },
    );
  });
  new TelemetryRepository(db).insertMany(records);
  telemetry.warmLatest(reporting);

  reporting.slice(0, p.online + p.offline).forEach((clientId, i) => {
    const sessionId = `bench-session-${i}`;
    fleet.bus.emit('broker.clientConnected', {
      clientId,
      sessionId,
      certificateId: null,
      ipAddress: '127.0.0.1',
      at: Date.now(),
    });
    if (i >= p.online) {
      fleet.bus.emit('broker.clientDisconnected', {
        clientId,
        sessionId,
        certificateId: null,
        reason: 'CONNECTION_LOST',
        at: Date.now(),
      });
    }
  });
  const states = fleet.services.presence.list();
  const online = states.filter((s) => s.state === 'online').length;
  if (online !== p.online || states.length !== p.online + p.offline) {
    throw new Error(`presence: ${online} online of ${states.length}, wanted ${p.online} of ${p.online + p.offline}`);
  }

  const token = async (username: string, role: 'hq-admin' | 'store-manager', storeIds: string[]) => {
    const password = `pw-${username}-Correct-Horse-7`;
    const { user } = await access.createUser({ username, displayName: username, role, storeIds }, password);
    return access.createToken(user.id, 'bench').token;
  };
  return {
    'hq-admin': await token('bench-hq', 'hq-admin', []),
    'store-manager': await token('bench-manager', 'store-manager', [STORE_A]),
  };
}

/** The parts of one list request, timed in-process: what the HTTP numbers are made of. */
function breakdownInProcess(fleet: FleetServer, adminToken: string, reps: number): BreakdownRow[] {
  const { registry, presence, devices, access } = fleet.services;
  const admin = access.tokenPrincipal(adminToken) as Principal;
  const query: DeviceListQuery = { sort: 'thingName', order: 'asc', limit: 50, offset: 0 };
  const parts: [string, () => unknown][] = [
    [
      'registry.listThings() (the in-memory thing directory: a generation check and a copy)',
      () => registry.listThings(),
    ],
    ['presence.list() (in memory: sorted copies)', () => presence.list()],
    ['DeviceView.list(hq-admin, first page)', () => devices.list(admin, query)],
    [
      'DeviceView.list(hq-admin, sort=battery desc)',
      () => devices.list(admin, { ...query, sort: 'battery', order: 'desc' }),
    ],
  ];
  return parts.map(([part, fn]) => {
    fn();
    const samples: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      fn();
      samples.push(performance.now() - t0);
    }
    const s = summarize(samples);
    return { part, medianMs: s.p50, p90Ms: s.p90 };
  });
}

// ---------------------------------------------------------------------------------------------------------------

export function renderApiList(report: ApiListReport): string {
  const p = report.parameters;
  const me = report.endpoints.find((e) => e.key === 'me');
  const baseP50 = me?.sequential.p50 ?? Number.NaN;
  const baseConcP50 = me?.concurrent.p50 ?? Number.NaN;
  const ms = (v: number) => fmt(v, v < 10 ? 2 : 1);
  const name = (e: EndpointResult) =>
    `${e.baseline ? '_baseline_: ' : ''}${e.label} — \`${e.path}\`${e.who === 'store-manager' ? ' (store manager)' : ''}`;
  const sequential = markdownTable(
    ['request', 'n', 'p50 ms', 'p99 ms', 'mean ms', 'round p50s ms', 'p50 ÷ /api/auth/me', 'fleet CPU ms/req', 'bytes'],
    report.endpoints.map((e) => [
      name(e),
      e.sequential.n,
      ms(e.sequential.p50),
      ms(e.sequential.p99),
      ms(e.sequential.mean),
      `${ms(Math.min(...e.roundP50s))}–${ms(Math.max(...e.roundP50s))}`,
      e.key === 'me'
        ? '1.00'
        : e.baseline
          ? fmt(e.sequential.p50 / baseP50, 2)
          : `**${fmt(e.sequential.p50 / baseP50, 2)}**`,
      fmt(e.serverCpuMs, 2),
      e.bytes,
    ]),
  );
  const concurrent = markdownTable(
    ['request', 'n', 'p50 ms', 'p99 ms', 'mean ms', 'req/s', 'p50 ÷ /api/auth/me'],
    report.endpoints.map((e) => [
      name(e),
      e.concurrent.n,
      ms(e.concurrent.p50),
      ms(e.concurrent.p99),
      ms(e.concurrent.mean),
      fmt(e.concurrentPerSecond, 0),
      e.key === 'me' ? '1.00' : fmt(e.concurrent.p50 / baseConcP50, 2),
    ]),
  );
  const breakdown = markdownTable(
    ['part of one list call (in-process, no HTTP)', 'median ms', 'p90 ms'],
    report.breakdown.map((b) => [b.part, ms(b.medianMs), ms(b.p90Ms)]),
  );
  const errors = report.endpoints.filter((e) => e.errors > 0);
  return [
    `### Device list API: ${p.devices.toLocaleString('en-US')} devices, keep-alive HTTP on 127.0.0.1, ${p.rounds} rounds per phase in rotating order`,
    '',
    `${p.devices.toLocaleString('en-US')} things in 2 stores inserted through ThingRepository without certificates ` +
      `(the list does not read certificates); ${p.withTelemetry} with latest telemetry (battery, charging, zone, ` +
      `temperature), ${p.online} online and ${p.offline} offline (presence from broker connect/disconnect events on ` +
      `the bus); the rest never connected. Setup ${fmt(report.setupMs / 1000, 1)} s.`,
    '',
    `**Sequential** (${p.sequentialPerRound} per endpoint per round after ${p.warmupPerRound} warm-up; fleet CPU = ` +
      'main-thread CPU time / requests):',
    '',
    sequential,
    '',
    `**${p.concurrency} in flight** (${p.concurrentPerRound} per endpoint per round):`,
    '',
    concurrent,
    '',
    breakdown,
    '',
    errors.length
      ? `Errors: ${errors.map((e) => `${e.key}: ${e.errors} (${e.firstError})`).join('; ')}`
      : 'No request failed.',
  ].join('\n');
}

if (isMainThread) await runWhenMain(import.meta.url, run);
