import { existsSync } from 'node:fs';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../../platform/log.ts';
import { isSqliteBusy } from '../../platform/sqlite.ts';
import { ErrorBodySchema } from '../../protocol/api/json-schema.ts';
import { FleetError } from '../../protocol/errors.ts';
import { can } from '../access/principal.ts';
import { tuplesForOpenApi30 } from './openapi-tuples.ts';
import { RequestValidators } from './request-validator.ts';
import { type HttpDeps, MEMBER_SESSION_COOKIE, SESSION_COOKIE } from './route-support.ts';
import { alertRoutes } from './routes/alert-routes.ts';
import { announcerRoutes } from './routes/announcer-routes.ts';
import { attendantRoutes } from './routes/attendant-routes.ts';
import { auditRoutes } from './routes/audit-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { broadcastInsertRoutes } from './routes/broadcast-insert-routes.ts';
import { broadcastPlayRoutes } from './routes/broadcast-play-routes.ts';
import { broadcastScheduleRoutes } from './routes/broadcast-schedule-routes.ts';
import { catalogRoutes } from './routes/catalog-routes.ts';
import { commandRoutes } from './routes/command-routes.ts';
import { contentRoutes } from './routes/content-routes.ts';
import { deviceRoutes } from './routes/device-routes.ts';
import { loyaltyRoutes } from './routes/loyalty-routes.ts';
import { memberAppRoutes } from './routes/member-app-routes.ts';
import { memberRoutes } from './routes/member-routes.ts';
import { orderRoutes } from './routes/order-routes.ts';
import { overviewRoutes } from './routes/overview-routes.ts';
import { paymentRoutes } from './routes/payment-routes.ts';
import { promotionRoutes } from './routes/promotion-routes.ts';
import { releaseRoutes } from './routes/release-routes.ts';
import { rolloutRoutes } from './routes/rollout-routes.ts';
import { salesRoutes } from './routes/sales-routes.ts';
import { screenRoutes } from './routes/screen-routes.ts';
import { storePriceRoutes } from './routes/store-price-routes.ts';
import { storeRoutes } from './routes/store-routes.ts';
import { systemRoutes } from './routes/system-routes.ts';
import { telemetryRoutes } from './routes/telemetry-routes.ts';
import { userRoutes } from './routes/user-routes.ts';
import { visionRoutes } from './routes/vision-routes.ts';
import type { ContractTypeProvider } from './schema-type-provider.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const CSRF_HEADER = 'x-cf-csrf';

/**
 * The fleet's HTTP endpoint: the operations API (schema-validated, OpenAPI at /api/openapi.json, interactive docs at
 * /api/docs), Prometheus metrics, and the web console's static files. socket.io shares its server (live/).
 * Every /api route but sign-in needs a session cookie (browser) or an API token (scripts); every route declares
 * the permission it needs, and the handlers scope what they return to the caller's stores.
 */
export class HttpServer {
  private app: FastifyInstance | undefined;
  /** The port listened on, read once: pay and receipt links ask for it on every order (a getsockname each). */
  private boundPort = 0;

  constructor(
    private readonly options: { host: string; port: number },
    private readonly deps: HttpDeps,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const app = await this.build();
    await app.listen({ host: this.options.host, port: this.options.port });
    this.app = app;
    const address = app.server.address();
    this.boundPort = address && typeof address === 'object' ? address.port : 0;
  }

  /** The configured Fastify instance, not listening (tests and benchmarks may inject into it). */
  async build(): Promise<FastifyInstance> {
    // Fastify's own request logging stays off: errors are logged by the error handler below.
    // Thing names are up to 128 characters; Fastify's default maxParamLength (100) answered longer ones "no route".
    const app = Fastify({
      logger: false,
      bodyLimit: 256 * 1024,
      trustProxy: false,
      routerOptions: { maxParamLength: 256 },
    }) as unknown as FastifyInstance;
    app.decorateRequest('principal', undefined);
    app.decorateRequest('member', undefined);
    app.addSchema(ErrorBodySchema);
    app.setErrorHandler((err: FastifyError, _req, reply) => this.handleError(err, reply));
    // Fastify's default Ajv strips properties a schema does not allow and coerces body types, so a misspelt field or
    // `"version": "2"` was silently accepted. Unknown properties are refused everywhere; only query strings and
    // params (text by nature) are converted, strictly (request-validator.ts).
    const validators = new RequestValidators();
    app.setValidatorCompiler(({ schema, httpPart }) => validators.compile(schema, httpPart));
    // Every documented route answers errors as `{ code, message, details? }`; declared once here for the OpenAPI
    // document (and the serializer), not in each route's schema, so a handler's own types stay its success answers.
    app.addHook('onRoute', (route) => {
      if (!route.schema || route.schema.hide) return;
      route.schema.response = {
        ...(route.schema.response as object | undefined),
        '4xx': { $ref: 'Error#' },
        '5xx': { $ref: 'Error#' },
      };
    });
    await app.register(fastifyCookie);
    await app.register(fastifySwagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'Cartfleet operations API',
          version: '1',
          description:
            'Smart carts and store speakers: devices, shadows, telemetry, commands, alerts, users, the audit log, ' +
            'the catalog and promotions. ' +
            'Sign in with POST /api/auth/login (browser cookie + x-cf-csrf header) or send an API token as a Bearer token.',
        },
        components: {
          securitySchemes: {
            apiToken: { type: 'http', scheme: 'bearer', description: 'an API token (cft_...)' },
            session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
            memberSession: {
              type: 'apiKey',
              in: 'cookie',
              name: MEMBER_SESSION_COOKIE,
              description: 'the member app only (/api/member-app): never accepted by the operations API',
            },
          },
        },
        security: [{ apiToken: [] }, { session: [] }],
      },
      hideUntagged: false,
      transformObject: (document) => tuplesForOpenApi30('openapiObject' in document ? document.openapiObject : {}),
    });
    await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list' } });
    app.addHook('onRequest', (req, reply) => this.authenticate(req, reply));
    app.addHook('onSend', async (req, reply, payload) => {
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      if (!req.url.startsWith('/api/docs')) {
        reply.header('x-frame-options', 'DENY');
        reply.header(
          'content-security-policy',
          "default-src 'self'; connect-src 'self'; img-src 'self' data:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        );
      }
      return payload;
    });
    app.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url ?? 'unmatched';
      this.deps.metrics.observeHttp(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
    });

    const deps = this.deps;
    const api = app.withTypeProvider<ContractTypeProvider>();
    for (const routes of [
      systemRoutes,
      authRoutes,
      overviewRoutes,
      storeRoutes,
      deviceRoutes,
      telemetryRoutes,
      commandRoutes,
      screenRoutes,
      alertRoutes,
      userRoutes,
      auditRoutes,
      catalogRoutes,
      storePriceRoutes,
      promotionRoutes,
      orderRoutes,
      paymentRoutes,
      attendantRoutes,
      memberRoutes,
      loyaltyRoutes,
      memberAppRoutes,
      salesRoutes,
      broadcastPlayRoutes,
      announcerRoutes,
      contentRoutes,
      broadcastInsertRoutes,
      broadcastScheduleRoutes,
      releaseRoutes,
      rolloutRoutes,
      visionRoutes,
    ]) {
      routes(api, deps);
    }
    app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
    await this.console(app);
    await app.ready();
    return app;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
    this.boundPort = 0;
  }

  get port(): number {
    return this.boundPort;
  }

  /** For in-process tests (Fastify's inject) and for attaching socket.io. */
  get instance(): FastifyInstance | undefined {
    return this.app;
  }

  private async authenticate(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    // Deny by default, decided on the matched route, never on the raw URL: the router decodes percent-escapes, so
    // `/%61pi/users` is the route `/api/users` although its URL does not start with `/api/`. Open are: routes
    // marked public, the docs UI, and the console's static files; a URL that matched no route reaches only the
    // not-found handler.
    const route = req.routeOptions.url;
    if (route === undefined || req.routeOptions.config?.public) return;
    // Member app routes know only the member's cookie; the staff credentials below are never looked at for them,
    // and the member's cookie is never looked at anywhere else.
    if (req.routeOptions.config?.member) return this.authenticateMember(req, reply);
    if (route.startsWith('/api/docs') || route === '/*' || route === '/') return;
    const header = req.headers.authorization;
    const { access } = this.deps;
    if (header?.startsWith('Bearer ')) {
      req.principal = access.tokenPrincipal(header.slice(7).trim());
    } else {
      const cookie = req.cookies[SESSION_COOKIE];
      req.principal = cookie ? access.sessionPrincipal(cookie) : undefined;
      if (req.principal && !SAFE_METHODS.has(req.method) && req.headers[CSRF_HEADER] !== req.principal.csrf) {
        return send(reply, new FleetError('CSRF_MISSING', `send the ${CSRF_HEADER} header from sign-in`));
      }
    }
    const principal = req.principal;
    if (!principal) return send(reply, new FleetError('NOT_AUTHENTICATED', 'sign in, or send an API token'));
    if (principal.mustChangePassword && !route.startsWith('/api/auth/')) {
      return send(reply, new FleetError('PASSWORD_CHANGE_REQUIRED', 'change your one-time password first'));
    }
    const permission = req.routeOptions.config?.permission;
    if (permission && !can(principal, permission)) {
      return send(reply, new FleetError('NOT_AUTHORIZED', `your role (${principal.role}) may not do this`));
    }
  }

  private authenticateMember(req: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
    const cookie = req.cookies[MEMBER_SESSION_COOKIE];
    const member = cookie ? this.deps.memberApp.access.sessionMember(cookie) : undefined;
    if (!member) return send(reply, new FleetError('NOT_AUTHENTICATED', 'sign in to the member app'));
    if (!SAFE_METHODS.has(req.method) && req.headers[CSRF_HEADER] !== member.csrf) {
      return send(reply, new FleetError('CSRF_MISSING', `send the ${CSRF_HEADER} header from sign-in`));
    }
    req.member = member;
    return undefined;
  }

  private handleError(err: FastifyError, reply: FastifyReply): FastifyReply {
    if (err instanceof FleetError) return reply.status(err.status).send(err.toJSON());
    if (isSqliteBusy(err)) {
      // A write met another process's lock (the connection's busy_timeout is short, see DatabaseWriter).
      return reply
        .status(503)
        .header('retry-after', '1')
        .send({ code: 'STORAGE_BUSY', message: 'the database is locked by another process; try again' });
    }
    if (err.validation) {
      return reply.status(400).send({
        code: 'BAD_REQUEST',
        message: err.message,
        details: err.validation.map((v) => ({
          in: err.validationContext,
          path: v.instancePath || '/',
          message: v.message,
          params: v.params,
        })),
      });
    }
    const status = err.statusCode ?? 500;
    if (status === 413) return reply.status(413).send({ code: 'PAYLOAD_TOO_LARGE', message: err.message });
    if (status >= 400 && status < 500) {
      return reply.status(status).send({ code: status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', message: err.message });
    }
    this.log.error({ err }, 'http request failed');
    return reply.status(500).send({ code: 'INTERNAL', message: 'internal error' });
  }

  /** The web console: static files, with the single-page app's routes answered by index.html. */
  private async console(app: FastifyInstance): Promise<void> {
    const root = this.deps.webRoot;
    const built = existsSync(`${root}/index.html`);
    if (built) await app.register(fastifyStatic, { root, prefix: '/', wildcard: true, index: ['index.html'] });
    app.setNotFoundHandler((req, reply) => {
      const wantsPage = req.method === 'GET' && !req.url.startsWith('/api/') && !req.url.startsWith('/socket.io');
      if (!wantsPage)
        return reply.status(404).send({ code: 'NOT_FOUND', message: `no route ${req.method} ${req.url}` });
      if (built) return reply.type('text/html').sendFile('index.html');
      return reply
        .status(503)
        .type('text/html')
        .send('<h1>The console is not built</h1><p>Run <code>npm run build:web</code>, then reload.</p>');
    });
  }
}

function send(reply: FastifyReply, err: FleetError): FastifyReply {
  return reply.status(err.status).send(err.toJSON());
}
