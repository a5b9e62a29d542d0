import { type FromSchema, integer, object } from './json-schema.ts';

const count = integer({ minimum: 0 });

/** `GET /healthz` (no sign-in): the process serves HTTP. */
export const HealthSchema = object({ status: { type: 'string', enum: ['ok'] }, connectedDevices: count });
export type Health = FromSchema<typeof HealthSchema>;

/** `GET /api/stats`: ingest counters since the fleet started. */
export const StatsSchema = object({
  telemetry: object({
    received: count,
    stored: count,
    duplicates: count,
    rejected: count,
    dropped: count,
    /** Accepted and waiting for the next batched write. */
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
