/**
 * Load-generator worker thread for bench/telemetry-ingest.ts. It runs the mqtt.js clients on their own event loop
 * (and so, on a 2-core machine, mostly on the other core) so that the broker under test has the main thread to
 * itself. Roles:
 *
 * - `publishers`: one mTLS mqtt.js connection per device; on request, every client publishes a fixed number of valid
 *   telemetry messages at QoS 1 as fast as PUBACKs allow, with at most `window` unacknowledged per client.
 * - `subscriber`: one connection subscribed to `dt/cartfleet/#` at QoS 0, counting what it receives.
 *
 * Protocol with the parent: see the `*Message` types below. `close` ends every client and exits the thread.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';
import { dataTopics } from '../../protocol/topics.ts';
import { cpuSince, threadCpuMs } from '../lib/thread-cpu.ts';

export interface DeviceCert {
  thingName: string;
  certificatePem: string;
  privateKeyPem: string;
}

export type LoadWorkerData =
  | {
      role: 'publishers';
      port: number;
      caPem: string;
      devices: DeviceCert[];
      connectConcurrency: number;
      window: number;
    }
  | { role: 'subscriber'; port: number; caPem: string; device: DeviceCert; clientId: string; filter: string };

export type ToWorker =
  | { type: 'publish'; phase: string; messagesPerClient: number; deadlineMs: number }
  | { type: 'expect'; total: number }
  | { type: 'report' }
  | { type: 'close' };

export type FromWorker =
  | { type: 'connected'; ok: number; failed: number; ms: number; firstError: string | undefined }
  | {
      type: 'published';
      phase: string;
      firstPublishAt: number;
      lastAckAt: number;
      acked: number;
      errors: number;
      timedOut: boolean;
      elu: number;
      cpuMs: number;
    }
  | {
      type: 'received';
      count: number;
      firstReceivedAt: number;
      lastReceivedAt: number;
      complete: boolean;
      elu: number;
      cpuMs: number;
    }
  | { type: 'closed' };

const port = parentPort;
if (!port) throw new Error('mqtt-load.ts must run as a worker thread');
const data = workerData as LoadWorkerData;
const send = (m: FromWorker) => port.postMessage(m);
const nowMs = () => performance.timeOrigin + performance.now();

function connect(device: DeviceCert, clientId: string): Promise<mqtt.MqttClient> {
  const client = mqtt.connect({
    protocol: 'mqtts',
    host: '127.0.0.1',
    port: data.port,
    clientId,
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
    const fail = (err: Error) => {
      client.end(true);
      reject(err);
    };
    client.once('connect', () => {
      client.off('error', fail);
      client.on('error', () => {}); // counted per publish; never an uncaught 'error'
      resolve(client);
    });
    client.once('error', fail);
    client.once('close', () => fail(new Error('closed before CONNACK')));
  });
}

async function closeAll(clients: mqtt.MqttClient[]): Promise<void> {
  await Promise.race([
    Promise.all(clients.map((c) => new Promise<void>((resolve) => c.end(false, {}, () => resolve())))),
    new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref()),
  ]);
  for (const c of clients) c.end(true);
}

// ---------------------------------------------------------------------------------------------------------------

async function runPublishers(config: Extract<LoadWorkerData, { role: 'publishers' }>): Promise<void> {
  const clients: mqtt.MqttClient[] = new Array(config.devices.length);
  const started = nowMs();
  let next = 0;
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  const lane = async () => {
    while (next < config.devices.length) {
      const i = next++;
      const device = config.devices[i] as DeviceCert;
      try {
        clients[i] = await connect(device, device.thingName);
        ok++;
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, config.connectConcurrency) }, lane));
  const live = clients.filter((c): c is mqtt.MqttClient => c !== undefined);
  const topics = config.devices.map((d) => dataTopics.publish(d.thingName, 'telemetry'));
  send({ type: 'connected', ok, failed, ms: nowMs() - started, firstError });

  port?.on('message', (m: ToWorker) => {
    if (m.type === 'publish') publishPhase(live, topics, config, m);
    else if (m.type === 'close') void closeAll(live).then(() => exit());
  });
}

function publishPhase(
  clients: mqtt.MqttClient[],
  topics: string[],
  config: { devices: DeviceCert[]; window: number },
  request: Extract<ToWorker, { type: 'publish' }>,
): void {
  const { phase, messagesPerClient } = request;
  const deadline = Date.now() + request.deadlineMs;
  const eluStart = performance.eventLoopUtilization();
  const cpuStart = threadCpuMs();
  const firstPublishAt = nowMs();
  let lastAckAt = firstPublishAt;
  let acked = 0;
  let errors = 0;
  let timedOut = false;
  let clientsDone = 0;
  let reported = false;

  const report = () => {
    if (reported) return;
    reported = true;
    clearTimeout(watchdog);
    const elu = performance.eventLoopUtilization(eluStart).utilization;
    send({
      type: 'published',
      phase,
      firstPublishAt,
      lastAckAt,
      acked,
      errors,
      timedOut,
      elu,
      cpuMs: cpuSince(cpuStart),
    });
  };
  // Stops waiting if PUBACKs stop coming (a client that closed mid-run never acknowledges).
  const watchdog = setTimeout(() => {
    timedOut = true;
    report();
  }, request.deadlineMs + 5_000);

  clients.forEach((client, index) => {
    const thingName = (config.devices[index] as DeviceCert).thingName;
    const topic = topics[index] as string;
    let sent = 0;
    let settled = 0;
    let inFlight = 0;
    const finishOne = () => {
      if (++clientsDone === clients.length) report();
    };
    const pump = () => {
      while (inFlight < config.window && sent < messagesPerClient) {
        if (Date.now() > deadline) {
          timedOut = true;
          if (inFlight === 0) finishOne();
          return;
        }
        const payload = telemetryPayload(thingName, phase, sent);
        sent++;
        inFlight++;
        client.publish(topic, payload, { qos: 1 }, (err) => {
          inFlight--;
          settled++;
          if (err) errors++;
          else {
            acked++;
            lastAckAt = nowMs();
          }
          if (settled === messagesPerClient || (timedOut && inFlight === 0)) finishOne();
          else pump();
        });
      }
    };
    if (messagesPerClient <= 0) finishOne();
    else pump();
  });
}

/** Valid telemetry per protocol/telemetry.ts; `msgId` is unique per device across phases and runs. */
function telemetryPayload(thingName: string, phase: string, i: number): string {
  return JSON.stringify({
    msgId: `${phase}-${i}`,
    ts: Date.now(),
    metrics: {
      'battery.percent': 87.5 - (i % 50) * 0.1,
      zone: 'produce',
      'speed.mps': 0.42,
      locked: false,
      'basket.items': i % 12,
      'rssi.dbm': -61,
      note: thingName,
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------

async function runSubscriber(config: Extract<LoadWorkerData, { role: 'subscriber' }>): Promise<void> {
  const started = nowMs();
  const client = await connect(config.device, config.clientId);
  await client.subscribeAsync(config.filter, { qos: 0 });
  send({ type: 'connected', ok: 1, failed: 0, ms: nowMs() - started, firstError: undefined });

  let expected = Number.POSITIVE_INFINITY;
  let count = 0;
  let firstReceivedAt = 0;
  let lastReceivedAt = 0;
  let eluStart = performance.eventLoopUtilization();
  let cpuStart = threadCpuMs();
  let reported = false;
  const report = (complete: boolean) => {
    reported = true;
    const elu = performance.eventLoopUtilization(eluStart).utilization;
    send({ type: 'received', count, firstReceivedAt, lastReceivedAt, complete, elu, cpuMs: cpuSince(cpuStart) });
  };
  client.on('message', () => {
    count++;
    lastReceivedAt = nowMs();
    if (count === 1) firstReceivedAt = lastReceivedAt;
    if (count === expected && !reported) report(true);
  });
  port?.on('message', (m: ToWorker) => {
    if (m.type === 'expect') {
      expected = m.total;
      count = 0;
      firstReceivedAt = 0;
      lastReceivedAt = 0;
      reported = false;
      eluStart = performance.eventLoopUtilization();
      cpuStart = threadCpuMs();
    } else if (m.type === 'report') {
      if (!reported) report(false);
    } else if (m.type === 'close') void closeAll([client]).then(() => exit());
  });
}

function exit(): void {
  send({ type: 'closed' });
  // Ends this worker thread only (not the process).
  setImmediate(() => process.exit(0));
}

try {
  if (data.role === 'publishers') await runPublishers(data);
  else await runSubscriber(data);
} catch (err) {
  send({ type: 'connected', ok: 0, failed: 1, ms: 0, firstError: (err as Error).message });
  setImmediate(() => process.exit(1));
}
