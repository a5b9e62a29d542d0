/**
 * Job execution updates per second through the broker: N devices (SDK-less mqtt.js clients in a worker thread, one
 * mTLS connection each, as the other load benches) each send UpdateJobExecution requests (IN_PROGRESS with new status
 * details, at QoS 1, at most W unanswered per device) for their execution of one job on a real FleetServer, and
 * count the answers on `.../update/accepted`. Throughput = accepted / (last answer - first request).
 *
 * Baseline, measured in the same run on the same connections: the nearest existing request/reply service, classic
 * shadow updates of `reported` (`$aws/things/{thing}/shadow/update` → `update/accepted`), the same number per device
 * with the same window. Rounds alternate shadow, jobs, shadow, jobs, ... so both see the same conditions.
 *
 * Both answer on the asking device's `accepted` topic; what differs is the service: jobs parses the topic and the
 * request, reads the execution, writes it through the fleet's write queue (the updates of one event-loop turn share
 * one commit) and answers on the asking connection; the shadow merges its document, writes it through the same
 * queue (a transaction each) and publishes accepted and documents through the broker.
 */
import type { Worker } from 'node:worker_threads';
import type { FleetServer } from '../fleet/fleet-server.ts';
import {
  type BenchOptions,
  fmt,
  markdownTable,
  median,
  nextMessage,
  runWhenMain,
  startBenchFleet,
  startTsWorker,
  stopWorker,
  tempDir,
} from './lib/common.ts';
import { cpuSince, threadCpuMs } from './lib/thread-cpu.ts';
import type { DeviceCert, FromWorker, RequestClientsData, RequestKind } from './workers/request-clients.ts';

const WORKER_URL = new URL('./workers/request-clients.ts', import.meta.url);
/** Issue 10 item 12: "the engine handles ≥ 500 execution updates per second". */
export const TARGET_PER_SECOND = 500;
const JOB_ID = 'bench-ota-1';

export interface JobsUpdatesParameters {
  devices: number;
  /** Requests per device in each round. */
  perDevice: number;
  window: number;
  /** Rounds of each kind (shadow, jobs alternating), after one unmeasured warm-up round of each. */
  rounds: number;
  roundDeadlineMs: number;
}

export function jobsUpdatesParameters(options: BenchOptions): JobsUpdatesParameters {
  return options.quick
    ? { devices: 20, perDevice: 20, window: 4, rounds: 1, roundDeadlineMs: 60_000 }
    : { devices: 100, perDevice: 50, window: 4, rounds: 3, roundDeadlineMs: 120_000 };
}

export interface RoundResult {
  kind: RequestKind;
  round: number;
  accepted: number;
  rejected: number;
  durationMs: number;
  perSecond: number;
  /** CPU of the fleet's thread (broker, TLS, the service, SQLite) per accepted update, in µs. */
  fleetCpuPerUpdateUs: number;
}

export interface JobsUpdatesReport {
  parameters: JobsUpdatesParameters;
  rounds: RoundResult[];
  medianPerSecond: Record<RequestKind, number>;
  /** jobs ÷ shadow, medians. */
  ratio: number;
  markdown: string;
}

const log = (message: string) => process.stderr.write(`[jobs-updates] ${message}\n`);

export async function run(options: BenchOptions = { quick: false }): Promise<JobsUpdatesReport> {
  const parameters = jobsUpdatesParameters(options);
  const dir = tempDir('cartfleet-bench-jobs-');
  let fleet: FleetServer | undefined;
  let worker: Worker | undefined;
  try {
    fleet = await startBenchFleet(dir.path);
    const devices: DeviceCert[] = [];
    let caPem = '';
    for (let i = 0; i < parameters.devices; i++) {
      const thingName = `bench-jobs-${String(i).padStart(4, '0')}`;
      const r = await fleet.services.registry.registerDevice({ thingName, kind: 'cart', hardwareModel: 'SC-200' });
      devices.push({
        thingName,
        certificatePem: r.certificate.certificatePem,
        privateKeyPem: r.certificate.privateKeyPem,
      });
      caPem = r.caPem;
    }
    const jobs = fleet.services.jobs;
    jobs.createJob({ jobId: JOB_ID, document: { operation: 'bench' } });
    jobs.queueExecutions(
      JOB_ID,
      devices.map((d) => d.thingName),
    );

    const data: RequestClientsData = { port: fleet.services.broker.tlsPort, caPem, devices, jobId: JOB_ID };
    worker = startTsWorker(WORKER_URL, data);
    const connected = await nextMessage<FromWorker>(worker, (m) => m.type === 'connected', 120_000, 'connections');
    if (connected.type !== 'connected' || connected.failed > 0)
      throw new Error(`devices did not connect: ${JSON.stringify(connected)}`);

    const rounds: RoundResult[] = [];
    for (let round = 0; round <= parameters.rounds; round++) {
      for (const kind of ['shadow', 'jobs'] as const) {
        const result = await measure(worker, kind, round, parameters);
        if (round === 0) continue; // warm-up
        rounds.push(result);
        log(
          `${kind} round ${round}: ${fmt(result.perSecond, 0)}/s (${result.accepted} in ${fmt(result.durationMs, 0)} ms)`,
        );
      }
    }
    const expected = parameters.devices * parameters.perDevice * (parameters.rounds + 1);
    const stored = jobs.getExecution(JOB_ID, devices[0]?.thingName ?? '');
    if (stored?.versionNumber !== 1 + parameters.perDevice * (parameters.rounds + 1))
      throw new Error(`execution at version ${stored?.versionNumber}, expected ${expected / parameters.devices + 1}`);
    const medianPerSecond = {
      shadow: median(rounds.filter((r) => r.kind === 'shadow').map((r) => r.perSecond)),
      jobs: median(rounds.filter((r) => r.kind === 'jobs').map((r) => r.perSecond)),
    };
    const report: JobsUpdatesReport = {
      parameters,
      rounds,
      medianPerSecond,
      ratio: medianPerSecond.jobs / medianPerSecond.shadow,
      markdown: '',
    };
    report.markdown = renderJobsUpdates(report);
    return report;
  } finally {
    if (worker) await stopWorker(worker);
    await fleet?.stop();
    dir.cleanup();
  }
}

async function measure(
  worker: Worker,
  kind: RequestKind,
  round: number,
  p: JobsUpdatesParameters,
): Promise<RoundResult> {
  const cpuStart = threadCpuMs();
  worker.postMessage({
    type: 'run',
    kind,
    round,
    perClient: p.perDevice,
    window: p.window,
    deadlineMs: p.roundDeadlineMs,
  });
  const done = await nextMessage<FromWorker>(
    worker,
    (m) => m.type === 'done' && m.kind === kind && m.round === round,
    p.roundDeadlineMs + 10_000,
    `${kind} round ${round}`,
  );
  const fleetCpuMs = cpuSince(cpuStart);
  if (done.type !== 'done') throw new Error('unreachable');
  if (done.timedOut || done.rejected > 0)
    throw new Error(
      `${kind} round ${round}: ${done.rejected} rejected (${done.firstRejection}), timed out: ${done.timedOut}`,
    );
  const durationMs = done.lastAnswerAt - done.firstSentAt;
  return {
    kind,
    round,
    accepted: done.accepted,
    rejected: done.rejected,
    durationMs,
    perSecond: (done.accepted * 1000) / durationMs,
    fleetCpuPerUpdateUs: (fleetCpuMs * 1000) / done.accepted,
  };
}

const KIND_LABEL: Record<RequestKind, string> = {
  shadow: 'shadow update → update/accepted (baseline)',
  jobs: 'job execution update → update/accepted',
};

export function renderJobsUpdates(report: JobsUpdatesReport): string {
  const p = report.parameters;
  const rows = report.rounds.map((r) => [
    KIND_LABEL[r.kind],
    r.round,
    r.accepted,
    fmt(r.durationMs, 0),
    fmt(r.perSecond, 0),
    fmt(r.fleetCpuPerUpdateUs, 0),
  ]);
  rows.push(['**median, shadow (baseline)**', '', '', '', `**${fmt(report.medianPerSecond.shadow, 0)}**`, '']);
  rows.push(['**median, jobs**', '', '', '', `**${fmt(report.medianPerSecond.jobs, 0)}**`, '']);
  rows.push(['**jobs ÷ shadow**', '', '', '', `**${fmt(report.ratio, 2)}**`, '']);
  const table = markdownTable(
    ['requests', 'round', 'accepted', 'ms', 'per second', 'fleet-thread CPU µs/update'],
    rows,
  );
  const verdict = report.medianPerSecond.jobs >= TARGET_PER_SECOND ? 'meets' : '**misses**';
  return [
    `### Job execution updates: ${p.devices} devices (mqtt.js over mTLS, QoS 1, ≤ ${p.window} unanswered each), ${p.perDevice} updates per device per round, ${p.rounds} rounds of each after a warm-up`,
    '',
    table,
    '',
    `Target ≥ ${TARGET_PER_SECOND} execution updates/s: the median ${verdict} it. Baseline: classic shadow updates of ` +
      '`reported` from the same devices on the same connections, rounds alternating. Each job update is IN_PROGRESS with ' +
      'new status details (stored with the other updates of its event-loop turn in one commit, answered on the asking ' +
      'connection); each shadow update merges `reported` (a transaction each, accepted and documents published).',
  ].join('\n');
}

await runWhenMain(import.meta.url, run);
