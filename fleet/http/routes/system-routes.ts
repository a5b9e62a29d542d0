import { HealthSchema, MetricsResponse, StatsSchema } from '../../../protocol/api/system.ts';
import type { HttpDeps } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

export function systemRoutes(app: ApiApp, deps: HttpDeps): void {
  const { broker, telemetry, presence, metrics } = deps;

  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: { tags: ['system'], summary: 'Liveness: the process serves HTTP', response: { 200: HealthSchema } },
    },
    async () => ({ status: 'ok' as const, connectedDevices: broker.connectedClientIds().length }),
  );

  // Prometheus scrapes with an hq-admin's API token as a bearer token (`authorization` in its scrape config).
  app.get(
    '/metrics',
    {
      config: { permission: 'metrics:read' },
      schema: {
        tags: ['system'],
        summary: 'Prometheus metrics (text exposition format)',
        response: { 200: MetricsResponse },
      },
    },
    async (_req, reply) => {
      reply.header('content-type', metrics.contentType);
      return metrics.render();
    },
  );

  app.get(
    '/api/stats',
    {
      config: { permission: 'metrics:read' },
      schema: { tags: ['system'], summary: 'Ingest counters', response: { 200: StatsSchema } },
    },
    async () => ({
      telemetry: telemetry.stats(),
      connectedDevices: broker.connectedClientIds().length,
      presence: presence.list().length,
    }),
  );
}
