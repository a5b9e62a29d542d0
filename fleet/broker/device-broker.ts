import { randomUUID } from 'node:crypto';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { Aedes, type AedesPublishPacket, type Client, type PublishPacket, type Subscription } from 'aedes';
import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import { isProvisioningRequestTopic, mqttTopicMatches, parseShadowTopic } from '../../protocol/topics.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { AuthenticationResult, ConnectAttempt } from '../identity/device-authenticator.ts';
import { certificateIdFromFingerprint } from '../pki/certificate-authority.ts';
import type { ConnectionAuthorizer } from '../policy/policy-evaluator.ts';

export interface DeviceBrokerOptions {
  host: string;
  tlsPort: number;
  plainPort: number | null;
  plainHost: string;
  maxPayloadBytes: number;
  tls: { caPem: string; certPem: string; keyPem: string };
}

interface Session {
  sessionId: string;
  clientId: string;
  certificateId: string | null;
  authorizer: ConnectionAuthorizer;
  ipAddress: string | null;
  /** AWS disconnectReason, set by whoever ends the connection before it closes. */
  disconnectReason: string | undefined;
  identityEpoch: number;
}

export type MessageHandler = (topic: string, payload: Buffer) => void;

/** A client's request that is answered on the same connection only (AWS's fleet provisioning API). */
export interface ClientRequest {
  clientId: string;
  certificateId: string | null;
  topic: string;
  payload: Buffer;
  /**
   * Delivers an answer to this connection alone, if it is still open and subscribed to a filter matching `topic`
   * (AWS: subscribe to the answers before asking); iot:Receive applies. Resolves false when nothing was sent.
   */
  reply(topic: string, payload: string): Promise<boolean>;
}

export interface BrokerStats {
  connections: number;
  /** Client publishes that passed the policy checks. */
  messagesIn: number;
  bytesIn: number;
  /** Deliveries to clients that passed iot:Receive. */
  messagesOut: number;
  publishesRefused: number;
  deliveriesRefused: number;
  subscriptionsRefused: number;
  connectsRefused: number;
}
/**
 * Takes a client's PUBLISH before it is acknowledged: the broker sends PUBACK (and delivers to subscribers) only
 * once `ack` is called. Lets a service make "acknowledged" mean "stored". `withhold` refuses the message instead:
 * no PUBACK, no delivery, and the connection stays open, so the client sends it again later (what AWS IoT Core
 * does with a throttled QoS 1 PUBLISH). Exactly one of the two is called, once.
 */
export type PublishGate = (topic: string, payload: Buffer, ack: () => void, withhold: () => void) => void;

/**
 * Topics only the fleet itself may publish to, whatever a policy says (AWS reserves them the same way): lifecycle
 * events, `$SYS`, and under `$aws/things/` everything but the shadow request topics (so no client can forge an
 * `accepted`, `delta` or `documents` message). Jobs and provisioning requests join the list with their issues.
 */
function isReservedForTheFleet(topic: string): boolean {
  if (topic.startsWith('$SYS/')) return true;
  if (!topic.startsWith('$')) return false;
  if (isProvisioningRequestTopic(topic)) return false;
  const shadow = parseShadowTopic(topic);
  return !(shadow && shadow.response === undefined);
}

/**
 * The embedded MQTT 3.1.1 broker (aedes): an mTLS listener where the client certificate is the identity, an
 * optional plain listener for development, and AWS IoT policy enforcement in aedes' hooks: iot:Connect at CONNECT,
 * iot:Publish (+ iot:RetainPublish) on every PUBLISH, iot:Subscribe on every SUBSCRIBE filter, iot:Receive on every
 * delivery. Fleet services publish and subscribe in-process, below the policy layer.
 */
export class DeviceBroker {
  private aedes: Aedes | undefined;
  private tlsServer: Server | undefined;
  private plainServer: Server | undefined;
  private readonly sessions = new WeakMap<Client, Session>();
  private readonly liveClients = new Map<string, Client>();
  private readonly tlsSockets = new WeakSet<object>();
  private readonly sockets = new Set<Socket>();
  private gate: { prefix: string; take: PublishGate } | undefined;
  /** Payloads of publishes a gate withheld: aedes routes them as QoS 0, and they must reach nobody. */
  private readonly withheld = new WeakSet<object>();
  /**
   * Counts identity changes (revocations, policy changes). A connection authenticated before a change but not yet
   * registered when it was applied is decided again as it becomes ready, so no change can slip past it.
   */
  private identityEpoch = 0;
  private readonly counters = {
    messagesIn: 0,
    bytesIn: 0,
    messagesOut: 0,
    publishesRefused: 0,
    deliveriesRefused: 0,
    subscriptionsRefused: 0,
    connectsRefused: 0,
  };
  private readonly handlers: { filter: string; fn: (packet: AedesPublishPacket, cb: () => void) => void }[] = [];
  private readonly requestHandlers = new Set<{ accepts: (topic: string) => boolean; fn: (r: ClientRequest) => void }>();

  constructor(
    private readonly options: DeviceBrokerOptions,
    private readonly authenticate: (attempt: ConnectAttempt) => AuthenticationResult,
    private readonly bus: EventBus<FleetEvents>,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const aedes = await Aedes.createBroker({
      // AWS IoT Core allows client ids of up to 128 characters.
      maxClientsIdLength: 128,
      heartbeatInterval: 60_000,
      connectTimeout: 10_000,
      authenticate: (client, _username, _password, done) => this.onAuthenticate(client, done),
      authorizePublish: (client, packet, done) => {
        const refusal = this.onAuthorizePublish(client, packet);
        const gate = this.gate;
        if (refusal || client === null || !gate || !packet.topic.startsWith(gate.prefix)) {
          done(refusal);
          return;
        }
        gate.take(
          packet.topic,
          toBuffer(packet.payload),
          () => done(null),
          () => {
            // aedes acknowledges QoS 1 and 2 only [MQTT-4.3.2-2], and MQTT 3.1.1 has no negative PUBACK: taken as
            // QoS 0 the message gets no PUBACK, and its payload is marked so that no subscriber receives it.
            packet.qos = 0;
            if (typeof packet.payload === 'object') this.withheld.add(packet.payload);
            done(null);
          },
        );
      },
      authorizeSubscribe: (client, sub, done) => done(null, this.onAuthorizeSubscribe(client, sub)),
      authorizeForward: (client, packet) => this.onAuthorizeForward(client, packet),
    });
    this.aedes = aedes;
    aedes.on('client', (client) => this.onClientReady(client));
    aedes.on('publish', (packet, client) => this.onClientRequest(packet, client));
    aedes.on('clientDisconnect', (client) => this.onClientGone(client));
    // aedes sets each filter's qos to the granted one: 128 is a refusal [MQTT-3.9.3-2].
    aedes.on('subscribe', (subs, client) =>
      this.onSubscribed(
        client,
        subs.filter((sub) => (sub.qos as number) !== 128).map((sub) => sub.topic),
      ),
    );
    // A persistent session's subscriptions are restored during CONNECT, without a 'subscribe' event.
    aedes.on('clientReady', (client) =>
      this.onSubscribed(client, Object.keys((client as Client & { subscriptions?: object }).subscriptions ?? {})),
    );
    aedes.on('keepaliveTimeout', (client) => this.setReason(client, 'MQTT_KEEP_ALIVE_TIMEOUT'));
    aedes.on('clientError', (client, err) => {
      this.setReason(client, 'CLIENT_ERROR');
      this.log.debug({ clientId: client.id, err: err.message }, 'client error');
    });
    aedes.on('connectionError', (client, err) => {
      this.log.debug({ clientId: client?.id, err: err.message }, 'connection error');
    });

    this.tlsServer = createTlsServer(
      {
        ca: this.options.tls.caPem,
        cert: this.options.tls.certPem,
        key: this.options.tls.keyPem,
        requestCert: true,
        // A certificate not signed by the fleet CA never gets past the handshake.
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
        // A client that opens a socket and never completes the handshake is dropped after this.
        handshakeTimeout: 10_000,
      },
      (socket) => {
        this.tlsSockets.add(socket);
        this.track(socket);
        aedes.handle(socket);
      },
    );
    // Raw sockets are tracked from the first byte, so stop() can close connections still in the handshake.
    this.tlsServer.on('connection', (socket: Socket) => this.trackRaw(socket));
    this.tlsServer.on('tlsClientError', (err, socket) => {
      this.log.info({ err: err.message, remote: socket.remoteAddress }, 'TLS handshake refused');
    });
    await listen(this.tlsServer, this.options.tlsPort, this.options.host);
    if (this.options.plainPort !== null) {
      this.plainServer = createNetServer((socket) => {
        this.track(socket);
        aedes.handle(socket);
      });
      await listen(this.plainServer, this.options.plainPort, this.options.plainHost);
      this.log.warn({ port: this.plainPort }, 'plain MQTT listener is on: development only');
    }
    for (const handler of this.handlers) aedes.subscribe(handler.filter, handler.fn, () => {});
    this.log.info({ tlsPort: this.tlsPort, plainPort: this.plainPort }, 'broker listening');
  }

  async stop(): Promise<void> {
    const aedes = this.aedes;
    if (!aedes) return;
    for (const client of this.liveClients.values()) this.setReason(client, 'SERVER_INITIATED_DISCONNECT');
    const closing = [this.tlsServer, this.plainServer].filter((s): s is Server => s !== undefined).map(closeServer);
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(closing);
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    this.aedes = undefined;
    this.tlsServer = undefined;
    this.plainServer = undefined;
  }

  get tlsPort(): number {
    return portOf(this.tlsServer);
  }

  get plainPort(): number | null {
    return this.plainServer ? portOf(this.plainServer) : null;
  }

  /** Counters since start, for metrics. */
  stats(): BrokerStats {
    return { ...this.counters, connections: this.liveClients.size };
  }

  connectedClientIds(): string[] {
    return [...this.liveClients.keys()];
  }

  isConnected(clientId: string): boolean {
    return this.liveClients.has(clientId);
  }

  /** Publishes as the fleet itself (no policy applies; subscribers' iot:Receive still does). */
  publish(topic: string, payload: string | Buffer, qos: 0 | 1 = 0): Promise<void> {
    const aedes = this.aedes;
    if (!aedes) return Promise.reject(new Error('broker is not running'));
    const packet = { cmd: 'publish', topic, payload, qos, retain: false, dup: false } as PublishPacket;
    return new Promise((resolve, reject) => aedes.publish(packet, (err?: Error) => (err ? reject(err) : resolve())));
  }

  /**
   * Routes clients' publishes under `prefix` through `take` before they are acknowledged (one gate per broker).
   * Returns the function that removes it.
   */
  gatePublishes(prefix: string, take: PublishGate): () => void {
    const gate = { prefix, take };
    this.gate = gate;
    return () => {
      if (this.gate === gate) this.gate = undefined;
    };
  }

  /**
   * Receives every message matching `filter`, from any client, after policy checks. Works before and after start();
   * returns the function that unsubscribes.
   */
  onMessage(filter: string, handler: MessageHandler): () => void {
    const fn = (packet: AedesPublishPacket, cb: () => void) => {
      if (this.isWithheld(packet)) {
        cb();
        return;
      }
      try {
        handler(packet.topic, toBuffer(packet.payload));
      } catch (err) {
        this.log.error({ err, topic: packet.topic }, 'message handler failed');
      } finally {
        cb();
      }
    };
    const entry = { filter, fn };
    this.handlers.push(entry);
    this.aedes?.subscribe(filter, fn, () => {});
    return () => {
      const index = this.handlers.indexOf(entry);
      if (index >= 0) this.handlers.splice(index, 1);
      this.aedes?.unsubscribe(filter, fn, () => {});
    };
  }

  /**
   * Receives clients' publishes to topics `accepts` takes (after policy checks), with a way to answer that one
   * connection. Returns the function that stops it.
   */
  onClientRequests(accepts: (topic: string) => boolean, fn: (request: ClientRequest) => void): () => void {
    const entry = { accepts, fn };
    this.requestHandlers.add(entry);
    return () => this.requestHandlers.delete(entry);
  }

  private onClientRequest(packet: AedesPublishPacket, client: Client | null): void {
    if (client === null || this.requestHandlers.size === 0) return;
    const session = this.sessions.get(client);
    if (!session) return;
    for (const { accepts, fn } of this.requestHandlers) {
      if (!accepts(packet.topic)) continue;
      try {
        fn({
          clientId: client.id,
          certificateId: session.certificateId,
          topic: packet.topic,
          payload: toBuffer(packet.payload),
          reply: (topic, payload) => this.replyTo(client, topic, payload),
        });
      } catch (err) {
        this.log.error({ err, topic: packet.topic }, 'request handler failed');
      }
    }
  }

  private replyTo(client: Client, topic: string, payload: string): Promise<boolean> {
    const filters = Object.keys((client as unknown as { subscriptions?: object }).subscriptions ?? {});
    if (
      client.closed ||
      this.liveClients.get(client.id) !== client ||
      !filters.some((f) => mqttTopicMatches(f, topic))
    ) {
      return Promise.resolve(false);
    }
    const packet = { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false };
    return new Promise((resolve) => client.publish(packet as PublishPacket, (err) => resolve(!err)));
  }

  /**
   * Decides every live connection again against the current certificates and policies: connections no longer
   * allowed to connect are closed, the others continue under their new policies (checked on their next publish,
   * subscribe and delivery, as AWS does). Returns how many were closed.
   */
  reauthorizeAll(): number {
    this.identityEpoch++;
    let closed = 0;
    for (const client of [...this.liveClients.values()]) {
      if (!this.reauthorize(client)) closed++;
    }
    return closed;
  }

  /** Decides one connection again; false when it was closed. */
  private reauthorize(client: Client): boolean {
    const session = this.sessions.get(client);
    if (!session) return true;
    session.identityEpoch = this.identityEpoch;
    let result: AuthenticationResult;
    try {
      result = this.authenticate({
        clientId: client.id,
        certificateId: session.certificateId,
        sourceIp: session.ipAddress ?? undefined,
      });
    } catch (err) {
      // Fail closed: a connection whose permissions cannot be decided again does not keep the old ones.
      this.log.error({ err, clientId: client.id }, 'could not re-decide a live connection; closing it');
      result = { ok: false, code: 'INTERNAL', reason: 'authentication failed' };
    }
    if (result.ok) {
      session.authorizer = result.authorizer;
      return true;
    }
    this.log.info(
      { clientId: client.id, code: result.code, reason: result.reason },
      'live connection no longer allowed',
    );
    this.setReason(client, result.code === 'POLICY_DENIED' ? 'AUTH_ERROR' : 'API_INITIATED_DISCONNECT');
    client.close();
    return false;
  }

  /** Closes every live connection made with this certificate (after a revocation). */
  disconnectCertificate(certificateId: string, reason = 'API_INITIATED_DISCONNECT'): number {
    this.identityEpoch++;
    let count = 0;
    for (const client of this.liveClients.values()) {
      if (this.sessions.get(client)?.certificateId === certificateId) {
        this.setReason(client, reason);
        client.close();
        count++;
      }
    }
    return count;
  }

  disconnectClient(clientId: string, reason = 'API_INITIATED_DISCONNECT'): boolean {
    const client = this.liveClients.get(clientId);
    if (!client) return false;
    this.setReason(client, reason);
    client.close();
    return true;
  }

  private onAuthenticate(
    client: Client,
    done: (error: (Error & { returnCode: number }) | null, success: boolean | null) => void,
  ): void {
    // [MQTT-1.5.3-2] no U+0000 in a UTF-8 string; control characters are refused too (they would reach policies,
    // logs and lifecycle topics).
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what is being refused
    if (/[\u0000-\u001f\u007f]/.test(client.id)) {
      done(Object.assign(new Error('client id contains control characters'), { returnCode: 2 }), false);
      return;
    }
    const conn = client.conn as unknown as Socket & Partial<TLSSocket>;
    let certificateId: string | null = null;
    if (this.tlsSockets.has(conn)) {
      const peer = conn.getPeerCertificate?.();
      if (!peer?.fingerprint256) {
        done(notAuthorized('no client certificate'), false);
        return;
      }
      certificateId = certificateIdFromFingerprint(peer.fingerprint256);
    }
    const ipAddress = normaliseIp(conn.remoteAddress);
    let result: AuthenticationResult;
    try {
      result = this.authenticate({ clientId: client.id, certificateId, sourceIp: ipAddress ?? undefined });
    } catch (err) {
      // e.g. the database is unavailable: refuse with "server unavailable" (CONNACK 3), the client retries later.
      this.log.error({ err, clientId: client.id }, 'authentication failed');
      done(Object.assign(new Error('server unavailable'), { returnCode: 3 }), false);
      return;
    }
    if (!result.ok) {
      this.log.info(
        { clientId: client.id, certificateId, code: result.code, reason: result.reason },
        'connection refused',
      );
      this.counters.connectsRefused++;
      this.bus.emit('broker.connectFailed', { clientId: client.id, certificateId, ipAddress, at: Date.now() });
      done(notAuthorized(result.reason), false);
      return;
    }
    const previous = this.liveClients.get(client.id);
    if (previous && previous !== client) this.setReason(previous, 'DUPLICATE_CLIENTID');
    this.sessions.set(client, {
      sessionId: randomUUID(),
      clientId: client.id,
      certificateId: result.certificateId,
      authorizer: result.authorizer,
      ipAddress,
      disconnectReason: undefined,
      identityEpoch: this.identityEpoch,
    });
    done(null, true);
  }

  private onAuthorizePublish(client: Client | null, packet: PublishPacket): Error | null {
    if (client === null) return null; // the fleet's own publishes (and nothing else) arrive without a client
    const session = this.sessions.get(client);
    if (!session) return new Error('no session');
    const size = packetSize(packet.payload);
    if (size > this.options.maxPayloadBytes) {
      this.refuse(
        client,
        session,
        'CLIENT_ERROR',
        `payload of ${size} bytes exceeds ${this.options.maxPayloadBytes}`,
        packet.topic,
      );
      return new Error('payload too large');
    }
    if (isReservedForTheFleet(packet.topic)) {
      this.refuse(client, session, 'AUTH_ERROR', 'publish to a reserved topic', packet.topic);
      return new Error('reserved topic');
    }
    if (!session.authorizer.canPublish(packet.topic, packet.retain)) {
      // MQTT 3.1.1 has no negative PUBACK: like AWS IoT Core, an unauthorized publish ends the connection.
      this.refuse(client, session, 'AUTH_ERROR', 'policy does not allow iot:Publish', packet.topic);
      return new Error('not authorized');
    }
    this.counters.messagesIn++;
    this.counters.bytesIn += size;
    return null;
  }

  private onAuthorizeSubscribe(client: Client, subscription: Subscription): Subscription | null {
    const session = this.sessions.get(client);
    if (session?.authorizer.canSubscribe(subscription.topic)) return subscription;
    // [MQTT-3.9.3-2] a refused filter gets return code 0x80 in the SUBACK; the connection stays up.
    this.counters.subscriptionsRefused++;
    this.log.info({ clientId: client.id, filter: subscription.topic }, 'subscription refused by policy');
    return null;
  }

  private isWithheld(packet: AedesPublishPacket): boolean {
    return typeof packet.payload === 'object' && this.withheld.has(packet.payload);
  }

  private onAuthorizeForward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null {
    if (this.isWithheld(packet)) return null;
    const session = this.sessions.get(client);
    // A provisioning request is for the fleet alone: another claim device must never read its ownership token.
    if (session?.authorizer.canReceive(packet.topic) && !isProvisioningRequestTopic(packet.topic)) {
      this.counters.messagesOut++;
      return packet;
    }
    this.counters.deliveriesRefused++;
    return null;
  }

  private onClientReady(client: Client): void {
    const session = this.sessions.get(client);
    if (!session) return;
    this.liveClients.set(client.id, client);
    if (session.identityEpoch !== this.identityEpoch && !this.reauthorize(client)) return;
    this.bus.emit('broker.clientConnected', {
      clientId: client.id,
      sessionId: session.sessionId,
      certificateId: session.certificateId,
      ipAddress: session.ipAddress,
      at: Date.now(),
    });
  }

  /** Announces subscriptions in effect (granted, or restored), so a service can deliver what waited for them. */
  private onSubscribed(client: Client, filters: string[]): void {
    const session = this.sessions.get(client);
    if (!session || filters.length === 0 || this.liveClients.get(client.id) !== client) return;
    this.bus.emit('broker.subscribed', { clientId: client.id, sessionId: session.sessionId, filters });
  }

  private onClientGone(client: Client): void {
    const session = this.sessions.get(client);
    if (!session) return;
    if (this.liveClients.get(client.id) === client) this.liveClients.delete(client.id);
    const graceful = (client as unknown as { _disconnected?: boolean })._disconnected === true;
    const reason = session.disconnectReason ?? (graceful ? 'CLIENT_INITIATED_DISCONNECT' : 'CONNECTION_LOST');
    this.bus.emit('broker.clientDisconnected', {
      clientId: client.id,
      sessionId: session.sessionId,
      certificateId: session.certificateId,
      reason,
      at: Date.now(),
    });
  }

  private refuse(client: Client, session: Session, reason: string, message: string, topic: string): void {
    this.counters.publishesRefused++;
    session.disconnectReason ??= reason;
    this.log.warn({ clientId: client.id, topic, reason }, `publish refused: ${message}`);
  }

  private setReason(client: Client, reason: string): void {
    const session = this.sessions.get(client);
    if (session) session.disconnectReason ??= reason;
  }

  private trackRaw(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private track(socket: Socket): void {
    // MQTT is request/response in small packets: without this, a response written after its PUBACK waits ~40 ms for
    // the peer's delayed ACK (Nagle). Measured in bench/shadow-roundtrip.ts.
    socket.setNoDelay(true);
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}

function notAuthorized(message: string): Error & { returnCode: number } {
  return Object.assign(new Error(message), { returnCode: 5 });
}

function toBuffer(payload: PublishPacket['payload']): Buffer {
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
}

function packetSize(payload: PublishPacket['payload']): number {
  return typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
}

function normaliseIp(address: string | undefined): string | null {
  if (!address) return null;
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function portOf(server: Server | undefined): number {
  const address = server?.address();
  return address && typeof address === 'object' ? address.port : 0;
}
