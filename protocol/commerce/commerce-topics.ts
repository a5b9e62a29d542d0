import { THING_NAME_PATTERN } from '../thing-names.ts';
import { APP } from '../topics.ts';

/**
 * Commerce requests between a cart and the fleet, in the request/reply style of AWS's shadow topics:
 * the cart publishes `cx/cartfleet/{thing}/{operation}` with a `clientToken`; the fleet answers on
 * `.../{operation}/accepted` or `.../{operation}/rejected` (`{ clientToken, code, message }`), and pushes what the
 * cart did not ask for on `cx/cartfleet/{thing}/notify/{event}`. The thing name in the topic lets the default
 * policy scope every cart to its own topics.
 */
export const COMMERCE_OPERATIONS = [
  'member-login',
  'order-submit',
  'order-cancel',
  'attendant-request',
  'attendant-cancel',
] as const;
export type CommerceOperation = (typeof COMMERCE_OPERATIONS)[number];

/**
 * `cart-nearby` goes to speakers, not carts: a cart entered the zone of a promo speaker, which counts it as a
 * shopper near its shelf (protocol/broadcast/presence.ts). Same namespace, so the default policy covers it.
 */
export const COMMERCE_EVENTS = ['order-status', 'attendant-resolved', 'member-update', 'cart-nearby'] as const;
export type CommerceEvent = (typeof COMMERCE_EVENTS)[number];

export type CommerceReply = 'accepted' | 'rejected';

export const commerceTopics = {
  request(thingName: string, operation: CommerceOperation): string {
    return `cx/${APP}/${thingName}/${operation}`;
  },
  reply(thingName: string, operation: CommerceOperation, reply: CommerceReply): string {
    return `cx/${APP}/${thingName}/${operation}/${reply}`;
  },
  notify(thingName: string, event: CommerceEvent): string {
    return `cx/${APP}/${thingName}/notify/${event}`;
  },
  /**
   * A cart's screen state while it mirrors its screen (command `screen-mirror`): a report, not a request, so there is
   * no reply. Covered by the default policy's `cx/cartfleet/${iot:Connection.Thing.ThingName}/*`.
   */
  screen(thingName: string): string {
    return `cx/${APP}/${thingName}/screen`;
  },
  /** What the fleet's screen relay subscribes to. */
  screenFilter(): string {
    return `cx/${APP}/+/screen`;
  },
  /** What the fleet subscribes to: every cart's requests. */
  requestFilter(): string {
    return `cx/${APP}/+/+`;
  },
  /** What a cart subscribes to: its replies and notifications. */
  deviceFilters(thingName: string): string[] {
    return [
      `cx/${APP}/${thingName}/+/accepted`,
      `cx/${APP}/${thingName}/+/rejected`,
      `cx/${APP}/${thingName}/notify/+`,
    ];
  },
};

export interface CommerceRequestTopic {
  thingName: string;
  operation: CommerceOperation;
}

/** Parses a cart's request topic; `undefined` for anything else (replies and notifications included). */
export function parseCommerceRequestTopic(topic: string): CommerceRequestTopic | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== 'cx' || parts[1] !== APP) return undefined;
  const thingName = parts[2] ?? '';
  const operation = parts[3] as CommerceOperation;
  if (!THING_NAME_PATTERN.test(thingName) || !COMMERCE_OPERATIONS.includes(operation)) return undefined;
  return { thingName, operation };
}

/** The thing of a cart's screen topic (`cx/cartfleet/{thing}/screen`); `undefined` for any other topic. */
export function parseScreenTopic(topic: string): string | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== 'cx' || parts[1] !== APP || parts[3] !== 'screen') return undefined;
  const thingName = parts[2] ?? '';
  return THING_NAME_PATTERN.test(thingName) ? thingName : undefined;
}
