import type { Logger } from '../../platform/log.ts';
import {
  blockLength,
  type DescribeStreamResponse,
  type GetStreamRequest,
  type GetStreamResponse,
  invalidTopicRejection,
  parseDescribeStreamRequest,
  parseGetStreamRequest,
  type StreamRejection,
  selectBlocks,
} from '../../protocol/streams.ts';
import {
  type MalformedStreamRequest,
  parseMalformedStreamRequest,
  parseStreamTopic,
  type StreamFormat,
  type StreamTopic,
  streamTopics,
} from '../../protocol/topics.ts';
import type { DeviceBroker } from '../broker/device-broker.ts';
import { encodeCborTextMap } from './cbor-text-map.ts';
import { type StoredStream, type StreamAudience, type StreamFile, StreamStore } from './stream-store.ts';

/** Tells which store a thing belongs to now (the registry), for streams whose audience is a store. */
export type ThingStoreLookup = (thingName: string) => string | null | undefined;

/**
 * AWS IoT MQTT-based file delivery, served by the fleet: a device publishes DescribeStream and GetStream requests on
 * `$aws/things/{thing}/streams/{streamId}/describe|get/json` and gets the description, its blocks (one message per
 * block, `p` in base64 as AWS's JSON answers carry it) or an error with AWS's code on `.../description|data|rejected/
 * json`. The thing name in the topic is the caller's own (the policy grants a device only its own stream topics);
 * the stream's audience decides whether it may read that stream (`Unauthorized` if not).
 *
 * JSON only: CBOR would need a CBOR library for the requests; a CBOR request is answered on `.../rejected/cbor` with
 * `InvalidRequest` (a CBOR map, which needs no library to write), so a device learns at once to ask in JSON.
 * Blocks go out at QoS 0: a device asks again for what it missed (that is what the bitmap is for), and a persistent
 * session should not queue megabytes for a cart that went away.
 */
export class StreamService {
  private readonly store = new StreamStore();
  private unsubscribers: (() => void)[] = [];

  constructor(
    private readonly broker: DeviceBroker,
    private readonly storeOf: ThingStoreLookup,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.unsubscribers = streamTopics
      .requestFilters()
      .map((filter) => this.broker.onMessage(filter, (topic, payload) => this.onRequest(topic, payload)));
  }

  stop(): void {
    for (const off of this.unsubscribers) off();
    this.unsubscribers = [];
  }

  /** Creates or replaces a stream (its version goes up on a replace); throws `STREAM_INVALID` past AWS's limits. */
  putStream(
    streamId: string,
    files: StreamFile[],
    options: { description?: string; audience: StreamAudience },
  ): { streamId: string; version: number } {
    const stream = this.store.put(streamId, files, options);
    return { streamId, version: stream.version };
  }

  deleteStream(streamId: string): boolean {
    return this.store.delete(streamId);
  }

  getStream(streamId: string): StoredStream | undefined {
    return this.store.get(streamId);
  }

  private onRequest(topic: string, payload: Buffer): void {
    const parsed = parseStreamTopic(topic);
    if (!parsed) {
      const malformed = parseMalformedStreamRequest(topic);
      if (malformed) this.refuseMalformed(malformed, payload);
      return;
    }
    if (parsed.operation !== 'get' && parsed.operation !== 'describe') return;
    if (parsed.format === 'cbor') {
      this.reply(parsed, 'rejected', { o: 'InvalidRequest', m: 'This fleet answers stream requests in JSON only' });
      return;
    }
    try {
      if (parsed.operation === 'describe') this.describe(parsed, payload);
      else this.get(parsed, payload);
    } catch (err) {
      this.log.error({ err, topic }, 'stream request failed');
      this.reply(parsed, 'rejected', { o: 'InternalError', m: 'Internal error' });
    }
  }

  private describe(topic: StreamTopic, payload: Buffer): undefined {
    const parsed = parseDescribeStreamRequest(payload);
    if (!parsed.ok) return this.refuse(topic, parsed.rejection);
    const c = parsed.request.c;
    const stream = this.readable(topic, c);
    if (!stream) return;
    const response: DescribeStreamResponse = {
      ...(c === undefined ? {} : { c }),
      s: stream.version,
      d: stream.description,
      r: [...stream.files].map(([f, file]) => ({ f, z: file.bytes.length })),
    };
    this.reply(topic, 'description', response);
  }

  private get(topic: StreamTopic, payload: Buffer): undefined {
    const parsed = parseGetStreamRequest(payload);
    if (!parsed.ok) return this.refuse(topic, parsed.rejection);
    const request: GetStreamRequest = parsed.request;
    const c = request.c;
    const stream = this.readable(topic, c);
    if (!stream) return;
    if (request.s !== undefined && request.s !== stream.version)
      return this.refuse(topic, {
        o: 'VersionMismatch',
        m: `The stream is at version ${stream.version}, not ${request.s}`,
        ...(c === undefined ? {} : { c }),
      });
    const file = stream.files.get(request.f);
    if (!file)
      return this.refuse(topic, {
        o: 'ResourceNotFound',
        m: `The stream has no file ${request.f}`,
        ...(c === undefined ? {} : { c }),
      });
    const { blocks, pastEnd } = selectBlocks(request, file.bytes.length);
    if (blocks.length === 0 && pastEnd.length > 0)
      return this.refuse(topic, {
        o: 'ResourceNotFound',
        m: `Block ${pastEnd[0]} is past the end of file ${request.f}`,
        ...(c === undefined ? {} : { c }),
      });
    for (const i of blocks) {
      const start = i * request.l;
      const bytes = file.bytes.subarray(start, start + blockLength(file.bytes.length, request.l, i));
      const block: GetStreamResponse = {
        ...(c === undefined ? {} : { c }),
        f: request.f,
        l: bytes.length,
        i,
        p: bytes.toString('base64'),
      };
      this.reply(topic, 'data', block);
    }
  }

  /** The stream, if it exists and this thing may read it; otherwise answers the refusal and returns undefined. */
  private readable(topic: StreamTopic, c: string | undefined): StoredStream | undefined {
    const token = c === undefined ? {} : { c };
    const stream = this.store.get(topic.streamId);
    if (!stream) {
      this.refuse(topic, { o: 'ResourceNotFound', m: `No stream '${topic.streamId}'`, ...token });
      return undefined;
    }
    if (!this.entitled(topic.thingName, stream.audience)) {
      this.log.info({ thingName: topic.thingName, streamId: topic.streamId }, 'stream request refused: not entitled');
      this.refuse(topic, { o: 'Unauthorized', m: `This thing may not read stream '${topic.streamId}'`, ...token });
      return undefined;
    }
    return stream;
  }

  private entitled(thingName: string, audience: StreamAudience): boolean {
    if (audience === 'fleet') return true;
    if ('thingNames' in audience) return audience.thingNames.includes(thingName);
    return this.storeOf(thingName) === audience.storeId;
  }

  /**
   * AWS answers a stream message whose topic is invalid with `InvalidTopic` on its rejected topic; the connection
   * stays up (a bad stream id is the device's mistake, not a forged reserved topic). The answer goes to the names as
   * the request spelled them, so the device's `.../streams/+/rejected/json` subscription hears it.
   */
  private refuseMalformed(request: MalformedStreamRequest, payload: Buffer): void {
    const rejection =
      request.format === 'cbor'
        ? invalidTopicRejection(Buffer.alloc(0), request.invalid)
        : invalidTopicRejection(payload, request.invalid);
    this.log.info(
      { thingName: request.thingName, streamId: request.streamId, invalid: request.invalid },
      `stream request refused: invalid ${request.invalid}`,
    );
    this.reply(
      {
        thingName: request.thingName,
        streamId: request.streamId,
        operation: request.operation,
        format: request.format,
      },
      'rejected',
      rejection,
    );
  }

  private refuse(topic: StreamTopic, rejection: StreamRejection): undefined {
    this.log.debug({ thingName: topic.thingName, streamId: topic.streamId, code: rejection.o }, rejection.m);
    this.reply(topic, 'rejected', rejection);
  }

  private reply(topic: StreamTopic, operation: 'data' | 'description' | 'rejected', body: object): void {
    const format: StreamFormat = topic.format;
    const payload = format === 'cbor' ? encodeCborTextMap(body as Record<string, string>) : JSON.stringify(body);
    this.broker
      .publish(streamTopics.reply(topic.thingName, topic.streamId, operation, format), payload, 0)
      .catch((err: Error) => this.log.warn({ err: err.message }, 'stream answer not published'));
  }
}
