import { randomUUID } from 'node:crypto';
import { iotshadow, mqtt } from 'aws-iot-device-sdk-v2';
import type { Logger } from '../../platform/log.ts';
import type { JsonObject } from '../../protocol/shadow.ts';
import { type DeviceConnection, requireGranted } from './device-connection.ts';

/** Applies (part of) the desired state to the device; returns what the device now actually is, to be reported. */
export type DesiredStateHandler = (desired: JsonObject) => JsonObject | Promise<JsonObject>;

export interface ShadowStartEvents {
  /** The broker granted the first subscription: the fleet lets this device act (the others follow). */
  granted?: () => void;
}

/**
 * Keeps the device's classic shadow in step, with AWS's own shadow client: on every (re)connect it gets the shadow
 * and applies any delta; it applies each `update/delta` as it arrives (ignoring ones older than what it applied);
 * and it reports the device's actual state. Reports made while offline are merged and sent on reconnect.
 */
export class ShadowSync {
  private client: iotshadow.IotShadowClient | undefined;
  private handler: DesiredStateHandler = () => ({});
  private appliedVersion = 0;
  private pendingReport: JsonObject = {};
  /** The fleet answered a get on this connection (the document, or 404: none yet). */
  private synced = false;
  private readonly syncListeners = new Set<() => void>();
  private readonly onOnline = () => {
    this.requestShadow();
    this.flushReport();
  };

  constructor(
    private readonly connection: DeviceConnection,
    private readonly thingName: string,
    private readonly log: Logger,
  ) {}

  onDesired(handler: DesiredStateHandler): void {
    this.handler = handler;
  }

  /**
   * In sync with the fleet: a get was answered since start() (the desired state applied) and no report waits to be
   * sent. The OTA agent's health check asks this of new software before it commits it.
   */
  get inSync(): boolean {
    return this.synced && Object.keys(this.pendingReport).length === 0;
  }

  /** Runs when `inSync` may have changed; returns the unsubscriber. */
  onSyncChange(listener: () => void): () => void {
    this.syncListeners.add(listener);
    return () => this.syncListeners.delete(listener);
  }

  private setSynced(synced: boolean): void {
    this.synced = synced;
    for (const listener of this.syncListeners) listener();
  }

  /**
   * Subscribes to the shadow's responses, then gets the shadow and sends what waited to be reported. Rejects with
   * `SubscriptionRefusedError` when the policy refuses a subscription (thing pending approval): until a start()
   * succeeds, nothing is published to the shadow (a refused PUBLISH would close the connection), and reports wait.
   */
  async start(events: ShadowStartEvents = {}): Promise<void> {
    // No shadow publish before the subscriptions are granted: report() keeps what it is given until then.
    this.client = undefined;
    this.setSynced(false);
    const client = new iotshadow.IotShadowClient(this.connection.mqttConnection);
    const thingName = this.thingName;
    const qos = mqtt.QoS.AtLeastOnce;
    requireGranted(
      await client.subscribeToShadowDeltaUpdatedEvents({ thingName }, qos, (err, event) => {
        if (err || !event?.state) return;
        this.apply(event.state as JsonObject, event.version ?? 0);
      }),
    );
    events.granted?.();
    requireGranted(
      await client.subscribeToGetShadowAccepted({ thingName }, qos, (err, response) => {
        if (err || !response) return;
        // The service's answer is authoritative: a shadow deleted and re-created may restart at a lower version.
        this.appliedVersion = Math.min(this.appliedVersion, response.version ?? 0);
        const delta = response.state?.delta as JsonObject | undefined;
        if (delta && Object.keys(delta).length > 0) this.apply(delta, response.version ?? 0);
        this.setSynced(true);
      }),
    );
    requireGranted(
      await client.subscribeToGetShadowRejected({ thingName }, qos, (_err, response) => {
        // 404 simply means no shadow yet: the first report creates it.
        if (response?.code === 404) this.setSynced(true);
        else this.log.warn({ code: response?.code, message: response?.message }, 'get shadow rejected');
      }),
    );
    requireGranted(
      await client.subscribeToUpdateShadowRejected({ thingName }, qos, (_err, response) => {
        this.log.warn({ code: response?.code, message: response?.message }, 'shadow update rejected');
      }),
    );
    this.client = client;
    this.connection.off('online', this.onOnline);
    this.connection.on('online', this.onOnline);
    this.onOnline();
  }

  stop(): void {
    this.connection.off('online', this.onOnline);
    this.client = undefined;
    this.synced = false;
  }

  /** Reports actual state; only the given fields change (`null` removes one). */
  report(reported: JsonObject): void {
    Object.assign(this.pendingReport, reported);
    this.flushReport();
  }

  private flushReport(): void {
    const client = this.client;
    if (!client || !this.connection.online || Object.keys(this.pendingReport).length === 0) return;
    const reported = this.pendingReport;
    this.pendingReport = {};
    client
      .publishUpdateShadow(
        { thingName: this.thingName, state: { reported }, clientToken: randomUUID() },
        mqtt.QoS.AtLeastOnce,
      )
      .then(() => {
        if (this.synced) this.setSynced(true);
      })
      .catch((err: Error) => {
        this.log.warn({ err: err.message }, 'shadow report not sent; will retry on reconnect');
        this.pendingReport = { ...reported, ...this.pendingReport };
      });
  }

  private requestShadow(): void {
    const client = this.client;
    if (!client || !this.connection.online) return;
    client
      .publishGetShadow({ thingName: this.thingName, clientToken: randomUUID() }, mqtt.QoS.AtLeastOnce)
      .catch((err: Error) => {
        this.log.debug({ err: err.message }, 'get shadow not sent');
      });
  }

  private apply(delta: JsonObject, version: number): void {
    // Deltas may arrive out of order: never go back to an older desired state.
    if (version < this.appliedVersion) return;
    this.appliedVersion = version;
    Promise.resolve()
      .then(() => this.handler(delta))
      .then((actual) => {
        if (Object.keys(actual).length > 0) this.report(actual);
      })
      .catch((err) => this.log.error({ err, delta }, 'applying desired state failed'));
  }
}
