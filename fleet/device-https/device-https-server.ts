import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../../platform/log.ts';
import { ErrorCodes, FleetError, isFleetError } from '../../protocol/errors.ts';
import type { ThingIdentification } from '../identity/device-authenticator.ts';
import { certificateIdFromFingerprint } from '../pki/certificate-authority.ts';

export interface DeviceHttpsOptions {
  host: string;
  port: number;
  tls: { caPem: string; certPem: string; keyPem: string };
}

/** A request from an identified device, as a route sees it. */
export interface DeviceRequest {
  thingName: string;
  certificateId: string;
  method: 'GET' | 'HEAD';
  path: string;
  /** The groups the route's pattern captured. */
  params: string[];
  headers: IncomingHttpHeaders;
}

/** Answers a request; throws a FleetError for a coded refusal (answered as JSON `{code, message}`). */
export type DeviceRouteHandler = (request: DeviceRequest, response: ServerResponse) => Promise<void> | void;

/** A POST from an identified device: its body is the request stream, for the route to read within its own limit. */
export interface DevicePostRequest extends Omit<DeviceRequest, 'method'> {
  method: 'POST';
  body: IncomingMessage;
}

export type DevicePostHandler = (request: DevicePostRequest, response: ServerResponse) => Promise<void> | void;

/**
 * The fleet's HTTPS listener for devices (issue 9: broadcast content; OTA releases later): mTLS with the fleet CA
 * exactly as the MQTT listener (a certificate not signed by it never gets past the handshake), then, on every
 * request, the same certificate checks as an MQTT CONNECT (registered, ACTIVE; `DeviceAuthenticator.identifyThing`),
 * so a certificate revoked a second ago is refused on a keep-alive connection opened before. Routes plug in with
 * `route()` (GET and HEAD, whole or by byte range: range-response.ts) and `postRoute()` (a device's upload).
 */
export class DeviceHttpsServer {
  private server: Server | undefined;
  private readonly routes: { pattern: RegExp; handler: DeviceRouteHandler }[] = [];
  private readonly postRoutes: { pattern: RegExp; handler: DevicePostHandler }[] = [];

  constructor(
    private readonly options: DeviceHttpsOptions,
    private readonly identify: (certificateId: string) => ThingIdentification,
    private readonly log: Logger,
  ) {}

  /** Adds a route: `pattern` is matched against the whole path (no query string). */
  route(pattern: RegExp, handler: DeviceRouteHandler): void {
    this.routes.push({ pattern, handler });
  }

  /** Adds a POST route (a device sending something up: a contributed photo, issue 11). */
  postRoute(pattern: RegExp, handler: DevicePostHandler): void {
    this.postRoutes.push({ pattern, handler });
  }

  async start(): Promise<void> {
    const server = createServer(
      {
        ca: this.options.tls.caPem,
        cert: this.options.tls.certPem,
        key: this.options.tls.keyPem,
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
        handshakeTimeout: 10_000,
      },
      (request, response) => {
        void this.handle(request, response);
      },
    );
    server.on('tlsClientError', (err, socket) => {
      this.log.info({ err: err.message, remote: socket.remoteAddress }, 'device HTTPS: TLS handshake refused');
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Downloads in progress end now: a device resumes them with a Range request.
    server.closeAllConnections();
    await closed;
  }

  get port(): number {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : 0;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    try {
      const fingerprint = (request.socket as TLSSocket).getPeerCertificate()?.fingerprint256;
      if (!fingerprint) throw new FleetError('NOT_AUTHENTICATED', 'no client certificate');
      const identity = this.identify(certificateIdFromFingerprint(fingerprint));
      if (!identity.ok) throw new FleetError(identity.code, identity.reason);
      const method = request.method;
      if (method === 'POST') {
        // Path segments are percent-encoded by the device (a recognition id's `:`); routes match the decoded path.
        let decoded: string;
        try {
          decoded = decodeURIComponent(path);
        } catch {
          throw new FleetError('BAD_REQUEST', 'the path is not valid percent-encoding');
        }
        for (const { pattern, handler } of this.postRoutes) {
          const match = pattern.exec(decoded);
          if (!match) continue;
          const { thingName, certificateId } = identity;
          const params = match.slice(1);
          await handler(
            { thingName, certificateId, method, path, params, headers: request.headers, body: request },
            response,
          );
          return;
        }
        throw new FleetError('NOT_FOUND', `no route for POST ${path}`);
      }
      if (method !== 'GET' && method !== 'HEAD') throw new FleetError('BAD_REQUEST', `${method} is not served here`);
      for (const { pattern, handler } of this.routes) {
        const match = pattern.exec(path);
        if (!match) continue;
        await handler(
          {
            thingName: identity.thingName,
            certificateId: identity.certificateId,
            method,
            path,
            params: match.slice(1),
            headers: request.headers,
          },
          response,
        );
        return;
      }
      throw new FleetError('NOT_FOUND', `no route for ${path}`);
    } catch (err) {
      this.refuse(response, path, err);
    }
  }

  private refuse(response: ServerResponse, path: string, err: unknown): void {
    const error = isFleetError(err) ? err : new FleetError('INTERNAL', 'internal error');
    if (!isFleetError(err)) this.log.error({ err, path }, 'device HTTPS request failed');
    else this.log.info({ code: error.code, path }, `device HTTPS request refused: ${error.message}`);
    if (response.headersSent) {
      // A failure in the middle of a body: the device sees a short download and resumes it with a Range request.
      response.destroy();
      return;
    }
    response.statusCode = ErrorCodes[error.code];
    if (error.code === 'RANGE_NOT_SATISFIABLE') {
      const size = (error.details as { size?: number } | undefined)?.size;
      if (size !== undefined) response.setHeader('Content-Range', `bytes */${size}`);
    }
    response.setHeader('Content-Type', 'application/json');
    response.end(JSON.stringify({ code: error.code, message: error.message }));
  }
}
