import { epochMs, type FromSchema, object } from '../api/json-schema.ts';
import type { CartScreenState } from './cart-screen.ts';

/**
 * The cart's screen as the console sees it, read-only (issue 8, item 10). An operator opens a cart's screen; the
 * fleet sends the cart the `screen-mirror` command; for that many seconds the cart publishes its `CartScreenState`
 * on `cx/cartfleet/{thing}/screen` (commerce-topics.ts) at most {@link SCREEN_MIRROR_MIN_INTERVAL_MS} apart, QoS 0
 * (a lost state is superseded by the next one); the fleet relays each to the console sockets watching that cart.
 */

/**
 * Largest report the fleet relays. Below the broker's default 128 KiB PUBLISH limit (`broker.maxPayloadBytes`) so an
 * oversized state is refused by the relay with a code (PAYLOAD_TOO_LARGE), not by the broker closing the cart's
 * connection. The cart drops larger ones itself and logs it.
 */
export const MAX_SCREEN_REPORT_BYTES = 96 * 1024;

/** At most 4 states a second: enough to follow a shopper, cheap for the cellular link (latest wins). */
export const SCREEN_MIRROR_MIN_INTERVAL_MS = 250;

/**
 * What the cart publishes. `state` is the screen's own contract (a TypeScript interface the cart builds and the
 * console renders); the relay checks only that it is an object of the right thing: the console is a viewer, never
 * acts on it.
 */
export const ScreenReportSchema = object({
  /** The cart's clock when the state was taken. */
  at: epochMs,
  state: {
    type: 'object',
    required: ['thingName', 'session', 'lines'],
    properties: { thingName: { type: 'string' }, session: { type: 'object' }, lines: { type: 'array' } },
  },
});
export interface ScreenReport extends Omit<FromSchema<typeof ScreenReportSchema>, 'state'> {
  state: CartScreenState;
}

/** The live event `cart-screen`: a report, as relayed to the sockets that watch the cart. */
export interface CartScreenEvent extends ScreenReport {
  thingName: string;
  storeId: string | null;
}

/**
 * Console → fleet over the live socket: start or stop receiving a cart's `cart-screen` events. Answered through the
 * socket.io acknowledgement with {@link ScreenWatchReply}.
 */
export const SCREEN_WATCH_EVENTS = { watch: 'screen-watch', unwatch: 'screen-unwatch' } as const;
export type ScreenWatchReply = { ok: true } | { ok: false; code: string; message: string };
