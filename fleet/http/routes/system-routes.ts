import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../route-support.ts';

export function systemRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { broker, telemetry, presence, metrics } = deps;

  app.get(
    '/healthz',
    { config: { public: true }, schema: { tags: ['system'], summary: 'Liveness: the process serves HTTP' } },
    async () => ({ status: 'ok', connectedDevices: broker.connectedClientIds().length }),
  );

  // Prometheus scrapes with an hq-admin's API token as a bearer token (`authorization` in its scrape config).
  app.get(
    '/metrics',
    {
      config: { permission: 'metrics:read' },
      schema: { tags: ['system'], summary: 'Prometheus metrics (text exposition format)' },
    },
    async (_req, reply) => {
      reply.header('content-type', metrics.contentType);
      return metrics.render();
    },
  );

  app.get(
    '/api/stats',
    { config: { permission: 'metrics:read' }, schema: { tags: ['system'], summary: 'Ingest counters' } },
    async () => ({
      telemetry: telemetry.stats(),
      connectedDevices: broker.connectedClientIds().length,
      presence: presence.list().length,
    }),
  );
}
