/**
 * AWS IoT Core's lifecycle events ("Lifecycle events" in the AWS IoT developer guide): the topics under
 * `$aws/events/...` and their payloads. Re-exported by topics.ts, the one place topics are built and parsed.
 *
 * - `$aws/events/presence/{connected|disconnected|connect_failed}/{clientId}`
 * - `$aws/events/subscriptions/{subscribed|unsubscribed}/{clientId}`
 *
 * The client id is the last topic level, and it is whatever the client sent in its CONNECT. AWS: "Client IDs that
 * contain # or + do not receive lifecycle events". Here the rule is wider: only a client id that is exactly one
 * topic level gets events (no `/`, which would add levels: `connect_failed/cart-A/../cart-B`; no `+`, `#` or
 * U+0000; 1-128 characters). The builders return `undefined` for any other id, so no caller can forget the check.
 */

export type PresenceEventType = 'connected' | 'disconnected' | 'connect_failed';
export type SubscriptionEventType = 'subscribed' | 'unsubscribed';

/** AWS IoT Core's longest client id. */
export const MAX_CLIENT_ID_LENGTH = 128;

/** True when `clientId` can stand as one topic level of a lifecycle topic (see the module comment). */
export function isLifecycleClientId(clientId: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 is what is being refused [MQTT-4.7.3-2]
  return clientId.length >= 1 && clientId.length <= MAX_CLIENT_ID_LENGTH && !/[/+#\u0000]/.test(clientId);
}

export const lifecycleTopics = {
  /** `undefined` when the client id may not stand in a topic level: such clients get no events. */
  presence(eventType: PresenceEventType, clientId: string): string | undefined {
    return isLifecycleClientId(clientId) ? `$aws/events/presence/${eventType}/${clientId}` : undefined;
  },
  /** `undefined` when the client id may not stand in a topic level: such clients get no events. */
  subscription(eventType: SubscriptionEventType, clientId: string): string | undefined {
    return isLifecycleClientId(clientId) ? `$aws/events/subscriptions/${eventType}/${clientId}` : undefined;
  },
  /** Every presence event of every client. */
  presenceFilter(): string {
    return '$aws/events/presence/+/+';
  },
  /** Every subscription event of every client. */
  subscriptionFilter(): string {
    return '$aws/events/subscriptions/+/+';
  },
};

/** `principalIdentifier` of a connection on the development listener, which has no certificate. */
export const PLAIN_LISTENER_PRINCIPAL = 'plain-listener';

interface LifecycleEventBase {
  clientId: string;
  /** Epoch milliseconds. */
  timestamp: number;
  /** The certificate id, or {@link PLAIN_LISTENER_PRINCIPAL}. */
  principalIdentifier: string;
}

export interface ConnectedEvent extends LifecycleEventBase {
  eventType: 'connected';
  sessionIdentifier: string;
  ipAddress?: string;
  /** Grows with every connection of a client id, across fleet restarts; a connection's connect and disconnect share it. */
  versionNumber: number;
}

export interface DisconnectedEvent extends LifecycleEventBase {
  eventType: 'disconnected';
  sessionIdentifier: string;
  clientInitiatedDisconnect: boolean;
  disconnectReason: string;
  versionNumber: number;
}

export interface ConnectFailedEvent extends LifecycleEventBase {
  eventType: 'connect_failed';
  connectFailureReason: 'AUTHORIZATION_FAILED';
  ipAddress?: string;
}

/** AWS: the filters of one SUBSCRIBE (granted ones) or UNSUBSCRIBE. No versionNumber. */
export interface SubscriptionEvent extends LifecycleEventBase {
  eventType: SubscriptionEventType;
  sessionIdentifier: string;
  topics: string[];
}

export type LifecycleEvent = ConnectedEvent | DisconnectedEvent | ConnectFailedEvent | SubscriptionEvent;
