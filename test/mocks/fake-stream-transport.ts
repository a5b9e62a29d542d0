import { EventEmitter } from 'node:events';
import type { StreamTransport } from '../../devices/core/file-stream-client.ts';
import {
  blockLength,
  type GetStreamRequest,
  type StreamRejection,
  type StreamRejectionCode,
  selectBlocks,
} from '../../protocol/streams.ts';
import { parseStreamTopic, type StreamReplyOperation, streamTopics } from '../../protocol/topics.ts';

/** A request the client published, parsed. */
export interface SeenRequest {
  streamId: string;
  operation: 'get' | 'describe';
  body: GetStreamRequest & { c: string };
}

type Handler = (topic: string, payload: Buffer) => void;

/**
 * A {@link StreamTransport} for FileStreamClient unit tests: no broker, no sockets. It records every request and hands
 * it to `server` (set by the test, e.g. {@link serveFile}); answers are delivered with `reply()` to the subscribed
 * handlers, as the broker would deliver them. `online` set to false emits 'offline', set to true emits 'online'.
 */
export class FakeStreamTransport extends EventEmitter implements StreamTransport {
  readonly requests: SeenRequest[] = [];
  readonly subscriptions = new Map<string, Handler>();
  server: ((request: SeenRequest) => void) | undefined;
  private isOnline = true;

  constructor(readonly thingName: string) {
    super();
  }

  get online(): boolean {
    return this.isOnline;
  }

  override on(event: 'online' | 'offline', listener: (...args: never[]) => void): this {
    return super.on(event, listener as () => void);
  }

  override off(event: 'online' | 'offline', listener: (...args: never[]) => void): this {
    return super.off(event, listener as () => void);
  }

  set online(value: boolean) {
    this.isOnline = value;
    this.emit(value ? 'online' : 'offline');
  }

  async subscribe(topic: string, handler: Handler): Promise<void> {
    this.subscriptions.set(topic, handler);
  }

  async unsubscribe(topic: string): Promise<void> {
    this.subscriptions.delete(topic);
  }

  async publish(topic: string, payload: string): Promise<void> {
    if (!this.isOnline) throw new Error('fake stream transport: offline');
    const parsed = parseStreamTopic(topic);
    if (!parsed || (parsed.operation !== 'get' && parsed.operation !== 'describe'))
      throw new Error(`not a stream request: ${topic}`);
    const request: SeenRequest = { streamId: parsed.streamId, operation: parsed.operation, body: JSON.parse(payload) };
    this.requests.push(request);
    this.server?.(request);
  }

  /** The get requests so far. */
  gets(): SeenRequest['body'][] {
    return this.requests.filter((r) => r.operation === 'get').map((r) => r.body);
  }

  /** Delivers an answer on `.../{operation}/json` to the handlers whose filter matches, as the broker would. */
  reply(streamId: string, operation: StreamReplyOperation, body: object): void {
    const topic = streamTopics.reply(this.thingName, streamId, operation);
    for (const [filter, handler] of this.subscriptions)
      if (matches(filter, topic)) handler(topic, Buffer.from(JSON.stringify(body)));
  }

  reject(request: SeenRequest, o: StreamRejectionCode): void {
    const rejection: StreamRejection = { o, m: `fake ${o}`, c: request.body.c };
    this.reply(request.streamId, 'rejected', rejection);
  }
}

export interface ServedFile {
  /** The stream version DescribeStream reports (and GetStream's `s` must equal). */
  version: number;
  /** Blocks not answered the next time each is asked for (then answered). */
  dropOnce: Set<number>;
  /** Blocks never answered. */
  dropAlways: Set<number>;
  /** Answer nothing at all to get requests while true. */
  silent: boolean;
  /** Requests are answered synchronously unless false (then on the next macrotask). */
  sync: boolean;
}

/**
 * Answers describe and get requests for one file (id 0) as the fleet's stream service does (VersionMismatch for a
 * stale `s`, the blocks the bitmap selects, one message each); the returned controls let a test drop blocks.
 */
export function serveFile(transport: FakeStreamTransport, bytes: Buffer, fileId = 0): ServedFile {
  const served: ServedFile = { version: 1, dropOnce: new Set(), dropAlways: new Set(), silent: false, sync: true };
  transport.server = (request) => {
    const answer = () => {
      const c = request.body.c;
      if (request.operation === 'describe') {
        transport.reply(request.streamId, 'description', { c, s: served.version, r: [{ f: fileId, z: bytes.length }] });
        return;
      }
      if (served.silent) return;
      const body = request.body;
      if (body.s !== undefined && body.s !== served.version) return transport.reject(request, 'VersionMismatch');
      for (const i of selectBlocks(body, bytes.length).blocks) {
        if (served.dropAlways.has(i)) continue;
        if (served.dropOnce.delete(i)) continue;
        const block = bytes.subarray(i * body.l, i * body.l + blockLength(bytes.length, body.l, i));
        transport.reply(request.streamId, 'data', { c, f: body.f, l: block.length, i, p: block.toString('base64') });
      }
    };
    if (served.sync) answer();
    else setImmediate(answer);
  };
  return served;
}

/** MQTT filter matching for `+` and a trailing `#` [MQTT-4.7.1]. */
function matches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let k = 0; k < f.length; k++) {
    if (f[k] === '#') return true;
    if (k >= t.length || (f[k] !== '+' && f[k] !== t[k])) return false;
  }
  return f.length === t.length;
}
