import { epochMs, type FromSchema, object } from '../api/json-schema.ts';
import { thingNameString } from '../api/parameters.ts';

/**
 * Carts as presence sensors (issue 9 item 6): when a cart's reported zone becomes a zone that has speakers, the fleet
 * tells each of them on `cx/cartfleet/{speaker}/notify/cart-nearby` (commerceTopics.notify). A promo speaker treats
 * it like its PIR seeing someone: it plays its promo if its cooldown, hourly cap and battery allow. QoS 0 on purpose:
 * a nudge that arrives late is worse than none (the shopper has walked on), so nothing queues for an offline speaker.
 */
export const CartNearbySchema = object({
  /** The fleet's id of this nudge (a UUID), for the speaker's log and proof of play. */
  msgId: { type: 'string', pattern: '^[0-9a-f-]{36}$' },
  /** When the fleet saw the cart enter (its receive time of the cart's shadow update). */
  at: epochMs,
  cart: thingNameString,
  zoneId: { type: 'string', minLength: 1, maxLength: 64 },
});
export type CartNearby = FromSchema<typeof CartNearbySchema>;
