import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { Clock, TimerHandle } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import type { LiveEventName, LiveEvents } from '../../protocol/api/live-events.ts';
import { SCREEN_WATCH_EVENTS, type ScreenWatchReply } from '../../protocol/commerce/screen-mirror.ts';
import type { JsonObject } from '../../protocol/shadow.ts';
import type { AccessService } from '../access/access-service.ts';
import { digest } from '../access/credential-repository.ts';
import { can, inScope, type Principal } from '../access/principal.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { DeviceView } from '../http/device-view.ts';
import { SESSION_COOKIE } from '../http/route-support.ts';
import type { DeviceRegistry } from '../registry/device-registry.ts';
import { computeDelta } from '../shadow/shadow-document.ts';

type Credential = { kind: 'token' | 'session'; secret: string };
interface SocketData {
  principal: Principal;
  credential: Credential;
  /** The digest of the session secret (cookie sockets), matched against `session.ended`; null for token sockets. */
  sessionDigest: string | null;
}

const CHAIN_ROOM = 'chain';
const storeRoom = (storeId: string) => `store:${storeId}`;
const userRoom = (userId: string) => `user:${userId}`;
/** Sockets that may read rollouts (`rollouts:read`), chain-wide or per store: rollout events go only to them. */
const ROLLOUTS_CHAIN_ROOM = 'rollouts:chain';
const rolloutsStoreRoom = (storeId: string) => `rollouts:store:${storeId}`;
/** The sockets watching one cart's screen (`screen-watch`); kept across re-scoping, checked on every send. */
const screenRoom = (thingName: string) => `screen:${thingName}`;
/** Expired sessions and tokens stop receiving within this long even when nothing announces it. */
const REVALIDATE_MS = 60_000;

/**
 * Live updates over socket.io on the HTTP server: presence, telemetry, shadow changes, alerts, command results and
 * device changes, each sent only to the sockets whose scope covers the device's store. A socket joins one room per
 * store in its scope (or the chain room); an event goes to its store's room and the chain room, so socket.io does
 * the filtering once per event, not once per client. Credentials are re-checked when the user changes and every
 * minute, so a disabled user or an expired session stops receiving at once or within a minute; a session ended on
 * purpose (logout, password change or reset) closes exactly the sockets opened with it at once (`session.ended`).
 */
export class LiveGateway {
  private io: Server | undefined;
  private offs: (() => void)[] = [];
  private revalidateTimer: TimerHandle | undefined;
  /** thing → store, so an event costs no database read. Refreshed when a thing changes. */
  private readonly storeOf = new Map<string, string | null>();

  constructor(
    private readonly bus: EventBus<FleetEvents>,
    private readonly access: AccessService,
    private readonly registry: DeviceRegistry,
    private readonly devices: DeviceView,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  start(httpServer: HttpServer, parseCookie: (header: string) => Record<string, string | undefined>): void {
    const io = new Server<never, never, never, SocketData>(httpServer, {
      path: '/socket.io',
      serveClient: false,
      // The console and the API share an origin; no cross-origin socket is ever needed.
      cors: { origin: false },
    });
    io.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      let credential: Credential | undefined;
      if (typeof token === 'string') {
        credential = { kind: 'token', secret: token };
      } else {
        // A cookie is sent by the browser to any page that opens a socket here: refuse foreign origins.
        const origin = socket.handshake.headers.origin;
        // `Origin: null` (sandboxed frames, file: pages) is no URL: new URL() threw here and left the handshake hanging.
        if (origin && URL.parse(origin)?.host !== socket.handshake.headers.host) {
          return next(new Error('ORIGIN_REFUSED'));
        }
        const secret = parseCookie(socket.handshake.headers.cookie ?? '')[SESSION_COOKIE];
        if (secret) credential = { kind: 'session', secret };
      }
      const principal = credential && this.principalOf(credential);
      if (!credential || !principal) return next(new Error('NOT_AUTHENTICATED'));
      if (principal.mustChangePassword) return next(new Error('PASSWORD_CHANGE_REQUIRED'));
      socket.data.principal = principal;
      socket.data.credential = credential;
      socket.data.sessionDigest = credential.kind === 'session' ? digest(credential.secret) : null;
      next();
    });
    io.on('connection', (socket) => {
      this.join(socket, socket.data.principal);
      socket.on(SCREEN_WATCH_EVENTS.watch, (thingName: unknown, ack?: unknown) => {
        const answer = this.watchScreen(socket as unknown as Socket, thingName);
        if (typeof ack === 'function') ack(answer);
      });
      socket.on(SCREEN_WATCH_EVENTS.unwatch, (thingName: unknown, ack?: unknown) => {
        if (typeof thingName === 'string') void socket.leave(screenRoom(thingName));
        if (typeof ack === 'function') ack({ ok: true });
      });
    });
    this.io = io as unknown as Server;

    const { bus } = this;
    this.offs.push(
      bus.on('presence.changed', (e) =>
        this.emit(e.clientId, 'presence', {
          thingName: e.clientId,
          storeId: this.store(e.clientId),
          state: e.state,
          at: e.at,
          reason: e.reason,
        }),
      ),
      bus.on('telemetry.received', (e) =>
        this.emit(e.thingName, 'telemetry', {
          thingName: e.thingName,
          storeId: this.store(e.thingName),
          stream: e.stream,
          ts: e.ts,
          metrics: e.metrics,
        }),
      ),
      bus.on('shadow.updated', (e) => {
        const current = (e.documents as { current?: { state?: { desired?: JsonObject; reported?: JsonObject } } })
          .current?.state;
        const desired = current?.desired ?? null;
        const reported = current?.reported ?? null;
        this.emit(e.thingName, 'shadow', {
          thingName: e.thingName,
          storeId: this.store(e.thingName),
          shadowName: e.shadowName ?? null,
          version: e.version,
          state: { desired, reported, delta: computeDelta(desired ?? undefined, reported ?? undefined) ?? null },
        });
      }),
      bus.on('thing.registered', (e) => this.deviceChanged(e.thingName)),
      bus.on('thing.changed', (e) => this.deviceChanged(e.thingName)),
      bus.on('user.changed', (e) => void this.revalidate(e.userId)),
      bus.on('session.ended', (e) => this.endSession(e.userId, e.sessionDigest)),
      bus.on('alert.changed', (e) => this.emitToStore(e.alert.storeId, 'alert', e.alert)),
      bus.on('command.updated', (e) => this.emit(e.command.thingName, 'command', e.command)),
      bus.on('thing.provisioned', (e) => this.deviceChanged(e.thingName)),
      bus.on('thing.approved', (e) => this.deviceChanged(e.thingName)),
      bus.on('order.changed', (e) => this.emitToStore(e.order.storeId, 'order', e.order)),
      bus.on('attendant.changed', (e) => this.emitToStore(e.request.storeId, 'attendant-request', e.request)),
      bus.on('cart.screen', (e) => this.emitScreen(e)),
      bus.on('rollout.changed', (e) => this.emitRollout(e.rollout)),
      bus.on('rollout.device', (e) => this.emitRolloutDevice(e)),
      bus.on('vision.changed', (e) => this.emitVision(e)),
    );
    this.revalidateTimer = this.clock.setInterval(() => void this.revalidate(), REVALIDATE_MS);
  }

  async stop(): Promise<void> {
    for (const off of this.offs) off();
    this.offs = [];
    this.clock.clearInterval(this.revalidateTimer);
    this.revalidateTimer = undefined;
    const io = this.io;
    this.io = undefined;
    if (!io) return;
    io.disconnectSockets(true);
    // io.close() would also close the HTTP server, which the HTTP layer owns; closing the engine is enough.
    io.engine.close();
  }

  /** Connected sockets (metrics, tests). */
  get connections(): number {
    return this.io?.engine.clientsCount ?? 0;
  }

  private principalOf(credential: Credential): Principal | undefined {
    return credential.kind === 'token'
      ? this.access.tokenPrincipal(credential.secret)
      : this.access.sessionPrincipal(credential.secret);
  }

  private join(socket: Socket, principal: Principal): void {
    // Screen watches stay: whether the socket still may see that screen is checked on every send. Rollout rooms are
    // left and joined again like the store rooms: a role or scope change re-scopes them.
    for (const room of socket.rooms) if (room !== socket.id && !room.startsWith('screen:')) void socket.leave(room);
    void socket.join(userRoom(principal.userId));
    if (principal.storeIds === null) void socket.join(CHAIN_ROOM);
    else for (const id of principal.storeIds) void socket.join(storeRoom(id));
    if (!can(principal, 'rollouts:read')) return;
    if (principal.storeIds === null) void socket.join(ROLLOUTS_CHAIN_ROOM);
    else for (const id of principal.storeIds) void socket.join(rolloutsStoreRoom(id));
  }

  /**
   * A rollout to each socket that may read it: chain-wide sockets see it whole; a store's see it with only their
   * stores listed, as the API answers them. Per socket, which is affordable because the engine sends a rollout at
   * most once a second.
   */
  private emitRollout(rollout: LiveEvents['rollout']): void {
    const io = this.io;
    if (!io) return;
    const ids = new Set<string>();
    for (const room of [ROLLOUTS_CHAIN_ROOM, ...rollout.storeIds.map(rolloutsStoreRoom)]) {
      for (const id of io.sockets.adapter.rooms.get(room) ?? []) ids.add(id);
    }
    for (const id of ids) {
      const socket = io.sockets.sockets.get(id);
      const scope = (socket?.data as SocketData | undefined)?.principal.storeIds;
      if (!socket || scope === undefined) continue;
      socket.emit(
        'rollout',
        scope === null ? rollout : { ...rollout, storeIds: rollout.storeIds.filter((s) => scope.has(s)) },
      );
    }
  }

  /** A store's recognition changed: to the sockets of that store (and chain-wide ones) that may read vision. */
  private emitVision(event: LiveEvents['vision']): void {
    const io = this.io;
    if (!io) return;
    for (const room of [CHAIN_ROOM, storeRoom(event.storeId)]) {
      for (const id of io.sockets.adapter.rooms.get(room) ?? []) {
        const socket = io.sockets.sockets.get(id);
        const principal = (socket?.data as SocketData | undefined)?.principal;
        if (socket && principal && can(principal, 'vision:read')) socket.emit('vision', event);
      }
    }
  }

  /** A rollout's device to the sockets that may read rollouts in its store (and chain-wide ones). */
  private emitRolloutDevice(event: LiveEvents['rollout-device']): void {
    if (!this.io) return;
    const rooms = [ROLLOUTS_CHAIN_ROOM];
    if (event.device.storeId) rooms.push(rolloutsStoreRoom(event.device.storeId));
    const members = this.io.sockets.adapter.rooms;
    if (!rooms.some((room) => (members.get(room)?.size ?? 0) > 0)) return;
    this.io.to(rooms).emit('rollout-device', event);
  }

  /** Re-checks credentials (of one user, or of everyone): re-scopes the live ones, disconnects the rest. */
  private async revalidate(userId?: string): Promise<void> {
    const io = this.io;
    if (!io) return;
    const sockets = userId ? await io.in(userRoom(userId)).fetchSockets() : await io.fetchSockets();
    for (const remote of sockets) {
      const socket = io.sockets.sockets.get(remote.id);
      if (!socket) continue;
      const data = socket.data as SocketData;
      const principal = this.principalOf(data.credential);
      if (!principal || principal.mustChangePassword) {
        this.log.info({ userId: data.principal.userId }, 'live socket closed: its credentials are no longer valid');
        socket.emit('session-ended' as never);
        socket.disconnect(true);
        continue;
      }
      data.principal = principal;
      this.join(socket, principal);
    }
  }

  /** Closes the sockets opened with one browser session (found among its user's); the user's others go on. */
  private endSession(userId: string, sessionDigest: string): void {
    const io = this.io;
    if (!io) return;
    const ids = io.sockets.adapter.rooms.get(userRoom(userId));
    if (!ids) return;
    for (const id of [...ids]) {
      const socket = io.sockets.sockets.get(id);
      if (!socket || (socket.data as SocketData).sessionDigest !== sessionDigest) continue;
      this.log.info({ userId }, 'live socket closed: its session ended');
      socket.emit('session-ended' as never);
      socket.disconnect(true);
    }
  }

  /** A console asks for a cart's screen: only with `carts:screen` and the cart's store in its scope. */
  private watchScreen(socket: Socket, thingName: unknown): ScreenWatchReply {
    const principal = (socket.data as SocketData).principal;
    if (!can(principal, 'carts:screen')) {
      return { ok: false, code: 'NOT_AUTHORIZED', message: `your role (${principal.role}) may not watch cart screens` };
    }
    const thing = typeof thingName === 'string' ? this.registry.getThing(thingName) : undefined;
    // Outside the scope answers as an unknown cart does, as the HTTP routes do.
    if (thing?.kind !== 'cart' || !inScope(principal, thing.storeId)) {
      return { ok: false, code: 'THING_NOT_FOUND', message: `no cart '${String(thingName)}'` };
    }
    void socket.join(screenRoom(thing.thingName));
    return { ok: true };
  }

  /**
   * To each watcher that may still see it: a watcher's role or scope may have changed since it asked (re-scoped on
   * revalidation), and the cart may have moved store. A handful of watchers per cart, so one check each is cheap.
   */
  private emitScreen(event: LiveEvents['cart-screen']): void {
    const io = this.io;
    const ids = io?.sockets.adapter.rooms.get(screenRoom(event.thingName));
    if (!io || !ids?.size) return;
    for (const id of ids) {
      const socket = io.sockets.sockets.get(id);
      const principal = (socket?.data as SocketData | undefined)?.principal;
      if (!socket || !principal) continue;
      if (can(principal, 'carts:screen') && inScope(principal, event.storeId)) socket.emit('cart-screen', event);
      else void socket.leave(screenRoom(event.thingName));
    }
  }

  private store(thingName: string): string | null {
    let storeId = this.storeOf.get(thingName);
    if (storeId === undefined) {
      storeId = this.registry.getThing(thingName)?.storeId ?? null;
      this.storeOf.set(thingName, storeId);
    }
    return storeId;
  }

  private emit<E extends LiveEventName>(thingName: string, event: E, payload: LiveEvents[E]): void {
    this.emitToStore(this.store(thingName), event, payload);
  }

  private emitToStore<E extends LiveEventName>(
    storeId: string | null,
    event: E,
    payload: LiveEvents[E],
    alsoStoreId?: string | null,
  ): void {
    if (!this.io) return;
    const rooms = [CHAIN_ROOM];
    if (storeId) rooms.push(storeRoom(storeId));
    if (alsoStoreId && alsoStoreId !== storeId) rooms.push(storeRoom(alsoStoreId));
    // socket.io encodes a broadcast before looking for recipients: with nobody watching these stores (the usual
    // case for most telemetry), skip it rather than serialize every device message for no one.
    const members = this.io.sockets.adapter.rooms;
    if (!rooms.some((room) => (members.get(room)?.size ?? 0) > 0)) return;
    this.io.to(rooms).emit(event, payload);
  }

  private deviceChanged(thingName: string): void {
    const before = this.storeOf.get(thingName);
    this.storeOf.delete(thingName);
    const thing = this.registry.getThing(thingName);
    if (!thing) return;
    this.storeOf.set(thingName, thing.storeId);
    // A device moved out of a store is announced to its old store too, so their lists drop it.
    this.emitToStore(thing.storeId, 'device', this.devices.summaryOf(thing), before);
  }
}
