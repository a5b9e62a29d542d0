import { DATA_REFUSAL_CODES, type DataRefusalCode } from '../telemetry.ts';
import { type FromSchema, integer, object } from './json-schema.ts';

const count = integer({ minimum: 0 });

const refusalCounts = {
  TOPIC_UNKNOWN: count,
  PAYLOAD_TOO_LARGE: count,
  PAYLOAD_INVALID_JSON: count,
  PAYLOAD_SCHEMA: count,
  TELEMETRY_TS_OUT_OF_RANGE: count,
} as const satisfies Record<DataRefusalCode, typeof count>;

/** `GET /healthz` (no sign-in): the process serves HTTP. */
export const HealthSchema = object({ status: { type: 'string', enum: ['ok'] }, connectedDevices: count });
export type Health = FromSchema<typeof HealthSchema>;

/** `GET /api/stats`: ingest counters since the fleet started. */
export const StatsSchema = object({
  telemetry: object({
    received: count,
    stored: count,
    duplicates: count,
    /** Refused as invalid: acknowledged (MQTT 3.1.1 has no negative PUBACK) and not stored. */
    rejected: count,
    /** `rejected` by code; a code nothing was refused for is left out. */
    rejectedByCode: object(refusalCounts, { optional: DATA_REFUSAL_CODES }),
    /** Not accepted because the backlog was full: not acknowledged, so the devices send them again. */
    withheld: count,
    /** Accepted and not yet stored (their PUBACKs wait). */
    pending: count,
  }),
  connectedDevices: count,
  /** Devices with a presence record (every device that ever connected). */
  presence: count,
});
export type Stats = FromSchema<typeof StatsSchema>;

/** `GET /metrics`: Prometheus text exposition format. */
export const MetricsResponse = {
  description: 'Prometheus text exposition format',
  content: { 'text/plain': { schema: { type: 'string' } } },
} as const;
