import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import {
  type ConnectedEvent,
  type ConnectFailedEvent,
  type DisconnectedEvent,
  type LifecycleEvent,
  lifecycleTopics,
  PLAIN_LISTENER_PRINCIPAL,
  type SubscriptionEvent,
  type SubscriptionEventType,
} from '../../protocol/topics.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';
import type { LifecycleVersionRepository } from './lifecycle-version-repository.ts';

/** What the publisher needs from the broker: publishing as the fleet. */
export interface LifecyclePublishTarget {
  publish(topic: string, payload: string, qos: 0 | 1): Promise<void>;
}

/**
 * AWS IoT Core's lifecycle events, published by the fleet at QoS 1 as the broker reports each happening:
 * `$aws/events/presence/{connected|disconnected|connect_failed}/{clientId}` and
 * `$aws/events/subscriptions/{subscribed|unsubscribed}/{clientId}`.
 *
 * - `versionNumber` grows with every connection of a client id and is stored (`lifecycle_versions`), so it keeps
 *   growing across fleet restarts (AWS: "a monotonically increasing long integer value for each client ID
 *   connection"); a connection's connect and disconnect events share it. The versions are read at start and
 *   written through the `DatabaseWriter`: a connect never waits for a database another process has locked.
 * - Subscription events list the filters of one SUBSCRIBE that were granted (refused ones are left out; none granted,
 *   no event), or the filters of one UNSUBSCRIBE that were in effect. Subscriptions restored with a persistent
 *   session at CONNECT get none: no SUBSCRIBE was sent.
 * - A client id that cannot stand as one topic level gets no events (`lifecycleTopics` refuses it).
 */
export class LifecycleEventPublisher {
  private offs: (() => void)[] = [];
  /** The last version of every client id: read at start, then kept here and written through. */
  private lastVersions = new Map<string, number>();
  private readonly sessionVersions = new Map<string, number>();

  constructor(
    private readonly versions: LifecycleVersionRepository,
    private readonly writer: DatabaseWriter,
    private readonly broker: LifecyclePublishTarget,
    private readonly bus: EventBus<FleetEvents>,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.lastVersions = this.versions.all();
    this.offs = [
      this.bus.on('broker.clientConnected', (e) => this.onConnected(e)),
      this.bus.on('broker.clientDisconnected', (e) => this.onDisconnected(e)),
      this.bus.on('broker.connectFailed', (e) => this.onConnectFailed(e)),
      this.bus.on('broker.subscribed', (e) => {
        if (e.via === 'subscribe') this.onSubscriptions('subscribed', e);
      }),
      this.bus.on('broker.unsubscribed', (e) => this.onSubscriptions('unsubscribed', e)),
    ];
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
    this.sessionVersions.clear();
  }

  private onConnected(e: FleetEvents['broker.clientConnected']): void {
    const version = this.nextVersion(e.clientId);
    this.sessionVersions.set(e.sessionId, version);
    const event: ConnectedEvent = {
      clientId: e.clientId,
      timestamp: e.at,
      eventType: 'connected',
      sessionIdentifier: e.sessionId,
      principalIdentifier: principal(e.certificateId),
      ipAddress: e.ipAddress ?? undefined,
      versionNumber: version,
    };
    this.publish(lifecycleTopics.presence('connected', e.clientId), event);
  }

  private onDisconnected(e: FleetEvents['broker.clientDisconnected']): void {
    const version = this.sessionVersions.get(e.sessionId) ?? this.lastVersions.get(e.clientId) ?? 0;
    this.sessionVersions.delete(e.sessionId);
    const event: DisconnectedEvent = {
      clientId: e.clientId,
      timestamp: e.at,
      eventType: 'disconnected',
      sessionIdentifier: e.sessionId,
      principalIdentifier: principal(e.certificateId),
      clientInitiatedDisconnect: e.reason === 'CLIENT_INITIATED_DISCONNECT',
      disconnectReason: e.reason,
      versionNumber: version,
    };
    this.publish(lifecycleTopics.presence('disconnected', e.clientId), event);
  }

  private onConnectFailed(e: FleetEvents['broker.connectFailed']): void {
    const event: ConnectFailedEvent = {
      clientId: e.clientId,
      timestamp: e.at,
      eventType: 'connect_failed',
      connectFailureReason: 'AUTHORIZATION_FAILED',
      principalIdentifier: principal(e.certificateId),
      ipAddress: e.ipAddress ?? undefined,
    };
    this.publish(lifecycleTopics.presence('connect_failed', e.clientId), event);
  }

  private onSubscriptions(
    eventType: SubscriptionEventType,
    e: FleetEvents['broker.subscribed'] | FleetEvents['broker.unsubscribed'],
  ): void {
    const event: SubscriptionEvent = {
      clientId: e.clientId,
      timestamp: e.at,
      eventType,
      sessionIdentifier: e.sessionId,
      principalIdentifier: principal(e.certificateId),
      topics: e.filters,
    };
    this.publish(lifecycleTopics.subscription(eventType, e.clientId), event);
  }

  private nextVersion(clientId: string): number {
    const version = (this.lastVersions.get(clientId) ?? 0) + 1;
    this.lastVersions.set(clientId, version);
    this.writer.submit('lifecycle: version', () => this.versions.store(clientId, version));
    return version;
  }

  private publish(topic: string | undefined, event: LifecycleEvent): void {
    if (topic === undefined) {
      this.log.debug(
        { clientId: event.clientId, eventType: event.eventType },
        'client id cannot be a topic level: no event',
      );
      return;
    }
    this.broker.publish(topic, JSON.stringify(event), 1).catch((err) => {
      this.log.debug({ err: (err as Error).message, clientId: event.clientId }, 'lifecycle event not published');
    });
  }
}

function principal(certificateId: string | null): string {
  return certificateId ?? PLAIN_LISTENER_PRINCIPAL;
}
