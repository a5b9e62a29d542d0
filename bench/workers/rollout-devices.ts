/**
 * Device-side worker thread for bench/ota-rollout-fleet.ts: one mTLS mqtt.js connection per device (the SDK-less
 * client of the other load benches), each subscribed to its AWS IoT Jobs topics, on this thread's event loop so that
 * the fleet under test keeps the main thread. The parent spreads the devices over a few of these threads.
 *
 * - `expect`: every device waits for a `notify-next` (NextJobExecutionChanged) naming a job it has not worked on
 *   (a given job id, or any job id with a given prefix: a rollout's job id is known only once it is made), and notes
 *   when it arrived; `expecting` acknowledges that every device is listening, `notified` reports the arrival times.
 * - `work`: every device runs the job as an update agent reports it, one request at a time and as fast as the
 *   answers come: StartNextPendingJobExecution (QUEUED → IN_PROGRESS, with the first step's details), then
 *   UpdateJobExecution for each further step with `expectedVersion` (AWS's optimistic lock), the last one SUCCEEDED.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';
import { type JobExecutionStatus, jobsTopics } from '../../protocol/jobs.ts';
import { cpuSince, threadCpuMs } from '../lib/thread-cpu.ts';

export interface DeviceCert {
  thingName: string;
  certificatePem: string;
  privateKeyPem: string;
}

export interface RolloutDevicesData {
  port: number;
  caPem: string;
  devices: DeviceCert[];
  /** Connections opened at once while connecting (each batch waits for the previous one). */
  connectBatch: number;
}

/** One report of the agent: the first is sent with start-next, the others as updates; the last must be terminal. */
export interface AgentStep {
  status: JobExecutionStatus;
  details: Record<string, string>;
}

export type ToRolloutDevices =
  | { type: 'expect'; id: number; jobId: string; match: 'exact' | 'prefix'; deadlineMs: number }
  | { type: 'work'; id: number; jobId: string; steps: AgentStep[]; deadlineMs: number }
  | { type: 'close' };

export type FromRolloutDevices =
  | { type: 'connected'; ok: number; failed: number; firstError: string | undefined; connectMs: number }
  | { type: 'expecting'; id: number }
  | {
      type: 'notified';
      id: number;
      /** Arrival time of each device's notification (nowMs), in no particular order. */
      arrivals: number[];
      /** The job ids the notifications named. */
      jobIds: string[];
      timedOut: boolean;
    }
  | {
      type: 'worked';
      id: number;
      accepted: number;
      rejected: number;
      firstRejection: string | undefined;
      firstSentAt: number;
      lastAnswerAt: number;
      timedOut: boolean;
      cpuMs: number;
    }
  | { type: 'closed' };

interface Device {
  thingName: string;
  client: mqtt.MqttClient;
  /** Jobs this device finished: a later notify-next naming one of them is not the one awaited. */
  finished: Set<string>;
  onNotifyNext: ((execution: { jobId?: unknown } | undefined) => void) | undefined;
  onAnswer: ((topic: string, body: Record<string, unknown>) => void) | undefined;
}

const port = parentPort;
if (!port) throw new Error('rollout-devices.ts must run as a worker thread');
const data = workerData as RolloutDevicesData;
const send = (m: FromRolloutDevices) => port.postMessage(m);
/** As bench/lib/common.ts's `nowMs` (comparable across the process's threads), without loading the fleet here. */
const nowMs = () => performance.timeOrigin + performance.now();

async function connect(cert: DeviceCert): Promise<Device> {
  const client = await mqtt.connectAsync({
    protocol: 'mqtts',
    host: '127.0.0.1',
    port: data.port,
    clientId: cert.thingName,
    cert: cert.certificatePem,
    key: cert.privateKeyPem,
    ca: data.caPem,
    protocolVersion: 4,
    clean: true,
    keepalive: 300,
    reconnectPeriod: 0,
    connectTimeout: 60_000,
  });
  client.on('error', () => {});
  const device: Device = {
    thingName: cert.thingName,
    client,
    finished: new Set(),
    onNotifyNext: undefined,
    onAnswer: undefined,
  };
  const notifyNext = jobsTopics.notifyNext(cert.thingName);
  const granted = await client.subscribeAsync(
    [
      notifyNext,
      jobsTopics.accepted(jobsTopics.startNext(cert.thingName)),
      jobsTopics.rejected(jobsTopics.startNext(cert.thingName)),
      jobsTopics.accepted(jobsTopics.update(cert.thingName, '+')),
      jobsTopics.rejected(jobsTopics.update(cert.thingName, '+')),
    ],
    { qos: 1 },
  );
  const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
  if (refused.length > 0) {
    client.end(true);
    throw new Error(`${cert.thingName}: subscriptions refused: ${refused.join(', ')}`);
  }
  client.on('message', (topic, payload) => {
    const body = JSON.parse(payload.toString()) as Record<string, unknown>;
    if (topic === notifyNext) device.onNotifyNext?.(body.execution as { jobId?: unknown } | undefined);
    else device.onAnswer?.(topic, body);
  });
  return device;
}

async function main(): Promise<void> {
  const devices: Device[] = [];
  let failed = 0;
  let firstError: string | undefined;
  const started = nowMs();
  for (let i = 0; i < data.devices.length; i += data.connectBatch) {
    await Promise.all(
      data.devices.slice(i, i + data.connectBatch).map(async (cert) => {
        try {
          devices.push(await connect(cert));
        } catch (err) {
          failed++;
          firstError ??= (err as Error).message;
        }
      }),
    );
  }
  send({ type: 'connected', ok: devices.length, failed, firstError, connectMs: nowMs() - started });
  port?.on('message', (m: ToRolloutDevices) => {
    if (m.type === 'expect') expect(devices, m);
    else if (m.type === 'work') work(devices, m);
    else if (m.type === 'close') void close(devices);
  });
}

function expect(devices: Device[], order: Extract<ToRolloutDevices, { type: 'expect' }>): void {
  const arrivals: number[] = [];
  const jobIds = new Set<string>();
  let reported = false;
  const report = (timedOut: boolean) => {
    if (reported) return;
    reported = true;
    clearTimeout(watchdog);
    for (const d of devices) d.onNotifyNext = undefined;
    send({ type: 'notified', id: order.id, arrivals, jobIds: [...jobIds], timedOut });
  };
  const watchdog = setTimeout(() => report(true), order.deadlineMs);
  const wanted = (jobId: string) => (order.match === 'exact' ? jobId === order.jobId : jobId.startsWith(order.jobId));
  for (const d of devices) {
    d.onNotifyNext = (execution) => {
      const jobId = execution?.jobId;
      if (typeof jobId !== 'string' || !wanted(jobId) || d.finished.has(jobId)) return;
      arrivals.push(nowMs());
      jobIds.add(jobId);
      d.onNotifyNext = undefined;
      if (arrivals.length === devices.length) report(false);
    };
  }
  send({ type: 'expecting', id: order.id });
}

function work(devices: Device[], order: Extract<ToRolloutDevices, { type: 'work' }>): void {
  const { jobId, steps } = order;
  const cpuStart = threadCpuMs();
  const firstSentAt = nowMs();
  let lastAnswerAt = firstSentAt;
  let accepted = 0;
  let rejected = 0;
  let firstRejection: string | undefined;
  let devicesDone = 0;
  let reported = false;
  const report = (timedOut: boolean) => {
    if (reported) return;
    reported = true;
    clearTimeout(watchdog);
    for (const d of devices) d.onAnswer = undefined;
    send({
      type: 'worked',
      id: order.id,
      accepted,
      rejected,
      firstRejection,
      firstSentAt,
      lastAnswerAt,
      timedOut,
      cpuMs: cpuSince(cpuStart),
    });
  };
  const watchdog = setTimeout(() => report(true), order.deadlineMs);
  const startNextAccepted = (d: Device) => jobsTopics.accepted(jobsTopics.startNext(d.thingName));
  for (const d of devices) {
    let step = 0;
    let version = 0;
    const token = () => `${order.id}-${step}`;
    const finish = (ok: boolean, body?: Record<string, unknown>) => {
      if (!ok) {
        rejected++;
        firstRejection ??= `${d.thingName}: ${JSON.stringify(body)}`;
      }
      d.onAnswer = undefined;
      d.finished.add(jobId);
      if (++devicesDone === devices.length) report(false);
    };
    const next = () => {
      const s = steps[step]!;
      if (step === 0) {
        d.client.publish(
          jobsTopics.startNext(d.thingName),
          JSON.stringify({ statusDetails: s.details, clientToken: token() }),
          { qos: 1 },
        );
      } else {
        d.client.publish(
          jobsTopics.update(d.thingName, jobId),
          JSON.stringify({
            status: s.status,
            statusDetails: s.details,
            expectedVersion: version,
            clientToken: token(),
          }),
          { qos: 1 },
        );
      }
    };
    d.onAnswer = (topic, body) => {
      if (body.clientToken !== token()) return;
      lastAnswerAt = nowMs();
      if (!topic.endsWith('/accepted')) return finish(false, body);
      accepted++;
      if (topic === startNextAccepted(d)) {
        const execution = body.execution as { jobId?: string; versionNumber?: number } | undefined;
        // Another job first in the device's list, or none: not what this round queued.
        if (execution?.jobId !== jobId || typeof execution.versionNumber !== 'number') return finish(false, body);
        version = execution.versionNumber;
      } else version += 1;
      step += 1;
      if (step === steps.length) finish(true);
      else next();
    };
    next();
  }
}

async function close(devices: Device[]): Promise<void> {
  await Promise.all(devices.map((d) => d.client.endAsync().catch(() => {})));
  send({ type: 'closed' });
  process.exit(0);
}

await main();
