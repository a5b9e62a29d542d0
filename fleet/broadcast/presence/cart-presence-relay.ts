import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../platform/clock.ts';
import type { EventBus } from '../../../platform/event-bus.ts';
import type { Logger } from '../../../platform/log.ts';
import type { CartNearby } from '../../../protocol/broadcast/presence.ts';
import { commerceTopics } from '../../../protocol/commerce/commerce-topics.ts';
import type { FleetEvents } from '../../fleet-events.ts';
import type { Thing } from '../../registry/registry-types.ts';

export interface CartPresenceRelayDeps {
  bus: EventBus<FleetEvents>;
  things: {
    getThing(thingName: string): Thing | undefined;
    listThings(filter: { kind: 'speaker'; storeId: string }): Thing[];
  };
  publish(topic: string, payload: string): Promise<void>;
  clock: Clock;
  log: Logger;
}

type ShadowDocuments = {
  previous?: { state?: { reported?: { zone?: unknown } } } | null;
  current?: { state?: { reported?: { zone?: unknown } } };
};

/**
 * Carts as presence sensors for promo speakers: a cart's classic shadow reports the zone it is in (devices/cart
 * ZoneLocator); when that zone changes to one that has speakers registered in it (thing attribute `zoneId`), each of
 * them gets a `cart-nearby` nudge at once. Entering counts, staying does not: a cart parked in the aisle is one
 * shopper, not one a second. Whether the nudge plays anything is the speaker's decision (its promo windows,
 * cooldown, cap and battery travel in its manifest).
 */
export class CartPresenceRelay {
  private off: (() => void) | undefined;
  /** Nudges sent, for tests and metrics. */
  sent = 0;

  constructor(private readonly deps: CartPresenceRelayDeps) {}

  start(): void {
    this.off = this.deps.bus.on('shadow.updated', ({ thingName, shadowName, documents }) => {
      if (shadowName !== undefined) return;
      const docs = documents as ShadowDocuments;
      const zone = docs.current?.state?.reported?.zone;
      const before = docs.previous?.state?.reported?.zone;
      if (typeof zone !== 'string' || zone === before) return;
      const cart = this.deps.things.getThing(thingName);
      if (cart?.kind !== 'cart' || !cart.storeId) return;
      this.nudge(cart.storeId, thingName, zone);
    });
  }

  stop(): void {
    this.off?.();
    this.off = undefined;
  }

  private nudge(storeId: string, cart: string, zoneId: string): void {
    const speakers = this.deps.things.listThings({ kind: 'speaker', storeId }).filter((t) => t.zoneId === zoneId);
    for (const speaker of speakers) {
      const body: CartNearby = { msgId: randomUUID(), at: this.deps.clock.now(), cart, zoneId };
      this.sent++;
      this.deps
        .publish(commerceTopics.notify(speaker.thingName, 'cart-nearby'), JSON.stringify(body))
        .catch((err: unknown) => this.deps.log.warn({ err, speaker: speaker.thingName }, 'cart-nearby not sent'));
    }
  }
}
