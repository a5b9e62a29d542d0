import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { iotshadow, mqtt } from 'aws-iot-device-sdk-v2';
import type { Clock, TimerHandle } from '../../platform/clock.ts';
import { backoffDelayMs, type FailureBackoff } from '../../platform/failure-backoff.ts';
import type { Logger } from '../../platform/log.ts';
import type { JsonObject } from '../../protocol/shadow.ts';
import { type DeviceConnection, isSubscriptionRefused, requireGranted } from './device-connection.ts';

export interface NamedShadowDocument {
  desired: JsonObject;
  reported: JsonObject;
}

/** How long to wait before asking again after a refused watch: 2 s doubling to 5 min. */
export const WATCH_BACKOFF: FailureBackoff = {
  freeAttempts: 1,
  baseDelayMs: 2_000,
  maxDelayMs: 5 * 60_000,
  windowMs: Number.POSITIVE_INFINITY,
};

/**
 * Follows one named shadow of the device with AWS's own IotShadowClient: on every connection it subscribes to the
 * delta and to get/accepted, then asks for the whole document (a delta names only what changed); every document is a
 * `document` event with its desired and reported state. A refused subscription (SUBACK 0x80: a thing waiting for
 * approval) is checked, not taken for granted — nothing is published until the fleet lets the device act, since a
 * refused PUBLISH closes the connection — and asked again on the same connection with back-off, so that an approval
 * takes effect without a reconnect. `report()` merges fields into `reported` and sends them when it can.
 */
export class NamedShadowWatch extends EventEmitter<{ document: [NamedShadowDocument] }> {
  private client: iotshadow.IotShadowClient | undefined;
  private pendingReport: JsonObject = {};
  private running = false;
  private failures = 0;
  private retryTimer: TimerHandle | undefined;
  private readonly onOnline = (sessionPresent: boolean) => {
    if (!sessionPresent) this.client = undefined;
    void this.connect();
  };

  constructor(
    private readonly connection: DeviceConnection,
    private readonly thingName: string,
    private readonly shadowName: string,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {
    super();
  }

  /** Times in a row the fleet refused the watch (0 once it watches). */
  get refusals(): number {
    return this.failures;
  }

  start(): void {
    this.running = true;
    this.connection.on('online', this.onOnline);
    if (this.connection.online) void this.connect();
  }

  stop(): void {
    this.running = false;
    this.connection.off('online', this.onOnline);
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.client = undefined;
  }

  /** Merges `reported` into what is still to send, and sends it now if the watch is up (else when it is). */
  report(reported: JsonObject): void {
    Object.assign(this.pendingReport, reported);
    this.flushReport();
  }

  private async connect(): Promise<void> {
    try {
      if (!this.client) {
        const client = new iotshadow.IotShadowClient(this.connection.mqttConnection);
        const names = { thingName: this.thingName, shadowName: this.shadowName };
        const qos = mqtt.QoS.AtLeastOnce;
        requireGranted(await client.subscribeToNamedShadowDeltaUpdatedEvents(names, qos, () => this.requestShadow()));
        requireGranted(
          await client.subscribeToGetNamedShadowAccepted(names, qos, (err, response) => {
            if (err || !response) return;
            this.emit('document', {
              desired: (response.state?.desired ?? {}) as JsonObject,
              reported: (response.state?.reported ?? {}) as JsonObject,
            });
          }),
        );
        this.client = client;
      }
      this.failures = 0;
      this.requestShadow();
      this.flushReport();
    } catch (err) {
      this.failures++;
      const delay = backoffDelayMs(this.failures, WATCH_BACKOFF);
      // Refused is the expected state until approval (the core logs the waiting once); anything else is worth a warning.
      const level = isSubscriptionRefused(err) ? 'debug' : 'warn';
      this.log[level](
        { err: (err as Error).message, retryMs: delay },
        `${this.shadowName} shadow not watched; will retry`,
      );
      this.clock.clearTimeout(this.retryTimer);
      if (this.running && this.connection.online)
        this.retryTimer = this.clock.setTimeout(() => {
          this.retryTimer = undefined;
          if (this.running && this.connection.online && !this.client) void this.connect();
        }, delay);
    }
  }

  private requestShadow(): void {
    this.client
      ?.publishGetNamedShadow(
        { thingName: this.thingName, shadowName: this.shadowName, clientToken: randomUUID() },
        mqtt.QoS.AtLeastOnce,
      )
      .catch((err: Error) => this.log.debug({ err: err.message }, `get ${this.shadowName} shadow not sent`));
  }

  private flushReport(): void {
    const client = this.client;
    if (!client || !this.connection.online || Object.keys(this.pendingReport).length === 0) return;
    const reported = this.pendingReport;
    this.pendingReport = {};
    client
      .publishUpdateNamedShadow(
        { thingName: this.thingName, shadowName: this.shadowName, state: { reported }, clientToken: randomUUID() },
        mqtt.QoS.AtLeastOnce,
      )
      .catch((err: Error) => {
        this.log.debug({ err: err.message }, `${this.shadowName} shadow report not sent; will retry on reconnect`);
        this.pendingReport = { ...reported, ...this.pendingReport };
      });
  }
}
