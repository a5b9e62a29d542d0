import { mqtt } from 'aws-iot-device-sdk-v2';
import type { Clock, TimerHandle } from '../../../platform/clock.ts';
import type { Logger } from '../../../platform/log.ts';
import { MAX_SCREEN_MIRROR_SECONDS } from '../../../protocol/commands.ts';
import { commerceTopics } from '../../../protocol/commerce/commerce-topics.ts';
import {
  MAX_SCREEN_REPORT_BYTES,
  SCREEN_MIRROR_MIN_INTERVAL_MS,
  type ScreenReport,
} from '../../../protocol/commerce/screen-mirror.ts';
import { FleetError } from '../../../protocol/errors.ts';
import type { CartScreenModel } from './cart-screen-server.ts';

/** The device connection as the mirror uses it: plain publishes, and whether it is up. */
export interface ScreenMirrorTransport {
  readonly online: boolean;
  publish(topic: string, payload: string, qos: mqtt.QoS): Promise<void>;
}

/**
 * Mirrors the cart screen to the fleet for a while (command `screen-mirror`, protocol/commerce/screen-mirror.ts):
 * publishes the model's `CartScreenState` on `cx/cartfleet/{thing}/screen` when started and on every change, at most
 * one per {@link SCREEN_MIRROR_MIN_INTERVAL_MS} (changes in between are folded into the next publish, which reads the
 * latest state), and stops by itself when the time is up. QoS 0 straight through the connection, not the outbox: a
 * screen state is worth nothing once superseded, so while offline it is dropped rather than queued.
 */
export class ScreenMirror {
  private model: CartScreenModel | undefined;
  private until = 0;
  private stopTimer: TimerHandle | undefined;
  private throttleTimer: TimerHandle | undefined;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private readonly topic: string;
  private readonly onChange = () => this.changed();

  constructor(
    thingName: string,
    private readonly transport: ScreenMirrorTransport,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.topic = commerceTopics.screen(thingName);
  }

  /** Whether states are being published now. */
  get active(): boolean {
    return this.stopTimer !== undefined;
  }

  /** The screen's model (the cart's commerce part, wired by the runtime); `undefined` while there is none. */
  setModel(model: CartScreenModel | undefined): void {
    if (model === this.model) return;
    this.model?.off('change', this.onChange);
    this.model = model;
    if (!model) {
      this.stop();
      return;
    }
    if (this.active) {
      model.on('change', this.onChange);
      this.changed();
    }
  }

  /**
   * Mirrors for `seconds` from now (a second command while mirroring sets a new end). Publishes the current state at
   * once, so a viewer sees the screen without waiting for a change. CART_SCREEN_UNAVAILABLE without a model.
   */
  start(seconds: number): { seconds: number; until: number } {
    const model = this.model;
    if (!model) throw new FleetError('CART_SCREEN_UNAVAILABLE', 'this cart has no screen to mirror');
    const ms = Math.min(Math.max(1, Math.floor(seconds)), MAX_SCREEN_MIRROR_SECONDS) * 1000;
    this.until = this.clock.now() + ms;
    if (!this.active) model.on('change', this.onChange);
    this.clock.clearTimeout(this.stopTimer);
    this.stopTimer = this.clock.setTimeout(() => this.stop(), ms);
    // A new viewer wants the screen now, not within the throttle interval.
    this.clock.clearTimeout(this.throttleTimer);
    this.throttleTimer = undefined;
    this.send();
    return { seconds: ms / 1000, until: this.until };
  }

  stop(): void {
    this.model?.off('change', this.onChange);
    this.clock.clearTimeout(this.stopTimer);
    this.clock.clearTimeout(this.throttleTimer);
    this.stopTimer = undefined;
    this.throttleTimer = undefined;
  }

  private changed(): void {
    if (!this.active || this.throttleTimer) return;
    const wait = this.lastSentAt + SCREEN_MIRROR_MIN_INTERVAL_MS - this.clock.now();
    if (wait <= 0) {
      this.send();
      return;
    }
    this.throttleTimer = this.clock.setTimeout(() => {
      this.throttleTimer = undefined;
      if (this.active) this.send();
    }, wait);
  }

  private send(): void {
    const model = this.model;
    if (!model || !this.transport.online) return;
    this.lastSentAt = this.clock.now();
    const report: ScreenReport = { at: this.lastSentAt, state: model.state() };
    const payload = JSON.stringify(report);
    if (Buffer.byteLength(payload) > MAX_SCREEN_REPORT_BYTES) {
      this.log.warn({ bytes: Buffer.byteLength(payload), code: 'PAYLOAD_TOO_LARGE' }, 'screen state not mirrored');
      return;
    }
    this.transport.publish(this.topic, payload, mqtt.QoS.AtMostOnce).catch((err: Error) => {
      this.log.debug({ err: err.message }, 'screen state not published');
    });
  }
}
