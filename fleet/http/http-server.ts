import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../../platform/log.ts';
import { FleetError } from '../../protocol/errors.ts';
import { DATA_STREAMS, type DataStream } from '../../protocol/topics.ts';
import type { DeviceBroker } from '../broker/device-broker.ts';
import type { FleetMetrics } from '../metrics/fleet-metrics.ts';
import type { PresenceService } from '../presence/presence-service.ts';
import type { DeviceRegistry } from '../registry/device-registry.ts';
import type { Thing } from '../registry/registry-types.ts';
import type { StoreRepository } from '../registry/store-repository.ts';
import { computeDelta } from '../shadow/shadow-document.ts';
import type { ShadowService } from '../shadow/shadow-service.ts';
import type { TelemetryIngest } from '../telemetry/telemetry-ingest.ts';
import type { OperatorToken } from './operator-token.ts';

export interface HttpDeps {
  registry: DeviceRegistry;
  stores: StoreRepository;
  presence: PresenceService;
  telemetry: TelemetryIngest;
  shadows: ShadowService;
  broker: DeviceBroker;
  token: OperatorToken;
  metrics: FleetMetrics;
}

/**
 * The fleet's HTTP endpoint. For now: the device overview the console will grow from (devices with presence,
 * latest telemetry and shadow), telemetry history, stores, and health. Every route but /healthz needs the operator
 * token as `Authorization: Bearer <token>`.
 */
export class HttpServer {
  private app: FastifyInstance | undefined;

  constructor(
    private readonly options: { host: string; port: number },
    private readonly deps: HttpDeps,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    // Fastify's own request logging stays off: errors are logged by the error handler below.
    const app = Fastify({ logger: false }) as unknown as FastifyInstance;
    app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, _req, reply) => {
      if (err instanceof FleetError) return reply.status(err.status).send(err.toJSON());
      if (err.validation) return reply.status(400).send({ code: 'BAD_REQUEST', message: err.message });
      this.log.error({ err }, 'http request failed');
      return reply.status(err.statusCode ?? 500).send({ code: 'INTERNAL', message: 'internal error' });
    });
    app.setNotFoundHandler((req, reply) =>
      reply.status(404).send({ code: 'NOT_FOUND', message: `no route ${req.method} ${req.url}` }),
    );
    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.routeOptions.url === '/healthz') return;
      const header = req.headers.authorization;
      const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
      if (!this.deps.token.matches(token)) {
        return reply
          .status(401)
          .send({ code: 'NOT_AUTHENTICATED', message: 'send the operator token as a Bearer token' });
      }
    });
    app.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url ?? 'unmatched';
      this.deps.metrics.observeHttp(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
    });
    this.routes(app);
    await app.listen({ host: this.options.host, port: this.options.port });
    this.app = app;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }

  get port(): number {
    const address = this.app?.server.address();
    return address && typeof address === 'object' ? address.port : 0;
  }

  /** For in-process tests (Fastify's inject). */
  get instance(): FastifyInstance | undefined {
    return this.app;
  }

  private routes(app: FastifyInstance): void {
    const { registry, stores, presence, telemetry, broker } = this.deps;

    app.get('/healthz', async () => ({ status: 'ok', connectedDevices: broker.connectedClientIds().length }));

    app.get('/api/stores', async () =>
      stores.listStores().map((store) => ({ ...store, zones: stores.listZones(store.id) })),
    );

    app.get<{ Querystring: { kind?: 'cart' | 'speaker'; storeId?: string } }>(
      '/api/devices',
      {
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              kind: { type: 'string', enum: ['cart', 'speaker'] },
              storeId: { type: 'string', maxLength: 64 },
            },
          },
        },
      },
      async (req) => registry.listThings(req.query).map((thing) => this.describe(thing, false)),
    );

    app.get<{ Params: { thingName: string } }>('/api/devices/:thingName', async (req) => {
      const thing = registry.getThing(req.params.thingName);
      if (!thing) throw new FleetError('THING_NOT_FOUND', `no device '${req.params.thingName}'`);
      return this.describe(thing, true);
    });

    app.get<{
      Params: { thingName: string };
      Querystring: { stream?: DataStream; metric?: string; from?: number; to?: number; limit?: number };
    }>(
      '/api/devices/:thingName/telemetry',
      {
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              stream: { type: 'string', enum: [...DATA_STREAMS] },
              metric: { type: 'string', maxLength: 64, pattern: '^[a-zA-Z][a-zA-Z0-9_.]*$' },
              from: { type: 'integer', minimum: 0 },
              to: { type: 'integer', minimum: 0 },
              limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 },
            },
          },
        },
      },
      async (req) => {
        if (!registry.getThing(req.params.thingName)) {
          throw new FleetError('THING_NOT_FOUND', `no device '${req.params.thingName}'`);
        }
        const to = req.query.to ?? Date.now();
        const from = req.query.from ?? to - 3_600_000;
        if (from > to) throw new FleetError('TELEMETRY_QUERY_INVALID', '`from` is after `to`');
        return telemetry.history({
          thingName: req.params.thingName,
          stream: req.query.stream,
          metric: req.query.metric,
          from,
          to,
          limit: req.query.limit ?? 1000,
        });
      },
    );

    // Prometheus scrapes with the operator token as a bearer token (`authorization` in its scrape config).
    app.get('/metrics', async (_req, reply) => {
      reply.header('content-type', this.deps.metrics.contentType);
      return this.deps.metrics.render();
    });

    app.get('/api/stats', async () => ({
      telemetry: telemetry.stats(),
      connectedDevices: broker.connectedClientIds().length,
      presence: presence.list().length,
    }));
  }

  private describe(thing: Thing, detailed: boolean): object {
    const { presence, telemetry, shadows, registry } = this.deps;
    const record = presence.get(thing.thingName);
    const classic = shadows.find(thing.thingName);
    const base = {
      ...thing,
      presence: record
        ? {
            state: record.state,
            connectedAt: record.connectedAt,
            disconnectedAt: record.disconnectedAt,
            disconnectReason: record.disconnectReason,
          }
        : { state: 'never-connected' },
      latest: telemetry.latestOf(thing.thingName),
      shadow: classic
        ? {
            ...classic.state,
            delta: computeDelta(classic.state.desired, classic.state.reported),
            version: classic.version,
          }
        : null,
    };
    if (!detailed) return base;
    const named = Object.fromEntries(
      shadows
        .namesOf(thing.thingName)
        .filter((n): n is string => n !== undefined)
        .map((name) => {
          const s = shadows.find(thing.thingName, name);
          return [name, s ? { ...s.state, version: s.version } : null];
        }),
    );
    return {
      ...base,
      namedShadows: named,
      certificates: registry.certificatesOf(thing.thingName).map(({ certificatePem: _pem, ...rest }) => rest),
    };
  }
}
