import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { FleetConfigSchema } from '../fleet/config.ts';
import { FleetServer } from '../fleet/fleet-server.ts';
import { rolloutJobId } from '../fleet/ota/rollouts/rollout-service.ts';
import { generateSigningKey } from '../ota/release/signing.ts';
import { silentLogger } from '../platform/log.ts';
import type { Rollout, RolloutDevicePage, RolloutSpec } from '../protocol/api/rollouts.ts';
import { jobsTopics } from '../protocol/jobs.ts';
import {
  type BenchOptions,
  benchFleetConfig,
  fmt,
  nextMessage,
  nowMs,
  percentile,
  runWhenMain,
  sleep,
  startTsWorker,
  stopWorker,
  tempDir,
} from './lib/common.ts';
import { startPhaseProfile } from './lib/profile.ts';
import { DeviceThreads } from './lib/rollout-device-threads.ts';
import { hqToken, publishRelease, registerDevices } from './lib/rollout-fleet-setup.ts';
import { cpuSince, threadCpuMs } from './lib/thread-cpu.ts';
import { type NotifyPath, renderRolloutFleet, type WorkPath } from './ota-rollout-fleet-report.ts';
import type { FromRolloutDevices } from './workers/rollout-devices.ts';

export interface RolloutFleetParameters {
  devices: number;
  stores: number;
  /** Worker threads the devices are spread over. */
  workers: number;
  /** Measured rounds, after one warm-up round of each path. */
  rounds: number;
  connectBatch: number;
  deadlineMs: number;
}

export function rolloutFleetParameters(options: BenchOptions): RolloutFleetParameters {
  return options.quick
    ? { devices: 100, stores: 4, workers: 2, rounds: 1, connectBatch: 50, deadlineMs: 60_000 }
    : { devices: 1000, stores: 4, workers: 2, rounds: 3, connectBatch: 50, deadlineMs: 60_000 };
}

export interface NotifyRound {
  path: NotifyPath;
  round: number;
  p50: number;
  p95: number;
  /** Every device notified. */
  max: number;
  /** The HTTP answer (rollout) or the in-process calls' return (jobs, fan-out loop), from the same start. */
  answeredMs: number;
}

export interface WorkRound {
  path: WorkPath;
  round: number;
  updates: number;
  ms: number;
  perSecond: number;
  /** CPU of the fleet's thread (broker, TLS, jobs service, engine, SQLite) per update, µs. */
  fleetCpuPerUpdateUs: number;
}

export interface RolloutFleetReport {
  parameters: RolloutFleetParameters;
  setup: { registerMs: number; connectMs: number };
  loadAverage: { start: number; end: number };
  notify: NotifyRound[];
  work: WorkRound[];
  markdown: string;
}

const WORKER_URL = new URL('./workers/rollout-devices.ts', import.meta.url);
const log = (message: string) => process.stderr.write(`[ota-rollout-fleet] ${message}\n`);

export async function run(options: BenchOptions = { quick: false }): Promise<RolloutFleetReport> {
  const p = rolloutFleetParameters(options);
  const loadStart = loadavg()[0] ?? Number.NaN;
  const dir = tempDir('cartfleet-bench-rollout-fleet-');
  writeFileSync(join(dir.path, 'signing.pem'), generateSigningKey().privateKeyPem, { mode: 0o600 });
  const fleet = new FleetServer(
    FleetConfigSchema.parse({
      ...benchFleetConfig(join(dir.path, 'fleet')),
      ota: { signingKeyFile: join(dir.path, 'signing.pem'), deltas: { bases: 0 } },
    }),
    silentLogger(),
  );
  const workers: Worker[] = [];
  try {
    await fleet.start();
    const started = nowMs();
    const { things, certs, caPem } = await registerDevices(fleet, p);
    const registerMs = nowMs() - started;
    const releaseId = await publishRelease(fleet);
    const token = await hqToken(fleet);
    log(`${p.devices} devices registered in ${fmt(registerMs / 1000)} s; connecting`);

    const connectStarted = nowMs();
    const per = Math.ceil(certs.length / p.workers);
    for (let i = 0; i < p.workers; i++) {
      workers.push(
        startTsWorker(WORKER_URL, {
          port: fleet.services.broker.tlsPort,
          caPem,
          devices: certs.slice(i * per, (i + 1) * per),
          connectBatch: p.connectBatch,
        }),
      );
    }
    const connected = await Promise.all(
      workers.map((w) => nextMessage<FromRolloutDevices>(w, (m) => m.type === 'connected', 300_000, 'connections')),
    );
    for (const c of connected)
      if (c.type !== 'connected' || c.failed > 0) throw new Error(`devices did not connect: ${JSON.stringify(c)}`);
    const connectMs = nowMs() - connectStarted;
    log(`${p.devices} devices connected over mTLS in ${fmt(connectMs / 1000)} s`);

    const devices = new DeviceThreads(workers, p.deadlineMs);
    const paths = new RoundPaths(fleet, devices, things, releaseId, token);
    const notify: NotifyRound[] = [];
    const work: WorkRound[] = [];
    for (let round = 0; round <= p.rounds; round++) {
      const order: NotifyPath[] = ['fanout', 'jobs', 'rollout'];
      for (let k = 0; k < round % order.length; k++) order.push(order.shift()!);
      for (const path of order) {
        const result = await paths.run(path, round);
        log(
          `round ${round}${round === 0 ? ' (warm-up)' : ''} ${path}: all notified ${fmt(result.notify.max, 0)} ms` +
            (result.work ? `, ${fmt(result.work.perSecond, 0)} updates/s` : '') +
            `, load ${fmt(loadavg()[0] ?? Number.NaN, 2)}`,
        );
        if (round === 0) continue;
        notify.push(result.notify);
        if (result.work) work.push(result.work);
      }
    }
    const report: RolloutFleetReport = {
      parameters: p,
      setup: { registerMs, connectMs },
      loadAverage: { start: loadStart, end: loadavg()[0] ?? Number.NaN },
      notify,
      work,
      markdown: '',
    };
    report.markdown = renderRolloutFleet(report);
    return report;
  } finally {
    await Promise.all(workers.map((w) => stopWorker(w)));
    await fleet.stop();
    dir.cleanup();
  }
}

/** The three paths a round measures, on one fleet and the same connected devices. */
class RoundPaths {
  private readonly apiUrl: string;

  constructor(
    private readonly fleet: FleetServer,
    private readonly devices: DeviceThreads,
    private readonly things: string[],
    private readonly releaseId: string,
    private readonly token: string,
  ) {
    this.apiUrl = `http://127.0.0.1:${fleet.services.http.port}`;
  }

  run(path: NotifyPath, round: number): Promise<{ notify: NotifyRound; work?: WorkRound }> {
    if (path === 'fanout') return this.fanout(round);
    if (path === 'jobs') return this.plainJob(round);
    return this.rollout(round);
  }

  /** The broker alone: one NextNotification-sized publish per device, in a loop, as the jobs service publishes. */
  private async fanout(round: number): Promise<{ notify: NotifyRound }> {
    const jobId = `bench-fanout-${round}`;
    const { broker, releases } = this.fleet.services;
    const jobDocument = releases.jobDocument(this.releaseId, {
      rolloutId: 'bench-fanout',
      allowDowngrade: false,
      healthCheckTimeoutSeconds: 120,
      maxTrialBoots: 3,
    });
    const { notified } = await this.devices.expect(jobId, 'exact');
    const t0 = nowMs();
    const seconds = Math.floor(Date.now() / 1000);
    for (const thingName of this.things) {
      const execution = {
        jobId,
        thingName,
        jobDocument,
        status: 'QUEUED',
        queuedAt: seconds,
        lastUpdatedAt: seconds,
        versionNumber: 1,
        executionNumber: 1,
      };
      broker
        .publish(jobsTopics.notifyNext(thingName), JSON.stringify({ timestamp: seconds, execution }), 1)
        .catch((err: Error) => log(`fan-out publish failed: ${err.message}`));
    }
    const answeredMs = nowMs() - t0;
    const { arrivals } = await notified;
    return { notify: latencies('fanout', round, arrivals, t0, answeredMs) };
  }

  /** The jobs service alone: a plain job queued for every device in process, then the same agent reports. */
  private async plainJob(round: number): Promise<{ notify: NotifyRound; work: WorkRound }> {
    const jobId = `bench-plain-${round}`;
    const { jobs, releases } = this.fleet.services;
    const document = releases.jobDocument(this.releaseId, {
      rolloutId: 'bench-plain',
      allowDowngrade: false,
      healthCheckTimeoutSeconds: 120,
      maxTrialBoots: 3,
    });
    const { notified } = await this.devices.expect(jobId, 'exact');
    const t0 = nowMs();
    jobs.createJob({ jobId, document, inProgressTimeoutMinutes: 60 });
    jobs.queueExecutions(jobId, this.things);
    const answeredMs = nowMs() - t0;
    const { arrivals } = await notified;
    const notify = latencies('jobs', round, arrivals, t0, answeredMs);

    const w = await this.measureWork(jobId, `ota-rollout-fleet-jobs-work-${round}`);
    const succeeded = jobs.listExecutions(jobId).filter((e) => e.status === 'SUCCEEDED').length;
    if (succeeded !== this.things.length) throw new Error(`${jobId}: ${succeeded} executions SUCCEEDED`);
    return { notify, work: workRound('jobs', round, w.accepted, w.lastAnswerAt - w.firstSentAt, w.fleetCpuMs) };
  }

  /** The whole path: the rollout made through the HTTP API, followed by the engine to `completed`. */
  private async rollout(round: number): Promise<{ notify: NotifyRound; work: WorkRound }> {
    const spec: RolloutSpec = {
      releaseId: this.releaseId,
      name: `bench round ${round}`,
      targets: { kinds: ['cart'] },
      phases: [{ name: 'everyone', percent: 100, start: { kind: 'immediately' } }],
      ratePerMinute: null,
      storeBandwidthKbps: null,
      abort: {
        failureTypes: ['FAILED', 'TIMED_OUT'],
        thresholdPercent: 20,
        minFinished: Math.min(10, this.things.length),
      },
      retries: { FAILED: 0, TIMED_OUT: 0 },
      inProgressTimeoutMinutes: 60,
      useMaintenanceWindows: false,
      allowDowngrade: false,
      healthCheckTimeoutSeconds: 120,
      maxTrialBoots: 3,
    };
    // A rollout's job id is made with it: the devices wait for any rollout job they have not worked on.
    const { notified } = await this.devices.expect(rolloutJobId(''), 'prefix');
    const stopCreateProfile = await startPhaseProfile(`ota-rollout-fleet-create-${round}`);
    const t0 = nowMs();
    const created = await this.api('POST', '/api/rollouts', spec);
    const answeredMs = nowMs() - t0;
    if (created.status !== 201)
      throw new Error(`POST /api/rollouts: ${created.status} ${JSON.stringify(created.body)}`);
    const rollout = created.body as Rollout;
    if (rollout.counts.total !== this.things.length)
      throw new Error(`the rollout reaches ${rollout.counts.total} devices, not ${this.things.length}`);
    const { arrivals, jobIds } = await notified;
    if (jobIds.size !== 1 || !jobIds.has(rollout.jobId))
      throw new Error(`notified of ${[...jobIds].join(', ')}, not ${rollout.jobId}`);
    const notify = latencies('rollout', round, arrivals, t0, answeredMs);
    await stopCreateProfile();

    const w = await this.measureWork(rollout.jobId, `ota-rollout-fleet-rollout-work-${round}`);
    // As the API shows it: completed (its updatedAt is when the engine completed it), every device succeeded.
    let view: Rollout | undefined;
    const completed = await waitUntilAsync(async () => {
      view = (await this.api('GET', `/api/rollouts/${rollout.id}`)).body as Rollout;
      return view.state === 'completed';
    });
    if (!completed || !view || view.counts.succeeded !== this.things.length)
      throw new Error(`rollout ${rollout.id}: ${JSON.stringify(view?.counts)} in state ${view?.state}`);
    // And stored: the finished rollout's devices are read from the database.
    const stored = await waitUntilAsync(async () => {
      const page = await this.api('GET', `/api/rollouts/${rollout.id}/devices?status=SUCCEEDED&limit=1`);
      return (page.body as RolloutDevicePage).total === this.things.length;
    });
    if (!stored) throw new Error(`rollout ${rollout.id}: not every device stored as SUCCEEDED`);
    const end = Math.max(w.lastAnswerAt, view.updatedAt);
    return { notify, work: workRound('rollout', round, w.accepted, end - w.firstSentAt, w.fleetCpuMs) };
  }

  /** The devices work through the job; with the fleet thread's CPU, and its profile when BENCH_PROFILE_DIR is set. */
  private async measureWork(jobId: string, profile: string) {
    const stopProfile = await startPhaseProfile(profile);
    const cpu = threadCpuMs();
    const w = await this.devices.work(jobId);
    const fleetCpuMs = cpuSince(cpu);
    await stopProfile();
    return { ...w, fleetCpuMs };
  }

  private async api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, body: await res.json() };
  }
}

function latencies(path: NotifyPath, round: number, arrivals: number[], t0: number, answeredMs: number): NotifyRound {
  const sorted = arrivals.map((a) => a - t0).sort((a, b) => a - b);
  return {
    path,
    round,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    answeredMs,
  };
}

function workRound(path: WorkPath, round: number, updates: number, ms: number, fleetCpuMs: number): WorkRound {
  return {
    path,
    round,
    updates,
    ms,
    perSecond: (updates * 1000) / ms,
    fleetCpuPerUpdateUs: (fleetCpuMs * 1000) / updates,
  };
}

/** `waitUntil` for an asynchronous check, every 20 ms for at most 30 s. */
async function waitUntilAsync(check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

await runWhenMain(import.meta.url, run);
