import type { FastifyInstance } from 'fastify';
import { FleetError } from '../../../protocol/errors.ts';
import { DATA_STREAMS, type DataStream } from '../../../protocol/topics.ts';
import { type HttpDeps, thingParams, visibleThing } from '../route-support.ts';

const metricName = { type: 'string', maxLength: 64, pattern: '^[a-zA-Z][a-zA-Z0-9_.]*$' } as const;
const time = { type: 'integer', minimum: 0 } as const;

function range(query: { from?: number; to?: number }, defaultSpanMs: number): { from: number; to: number } {
  const to = query.to ?? Date.now();
  const from = query.from ?? to - defaultSpanMs;
  if (from > to) throw new FleetError('TELEMETRY_QUERY_INVALID', '`from` is after `to`');
  return { from, to };
}

export function telemetryRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { telemetry } = deps;

  app.get<{
    Params: { thingName: string };
    Querystring: { stream?: DataStream; metric?: string; from?: number; to?: number; limit: number };
  }>(
    '/api/devices/:thingName/telemetry',
    {
      config: { permission: 'devices:read' },
      schema: {
        tags: ['telemetry'],
        summary: 'Telemetry messages of a device (default: the last hour)',
        params: thingParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            stream: { type: 'string', enum: [...DATA_STREAMS] },
            metric: metricName,
            from: time,
            to: time,
            limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 },
          },
        },
      },
    },
    async (req) => {
      const thing = visibleThing(req, deps, req.params.thingName);
      return telemetry.history({
        thingName: thing.thingName,
        stream: req.query.stream,
        metric: req.query.metric,
        ...range(req.query, 3_600_000),
        limit: req.query.limit,
      });
    },
  );

  app.get<{
    Params: { thingName: string };
    Querystring: { metric: string; from?: number; to?: number; buckets: number };
  }>(
    '/api/devices/:thingName/series',
    {
      config: { permission: 'devices:read' },
      schema: {
        tags: ['telemetry'],
        summary: 'A numeric metric over time in buckets: [ts, avg, min, max] (for charts)',
        params: thingParams,
        querystring: {
          type: 'object',
          required: ['metric'],
          additionalProperties: false,
          properties: {
            metric: metricName,
            from: time,
            to: time,
            buckets: { type: 'integer', minimum: 1, maximum: 2000, default: 120 },
          },
        },
      },
    },
    async (req) => {
      const thing = visibleThing(req, deps, req.params.thingName);
      const { from, to } = range(req.query, 3_600_000);
      const bucketMs = Math.max(1000, Math.ceil((to - from + 1) / req.query.buckets));
      const points = telemetry.series({ thingName: thing.thingName, metric: req.query.metric, from, to, bucketMs });
      return { metric: req.query.metric, from, to, bucketMs, points };
    },
  );

  app.get<{ Params: { thingName: string }; Querystring: { limit: number } }>(
    '/api/devices/:thingName/events',
    {
      config: { permission: 'devices:read' },
      schema: {
        tags: ['telemetry'],
        summary: "A device's recent events (sessions, faults, presence), newest first",
        params: thingParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
        },
      },
    },
    async (req) => {
      const thing = visibleThing(req, deps, req.params.thingName);
      return telemetry
        .history({ thingName: thing.thingName, stream: 'events', from: 0, to: Date.now(), limit: req.query.limit })
        .reverse();
    },
  );
}
