/**
 * HTTP client worker thread for bench/api-device-list.ts: keep-alive `fetch` (Node's undici) on its own event loop,
 * so the fleet under test has the main thread to itself. On request it sends `count` GETs to one path, with at most
 * `concurrency` in flight, and reports each request's latency from the call to the last byte of the body.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

export interface HttpClientData {
  baseUrl: string;
}

export type ToHttpClient =
  | { type: 'run'; id: number; path: string; token: string | undefined; count: number; concurrency: number }
  | { type: 'close' };

export type FromHttpClient =
  | {
      type: 'done';
      id: number;
      /** Latency of each successful request, ms, in completion order. */
      samples: number[];
      wallMs: number;
      errors: number;
      firstError: string | undefined;
      /** Body size of the last successful response. */
      bytes: number;
    }
  | { type: 'closed' };

const port = parentPort;
if (!port) throw new Error('http-client.ts must run as a worker thread');
const { baseUrl } = workerData as HttpClientData;
const nowMs = () => performance.timeOrigin + performance.now();

async function run(m: Extract<ToHttpClient, { type: 'run' }>): Promise<FromHttpClient> {
  const headers: Record<string, string> = m.token ? { authorization: `Bearer ${m.token}` } : {};
  const url = `${baseUrl}${m.path}`;
  const samples: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let bytes = 0;
  let next = 0;
  const lane = async () => {
    while (next < m.count) {
      next++;
      const started = nowMs();
      try {
        const res = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
        const body = await res.arrayBuffer();
        const elapsed = nowMs() - started;
        if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${Buffer.from(body).toString().slice(0, 200)}`);
        samples.push(elapsed);
        bytes = body.byteLength;
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    }
  };
  const started = nowMs();
  await Promise.all(Array.from({ length: Math.max(1, m.concurrency) }, lane));
  return { type: 'done', id: m.id, samples, wallMs: nowMs() - started, errors, firstError, bytes };
}

port.on('message', (m: ToHttpClient) => {
  if (m.type === 'run') void run(m).then((r) => port.postMessage(r));
  else if (m.type === 'close') {
    port.postMessage({ type: 'closed' } satisfies FromHttpClient);
    process.exit(0);
  }
});
