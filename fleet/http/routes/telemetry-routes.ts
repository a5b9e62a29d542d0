import { ThingParams } from '../../../protocol/api/parameters.ts';
import {
  EventsQuery,
  SeriesQuery,
  SeriesSchema,
  TelemetryPointsSchema,
  TelemetryQuery,
} from '../../../protocol/api/telemetry.ts';
import { FleetError } from '../../../protocol/errors.ts';
import { type HttpDeps, visibleThing } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

function range(
  query: { from?: number; to?: number },
  defaultSpanMs: number,
  now: number,
): { from: number; to: number } {
  const to = query.to ?? now;
  const from = query.from ?? to - defaultSpanMs;
  if (from > to) throw new FleetError('TELEMETRY_QUERY_INVALID', '`from` is after `to`');
  return { from, to };
}

export function telemetryRoutes(app: ApiApp, deps: HttpDeps): void {
  const { telemetry } = deps;

  app.get(
    '/api/devices/:thingName/telemetry',
    {
      config: { permission: 'devices:read' },
      schema: {
        tags: ['telemetry'],
        summary: 'Telemetry messages of a device, oldest first (default: the last hour)',
        params: ThingParams,
        querystring: TelemetryQuery,
        response: { 200: TelemetryPointsSchema },
      },
    },
    async (req) => {
      const thing = visibleThing(req, deps, req.params.thingName);
      return telemetry.history({
        thingName: thing.thingName,
        stream: req.query.stream,
        metric: req.query.metric,
        ...range(req.query, 3_600_000, deps.clock.now()),
        limit: req.query.limit,
      });
    },
  );

  app.get(
    '/api/devices/:thingName/series',
    {
      config: { permission: 'devices:read' },
      schema: {
        tags: ['telemetry'],
        summary: 'A numeric metric over time in buckets: [ts, avg, min, max] (for charts)',
        params: ThingParams,
        querystring: SeriesQuery,
        response: { 200: SeriesSchema },
      },
    },
    async (req) => {
      const thing = visibleThing(req, deps, req.params.thingName);
      const { from, to } = range(req.query, 3_600_000, deps.clock.now());
      const bucketMs = Math.max(1000, Math.ceil((to - from + 1) / req.query.buckets));
      const points = telemetry.series({ thingName: thing.thingName, metric: req.query.metric, from, to, bucketMs });
      return { metric: req.query.metric, from, to, bucketMs, points };
    },
  );

  app.get(
    '/api/devices/:thingName/events',
    {
      config: { permission: 'devices:read' },
      schema: {
        tags: ['telemetry'],
        summary: "A device's recent events (sessions, faults, presence), newest first",
        params: ThingParams,
        querystring: EventsQuery,
        response: { 200: TelemetryPointsSchema },
      },
    },
    async (req) => {
      const thing = visibleThing(req, deps, req.params.thingName);
      return telemetry
        .history({
          thingName: thing.thingName,
          stream: 'events',
          from: 0,
          to: deps.clock.now(),
          limit: req.query.limit,
        })
        .reverse();
    },
  );
}
