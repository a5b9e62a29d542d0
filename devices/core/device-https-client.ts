import { createWriteStream } from 'node:fs';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { type ErrorCode, ErrorCodes, FleetError } from '../../protocol/errors.ts';
import type { DeviceCredentials } from './device-config.ts';

export interface DeviceHttpsClientOptions {
  host: string;
  port: number;
  /** A request that has not answered (or stalled mid-body) for this long is abandoned; a resume picks it up. */
  timeoutMs: number;
}

/** What a download into a `.part` file came to. */
export interface PartDownload {
  /** 206: appended from `offset`; 200: the whole file, written from 0. */
  status: 200 | 206;
  /** Where the bytes of this response started in the file. */
  offset: number;
  /** Bytes this response carried. */
  received: number;
}

/**
 * What the speaker's content cache and manifest sync, and the OTA agent, download through: the fleet's device HTTPS
 * endpoint, or a fake.
 */
export interface DeviceContentClient {
  fetchBytes(path: string, maxBytes: number): Promise<Buffer>;
  downloadPart(
    path: string,
    partFile: string,
    offset: number,
    etag: string,
    onBytes?: (n: number, chunk: Buffer) => void,
  ): Promise<PartDownload>;
  abortAll(): void;
}

/**
 * GETs from the fleet's device HTTPS endpoint with the device's own certificate and key (mTLS), checking the fleet's
 * certificate against the fleet CA, as the MQTT connection does. A refusal comes back as the fleet's coded error.
 */
export class DeviceHttpsClient implements DeviceContentClient {
  private readonly open = new Set<ClientRequest>();

  constructor(
    private readonly options: DeviceHttpsClientOptions,
    private readonly credentials: DeviceCredentials,
  ) {}

  /** Aborts every request in flight (stop()); their callers see an error and keep what they wrote. */
  abortAll(): void {
    for (const req of this.open) req.destroy(new Error('aborted'));
    this.open.clear();
  }

  /** The whole body of `path`, refused beyond `maxBytes`. */
  async fetchBytes(path: string, maxBytes: number): Promise<Buffer> {
    const response = await this.get(path, {});
    if (response.statusCode !== 200) throw await refusal(response);
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of response) {
      length += (chunk as Buffer).length;
      if (length > maxBytes) {
        response.destroy();
        throw new FleetError('PAYLOAD_TOO_LARGE', `more than the ${maxBytes} bytes announced`);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  /**
   * Downloads `path` into `partFile`, resuming at `offset` (its current size) with `Range` and `If-Range: etag`
   * (RFC 9110 §14.2, §13.1.5): the fleet answers 206 with the rest, or 200 with the whole file if it has changed. A
   * cut connection rejects, with what arrived already on disk. `onBytes` sees every chunk (progress, tests, the OTA
   * agent's sha256 while streaming).
   */
  async downloadPart(
    path: string,
    partFile: string,
    offset: number,
    etag: string,
    onBytes: (n: number, chunk: Buffer) => void = () => {},
  ): Promise<PartDownload> {
    const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-`, 'if-range': etag } : {};
    const response = await this.get(path, headers);
    let status: 200 | 206;
    let start = 0;
    if (response.statusCode === 206) {
      const range = /^bytes (\d+)-\d+\/\d+$/.exec(response.headers['content-range'] ?? '');
      start = Number(range?.[1] ?? Number.NaN);
      if (start !== offset) {
        response.destroy();
        throw new FleetError('BAD_REQUEST', `asked for bytes from ${offset}, got ${response.headers['content-range']}`);
      }
      status = 206;
    } else if (response.statusCode === 200) {
      status = 200;
    } else {
      throw await refusal(response);
    }
    const file = createWriteStream(partFile, status === 206 ? { flags: 'a' } : { flags: 'w' });
    let received = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          onBytes(chunk.length, chunk);
          if (!file.write(chunk)) {
            response.pause();
            file.once('drain', () => response.resume());
          }
        });
        response.on('end', () => (response.complete ? resolve() : reject(new Error('response cut short'))));
        response.on('aborted', () => reject(new Error('response aborted')));
        response.on('error', reject);
        file.on('error', reject);
      });
    } finally {
      await new Promise<void>((resolve) => file.end(() => resolve()));
    }
    return { status, offset: start, received };
  }

  /**
   * POSTs `body` to `path` (a cart's contributed photo, issue 11); resolves on a 2xx answer, rejects with the fleet's
   * coded refusal otherwise.
   */
  async post(path: string, body: Buffer, contentType: string): Promise<void> {
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({
        host: this.options.host,
        port: this.options.port,
        path,
        method: 'POST',
        headers: { 'content-type': contentType, 'content-length': String(body.length) },
        cert: this.credentials.certificatePem,
        key: this.credentials.privateKeyPem,
        ca: this.credentials.caPem,
        agent: false,
        timeout: this.options.timeoutMs,
      });
      this.open.add(req);
      req.on('timeout', () => req.destroy(new Error(`no answer from the fleet within ${this.options.timeoutMs} ms`)));
      req.on('close', () => this.open.delete(req));
      req.on('response', resolve);
      req.on('error', reject);
      req.end(body);
    });
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw await refusal(response);
    response.resume();
  }

  private get(path: string, headers: Record<string, string>): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request({
        host: this.options.host,
        port: this.options.port,
        path,
        method: 'GET',
        headers,
        cert: this.credentials.certificatePem,
        key: this.credentials.privateKeyPem,
        ca: this.credentials.caPem,
        // One connection per request: no pool left open after stop(), and each request is checked afresh.
        agent: false,
        timeout: this.options.timeoutMs,
      });
      this.open.add(req);
      req.on('timeout', () => req.destroy(new Error(`no answer from the fleet within ${this.options.timeoutMs} ms`)));
      req.on('close', () => this.open.delete(req));
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
  }
}

/** The fleet's JSON `{code, message}` as a FleetError (a code this build does not know becomes BAD_REQUEST). */
async function refusal(response: IncomingMessage): Promise<FleetError> {
  let body = '';
  for await (const chunk of response) body += chunk;
  try {
    const parsed = JSON.parse(body) as { code?: string; message?: string };
    const code = (parsed.code && parsed.code in ErrorCodes ? parsed.code : 'BAD_REQUEST') as ErrorCode;
    return new FleetError(code, parsed.message ?? `HTTP ${response.statusCode}`, { status: response.statusCode });
  } catch {
    return new FleetError('BAD_REQUEST', `HTTP ${response.statusCode}`, { status: response.statusCode });
  }
}
