/**
 * Load-generator worker thread for bench/checkout-burst.ts: the N carts (one mqtt.js connection each), their
 * shoppers' phones (the pay page POST) and the sandbox payment provider's side of its notification (the HTTP POST
 * to the fleet's notify route, which the fleet's `SandboxPaymentProvider` hands to this thread through the bench's
 * `sandboxPost`). They run on this thread's event loop, so the fleet's main thread is the one measured and, on a
 * 2-core machine, the clients mostly use the other core.
 *
 * Protocol with the parent: the `*Message` types below. Each phase answers once with its samples; `close` ends every
 * client and exits the thread.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';
import { commerceTopics } from '../../protocol/commerce/commerce-topics.ts';
import { shadowTopics } from '../../protocol/topics.ts';
import { startPhaseProfile } from '../lib/profile.ts';
import { cpuSince, threadCpuMs } from '../lib/thread-cpu.ts';

export interface CartCredentials {
  thing: string;
  certificatePem: string;
  privateKeyPem: string;
}

export interface CheckoutCartsData {
  host: string;
  plainPort: number;
  tlsPort: number;
  caPem: string;
  carts: CartCredentials[];
  /** Connections opened at once while connecting (each batch waits for the previous one). */
  connectBatch: number;
}

export type ToCarts =
  | { type: 'connect-tls' }
  | { type: 'connect-plain' }
  | { type: 'baseline' }
  /** One `order-submit` request body (JSON) per cart, in the order of `carts`. */
  | { type: 'burst'; requests: string[]; deadlineMs: number }
  /** The sandbox provider's notification, to be POSTed as given; answered with `posted`. */
  | { type: 'post'; id: number; url: string; headers: Record<string, string>; body: string }
  | { type: 'close' };

export type FromCarts =
  | { type: 'connected'; listener: 'tls' | 'plain'; samples: number[]; failed: number; firstError: string | null }
  | { type: 'baseline-done'; samples: number[] }
  | {
      type: 'burst-done';
      accepted: number[];
      paid: number[];
      refused: string[];
      payFailures: string[];
      timedOut: boolean;
      wallMs: number;
      cpuMs: number;
      elu: number;
    }
  | { type: 'posted'; id: number; status: number; body: string }
  | { type: 'closed' };

interface Cart {
  thing: string;
  client: mqtt.MqttClient | undefined;
  /** Called with each message on the cart's subscribed topics while a phase waits for one. */
  onMessage: ((topic: string, body: Record<string, unknown>) => void) | undefined;
}

const port = parentPort;
if (!port) throw new Error('checkout-carts.ts must run as a worker thread');
const data = workerData as CheckoutCartsData;
const send = (m: FromCarts) => port.postMessage(m);
const carts: Cart[] = data.carts.map((c) => ({ thing: c.thing, client: undefined, onMessage: undefined }));
/**
 * The phones' pay-page POSTs and the sandbox's notifications reach the fleet over keep-alive connections, at most
 * `HTTP_CONNECTIONS` each, as they would through the reverse proxy in front of a fleet (and as a provider's client
 * pools its own); one new connection per request would measure TCP setup, on both threads, rather than checkout.
 */
const HTTP_CONNECTIONS = 64;
const phones = new Agent({ keepAlive: true, maxSockets: HTTP_CONNECTIONS });
const provider = new Agent({ keepAlive: true, maxSockets: HTTP_CONNECTIONS });

/** One HTTP POST through `agent`: the status and the body as text. */
function postVia(
  agent: Agent,
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function inBatches<T>(items: T[], each: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += data.connectBatch) {
    await Promise.all(items.slice(i, i + data.connectBatch).map(each));
  }
}

/** What N mTLS handshakes (+ CONNECT) cost; those connections are closed again. */
async function connectTls(): Promise<void> {
  const samples: number[] = [];
  let failed = 0;
  let firstError: string | null = null;
  await inBatches(data.carts, async (c) => {
    const start = performance.now();
    try {
      const client = await mqtt.connectAsync({
        protocol: 'mqtts',
        host: 'localhost',
        port: data.tlsPort,
        clientId: c.thing,
        cert: c.certificatePem,
        key: c.privateKeyPem,
        ca: data.caPem,
        protocolVersion: 4,
        reconnectPeriod: 0,
        connectTimeout: 30_000,
      });
      samples.push(performance.now() - start);
      await client.endAsync();
    } catch (err) {
      failed++;
      firstError ??= (err as Error).message;
    }
  });
  send({ type: 'connected', listener: 'tls', samples, failed, firstError });
}

async function connectPlain(): Promise<void> {
  const samples: number[] = [];
  let failed = 0;
  let firstError: string | null = null;
  await inBatches(carts, async (c) => {
    const start = performance.now();
    try {
      const client = await mqtt.connectAsync({
        host: data.host,
        port: data.plainPort,
        clientId: c.thing,
        protocolVersion: 4,
        reconnectPeriod: 0,
        connectTimeout: 30_000,
      });
      samples.push(performance.now() - start);
      client.on('message', (topic, payload) => {
        if (!c.onMessage) return;
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(payload.toString('utf8'));
        } catch {
          return;
        }
        c.onMessage(topic, body);
      });
      await client.subscribeAsync(
        [...commerceTopics.deviceFilters(c.thing), shadowTopics.response(c.thing, 'get', 'accepted', 'commerce')],
        { qos: 1 },
      );
      c.client = client;
    } catch (err) {
      failed++;
      firstError ??= (err as Error).message;
    }
  });
  send({ type: 'connected', listener: 'plain', samples, failed, firstError });
}

/** Every cart asks for its `commerce` named shadow at once. */
async function baseline(): Promise<void> {
  const samples = await Promise.all(
    carts.map(
      (c) =>
        new Promise<number>((resolve) => {
          const start = performance.now();
          c.onMessage = (topic) => {
            if (!topic.endsWith('/shadow/name/commerce/get/accepted')) return;
            c.onMessage = undefined;
            resolve(performance.now() - start);
          };
          c.client?.publish(shadowTopics.request(c.thing, 'get', 'commerce'), '{}', { qos: 1 });
        }),
    ),
  );
  send({ type: 'baseline-done', samples });
}

/**
 * Every cart submits at once; as soon as a cart has its `accepted` answer, its shopper's phone presses Pay on the
 * pay page (a form POST; the answer is a 303 to the page). Paid is when the cart hears `notify/order-status` paid.
 */
async function burst(requests: string[], deadlineMs: number): Promise<void> {
  const accepted: number[] = [];
  const paid: number[] = [];
  const refused: string[] = [];
  const payFailures: string[] = [];
  const stopProfile = await startPhaseProfile('checkout-burst-load-generator');
  const cpuStart = threadCpuMs();
  const eluStart = performance.eventLoopUtilization();
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    Promise.all(
      carts.map(
        (c, i) =>
          new Promise<void>((resolve) => {
            const start = performance.now();
            let orderId: string | undefined;
            c.onMessage = (topic, body) => {
              if (topic.endsWith('/order-submit/rejected')) {
                refused.push(JSON.stringify(body));
                c.onMessage = undefined;
                resolve();
              } else if (topic.endsWith('/order-submit/accepted')) {
                accepted.push(performance.now() - start);
                const status = body.order as { orderId: string; payUrl: string };
                orderId = status.orderId;
                pay(status.payUrl).catch((err) => payFailures.push(String(err)));
              } else if (topic.endsWith('/notify/order-status') && body.orderId === orderId && body.state === 'paid') {
                paid.push(performance.now() - start);
                c.onMessage = undefined;
                resolve();
              }
            };
            c.client?.publish(commerceTopics.request(c.thing, 'order-submit'), requests[i] as string, { qos: 1 });
          }),
      ),
    ).then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), deadlineMs);
    }),
  ]);
  clearTimeout(timer);
  const cpuMs = cpuSince(cpuStart);
  const elu = performance.eventLoopUtilization(eluStart).utilization;
  await stopProfile();
  send({
    type: 'burst-done',
    accepted,
    paid,
    refused,
    payFailures,
    timedOut,
    wallMs: performance.now() - started,
    cpuMs,
    elu,
  });
}

/** The shopper's phone presses Pay: the form POST, answered with a 303 to the page (not followed). */
async function pay(payUrl: string): Promise<void> {
  const { status } = await postVia(phones, payUrl, { 'content-type': 'application/x-www-form-urlencoded' }, '');
  if (status !== 303) throw new Error(`pay page answered ${status}`);
}

async function post(m: Extract<ToCarts, { type: 'post' }>): Promise<void> {
  try {
    const { status, body } = await postVia(provider, m.url, m.headers, m.body);
    send({ type: 'posted', id: m.id, status, body });
  } catch (err) {
    send({ type: 'posted', id: m.id, status: 599, body: JSON.stringify({ message: String(err) }) });
  }
}

async function close(): Promise<void> {
  await Promise.race([
    Promise.all(carts.map((c) => c.client?.endAsync().catch(() => undefined))),
    new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref()),
  ]);
  for (const c of carts) c.client?.end(true);
  phones.destroy();
  provider.destroy();
  send({ type: 'closed' });
  // Ends this worker thread only (not the process).
  setImmediate(() => process.exit(0));
}

port.on('message', (m: ToCarts) => {
  if (m.type === 'connect-tls') void connectTls();
  else if (m.type === 'connect-plain') void connectPlain();
  else if (m.type === 'baseline') void baseline();
  else if (m.type === 'burst') void burst(m.requests, m.deadlineMs);
  else if (m.type === 'post') void post(m);
  else if (m.type === 'close') void close();
});
