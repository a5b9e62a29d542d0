import { EventEmitter } from 'node:events';
import { iot, mqtt } from 'aws-iot-device-sdk-v2';
import { type Clock, sleep, withTimeout } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import { mqttTopicMatches } from '../../protocol/topics.ts';
import type { DeviceCredentials } from './device-config.ts';

/** How long stop() waits for the broker to take a DISCONNECT before giving up on it. */
export const DISCONNECT_TIMEOUT_MS = 3000;

export interface DeviceConnectionOptions {
  thingName: string;
  host: string;
  port: number;
  keepAliveSeconds: number;
  reconnectMinSeconds: number;
  reconnectMaxSeconds: number;
  /** Left with the broker; published by it if the device vanishes without DISCONNECT. */
  will?: { topic: string; payload: string };
}

export interface DeviceConnectionEvents {
  /** `sessionPresent` false means the broker lost this client's subscriptions: subscribe again. */
  online: [sessionPresent: boolean];
  /** `closedByPeer`: the broker closed the socket (not a keep-alive timeout or a local close). */
  offline: [reason: string, closedByPeer: boolean];
}

/**
 * The device's one MQTT connection: AWS's SDK (MQTT 3.1.1 over mTLS), the thing name as client id, a persistent
 * session. The first connect is retried with exponential backoff until it succeeds or the runtime stops; after that
 * the SDK reconnects by itself (same backoff bounds) and subscriptions are restored when the broker lost the session.
 */
export class DeviceConnection extends EventEmitter<DeviceConnectionEvents> {
  private connection: mqtt.MqttClientConnection | undefined;
  private running = false;
  private isOnline = false;
  /** Ends the backoff wait between connect attempts at once (stop()). */
  private wakeRetry: (() => void) | undefined;
  private readonly subscriptions = new Map<string, (topic: string, payload: Buffer) => void>();

  constructor(
    private readonly options: DeviceConnectionOptions,
    private readonly credentials: DeviceCredentials,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {
    super();
    // Every part of a runtime follows the connection (shadow sync, outbox, commands, streams, the speaker's manifest,
    // cache, inserts, nudges...): more than Node's default of 10 listeners is the design, not a leak.
    this.setMaxListeners(32);
  }

  get online(): boolean {
    return this.isOnline;
  }

  /** The SDK connection, for AWS's service clients (IotShadowClient, IotJobsClient). */
  get mqttConnection(): mqtt.MqttClientConnection {
    if (!this.connection) throw new Error('DeviceConnection used before start()');
    return this.connection;
  }

  /** Creates the connection and starts connecting in the background: a device works offline from the first second. */
  start(): void {
    this.running = true;
    const builder = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(
      this.credentials.certificatePem,
      this.credentials.privateKeyPem,
    )
      .with_certificate_authority(this.credentials.caPem)
      .with_endpoint(this.options.host)
      .with_port(this.options.port)
      .with_client_id(this.options.thingName)
      .with_clean_session(false)
      .with_keep_alive_seconds(this.options.keepAliveSeconds)
      .with_reconnect_min_sec(this.options.reconnectMinSeconds)
      .with_reconnect_max_sec(this.options.reconnectMaxSeconds)
      // aws-crt aborts the process unless the ping timeout is shorter than the keep-alive.
      .with_ping_timeout_ms(Math.min(5000, this.options.keepAliveSeconds * 500));
    if (this.options.will) {
      builder.with_will(new mqtt.MqttWill(this.options.will.topic, mqtt.QoS.AtLeastOnce, this.options.will.payload));
    }
    this.connection = new mqtt.MqttClient().new_connection(builder.build());
    // Every message is routed here by topic, not by per-subscription callbacks: with a persistent session the broker
    // may deliver queued messages right after CONNACK, before this connection has subscribed again (a device that
    // rebooted). The handlers registered by earlier subscribe() calls are still in the map and get them.
    this.connection.on('message', (topic, payload) => this.dispatch(topic, payload));
    this.connection.on('interrupt', (err) =>
      this.setOffline(`interrupted: ${err?.message ?? 'unknown'}`, closedByPeer(err)),
    );
    this.connection.on('resume', (_code, sessionPresent) => {
      if (!sessionPresent) this.resubscribe();
      this.setOnline(sessionPresent);
    });
    this.connection.on('error', (err) => this.log.debug({ err: err.message }, 'connection error'));
    void this.connectWithBackoff();
  }

  /** Resolves when the connection is (or becomes) online. */
  waitOnline(timeoutMs: number): Promise<void> {
    if (this.isOnline) return Promise.resolve();
    return withTimeout(new Promise<void>((resolve) => this.once('online', () => resolve())), timeoutMs, this.clock);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeRetry?.();
    const connection = this.connection;
    if (connection) {
      // Also while offline: the SDK would otherwise keep reconnecting in the background after stop().
      try {
        await withTimeout(connection.disconnect(), DISCONNECT_TIMEOUT_MS, this.clock);
      } catch {
        // best effort: the broker turns a vanished client into a disconnect anyway
      }
    }
    this.setOffline('stopped');
    this.connection = undefined;
  }

  /**
   * Replaces the SDK connection with a new one (same options and routes). AWS's SDK keeps every unacknowledged QoS 1
   * PUBLISH of a persistent session and sends it again after each reconnect, with no way to cancel one: a message the
   * fleet refuses would close the connection after every reconnect, forever. A new connection drops them all (the
   * outbox still has its own copies of what it wants delivered).
   */
  async renew(): Promise<void> {
    if (!this.running) return;
    await this.stop();
    this.start();
  }

  async publish(topic: string, payload: string, qos: mqtt.QoS = mqtt.QoS.AtLeastOnce): Promise<void> {
    await this.mqttConnection.publish(topic, payload, qos);
  }

  /**
   * Routes messages on `filter` to `handler` without subscribing: for what a persistent session delivers right after
   * CONNACK, before the subscription is renewed (a device process that just restarted).
   */
  route(filter: string, handler: (topic: string, payload: Buffer) => void): void {
    this.subscriptions.set(filter, handler);
  }

  /** Subscribes, and subscribes again whenever the broker has lost the session. */
  async subscribe(topic: string, handler: (topic: string, payload: Buffer) => void): Promise<void> {
    this.subscriptions.set(topic, handler);
    const result = await this.mqttConnection.subscribe(topic, mqtt.QoS.AtLeastOnce);
    // Refused by policy (e.g. a thing pending approval): the caller retries.
    if (isRefused(result)) throw new SubscriptionRefusedError(topic);
  }

  /** Ends a subscription made with subscribe() (best effort while offline: the route is dropped either way). */
  async unsubscribe(topic: string): Promise<void> {
    this.subscriptions.delete(topic);
    if (!this.isOnline || !this.connection) return;
    await this.connection.unsubscribe(topic);
  }

  private dispatch(topic: string, payload: ArrayBuffer): void {
    for (const [filter, handler] of this.subscriptions) {
      if (!mqttTopicMatches(filter, topic)) continue;
      try {
        handler(topic, Buffer.from(payload));
      } catch (err) {
        this.log.error({ err, topic }, 'message handler failed');
      }
    }
  }

  private resubscribe(): void {
    for (const [topic, handler] of this.subscriptions) {
      this.subscribe(topic, handler).catch((err: Error) => {
        // A refusal (thing pending approval) is expected and reported once by the runtime.
        if (err instanceof SubscriptionRefusedError) this.log.debug({ topic }, 'resubscribe refused');
        else this.log.warn({ err: err.message, topic }, 'resubscribe failed');
      });
    }
  }

  private async connectWithBackoff(): Promise<void> {
    let delay = this.options.reconnectMinSeconds * 1000;
    while (this.running) {
      try {
        const connection = this.mqttConnection;
        const sessionPresent = await connection.connect();
        if (!this.running) {
          // stop() ran while this first connect was in flight: do not come back to life.
          await withTimeout(connection.disconnect(), DISCONNECT_TIMEOUT_MS, this.clock).catch(() => {});
          return;
        }
        this.setOnline(sessionPresent);
        return;
      } catch (err) {
        this.log.warn({ err: (err as Error).message, retryInMs: delay }, 'connect failed');
        const wait = sleep(this.clock, delay);
        this.wakeRetry = wait.wake;
        await wait.done;
        this.wakeRetry = undefined;
        delay = Math.min(delay * 2, this.options.reconnectMaxSeconds * 1000);
      }
    }
  }

  private setOnline(sessionPresent: boolean): void {
    if (this.isOnline) return;
    this.isOnline = true;
    this.log.info({ sessionPresent }, 'online');
    this.emit('online', sessionPresent);
  }

  private setOffline(reason: string, byPeer = false): void {
    if (!this.isOnline) return;
    this.isOnline = false;
    this.log.info({ reason }, 'offline');
    this.emit('offline', reason, byPeer);
  }
}

/**
 * aws-crt's name for a socket the other end closed (FIN or RST): what a broker closing the connection looks like,
 * as opposed to `AWS_ERROR_MQTT_TIMEOUT` (no PINGRESP: the network or the broker went silent). Seen here for a
 * publish the fleet refused and for a fleet stopping alike.
 */
function closedByPeer(err: unknown): boolean {
  const name = (err as { error_name?: unknown } | undefined)?.error_name;
  return name === 'AWS_IO_SOCKET_CLOSED' || name === 'AWS_ERROR_MQTT_UNEXPECTED_HANGUP';
}

/**
 * [MQTT-3.9.3] The broker answered a SUBSCRIBE with return code 0x80: the policy refuses the filter. The connection
 * stays up; on this fleet (as on AWS IoT) it means the device may not act yet, e.g. a thing pending approval.
 */
export class SubscriptionRefusedError extends Error {
  constructor(readonly topic: string) {
    super(`subscription to ${topic} refused`);
    this.name = 'SubscriptionRefusedError';
  }
}

/** [MQTT-3.9.3] True when the broker answered the SUBSCRIBE with return code 0x80 (refused by policy). */
export function isRefused(result: mqtt.MqttSubscribeRequest): boolean {
  return result.qos === (0x80 as mqtt.QoS);
}

/** Throws `SubscriptionRefusedError` when the broker refused the subscription (SUBACK 0x80). */
export function requireGranted(result: mqtt.MqttSubscribeRequest): void {
  if (isRefused(result)) throw new SubscriptionRefusedError(result.topic);
}

/** True when `err` is a SUBACK 0x80 (policy refusal), as opposed to a transport failure. */
export function isSubscriptionRefused(err: unknown): err is SubscriptionRefusedError {
  return err instanceof SubscriptionRefusedError;
}
