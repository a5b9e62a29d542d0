/**
 * Worker threads for bench/live-fanout.ts, so the server under test has the main thread to itself. Roles:
 *
 * - `sockets`: groups of socket.io clients (as browsers on the console would be). Each client records, for every
 *   `telemetry` event of the current phase, the delay from `metrics['bench.sentAt']` to its handler, and the
 *   sequence numbers it got (to count losses and duplicates); every other event is counted by name.
 * - `device`: one mqtt.js device over mTLS, publishing telemetry at QoS 1 on a send plan (steady rate, or bursts),
 *   stamping each message with the time of its publish call.
 *
 * `runPlan` is shared with the bare socket.io baseline, which runs the same plan on the main thread.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { dataTopics } from '../../protocol/topics.ts';

export type SendPlan =
  | { kind: 'steady'; count: number; ratePerSecond: number }
  | { kind: 'burst'; bursts: number; size: number; gapMs: number };

export const planCount = (plan: SendPlan) => (plan.kind === 'steady' ? plan.count : plan.bursts * plan.size);

const nowMs = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** Calls `send(seq)` on the plan's schedule (drift-corrected against the start, not the previous send). */
export async function runPlan(plan: SendPlan, send: (seq: number) => void): Promise<void> {
  const started = nowMs();
  if (plan.kind === 'steady') {
    const interval = 1000 / plan.ratePerSecond;
    for (let seq = 0; seq < plan.count; seq++) {
      await sleep(started + seq * interval - nowMs());
      send(seq);
    }
    return;
  }
  for (let b = 0; b < plan.bursts; b++) {
    await sleep(started + b * plan.gapMs - nowMs());
    for (let j = 0; j < plan.size; j++) send(b * plan.size + j);
  }
}

/** The telemetry message the device publishes; the baseline broadcasts the live event made from the same values. */
export function benchMetrics(phase: string, seq: number): Record<string, number | string | boolean> {
  return {
    'bench.sentAt': nowMs(),
    'bench.seq': seq,
    'bench.phase': phase,
    'battery.percent': 80 - (seq % 50),
    'battery.charging': false,
    zone: 'aisles',
    'speed.mps': 0.8,
    'temperature.c': 24.5,
  };
}

export type LiveWorkerData =
  | { role: 'sockets' }
  | { role: 'device'; port: number; caPem: string; certificatePem: string; privateKeyPem: string; thingName: string };

export type ToLiveWorker =
  | { type: 'connect'; group: string; url: string; token: string | undefined; count: number }
  | { type: 'phase'; phase: string }
  | { type: 'await'; phase: string; groups: string[]; expected: number; timeoutMs: number; settleMs: number }
  | { type: 'send'; phase: string; plan: SendPlan }
  | { type: 'close' };

export interface GroupReport {
  group: string;
  clients: number;
  /** Delay of every receipt of a phase message, ms, over all clients. */
  delays: number[];
  /** Distinct phase messages received, summed over clients. */
  received: number;
  duplicates: number;
  /** Every event since the group connected, by event name (phase telemetry included). */
  events: Record<string, number>;
}

export type FromLiveWorker =
  | { type: 'connected'; group: string; ok: number; failed: number; firstError: string | undefined; ms: number }
  | { type: 'report'; phase: string; complete: boolean; groups: GroupReport[] }
  | { type: 'sent'; phase: string; sent: number; acked: number; errors: number; firstError: string | undefined }
  | { type: 'device-ready'; ok: boolean; error: string | undefined };

interface Client {
  socket: Socket;
  seqs: Set<number>;
  duplicates: number;
}
interface Group {
  clients: Client[];
  delays: number[];
  events: Record<string, number>;
}

interface LivePayload {
  metrics?: { 'bench.sentAt'?: number; 'bench.seq'?: number; 'bench.phase'?: string };
}

function runSockets(port: NonNullable<typeof parentPort>): void {
  const groups = new Map<string, Group>();
  let phase = '';
  const send = (m: FromLiveWorker) => port.postMessage(m);

  const connectGroup = async (m: Extract<ToLiveWorker, { type: 'connect' }>) => {
    const group: Group = { clients: [], delays: [], events: {} };
    groups.set(m.group, group);
    const started = nowMs();
    let failed = 0;
    let firstError: string | undefined;
    await Promise.all(
      Array.from({ length: m.count }, async () => {
        const socket = io(m.url, {
          ...(m.token ? { auth: { token: m.token } } : {}),
          transports: ['websocket'],
          forceNew: true,
          reconnection: false,
          timeout: 10_000,
        });
        const client: Client = { socket, seqs: new Set(), duplicates: 0 };
        socket.onAny((event: string, payload: LivePayload) => {
          group.events[event] = (group.events[event] ?? 0) + 1;
          if (event !== 'telemetry') return;
          const at = nowMs();
          const metrics = payload?.metrics;
          if (metrics?.['bench.phase'] !== phase) return;
          const seq = metrics['bench.seq'] as number;
          if (client.seqs.has(seq)) {
            client.duplicates++;
            return;
          }
          client.seqs.add(seq);
          group.delays.push(at - (metrics['bench.sentAt'] as number));
        });
        try {
          await new Promise<void>((resolve, reject) => {
            socket.once('connect', () => resolve());
            socket.once('connect_error', (err) => reject(err));
          });
          group.clients.push(client);
        } catch (err) {
          failed++;
          firstError ??= (err as Error).message;
          socket.close();
        }
      }),
    );
    send({ type: 'connected', group: m.group, ok: group.clients.length, failed, firstError, ms: nowMs() - started });
  };

  const awaitPhase = async (m: Extract<ToLiveWorker, { type: 'await' }>) => {
    const deadline = Date.now() + m.timeoutMs;
    const waiting = m.groups.map((g) => groups.get(g)).filter((g): g is Group => g !== undefined);
    const complete = () => waiting.every((g) => g.clients.every((c) => c.seqs.size >= m.expected));
    while (!complete() && Date.now() < deadline) await sleep(5);
    // Late duplicates, or events the other groups should never get, would arrive in this window.
    await sleep(m.settleMs);
    send({
      type: 'report',
      phase: m.phase,
      complete: complete(),
      groups: [...groups].map(([name, g]) => ({
        group: name,
        clients: g.clients.length,
        delays: g.delays,
        received: g.clients.reduce((s, c) => s + c.seqs.size, 0),
        duplicates: g.clients.reduce((s, c) => s + c.duplicates, 0),
        events: { ...g.events },
      })),
    });
  };

  port.on('message', (m: ToLiveWorker) => {
    if (m.type === 'connect') void connectGroup(m);
    else if (m.type === 'phase') {
      phase = m.phase;
      for (const g of groups.values()) {
        g.delays = [];
        for (const c of g.clients) {
          c.seqs.clear();
          c.duplicates = 0;
        }
      }
    } else if (m.type === 'await') void awaitPhase(m);
    else if (m.type === 'close') {
      for (const g of groups.values()) for (const c of g.clients) c.socket.close();
      process.exit(0);
    }
  });
}

async function runDevice(
  port: NonNullable<typeof parentPort>,
  d: Extract<LiveWorkerData, { role: 'device' }>,
): Promise<void> {
  const send = (m: FromLiveWorker) => port.postMessage(m);
  const client = mqtt.connect({
    protocol: 'mqtts',
    host: '127.0.0.1',
    port: d.port,
    clientId: d.thingName,
    cert: d.certificatePem,
    key: d.privateKeyPem,
    ca: d.caPem,
    servername: 'localhost',
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
      client.once('close', () => reject(new Error('closed before CONNACK')));
    });
    client.on('error', () => {}); // counted per publish
    send({ type: 'device-ready', ok: true, error: undefined });
  } catch (err) {
    send({ type: 'device-ready', ok: false, error: (err as Error).message });
    return;
  }
  const topic = dataTopics.publish(d.thingName, 'telemetry');
  port.on('message', async (m: ToLiveWorker) => {
    if (m.type === 'close') {
      client.end(true);
      process.exit(0);
    }
    if (m.type !== 'send') return;
    let sent = 0;
    let acked = 0;
    let errors = 0;
    let firstError: string | undefined;
    await runPlan(m.plan, (seq) => {
      const payload = JSON.stringify({
        msgId: `${m.phase}.${seq}`,
        ts: Date.now(),
        metrics: benchMetrics(m.phase, seq),
      });
      sent++;
      client.publish(topic, payload, { qos: 1 }, (err) => {
        if (err) {
          errors++;
          firstError ??= err.message;
        } else acked++;
      });
    });
    const deadline = Date.now() + 10_000;
    while (acked + errors < sent && Date.now() < deadline) await sleep(5);
    send({ type: 'sent', phase: m.phase, sent, acked, errors, firstError });
  });
}

const port = parentPort;
const data = workerData as LiveWorkerData | undefined;
if (port && data?.role === 'sockets') runSockets(port);
else if (port && data?.role === 'device') void runDevice(port, data);
