import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { Server } from 'socket.io';
import type { Logger } from '../../../platform/log.ts';
import { PROJECT_ROOT } from '../../../platform/project-root.ts';
import { SchemaValidator } from '../../../platform/schema-validator.ts';
import {
  CART_SCREEN_EVENTS,
  type CartScreenAction,
  CartScreenActionSchema,
  type CartScreenReply,
  type CartScreenState,
} from '../../../protocol/commerce/cart-screen.ts';
import { isFleetError } from '../../../protocol/errors.ts';

/**
 * What the screen shows and does, as the cart's commerce model offers it (devices/cart/commerce/cart-shop.ts).
 * `act` throws a FleetError for what the shopper may not do now (COUPON_EXPIRED, STAFF_CODE_INVALID...).
 */
export interface CartScreenModel {
  state(): CartScreenState;
  on(event: 'change', listener: () => void): void;
  off(event: 'change', listener: () => void): void;
  act(action: CartScreenAction): Promise<void>;
}

export interface CartScreenServerOptions {
  host: string;
  /** 0 takes a free port (tests); `port` tells which after start(). */
  port: number;
  log: Logger;
  /** The built web UI (`npm run build:web`): cart.html and assets/. */
  webRoot?: string;
}

const DEFAULT_WEB_ROOT = join(PROJECT_ROOT, 'web', 'dist');

/**
 * The cart screen's server, on the cart: serves the kiosk page (web/cart.html as built) and its assets, pushes the
 * `CartScreenState` over socket.io on connect and on every change, and takes the shopper's actions. An action is
 * checked against `CartScreenActionSchema` before the model sees it (a bad one is answered PAYLOAD_SCHEMA and does
 * nothing) and actions run one at a time in the order they arrived, so a quick series of taps (a points stepper)
 * ends where the last one says.
 */
export class CartScreenServer {
  private app: FastifyInstance | undefined;
  private io: Server | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly validator = new SchemaValidator<CartScreenAction>(CartScreenActionSchema);
  private readonly webRoot: string;
  private readonly onChange = () => this.push();

  constructor(
    private readonly model: CartScreenModel,
    private readonly options: CartScreenServerOptions,
  ) {
    this.webRoot = options.webRoot ?? DEFAULT_WEB_ROOT;
  }

  /** The port listened on (after start()). */
  get port(): number {
    const address = this.app?.server.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('CartScreenServer is not started');
    return address.port;
  }

  get url(): string {
    return `http://${this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host}:${this.port}`;
  }

  async start(): Promise<void> {
    const app = Fastify({ logger: false, bodyLimit: 16 * 1024, trustProxy: false });
    const built = existsSync(join(this.webRoot, 'cart.html'));
    if (built) {
      // Only the kiosk page and the bundles: the console's index.html in the same dist is not the cart's to serve.
      await app.register(fastifyStatic, { root: join(this.webRoot, 'assets'), prefix: '/assets/', index: false });
      app.get('/', (_req, reply) => reply.type('text/html').sendFile('cart.html', this.webRoot));
    } else {
      app.get('/', (_req, reply) =>
        reply
          .status(503)
          .type('text/html')
          .send('<h1>The cart screen is not built</h1><p>Run <code>npm run build:web</code>, then reload.</p>'),
      );
    }
    await app.ready();

    const io = new Server(app.server, {
      path: '/socket.io',
      serveClient: false,
      cors: { origin: false },
      // A page from another origin open in the kiosk browser (or a DNS-rebinding name for 127.0.0.1) must not drive
      // the cart: a browser's socket carries an Origin, which has to be this server itself.
      allowRequest: (req, callback) => {
        const origin = req.headers.origin;
        callback(null, !origin || URL.parse(origin)?.host === req.headers.host);
      },
    });
    io.on('connection', (socket) => {
      socket.emit(CART_SCREEN_EVENTS.state, this.model.state());
      socket.on(CART_SCREEN_EVENTS.action, (payload: unknown, ack?: unknown) => {
        const answer = typeof ack === 'function' ? (ack as (reply: CartScreenReply) => void) : () => {};
        this.queue = this.queue.then(() => this.handle(payload)).then(answer);
      });
    });
    this.model.on('change', this.onChange);
    this.app = app;
    this.io = io;
    try {
      await app.listen({ host: this.options.host, port: this.options.port });
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.options.log.info({ url: this.url }, 'cart screen served');
  }

  async stop(): Promise<void> {
    this.model.off('change', this.onChange);
    const { io, app } = this;
    this.io = undefined;
    this.app = undefined;
    if (io) {
      io.disconnectSockets(true);
      // io.close() would close the HTTP server too, which Fastify owns and closes below.
      io.engine.close();
    }
    await app?.close();
    await this.queue;
  }

  /** Connected screens (the kiosk, and a second one while debugging). */
  get connections(): number {
    return this.io?.engine.clientsCount ?? 0;
  }

  private push(): void {
    try {
      this.io?.emit(CART_SCREEN_EVENTS.state, this.model.state());
    } catch (err) {
      this.options.log.error({ err }, 'cart screen state could not be pushed');
    }
  }

  private async handle(payload: unknown): Promise<CartScreenReply> {
    const checked = this.validator.check(payload);
    if (!checked.ok) return { ok: false, code: 'PAYLOAD_SCHEMA', message: `not a screen action: ${checked.reason}` };
    try {
      await this.model.act(checked.value);
      return { ok: true };
    } catch (err) {
      if (isFleetError(err)) return { ok: false, code: err.code, message: err.message };
      this.options.log.error({ err, action: checked.value.type }, 'cart screen action failed');
      return { ok: false, code: 'INTERNAL', message: 'the cart could not do that' };
    }
  }
}
