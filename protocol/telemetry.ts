import type { ErrorCode } from './errors.ts';

/** Largest `dt/...` payload the fleet accepts; larger ones are dropped with a logged reason. */
export const MAX_DATA_PAYLOAD_BYTES = 16 * 1024;
/** Most metrics in one message. */
export const MAX_METRICS_PER_MESSAGE = 64;
/** Metric names: a letter, then letters, digits, `_` and `.` (e.g. `battery.percent`); at most 64 characters. */
export const METRIC_NAME_PATTERN = '^[a-zA-Z][a-zA-Z0-9_.]*$';

/**
 * Largest `ts` in any message: the last millisecond ECMAScript's `Date` can represent (±8.64e15 ms, ECMA-262
 * §21.4.1.1). SQLite stores it as an INTEGER; larger "integers" such as 1e308 arrive as doubles and are refused.
 */
export const MAX_TIMESTAMP_MS = 8_640_000_000_000_000;

/**
 * Why the fleet refuses a data message (acknowledged, not stored; docs/protocol.md): an unknown stream, too large,
 * not JSON, against the schema, or a `ts` outside the window around the fleet's receive time.
 */
export const DATA_REFUSAL_CODES = [
  'TOPIC_UNKNOWN',
  'PAYLOAD_TOO_LARGE',
  'PAYLOAD_INVALID_JSON',
  'PAYLOAD_SCHEMA',
  'TELEMETRY_TS_OUT_OF_RANGE',
] as const satisfies readonly ErrorCode[];
export type DataRefusalCode = (typeof DATA_REFUSAL_CODES)[number];

export type MetricValue = number | string | boolean | null;

/**
 * One message on `dt/cartfleet/{thing}/{telemetry|health|events|status}`.
 * `msgId` is unique per device: the fleet stores a message once however often the device's outbox sends it.
 */
export interface DataMessage {
  msgId: string;
  /**
   * Milliseconds since the epoch, when the device measured it: a positive integer. The fleet also refuses a `ts`
   * too far from its own receive time (`TELEMETRY_TS_OUT_OF_RANGE`, see docs/protocol.md).
   */
  ts: number;
  metrics: Record<string, MetricValue>;
}

/**
 * The same contract as a JSON Schema (draft 2020-12 subset), compiled once by the fleet's ingest: this is the hot
 * path of the device plane, where a compiled validator costs a fraction of a schema-object library.
 */
export const DataMessageJsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['msgId', 'ts', 'metrics'],
  properties: {
    msgId: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[a-zA-Z0-9:_.-]+$' },
    ts: { type: 'integer', minimum: 1, maximum: MAX_TIMESTAMP_MS },
    metrics: {
      type: 'object',
      maxProperties: MAX_METRICS_PER_MESSAGE,
      propertyNames: { maxLength: 64, pattern: METRIC_NAME_PATTERN },
      additionalProperties: { type: ['number', 'string', 'boolean', 'null'], maxLength: 256 },
    },
  },
} as const;
