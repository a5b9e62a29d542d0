import type { Aedes, Client } from 'aedes';
import type { Clock } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import type { FleetEvents } from '../fleet-events.ts';
import { BrokerConnection, PacketRefusedError } from './broker-connection.ts';
import type { BrokerSessions } from './broker-sessions.ts';
import type { Reauthorization } from './reauthorization.ts';

/**
 * Turns aedes' connection events into the fleet's bus events: a client connected, its subscriptions took effect or
 * ended, it disconnected (with AWS's disconnectReason). Keeps each session's filters and live state on the way.
 */
export class ConnectionEvents {
  /** Connections closed because a packet's announced size or length encoding was refused (never read). */
  packetsRefused = 0;

  constructor(
    private readonly sessions: BrokerSessions,
    private readonly reauthorization: Reauthorization,
    private readonly bus: EventBus<FleetEvents>,
    private readonly log: Logger,
    /** Stamps the bus events' `at`: the fleet's clock, which presence, lifecycle events and alerts measure by. */
    private readonly clock: Clock,
  ) {}

  attach(aedes: Aedes): void {
    aedes.on('client', (client) => this.onConnected(client));
    aedes.on('clientReady', (client) => this.onReady(client));
    // aedes sets each filter's qos to the granted one: 128 is a refusal [MQTT-3.9.3-2].
    aedes.on('subscribe', (subs, client) =>
      this.onSubscribed(
        client,
        subs.filter((sub) => (sub.qos as number) !== 128).map((sub) => sub.topic),
      ),
    );
    aedes.on('unsubscribe', (filters, client) => this.onUnsubscribed(client, filters));
    aedes.on('clientDisconnect', (client) => this.onGone(client));
    aedes.on('keepaliveTimeout', (client) => this.sessions.setReason(client, 'MQTT_KEEP_ALIVE_TIMEOUT'));
    aedes.on('clientError', (client, err) => {
      this.sessions.setReason(client, 'CLIENT_ERROR');
      this.onError(client, err);
    });
    aedes.on('connectionError', (client, err) => this.onError(client, err));
  }

  /** CONNECT passed authentication: the client is the live one of its id (aedes 'client', before CONNACK). */
  private onConnected(client: Client): void {
    const session = this.sessions.get(client);
    if (!session) return;
    this.sessions.markLive(client);
    if (!this.reauthorization.catchUp(client)) return;
    this.bus.emit('broker.clientConnected', {
      clientId: client.id,
      sessionId: session.sessionId,
      certificateId: session.certificateId,
      ipAddress: session.ipAddress,
      at: this.clock.now(),
    });
  }

  /** CONNACK sent. A persistent session's subscriptions were restored before it, without a SUBSCRIBE or an event. */
  private onReady(client: Client): void {
    const session = this.sessions.get(client);
    if (!session) return;
    session.ready = true;
    if (session.filters.size > 0) this.announceSubscribed(client, [...session.filters], 'session');
  }

  /** A SUBSCRIBE's granted filters (restored ones come through `PolicyHooks.authorizeSubscribe`, without this event). */
  private onSubscribed(client: Client, filters: string[]): void {
    const session = this.sessions.get(client);
    if (!session || filters.length === 0) return;
    for (const filter of filters) session.filters.add(filter);
    this.announceSubscribed(client, filters, 'subscribe');
  }

  private onUnsubscribed(client: Client, filters: string[]): void {
    const session = this.sessions.get(client);
    // aedes also unsubscribes everything of a clean session as it closes: that is the session ending, not an UNSUBSCRIBE.
    if (!session || client.closed) return;
    const ended = filters.filter((filter) => session.filters.delete(filter));
    if (ended.length === 0 || !this.sessions.isLive(client)) return;
    this.bus.emit('broker.unsubscribed', {
      clientId: client.id,
      sessionId: session.sessionId,
      certificateId: session.certificateId,
      filters: ended,
      at: this.clock.now(),
    });
  }

  private announceSubscribed(client: Client, filters: string[], via: 'subscribe' | 'session'): void {
    const session = this.sessions.get(client);
    if (!session || !this.sessions.isLive(client)) return;
    this.bus.emit('broker.subscribed', {
      clientId: client.id,
      sessionId: session.sessionId,
      certificateId: session.certificateId,
      filters,
      via,
      at: this.clock.now(),
    });
  }

  private onGone(client: Client): void {
    const session = this.sessions.get(client);
    if (!session) return;
    this.sessions.end(client);
    const graceful = client.conn instanceof BrokerConnection && client.conn.sentDisconnect;
    const reason = session.disconnectReason ?? (graceful ? 'CLIENT_INITIATED_DISCONNECT' : 'CONNECTION_LOST');
    this.bus.emit('broker.clientDisconnected', {
      clientId: client.id,
      sessionId: session.sessionId,
      certificateId: session.certificateId,
      reason,
      at: this.clock.now(),
    });
  }

  private onError(client: Client | null, err: Error): void {
    if (err instanceof PacketRefusedError) {
      this.packetsRefused++;
      const peer = client?.conn instanceof BrokerConnection ? client.conn.peer : undefined;
      this.log.warn(
        { clientId: client?.id || undefined, ipAddress: peer?.ipAddress, certificateId: peer?.certificateId },
        `connection closed before reading a packet: ${err.message}`,
      );
      return;
    }
    this.log.debug({ clientId: client?.id, err: err.message }, client?.id ? 'client error' : 'connection error');
  }
}
