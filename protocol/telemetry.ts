import { z } from 'zod';

/** Largest `dt/...` payload the fleet accepts; larger ones are dropped with a logged reason. */
export const MAX_DATA_PAYLOAD_BYTES = 16 * 1024;
/** Most metrics in one message. */
export const MAX_METRICS_PER_MESSAGE = 64;

const metricName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-zA-Z][a-zA-Z0-9_.]*$/, 'metric names are letters, digits, "_" and "."');
const metricValue = z.union([z.number().finite(), z.string().max(256), z.boolean(), z.null()]);

/**
 * One message on `dt/cartfleet/{thing}/{telemetry|health|events|status}`.
 * `msgId` is unique per device: the fleet stores a message once however often the device's outbox sends it.
 */
export const DataMessageSchema = z.strictObject({
  msgId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-zA-Z0-9:_.-]+$/),
  /** Milliseconds since the epoch, when the device measured it. */
  ts: z.number().int().positive(),
  metrics: z
    .record(metricName, metricValue)
    .refine((m) => Object.keys(m).length <= MAX_METRICS_PER_MESSAGE, `at most ${MAX_METRICS_PER_MESSAGE} metrics`),
});

export type DataMessage = z.infer<typeof DataMessageSchema>;
export type MetricValue = z.infer<typeof metricValue>;
