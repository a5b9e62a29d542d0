import { createHash, randomUUID } from 'node:crypto';
import type { mqtt } from 'aws-iot-device-sdk-v2';
import type { Clock, TimerHandle } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import { FleetError } from '../../protocol/errors.ts';
import {
  blockCount,
  blockLength,
  blocksPerRequest,
  type DescribeStreamResponse,
  encodeBlockBitmap,
  type GetStreamRequest,
  type GetStreamResponse,
  STREAM_LIMITS,
  type StreamRejection,
} from '../../protocol/streams.ts';
import { parseStreamTopic, streamTopics } from '../../protocol/topics.ts';

/** What the client needs of the device's connection (DeviceConnection; a fake in unit tests). */
export interface StreamTransport {
  readonly online: boolean;
  subscribe(topic: string, handler: (topic: string, payload: Buffer) => void): Promise<void>;
  unsubscribe(topic: string): Promise<void>;
  publish(topic: string, payload: string, qos?: mqtt.QoS): Promise<void>;
  on(event: 'online' | 'offline', listener: (...args: never[]) => void): unknown;
  off(event: 'online' | 'offline', listener: (...args: never[]) => void): unknown;
}

export interface FileStreamClientOptions {
  /** Block size asked for (AWS: 256 B to 128 KiB). 32 KiB: four blocks per request, 43 KB base64 messages. */
  blockSize: number;
  /** No answer for this long: ask again for what is missing (the clock is the device's). */
  requestTimeoutMs: number;
  /** Requests in a row that bring nothing before the download fails with `STREAM_TIMEOUT`. */
  maxAttempts: number;
}

export const DEFAULT_FILE_STREAM_OPTIONS: FileStreamClientOptions = {
  blockSize: 32 * 1024,
  requestTimeoutMs: 5000,
  maxAttempts: 5,
};

export interface FileToDownload {
  streamId: string;
  fileId: number;
  /** Expected size in bytes: checked against DescribeStream's `z` and the bytes received. */
  size?: number;
  /** Expected sha256 (hex) of the whole file. */
  sha256?: string;
}

type Reply =
  | { kind: 'description'; body: DescribeStreamResponse }
  | { kind: 'data'; body: GetStreamResponse }
  | { kind: 'rejected'; body: StreamRejection };

const REJECTION_ERRORS: Partial<Record<StreamRejection['o'], FleetError['code']>> = {
  ResourceNotFound: 'STREAM_NOT_FOUND',
  Unauthorized: 'STREAM_UNAUTHORIZED',
  VersionMismatch: 'STREAM_VERSION_MISMATCH',
};

/**
 * Downloads a file over AWS IoT MQTT-based file delivery through the device's connection: DescribeStream for the
 * stream version and the file's size, then GetStream requests for the missing blocks, one window (≤ 128 KB, AWS's
 * limit per request) at a time, named by offset and bitmap, so a retry asks only for what did not arrive. A window
 * that stays silent for `requestTimeoutMs` (device clock) is asked again; offline time does not count, and the
 * download resumes with the blocks it has when the connection is back. Errors carry codes (`STREAM_*`). Generic:
 * the pricing snapshot uses it, OTA will.
 */
export class FileStreamClient {
  private readonly active = new Map<string, (reply: Reply) => void>();
  private readonly aborts = new Set<(err: FleetError) => void>();
  private readonly filters: string[];
  private subscribedOnline = false;
  private readonly onOffline = () => {
    this.subscribedOnline = false;
  };

  constructor(
    private readonly transport: StreamTransport,
    private readonly thingName: string,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: FileStreamClientOptions = DEFAULT_FILE_STREAM_OPTIONS,
  ) {
    this.filters = (['data', 'description', 'rejected'] as const).map((op) => streamTopics.reply(thingName, '+', op));
    if (options.blockSize < STREAM_LIMITS.minBlockSize || options.blockSize > STREAM_LIMITS.maxBlockSize)
      throw new FleetError('CONFIG_INVALID', `block size ${options.blockSize} is outside 256 to 131072`);
  }

  start(): void {
    this.transport.on('offline', this.onOffline);
  }

  /** Ends every download under way with `STREAM_ABORTED` and drops the subscriptions. */
  async stop(): Promise<void> {
    this.transport.off('offline', this.onOffline);
    for (const abort of [...this.aborts]) abort(new FleetError('STREAM_ABORTED', 'the file stream client stopped'));
    await this.release();
  }

  async download(file: FileToDownload): Promise<Buffer> {
    const token = randomUUID();
    const queue: Reply[] = [];
    let wake: () => void = () => {};
    let aborted: FleetError | undefined;
    const changed = () => wake();
    const abort = (err: FleetError) => {
      aborted = err;
      wake();
    };
    this.active.set(token, (reply) => {
      queue.push(reply);
      wake();
    });
    this.aborts.add(abort);
    this.transport.on('online', changed);
    this.transport.on('offline', changed);
    let timer: TimerHandle | undefined;
    /** Waits for a reply, a connection change, an abort or `ms` of silence; true when something arrived. */
    const next = (ms: number) =>
      new Promise<boolean>((resolve) => {
        if (queue.length > 0 || aborted) return resolve(true);
        timer = this.clock.setTimeout(() => resolve(false), ms);
        wake = () => {
          this.clock.clearTimeout(timer);
          resolve(true);
        };
      });
    /**
     * Resolves on a connection change or an abort, not on a queued reply: waiting for the connection with `next()`
     * would spin without end (a microtask loop that starves the event loop) while replies that came just before
     * the drop sit in the queue.
     */
    const changeOrAbort = () =>
      new Promise<void>((resolve) => {
        if (aborted || this.transport.online) return resolve();
        wake = () => resolve();
      });
    const send = async (operation: 'get' | 'describe', body: object) => {
      while (!this.transport.online) {
        await changeOrAbort();
        if (aborted) throw aborted;
      }
      await this.ensureSubscribed();
      await this.transport.publish(
        streamTopics.request(this.thingName, file.streamId, operation),
        JSON.stringify({ c: token, ...body }),
      );
    };
    try {
      // DescribeStream: the version pins what GetStream reads; the size is checked before a byte is taken.
      let description: DescribeStreamResponse | undefined;
      for (let attempt = 1; !description; attempt++) {
        if (attempt > this.options.maxAttempts) throw timeoutError(file, 'DescribeStream');
        await send('describe', {});
        while (!description) {
          if (queue.length === 0 && !this.transport.online) {
            attempt--; // offline time is not a failed attempt: asked again once back online
            break;
          }
          if (!(await next(this.options.requestTimeoutMs))) break;
          if (aborted) throw aborted;
          const reply = queue.shift();
          if (reply?.kind === 'rejected') throw rejectionError(file, reply.body);
          if (reply?.kind === 'description') description = reply.body;
        }
      }
      const entry = description.r.find((r) => r.f === file.fileId);
      if (!entry) throw new FleetError('STREAM_NOT_FOUND', `stream ${file.streamId} has no file ${file.fileId}`);
      if (file.size !== undefined && entry.z !== file.size)
        throw new FleetError('STREAM_FILE_MISMATCH', `file ${file.fileId} has ${entry.z} bytes, expected ${file.size}`);
      const size = entry.z;
      const l = this.options.blockSize;
      const blocks: (Buffer | undefined)[] = new Array(blockCount(size, l));
      let missing = blocks.length;
      let attempts = 0;
      while (missing > 0) {
        // biome-ignore lint/complexity/useIndexOf: `blocks` is sparse; indexOf skips holes, findIndex visits them.
        const first = blocks.findIndex((b) => b === undefined);
        const per = blocksPerRequest(l);
        const window: number[] = [];
        for (let i = first; i < blocks.length && i < first + per; i++) if (!blocks[i]) window.push(i);
        attempts++;
        if (attempts > this.options.maxAttempts) throw timeoutError(file, `block ${first}`);
        const request: Omit<GetStreamRequest, 'c'> = {
          s: description.s,
          f: file.fileId,
          l,
          o: first,
          n: window.length,
          b: encodeBlockBitmap(window, first),
        };
        await send('get', request);
        let pending = window.length;
        while (pending > 0) {
          // Replies already queued are taken first: blocks that came just before the drop are kept.
          if (queue.length === 0 && !this.transport.online) {
            attempts--; // offline time is not a failed attempt: asked again once back online, blocks kept
            break;
          }
          if (!(await next(this.options.requestTimeoutMs))) break;
          if (aborted) throw aborted;
          const reply = queue.shift();
          if (!reply) continue;
          if (reply.kind === 'rejected') throw rejectionError(file, reply.body);
          if (reply.kind !== 'data' || reply.body.f !== file.fileId) continue;
          const { i, p } = reply.body;
          if (!Number.isInteger(i) || i < 0 || i >= blocks.length || blocks[i] || typeof p !== 'string') continue;
          const bytes = Buffer.from(p, 'base64');
          if (bytes.length !== blockLength(size, l, i)) {
            this.log.debug({ streamId: file.streamId, block: i, bytes: bytes.length }, 'block of the wrong length');
            continue;
          }
          blocks[i] = bytes;
          missing--;
          attempts = 0;
          if (window.includes(i)) pending--;
        }
      }
      const whole = Buffer.concat(blocks as Buffer[]);
      const sha256 = createHash('sha256').update(whole).digest('hex');
      if (file.sha256 !== undefined && sha256 !== file.sha256)
        throw new FleetError('STREAM_FILE_MISMATCH', `file ${file.fileId} of ${file.streamId} has sha256 ${sha256}`, {
          expected: file.sha256,
          actual: sha256,
        });
      return whole;
    } finally {
      this.clock.clearTimeout(timer);
      this.active.delete(token);
      this.aborts.delete(abort);
      this.transport.off('online', changed);
      this.transport.off('offline', changed);
      if (this.active.size === 0) await this.release().catch(() => {});
    }
  }

  private async ensureSubscribed(): Promise<void> {
    if (this.subscribedOnline) return;
    for (const filter of this.filters)
      await this.transport.subscribe(filter, (topic, payload) => this.route(topic, payload));
    this.subscribedOnline = true;
  }

  private async release(): Promise<void> {
    this.subscribedOnline = false;
    for (const filter of this.filters) await this.transport.unsubscribe(filter);
  }

  private route(topic: string, payload: Buffer): void {
    const parsed = parseStreamTopic(topic);
    if (!parsed || parsed.thingName !== this.thingName) return;
    let body: { c?: unknown };
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    const deliver = typeof body?.c === 'string' ? this.active.get(body.c) : undefined;
    if (!deliver) return;
    if (parsed.operation === 'data') deliver({ kind: 'data', body: body as GetStreamResponse });
    else if (parsed.operation === 'description') deliver({ kind: 'description', body: body as DescribeStreamResponse });
    else if (parsed.operation === 'rejected') deliver({ kind: 'rejected', body: body as StreamRejection });
  }
}

function rejectionError(file: FileToDownload, rejection: StreamRejection): FleetError {
  const code = REJECTION_ERRORS[rejection.o] ?? 'STREAM_REJECTED';
  return new FleetError(code, `stream ${file.streamId}: ${rejection.o}: ${rejection.m}`, { rejection });
}

function timeoutError(file: FileToDownload, what: string): FleetError {
  return new FleetError('STREAM_TIMEOUT', `stream ${file.streamId}: no answer for ${what} after the retries allowed`);
}
