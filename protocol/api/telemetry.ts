import { METRIC_NAME_PATTERN } from '../telemetry.ts';
import { DATA_STREAMS } from '../topics.ts';
import { metrics } from './devices.ts';
import { epochMs, type FromSchema, integer, object, oneOfValues } from './json-schema.ts';

const metricName = { type: 'string', maxLength: 64, pattern: METRIC_NAME_PATTERN } as const;
const time = integer({ minimum: 0, description: 'milliseconds since the epoch' });

/** `GET /api/devices/:thingName/telemetry` (default: the last hour; `limit` keeps the newest). */
export const TelemetryQuery = object(
  {
    stream: oneOfValues(DATA_STREAMS),
    /** Only messages carrying this metric, and only it. */
    metric: metricName,
    from: time,
    to: time,
    limit: integer({ minimum: 1, maximum: 10_000, default: 1000 }),
  },
  { optional: ['stream', 'metric', 'from', 'to', 'limit'] },
);
export type TelemetryQuery = FromSchema<typeof TelemetryQuery, 'checked'>;

/** One stored `dt/...` message. */
export const TelemetryPointSchema = object({
  /** When the device measured it. */
  ts: epochMs,
  msgId: { type: 'string' },
  metrics,
});
export type TelemetryPoint = FromSchema<typeof TelemetryPointSchema>;

export const TelemetryPointsSchema = { type: 'array', items: TelemetryPointSchema } as const;

/** `GET /api/devices/:thingName/series` */
export const SeriesQuery = object(
  {
    metric: metricName,
    from: time,
    to: time,
    buckets: integer({ minimum: 1, maximum: 2000, default: 120 }),
  },
  { optional: ['from', 'to', 'buckets'] },
);
export type SeriesQuery = FromSchema<typeof SeriesQuery, 'checked'>;

const seriesPoint = {
  type: 'array',
  items: [epochMs, { type: 'number' }, { type: 'number' }, { type: 'number' }],
  minItems: 4,
  maxItems: 4,
  additionalItems: false,
  description: '[bucket start, average, minimum, maximum]',
} as const;

/** A numeric metric over time in buckets (for charts); only buckets with data are listed. */
export const SeriesSchema = object({
  metric: { type: 'string' },
  from: epochMs,
  to: epochMs,
  bucketMs: integer({ minimum: 1 }),
  points: { type: 'array', items: seriesPoint },
});
export type Series = FromSchema<typeof SeriesSchema>;
export type SeriesPoint = Series['points'][number];

/** `GET /api/devices/:thingName/events` */
export const EventsQuery = object(
  { limit: integer({ minimum: 1, maximum: 500, default: 50 }) },
  { optional: ['limit'] },
);
export type EventsQuery = FromSchema<typeof EventsQuery, 'checked'>;
