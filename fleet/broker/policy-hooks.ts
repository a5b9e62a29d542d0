import { randomUUID } from 'node:crypto';
import type { AedesPublishPacket, Client, PublishPacket, Subscription } from 'aedes';
import type { Clock } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import { isProvisioningRequestTopic, isReservedTopic, MAX_CLIENT_ID_LENGTH } from '../../protocol/topics.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { AuthenticationResult, ConnectAttempt } from '../identity/device-authenticator.ts';
import { BrokerConnection } from './broker-connection.ts';
import type { BrokerSessions, Session } from './broker-sessions.ts';

export type Authenticate = (attempt: ConnectAttempt) => AuthenticationResult;

type ConnectDone = (error: (Error & { returnCode: number }) | null, success: boolean | null) => void;

/** Counters of the policy decisions, since start. */
export interface PolicyCounters {
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
 * AWS IoT policy enforcement in aedes' hooks: iot:Connect at CONNECT, iot:Publish (+ iot:RetainPublish) on every
 * PUBLISH, iot:Subscribe on every SUBSCRIBE filter, iot:Receive on every delivery. A refused CONNECT gets CONNACK 5,
 * a refused filter SUBACK 0x80, a refused delivery is skipped, and a refused PUBLISH ends the connection (MQTT 3.1.1
 * has no negative PUBACK; AWS IoT Core disconnects too, see docs/protocol.md "Refused publishes").
 */
export class PolicyHooks {
  readonly counters: PolicyCounters = {
    messagesIn: 0,
    bytesIn: 0,
    messagesOut: 0,
    publishesRefused: 0,
    deliveriesRefused: 0,
    subscriptionsRefused: 0,
    connectsRefused: 0,
  };

  constructor(
    private readonly sessions: BrokerSessions,
    private readonly authenticateAttempt: Authenticate,
    private readonly options: { maxPayloadBytes: number },
    private readonly bus: EventBus<FleetEvents>,
    private readonly log: Logger,
    /** Stamps the bus events' `at`: the fleet's clock, which presence, lifecycle events and alerts measure by. */
    private readonly clock: Clock,
  ) {}

  authenticate(client: Client, done: ConnectDone): void {
    // [MQTT-1.5.3-2] no U+0000 in a UTF-8 string; control characters are refused too (they would reach policies and
    // logs). aedes checks the length only for MQTT 3.1; AWS IoT Core allows 128 characters.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what is being refused
    if (/[\u0000-\u001f\u007f]/.test(client.id) || client.id.length > MAX_CLIENT_ID_LENGTH) {
      done(identifierRejected('client id has control characters or is over 128 characters'), false);
      return;
    }
    const conn = client.conn;
    if (!(conn instanceof BrokerConnection)) {
      done(notAuthorized('connection not accepted by a listener'), false);
      return;
    }
    const { certificateId, ipAddress } = conn.peer;
    if (conn.peer.listener === 'tls' && certificateId === null) {
      done(notAuthorized('no client certificate'), false);
      return;
    }
    let result: AuthenticationResult;
    try {
      result = this.authenticateAttempt({ clientId: client.id, certificateId, sourceIp: ipAddress ?? undefined });
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
      this.bus.emit('broker.connectFailed', { clientId: client.id, certificateId, ipAddress, at: this.clock.now() });
      done(notAuthorized(result.reason), false);
      return;
    }
    const previous = this.sessions.liveClient(client.id);
    if (previous && previous !== client) this.sessions.setReason(previous, 'DUPLICATE_CLIENTID');
    this.sessions.open(client, {
      sessionId: randomUUID(),
      clientId: client.id,
      certificateId: result.certificateId,
      authorizer: result.authorizer,
      ipAddress,
      disconnectReason: undefined,
      identityEpoch: this.sessions.identityEpoch,
      filters: new Set(),
      ready: false,
    });
    done(null, true);
  }

  /** `null` to accept; an error refuses the PUBLISH and aedes closes the connection. */
  authorizePublish(client: Client | null, packet: PublishPacket): Error | null {
    if (client === null) return null; // the fleet's own publishes (and nothing else) arrive without a client
    const session = this.sessions.get(client);
    if (!session) return new Error('no session');
    const size = payloadSize(packet.payload);
    if (size > this.options.maxPayloadBytes) {
      // AWS: CLIENT_ERROR, "the client attempts to publish with a payload that exceeds the payload limit".
      this.refuse(
        client,
        session,
        packet,
        'CLIENT_ERROR',
        `payload of ${size} bytes over ${this.options.maxPayloadBytes}`,
      );
      return new Error('payload too large');
    }
    if (isReservedTopic(packet.topic)) {
      this.refuse(client, session, packet, 'AUTH_ERROR', 'the topic is reserved for the fleet');
      return new Error('reserved topic');
    }
    if (!session.authorizer.canPublish(packet.topic, packet.retain)) {
      const action = packet.retain ? 'iot:Publish with iot:RetainPublish' : 'iot:Publish';
      this.refuse(client, session, packet, 'AUTH_ERROR', `the policy does not allow ${action}`);
      return new Error('not authorized');
    }
    this.counters.messagesIn++;
    this.counters.bytesIn += size;
    return null;
  }

  authorizeSubscribe(client: Client, subscription: Subscription): Subscription | null {
    const session = this.sessions.get(client);
    if (session?.authorizer.canSubscribe(subscription.topic)) {
      // aedes restores a persistent session's subscriptions during CONNECT through this hook, and announces them with
      // no 'subscribe' event: what is granted before the client is ready is such a restored subscription.
      if (!session.ready) session.filters.add(subscription.topic);
      return subscription;
    }
    // [MQTT-3.9.3-2] a refused filter gets return code 0x80 in the SUBACK; the connection stays up.
    this.counters.subscriptionsRefused++;
    this.log.info({ clientId: client.id, filter: subscription.topic }, 'subscription refused by policy');
    return null;
  }

  authorizeForward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null {
    const session = this.sessions.get(client);
    // A provisioning request is for the fleet alone: another claim device must never read its ownership token.
    if (session?.authorizer.canReceive(packet.topic) && !isProvisioningRequestTopic(packet.topic)) {
      this.counters.messagesOut++;
      return packet;
    }
    this.counters.deliveriesRefused++;
    return null;
  }

  private refuse(client: Client, session: Session, packet: PublishPacket, reason: string, cause: string): void {
    this.counters.publishesRefused++;
    session.disconnectReason ??= reason;
    this.log.warn(
      { clientId: client.id, topic: packet.topic, qos: packet.qos, reason },
      `publish refused, closing the connection: ${cause}`,
    );
    this.bus.emit('broker.publishRefused', {
      clientId: client.id,
      sessionId: session.sessionId,
      certificateId: session.certificateId,
      topic: packet.topic,
      qos: packet.qos,
      reason,
      cause,
      at: this.clock.now(),
    });
  }
}

function notAuthorized(message: string): Error & { returnCode: number } {
  return Object.assign(new Error(message), { returnCode: 5 });
}

function identifierRejected(message: string): Error & { returnCode: number } {
  return Object.assign(new Error(message), { returnCode: 2 });
}

function payloadSize(payload: PublishPacket['payload']): number {
  return typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
}
