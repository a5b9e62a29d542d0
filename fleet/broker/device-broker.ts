import { Aedes } from 'aedes';
import type { Clock } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import type { FleetEvents } from '../fleet-events.ts';
import { BrokerSessions } from './broker-sessions.ts';
import { type ClientRequest, ClientRequests } from './client-requests.ts';
import { ConnectionEvents } from './connection-events.ts';
import { InProcessRouting, type MessageHandler, type PublishGate } from './in-process-routing.ts';
import { mqemitterBacklog } from './mqemitter-backlog.ts';
import { MqttListeners } from './mqtt-listeners.ts';
import { type Authenticate, type PolicyCounters, PolicyHooks } from './policy-hooks.ts';
import { Reauthorization } from './reauthorization.ts';

export type { ClientRequest, MessageHandler, PublishGate };

export interface DeviceBrokerOptions {
  host: string;
  tlsPort: number;
  plainPort: number | null;
  plainHost: string;
  maxPayloadBytes: number;
  tls: { caPem: string; certPem: string; keyPem: string };
}

export interface BrokerStats extends PolicyCounters {
  connections: number;
  /** Connections closed as soon as a packet announced more than the largest packet allowed. */
  packetsRefused: number;
}

/**
 * Room for the variable header of a PUBLISH next to the largest payload: the longest topic an MQTT string can hold
 * (65,535 bytes and its 2-byte length) and the packet id. A packet longer than `maxPayloadBytes` plus this certainly
 * carries too much and is cut before it is read; the exact payload check follows in `PolicyHooks.authorizePublish`.
 */
export const PACKET_HEADROOM_BYTES = 64 * 1024 + 4;

/**
 * The embedded MQTT 3.1.1 broker (aedes), composed of one part per concern: the listeners (`MqttListeners`, each
 * socket wrapped in a `BrokerConnection` that refuses oversized packets before they are read), policy enforcement in
 * aedes' hooks (`PolicyHooks`), the sessions (`BrokerSessions`), connection events for the bus
 * (`ConnectionEvents`), in-process routing for fleet services (`InProcessRouting`), answers on the asking
 * connection (`ClientRequests`) and re-decisions after identity changes (`Reauthorization`).
 */
export class DeviceBroker {
  private aedes: Aedes | undefined;
  private readonly sessions = new BrokerSessions();
  private readonly listeners: MqttListeners;
  private readonly hooks: PolicyHooks;
  private readonly routing: InProcessRouting;
  private readonly requests: ClientRequests;
  private readonly reauthorization: Reauthorization;
  private readonly events: ConnectionEvents;

  constructor(
    options: DeviceBrokerOptions,
    authenticate: Authenticate,
    bus: EventBus<FleetEvents>,
    private readonly log: Logger,
    clock: Clock,
  ) {
    this.listeners = new MqttListeners(
      { ...options, maxPacketBytes: options.maxPayloadBytes + PACKET_HEADROOM_BYTES },
      log,
    );
    this.hooks = new PolicyHooks(this.sessions, authenticate, options, bus, log, clock);
    this.routing = new InProcessRouting(log);
    this.requests = new ClientRequests(this.sessions, log);
    this.reauthorization = new Reauthorization(this.sessions, authenticate, log);
    this.events = new ConnectionEvents(this.sessions, this.reauthorization, bus, log, clock);
  }

  async start(): Promise<void> {
    const hooks = this.hooks;
    const aedes = await Aedes.createBroker({
      // AWS IoT Core allows client ids of up to 128 characters (aedes applies this to MQTT 3.1 only; the hooks
      // check it for 3.1.1).
      maxClientsIdLength: 128,
      heartbeatInterval: 60_000,
      connectTimeout: 10_000,
      authenticate: (client, _username, _password, done) => hooks.authenticate(client, done),
      authorizePublish: (client, packet, done) => {
        const refusal = hooks.authorizePublish(client, packet);
        if (refusal || client === null) done(refusal);
        else this.routing.admit(packet, () => done(null));
      },
      authorizeSubscribe: (client, sub, done) => done(null, hooks.authorizeSubscribe(client, sub)),
      authorizeForward: (client, packet) =>
        this.routing.isWithheld(packet) ? null : hooks.authorizeForward(client, packet),
    });
    this.aedes = aedes;
    this.events.attach(aedes);
    aedes.on('publish', (packet, client) => this.requests.onPublish(packet, client));
    await this.listeners.start((connection) => aedes.handle(connection));
    this.routing.attach(aedes);
    this.log.info({ tlsPort: this.tlsPort, plainPort: this.plainPort }, 'broker listening');
  }

  async stop(): Promise<void> {
    const aedes = this.aedes;
    if (!aedes) return;
    for (const client of this.sessions.liveClients()) this.sessions.setReason(client, 'SERVER_INITIATED_DISCONNECT');
    await this.listeners.stop();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    this.routing.detach();
    this.aedes = undefined;
  }

  get tlsPort(): number {
    return this.listeners.tlsPort;
  }

  get plainPort(): number | null {
    return this.listeners.plainPort;
  }

  /** Counters since start, for metrics. */
  stats(): BrokerStats {
    return {
      ...this.hooks.counters,
      connections: this.sessions.liveCount,
      packetsRefused: this.events.packetsRefused,
    };
  }

  /** Messages waiting in aedes' delivery queue now, for benchmarks; `undefined` when it cannot be read. */
  deliveryBacklog(): number | undefined {
    return this.aedes && mqemitterBacklog(this.aedes);
  }

  connectedClientIds(): string[] {
    return this.sessions.liveClientIds();
  }

  isConnected(clientId: string): boolean {
    return this.sessions.liveClient(clientId) !== undefined;
  }

  /**
   * True when the live connection of `clientId` has a subscription (granted, or restored with its session) whose
   * filter matches `topic`, so a publish there reaches it (iot:Receive permitting).
   */
  isSubscribed(clientId: string, topic: string): boolean {
    return this.sessions.hasSubscriptionMatching(clientId, topic);
  }

  /** Publishes as the fleet itself (no policy applies; subscribers' iot:Receive still does). */
  publish(topic: string, payload: string | Buffer, qos: 0 | 1 = 0): Promise<void> {
    return this.routing.publish(topic, payload, qos);
  }

  /** Routes clients' publishes under `prefix` through `take` before they are acknowledged (one gate per prefix). */
  gatePublishes(prefix: string, take: PublishGate): () => void {
    return this.routing.gatePublishes(prefix, take);
  }

  /** Routes clients' publishes matching `filter` through `take` before any prefix gate sees them. */
  gateFilter(filter: string, take: PublishGate): () => void {
    return this.routing.gateFilter(filter, take);
  }

  /** Receives every message matching `filter`, from any client, after policy checks. Works before and after start(). */
  onMessage(filter: string, handler: MessageHandler): () => void {
    return this.routing.onMessage(filter, handler);
  }

  /** Receives clients' requests to topics `accepts` takes, with a way to answer that one connection. */
  onClientRequests(accepts: (topic: string) => boolean, fn: (request: ClientRequest) => void): () => void {
    return this.requests.onClientRequests(accepts, fn);
  }

  /** Decides every live connection again against the current certificates and policies; returns how many closed. */
  reauthorizeAll(): number {
    return this.reauthorization.reauthorizeAll();
  }

  /** Closes every live connection made with this certificate (after a revocation). */
  disconnectCertificate(certificateId: string, reason?: string): number {
    return this.reauthorization.disconnectCertificate(certificateId, reason);
  }

  disconnectClient(clientId: string, reason?: string): boolean {
    return this.reauthorization.disconnectClient(clientId, reason);
  }
}
