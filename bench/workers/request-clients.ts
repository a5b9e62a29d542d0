/**
 * Load-generator worker thread for bench/jobs-updates.ts: one mTLS mqtt.js connection per device (the SDK-less
 * client of the other benches), on its own event loop so that the fleet under test has the main thread.
 *
 * On `run`, every client sends `perClient` requests of one kind, with at most `window` unanswered at a time, and
 * counts the answers on its own `.../accepted` and `.../rejected` topics (matched by clientToken):
 * - `jobs`: UpdateJobExecution on `$aws/things/{thing}/jobs/{jobId}/update`, IN_PROGRESS with new status details;
 * - `shadow`: a classic shadow update of `reported` on `$aws/things/{thing}/shadow/update`.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';
import { jobsTopics } from '../../protocol/jobs.ts';
import { shadowTopics } from '../../protocol/topics.ts';
import { cpuSince, threadCpuMs } from '../lib/thread-cpu.ts';

export interface DeviceCert {
  thingName: string;
  certificatePem: string;
  privateKeyPem: string;
}

export interface RequestClientsData {
  port: number;
  caPem: string;
  devices: DeviceCert[];
  jobId: string;
}

export type RequestKind = 'jobs' | 'shadow';

export type ToWorker =
  | { type: 'run'; kind: RequestKind; round: number; perClient: number; window: number; deadlineMs: number }
  | { type: 'close' };

export type FromWorker =
  | { type: 'connected'; ok: number; failed: number; firstError: string | undefined }
  | {
      type: 'done';
      kind: RequestKind;
      round: number;
      accepted: number;
      rejected: number;
      firstRejection: string | undefined;
      firstSentAt: number;
      lastAnswerAt: number;
      timedOut: boolean;
      cpuMs: number;
    }
  | { type: 'closed' };

const port = parentPort;
if (!port) throw new Error('request-clients.ts must run as a worker thread');
const data = workerData as RequestClientsData;
const send = (m: FromWorker) => port.postMessage(m);
const nowMs = () => performance.timeOrigin + performance.now();

function connect(device: DeviceCert): Promise<mqtt.MqttClient> {
  const client = mqtt.connect({
    protocol: 'mqtts',
    host: '127.0.0.1',
    port: data.port,
    clientId: device.thingName,
    cert: device.certificatePem,
    key: device.privateKeyPem,
    ca: data.caPem,
    protocolVersion: 4,
    clean: true,
    keepalive: 300,
    reconnectPeriod: 0,
    connectTimeout: 30_000,
  });
  return new Promise((resolve, reject) => {
    client.once('connect', () => {
      client.on('error', () => {});
      resolve(client);
    });
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
  });
}

/** The request of `kind` number `i`, and where its answers come. */
function request(kind: RequestKind, thingName: string, token: string, i: number): { topic: string; payload: string } {
  const details = { step: 'downloading', progress: String(i % 100) };
  if (kind === 'jobs')
    return {
      topic: jobsTopics.update(thingName, data.jobId),
      payload: JSON.stringify({ status: 'IN_PROGRESS', statusDetails: details, clientToken: token }),
    };
  return {
    topic: shadowTopics.request(thingName, 'update'),
    payload: JSON.stringify({ state: { reported: { ota: details } }, clientToken: token }),
  };
}

interface Lane {
  client: mqtt.MqttClient;
  thingName: string;
  onAnswer: ((token: string, accepted: boolean, body: Record<string, unknown>) => void) | undefined;
}

async function main(): Promise<void> {
  const lanes: Lane[] = [];
  let failed = 0;
  let firstError: string | undefined;
  for (const device of data.devices) {
    try {
      const client = await connect(device);
      const lane: Lane = { client, thingName: device.thingName, onAnswer: undefined };
      const filters = [
        jobsTopics.accepted(jobsTopics.update(device.thingName, '+')),
        jobsTopics.rejected(jobsTopics.update(device.thingName, '+')),
        shadowTopics.response(device.thingName, 'update', 'accepted'),
        shadowTopics.response(device.thingName, 'update', 'rejected'),
      ];
      await client.subscribeAsync(filters, { qos: 1 });
      client.on('message', (topic, payload) => {
        const body = JSON.parse(payload.toString()) as Record<string, unknown>;
        if (typeof body.clientToken === 'string') lane.onAnswer?.(body.clientToken, topic.endsWith('/accepted'), body);
      });
      lanes.push(lane);
    } catch (err) {
      failed++;
      firstError ??= (err as Error).message;
    }
  }
  send({ type: 'connected', ok: lanes.length, failed, firstError });
  port?.on('message', (m: ToWorker) => {
    if (m.type === 'run') run(lanes, m);
    else if (m.type === 'close') void close(lanes);
  });
}

function run(lanes: Lane[], order: Extract<ToWorker, { type: 'run' }>): void {
  const { kind, round, perClient, window } = order;
  const cpuStart = threadCpuMs();
  const firstSentAt = nowMs();
  let lastAnswerAt = firstSentAt;
  let accepted = 0;
  let rejected = 0;
  let firstRejection: string | undefined;
  let lanesDone = 0;
  let reported = false;
  const report = (timedOut: boolean) => {
    if (reported) return;
    reported = true;
    clearTimeout(watchdog);
    for (const lane of lanes) lane.onAnswer = undefined;
    send({
      type: 'done',
      kind,
      round,
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
  for (const lane of lanes) {
    let sent = 0;
    let answered = 0;
    const pump = () => {
      while (sent - answered < window && sent < perClient) {
        const { topic, payload } = request(kind, lane.thingName, `${kind}-${round}-${sent}`, sent);
        sent++;
        lane.client.publish(topic, payload, { qos: 1 });
      }
    };
    lane.onAnswer = (token, ok, body) => {
      if (!token.startsWith(`${kind}-${round}-`)) return;
      answered++;
      lastAnswerAt = nowMs();
      if (ok) accepted++;
      else {
        rejected++;
        firstRejection ??= JSON.stringify(body);
      }
      if (answered === perClient) {
        if (++lanesDone === lanes.length) report(false);
      } else pump();
    };
    pump();
  }
}

async function close(lanes: Lane[]): Promise<void> {
  await Promise.all(lanes.map((l) => l.client.endAsync().catch(() => {})));
  send({ type: 'closed' });
  process.exit(0);
}

await main();
