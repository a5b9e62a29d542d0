/**
 * Download-client worker thread for bench/ota-download.ts: N devices fetching one artifact at once over HTTPS, each
 * cut once partway (the connection destroyed after a chosen number of bytes) and resumed with `Range` + `If-Range`, as
 * the update agent resumes. A fresh TLS connection per request (no keep-alive: a device whose download was cut
 * reconnects). Bytes are hashed as they arrive and the result checked against the artifact's sha256; nothing is
 * written to disk, so the run measures the servers, not this machine's disk.
 *
 * Protocol: `run` → `done` (wall time from the first request to the last byte, bytes, errors); `close` exits.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:https';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

export interface DownloadDevice {
  certificatePem: string;
  privateKeyPem: string;
}

export interface DownloadWorkerData {
  caPem: string;
  devices: DownloadDevice[];
}

export type ToDownloadWorker =
  | {
      type: 'run';
      id: number;
      port: number;
      path: string;
      size: number;
      sha256: string;
      /** Send each device's certificate (the fleet's mTLS endpoint) or none (the bare server). */
      clientCertificates: boolean;
      /** Per device: the byte after which its first connection is cut. */
      cuts: number[];
    }
  | { type: 'close' };

export type FromDownloadWorker = {
  type: 'done';
  id: number;
  wallMs: number;
  bytes: number;
  requests: number;
  errors: number;
  firstError: string | undefined;
};

const port = parentPort;
if (!port) throw new Error('ota-download-clients.ts must run as a worker thread');
const data = workerData as DownloadWorkerData;

function get(
  m: Extract<ToDownloadWorker, { type: 'run' }>,
  device: DownloadDevice,
  headers: Record<string, string>,
  onData: (chunk: Buffer) => boolean,
): Promise<{ status: number; etag: string | undefined; cut: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: 'localhost',
        port: m.port,
        path: m.path,
        headers,
        ca: data.caPem,
        ...(m.clientCertificates ? { cert: device.certificatePem, key: device.privateKeyPem } : {}),
        agent: false,
      },
      (res) => {
        let cut = false;
        res.on('data', (chunk: Buffer) => {
          if (cut) return;
          if (!onData(chunk)) {
            cut = true;
            req.destroy();
            resolve({ status: res.statusCode ?? 0, etag: res.headers.etag, cut: true });
          }
        });
        res.on('end', () => {
          if (!cut) resolve({ status: res.statusCode ?? 0, etag: res.headers.etag, cut: false });
        });
        res.on('error', (err) => (cut ? undefined : reject(err)));
      },
    );
    req.on('error', (err) => reject(err));
    req.end();
  });
}

async function download(m: Extract<ToDownloadWorker, { type: 'run' }>, device: DownloadDevice, cutAt: number) {
  const hash = createHash('sha256');
  let received = 0;
  let requests = 1;
  const first = await get(m, device, {}, (chunk) => {
    const keep = Math.min(chunk.length, cutAt - received);
    hash.update(chunk.subarray(0, keep));
    received += keep;
    return received < cutAt;
  });
  if (first.status !== 200) throw new Error(`HTTP ${first.status}`);
  if (first.cut) {
    requests++;
    const rest = await get(m, device, { range: `bytes=${received}-`, 'if-range': first.etag ?? '' }, (chunk) => {
      hash.update(chunk);
      received += chunk.length;
      return true;
    });
    if (rest.status !== 206) throw new Error(`resume answered HTTP ${rest.status}`);
  }
  if (received !== m.size || hash.digest('hex') !== m.sha256)
    throw new Error(`got ${received} bytes, not the artifact`);
  return { bytes: received, requests };
}

port.on('message', async (m: ToDownloadWorker) => {
  if (m.type === 'close') {
    process.exit(0);
  }
  let errors = 0;
  let firstError: string | undefined;
  let bytes = 0;
  let requests = 0;
  const started = performance.now();
  await Promise.all(
    data.devices.map(async (device, i) => {
      try {
        const r = await download(m, device, m.cuts[i] ?? m.size);
        bytes += r.bytes;
        requests += r.requests;
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    }),
  );
  const message: FromDownloadWorker = {
    type: 'done',
    id: m.id,
    wallMs: performance.now() - started,
    bytes,
    requests,
    errors,
    firstError,
  };
  port.postMessage(message);
});
