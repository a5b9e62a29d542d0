import type { Logger } from '../../platform/log.ts';
import { SchemaValidator } from '../../platform/schema-validator.ts';
import { type CartNearby, CartNearbySchema } from '../../protocol/broadcast/presence.ts';
import { commerceTopics } from '../../protocol/commerce/commerce-topics.ts';
import type { DeviceConnection } from '../core/device-connection.ts';
import type { PresenceDecision } from './scheduler/presence-gate.ts';

const nudgeSchema = new SchemaValidator<CartNearby>(CartNearbySchema);

/**
 * Carts as presence sensors (issue 9 item 6), the speaker's side: the fleet's `cart-nearby` nudge (a cart entered this
 * speaker's zone) is offered to the promo like a PIR edge; the promo's own rules (window, cooldown, cap, battery)
 * decide. QoS 0 and no queue: a shopper who walked past a minute ago is not near any more.
 */
export class CartNearbyListener {
  /** Nudges received and what the promo made of each, for the log and tests. */
  readonly decisions: { cart: string; decision: PresenceDecision }[] = [];
  private readonly topic: string;
  private subscribed = false;
  private readonly onOnline = () => void this.subscribe();

  constructor(
    private readonly connection: DeviceConnection,
    thingName: string,
    private readonly presence: (trigger: 'cart') => PresenceDecision,
    private readonly log: Logger,
  ) {
    this.topic = commerceTopics.notify(thingName, 'cart-nearby');
  }

  start(): void {
    this.connection.on('online', this.onOnline);
    if (this.connection.online) void this.subscribe();
  }

  stop(): void {
    this.connection.off('online', this.onOnline);
    if (this.subscribed) void this.connection.unsubscribe(this.topic).catch(() => {});
    this.subscribed = false;
  }

  /** Once: the connection subscribes again by itself whenever the broker lost the session. */
  private async subscribe(): Promise<void> {
    if (this.subscribed) return;
    this.subscribed = true;
    try {
      await this.connection.subscribe(this.topic, (_topic, payload) => this.nudged(payload));
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'cart-nearby not subscribed; the connection asks again');
    }
  }

  private nudged(payload: Buffer): void {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      this.log.warn('cart-nearby nudge is not JSON: ignored');
      return;
    }
    const checked = nudgeSchema.check(json);
    if (!checked.ok) {
      this.log.warn({ reason: checked.reason }, 'cart-nearby nudge invalid: ignored');
      return;
    }
    const decision = this.presence('cart');
    this.decisions.push({ cart: checked.value.cart, decision });
    if (this.decisions.length > 100) this.decisions.shift();
    this.log.debug({ cart: checked.value.cart, decision }, 'cart nearby');
  }
}
