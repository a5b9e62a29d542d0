/**
 * Every MQTT topic of the device plane is built and parsed here, and nowhere else.
 *
 * - `$aws/things/...` and `$aws/events/...` follow AWS IoT Core's reserved topics to the letter, so device code
 *   written for AWS IoT Core (and AWS's own SDK clients) works unchanged against the embedded broker.
 * - Application topics follow AWS's topic design guidance: device data on `dt/<app>/<thing>/<stream>`, commands on
 *   `cmd/<app>/<thing>/<command>` with the response on `.../res`; the thing name sits in the topic so that a policy
 *   can scope it with `${iot:Connection.Thing.ThingName}`.
 */

import { classifyJobsTopic, jobsTopics } from './jobs.ts';
import { isProvisioningRequestTopic } from './provisioning.ts';
import { STREAM_ID_PATTERN } from './streams.ts';
import { THING_NAME_PATTERN } from './thing-names.ts';

export * from './lifecycle-events.ts';
export * from './provisioning.ts';
export * from './thing-names.ts';

export const APP = 'cartfleet';

/** Named shadow names as AWS allows them: 1-64 characters of `[$a-zA-Z0-9:_-]` (`$package` is AWS-reserved). */
export const SHADOW_NAME_PATTERN = /^[$a-zA-Z0-9:_-]{1,64}$/;

/** MQTT topic filter matching [MQTT-4.7]; a wildcard first level never matches a `$` topic [MQTT-4.7.2-1]. */
export function mqttTopicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

// ---------------------------------------------------------------------------------------------------------------
// Device Shadow

export type ShadowOperation = 'get' | 'update' | 'delete';
export type ShadowResponse = 'accepted' | 'rejected' | 'delta' | 'documents';

export interface ShadowTopic {
  thingName: string;
  /** `undefined` for the classic (unnamed) shadow. */
  shadowName: string | undefined;
  operation: ShadowOperation;
  /** `undefined` for a request; `accepted` / `rejected` / `delta` / `documents` for what the service publishes. */
  response: ShadowResponse | undefined;
}

function shadowPrefix(thingName: string, shadowName?: string): string {
  return shadowName === undefined
    ? `$aws/things/${thingName}/shadow`
    : `$aws/things/${thingName}/shadow/name/${shadowName}`;
}

export const shadowTopics = {
  request(thingName: string, operation: ShadowOperation, shadowName?: string): string {
    return `${shadowPrefix(thingName, shadowName)}/${operation}`;
  },
  response(thingName: string, operation: ShadowOperation, response: ShadowResponse, shadowName?: string): string {
    return `${shadowPrefix(thingName, shadowName)}/${operation}/${response}`;
  },
  /** Filters the shadow service subscribes to: requests for every thing, classic and named. */
  requestFilters(): string[] {
    const ops: ShadowOperation[] = ['get', 'update', 'delete'];
    return ops.flatMap((op) => [`$aws/things/+/shadow/${op}`, `$aws/things/+/shadow/name/+/${op}`]);
  },
};

const RESPONSES = new Set(['accepted', 'rejected', 'delta', 'documents']);
const OPERATIONS = new Set(['get', 'update', 'delete']);

/** Parses a shadow topic; `undefined` when the topic is not a well-formed shadow topic. */
export function parseShadowTopic(topic: string): ShadowTopic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== '$aws' || parts[1] !== 'things' || parts[3] !== 'shadow') return undefined;
  const thingName = parts[2] ?? '';
  let rest = parts.slice(4);
  let shadowName: string | undefined;
  if (rest[0] === 'name') {
    shadowName = rest[1] ?? '';
    rest = rest.slice(2);
    if (!SHADOW_NAME_PATTERN.test(shadowName)) return undefined;
  }
  if (!THING_NAME_PATTERN.test(thingName)) return undefined;
  const [operation, response, ...extra] = rest;
  if (operation === undefined || !OPERATIONS.has(operation) || extra.length > 0) return undefined;
  if (response !== undefined && !RESPONSES.has(response)) return undefined;
  if ((response === 'delta' || response === 'documents') && operation !== 'update') return undefined;
  return {
    thingName,
    shadowName,
    operation: operation as ShadowOperation,
    response: response as ShadowResponse | undefined,
  };
}

/** A shadow request whose thing or shadow name breaks AWS's naming rules, e.g. `$aws/things/a.b/shadow/get`. */
export interface MalformedShadowRequest {
  /** The names as they stand in the topic (each one topic level; the broker refuses `+` and `#` in a PUBLISH). */
  thingName: string;
  shadowName: string | undefined;
  operation: ShadowOperation;
  invalid: 'thing name' | 'shadow name';
}

/**
 * Recognises a request to the shadow service (`.../get`, `.../update`, `.../delete`, classic or named) whose names
 * cannot be a shadow's, so that it is refused as a bad request, not as a publish to a reserved topic. `undefined`
 * for a well-formed request and for anything that is not shaped like a request.
 */
export function parseMalformedShadowRequest(topic: string): MalformedShadowRequest | undefined {
  if (!topic.startsWith('$aws/things/')) return undefined;
  const parts = topic.split('/');
  if (parts[3] !== 'shadow') return undefined;
  const named = parts[4] === 'name';
  const operation = named ? parts[6] : parts[4];
  if (parts.length !== (named ? 7 : 5) || operation === undefined || !OPERATIONS.has(operation)) return undefined;
  const thingName = parts[2] ?? '';
  const shadowName = named ? (parts[5] ?? '') : undefined;
  const base = { thingName, shadowName, operation: operation as ShadowOperation };
  if (!THING_NAME_PATTERN.test(thingName)) return { ...base, invalid: 'thing name' };
  if (shadowName !== undefined && !SHADOW_NAME_PATTERN.test(shadowName)) return { ...base, invalid: 'shadow name' };
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Reserved topics

/**
 * Topics no client may publish to, whatever its policy says: every `$` topic but the requests of a service that
 * answers them (shadow, jobs and stream requests, fleet provisioning requests). So no client can forge a lifecycle
 * event, a `$SYS` message, a shadow response (`accepted`, `rejected`, `delta`, `documents`) or a jobs answer or
 * notification (`.../accepted`, `.../rejected`, `notify`, `notify-next`). AWS: "Any attempts to publish or
 * subscribe to topics beginning with $ [other than the reserved topics it lists] result in a terminated connection".
 * A shadow request with a malformed thing or shadow name is a request, not a reserved topic: the shadow service
 * refuses it with a 400 (see parseMalformedShadowRequest); so is a stream request with a malformed thing name or
 * stream id: the streaming service answers `InvalidTopic` (see parseMalformedStreamRequest); and so is any other
 * topic under `$aws/things/{thing}/jobs`: the jobs service answers `InvalidTopic` when it maps to no API.
 */
export function isReservedTopic(topic: string): boolean {
  if (!topic.startsWith('$')) return false;
  if (isProvisioningRequestTopic(topic)) return false;
  const jobs = classifyJobsTopic(topic);
  if (jobs) return jobs === 'reply';
  // Stream requests (get, describe) go to the streaming service; its answers (data, description, rejected) do not.
  const stream = parseStreamTopic(topic);
  if (stream) return stream.operation !== 'get' && stream.operation !== 'describe';
  if (parseMalformedStreamRequest(topic)) return false;
  const shadow = parseShadowTopic(topic);
  if (shadow) return shadow.response !== undefined;
  return parseMalformedShadowRequest(topic) === undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// MQTT-based file delivery (streams): `$aws/things/{thing}/streams/{streamId}/{operation}/{format}`

/** Requests a device publishes (`get` = GetStream, `describe` = DescribeStream). */
export type StreamRequestOperation = 'get' | 'describe';
/** What the service answers on: blocks, the description, or an error. */
export type StreamReplyOperation = 'data' | 'description' | 'rejected';
export type StreamOperation = StreamRequestOperation | StreamReplyOperation;
/** AWS offers JSON and CBOR; this fleet answers CBOR requests with a CBOR `InvalidRequest` (see fleet/streams/). */
export type StreamFormat = 'json' | 'cbor';

export interface StreamTopic {
  thingName: string;
  streamId: string;
  operation: StreamOperation;
  format: StreamFormat;
}

const STREAM_OPERATIONS = new Set<string>(['get', 'describe', 'data', 'description', 'rejected']);

export const streamTopics = {
  request(
    thingName: string,
    streamId: string,
    operation: StreamRequestOperation,
    format: StreamFormat = 'json',
  ): string {
    return `$aws/things/${thingName}/streams/${streamId}/${operation}/${format}`;
  },
  reply(thingName: string, streamId: string, operation: StreamReplyOperation, format: StreamFormat = 'json'): string {
    return `$aws/things/${thingName}/streams/${streamId}/${operation}/${format}`;
  },
  /** Filters the streaming service subscribes to: every thing's requests, in both formats. */
  requestFilters(): string[] {
    return (['get', 'describe'] as const).flatMap((op) =>
      (['json', 'cbor'] as const).map((format) => `$aws/things/+/streams/+/${op}/${format}`),
    );
  },
};

/** Parses a stream topic (request or reply); `undefined` for anything else, bad thing names and stream ids included. */
export function parseStreamTopic(topic: string): StreamTopic | undefined {
  const parts = topic.split('/');
  if (parts.length !== 7 || parts[0] !== '$aws' || parts[1] !== 'things' || parts[3] !== 'streams') return undefined;
  const [, , thingName = '', , streamId = '', operation = '', format = ''] = parts;
  if (!THING_NAME_PATTERN.test(thingName) || !STREAM_ID_PATTERN.test(streamId)) return undefined;
  if (!STREAM_OPERATIONS.has(operation) || (format !== 'json' && format !== 'cbor')) return undefined;
  return { thingName, streamId, operation: operation as StreamOperation, format };
}

/** A stream request whose thing name or stream id breaks AWS's rules, e.g. `$aws/things/cart-1/streams/bad id!/get/json`. */
export interface MalformedStreamRequest {
  /** The names as they stand in the topic (each one topic level; the broker refuses `+` and `#` in a PUBLISH). */
  thingName: string;
  streamId: string;
  operation: StreamRequestOperation;
  format: StreamFormat;
  invalid: 'thing name' | 'stream id';
}

/**
 * Recognises a request to the streaming service (`.../get|describe/json|cbor`) whose thing name or stream id cannot
 * be a stream's (AWS: 1-128 characters of `[a-zA-Z0-9_-]`), so that it is answered on `.../rejected/{format}` with
 * `InvalidTopic` ("The MQTT topic of the stream message is invalid"), not refused as a publish to a reserved topic.
 * `undefined` for a well-formed request and for anything not shaped like a request (a stream id holding a `/` adds
 * a level: that is no stream topic at all).
 */
export function parseMalformedStreamRequest(topic: string): MalformedStreamRequest | undefined {
  if (!topic.startsWith('$aws/things/')) return undefined;
  const parts = topic.split('/');
  if (parts.length !== 7 || parts[3] !== 'streams') return undefined;
  const [, , thingName = '', , streamId = '', operation = '', format = ''] = parts;
  if ((operation !== 'get' && operation !== 'describe') || (format !== 'json' && format !== 'cbor')) return undefined;
  const base = { thingName, streamId, operation, format } as const;
  if (!THING_NAME_PATTERN.test(thingName)) return { ...base, invalid: 'thing name' };
  if (!STREAM_ID_PATTERN.test(streamId)) return { ...base, invalid: 'stream id' };
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Device data: `dt/cartfleet/{thing}/{stream}`

/**
 * - `telemetry`: readings (battery, zone, volume, now playing...)
 * - `health`: the device's own vitals (CPU, memory, temperature, disk)
 * - `events`: discrete happenings (faults, session start/end)
 * - `status`: the last-will message a device leaves with the broker
 */
export const DATA_STREAMS = ['telemetry', 'health', 'events', 'status'] as const;
export type DataStream = (typeof DATA_STREAMS)[number];

export interface DataTopic {
  thingName: string;
  stream: DataStream;
}

export const dataTopics = {
  publish(thingName: string, stream: DataStream): string {
    return `dt/${APP}/${thingName}/${stream}`;
  },
  /** What the fleet subscribes to for every device's data. */
  filter(): string {
    return `dt/${APP}/#`;
  },
  /** The prefix every data topic starts with. */
  prefix(): string {
    return `dt/${APP}/`;
  },
};

/** Parses `dt/cartfleet/{thing}/{stream}`; `undefined` if the topic is not one of ours. */
export function parseDataTopic(topic: string): DataTopic | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== 'dt' || parts[1] !== APP) return undefined;
  const thingName = parts[2] ?? '';
  const stream = parts[3] as DataStream;
  if (!THING_NAME_PATTERN.test(thingName) || !DATA_STREAMS.includes(stream)) return undefined;
  return { thingName, stream };
}

// ---------------------------------------------------------------------------------------------------------------
// Commands: `cmd/cartfleet/{thing}/{command}` and the device's answer on `.../res`

export const commandTopics = {
  request(thingName: string, command: string): string {
    return `cmd/${APP}/${thingName}/${command}`;
  },
  response(thingName: string, command: string): string {
    return `cmd/${APP}/${thingName}/${command}/res`;
  },
  /** What a device subscribes to for its own commands. */
  deviceFilter(thingName: string): string {
    return `cmd/${APP}/${thingName}/+`;
  },
  /** What the fleet subscribes to for every device's answers (to one command, or to all). */
  responseFilter(command = '+'): string {
    return `cmd/${APP}/+/${command}/res`;
  },
};

export interface CommandTopic {
  thingName: string;
  command: string;
  /** true for the device's answer (`.../res`). */
  response: boolean;
}

/** Parses `cmd/cartfleet/{thing}/{command}[/res]`; `undefined` if the topic is not one of ours. */
export function parseCommandTopic(topic: string): CommandTopic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== 'cmd' || parts[1] !== APP || (parts.length !== 4 && parts.length !== 5)) return undefined;
  const thingName = parts[2] ?? '';
  const command = parts[3] ?? '';
  if (!THING_NAME_PATTERN.test(thingName) || !/^[a-z][a-z0-9-]{0,63}$/.test(command)) return undefined;
  if (parts.length === 5 && parts[4] !== 'res') return undefined;
  return { thingName, command, response: parts.length === 5 };
}

// ---------------------------------------------------------------------------------------------------------------
// Policy resources

/**
 * A device's own topics as AWS IoT policy resources (topic names and filters without the ARN prefix; `*` is the
 * policy wildcard and matches across `/`). `thingName` is usually the variable `${iot:Connection.Thing.ThingName}`.
 */
export function deviceTopicResources(thingName: string): { publish: string[]; subscribe: string[]; receive: string[] } {
  // Streams: the device's own requests and answers; which streams it may read, the streaming service decides.
  const own = [
    `${shadowPrefix(thingName)}/*`,
    `${jobsTopics.prefix(thingName)}/*`,
    `$aws/things/${thingName}/streams/*`,
  ];
  const commands = `cmd/${APP}/${thingName}/*`;
  // Commerce requests, replies and notifications (protocol/commerce/commerce-topics.ts).
  const commerce = `cx/${APP}/${thingName}/*`;
  return {
    publish: [...own, `dt/${APP}/${thingName}/*`, `${commands}/res`, commerce],
    subscribe: [...own, commands, commerce],
    receive: [...own, commands, commerce],
  };
}
