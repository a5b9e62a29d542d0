import { request } from 'node:https';

export type DeviceAnswer = { status: number; body: Buffer; headers: Record<string, unknown> } | { error: string };

/** GET on the fleet's device HTTPS endpoint with a device's certificate; the answer, or the TLS failure's code. */
export function deviceGet(
  port: number,
  credentials: { certificatePem: string; privateKeyPem: string; caPem: string },
  path: string,
  headers: Record<string, string> = {},
): Promise<DeviceAnswer> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: 'localhost',
        port,
        path,
        headers,
        cert: credentials.certificatePem,
        key: credentials.privateKeyPem,
        ca: credentials.caPem,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }),
        );
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end();
  });
}

/** The error code of a refused answer (`TLS:...` for a handshake failure). */
export function answerCode(answer: DeviceAnswer): string {
  if ('error' in answer) return `TLS:${answer.error}`;
  return (JSON.parse(answer.body.toString()) as { code: string }).code;
}

/** POST of `body` on the fleet's device HTTPS endpoint with a device's certificate (a cart's contributed photo). */
export function devicePost(
  port: number,
  credentials: { certificatePem: string; privateKeyPem: string; caPem: string },
  path: string,
  body: Buffer,
  headers: Record<string, string> = { 'content-type': 'image/jpeg' },
): Promise<DeviceAnswer> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: 'localhost',
        port,
        path,
        method: 'POST',
        headers: { 'content-length': String(body.length), ...headers },
        cert: credentials.certificatePem,
        key: credentials.privateKeyPem,
        ca: credentials.caPem,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }),
        );
      },
    );
    // The fleet may answer (413) and close before the whole body is sent: the answer is what counts.
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end(body);
  });
}
