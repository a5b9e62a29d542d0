import { type FromSchema, integer, object } from '../api/json-schema.ts';
import type { ErrorCode } from '../errors.ts';
import { lineIdString, type PricedBasket } from './basket.ts';
import type { SoldBy } from './catalog.ts';
import type { Coupon } from './loyalty.ts';
import { staffCodeString } from './orders.ts';
import type { LocalizedText } from './text.ts';

/**
 * The cart screen's contract: what the cart runtime shows (`CartScreenState`, pushed to the screen over socket.io on
 * every change) and what the shopper can do (`CartScreenAction`, validated by the cart before it acts). The console
 * shows the same state read-only when an operator opens a cart's screen. Both languages travel; the screen picks.
 */
export const SCREEN_LOCALES = ['zh', 'en'] as const;
export type ScreenLocale = (typeof SCREEN_LOCALES)[number];

export interface ScreenNotice {
  code: string;
  message: string;
  at: number;
}

export interface ScreenLine {
  lineId: string;
  sku: string;
  name: LocalizedText;
  soldBy: SoldBy;
  quantity: number;
  confirmedQuantity: number;
  weightG: number | null;
  source: 'scan' | 'produce' | 'vision';
  minAge: number | null;
}

/** Weight prompts and locks as the basket states them (devices/cart/basket/basket-types.ts), with names to show. */
export interface ScreenPrompt {
  kind: 'place-item' | 'scan-added' | 'confirm-removal' | 'unexpected-removal' | 'take-out' | 'weigh-produce';
  lineId?: string;
  sku?: string;
  name?: LocalizedText;
  deltaG?: number;
  expectedG?: number | null;
  /** weigh-produce: the bag's tare, taken off what the scale reads. */
  tareG?: number;
  since: number;
}

/**
 * What product recognition offers the shopper (issue 11 item 6): `pick` — the camera was unsure between a few, the
 * screen shows them with their photos and a "none of these, scan it" button; `suggest-produce` — loose produce, the
 * produce picker opens with these first. Each option's `thumbnail` is the gallery's photo as a data URL (null: none).
 */
export interface ScreenRecognition {
  decisionId: string;
  kind: 'pick' | 'suggest-produce';
  options: { sku: string; name: LocalizedText; plu: string | null; confidence: number; thumbnail: string | null }[];
}

export type ScreenCheckoutState = 'submitting' | 'awaiting-payment' | 'paid' | 'offline-attendant' | 'failed';

export interface ScreenCheckout {
  state: ScreenCheckoutState;
  orderId: string | null;
  payableFen: number;
  /** The sandbox (or real) provider's pay page, and its QR code as an SVG document. */
  payUrl: string | null;
  payQrSvg: string | null;
  receiptUrl: string | null;
  receiptQrSvg: string | null;
  error: ScreenNotice | null;
}

export interface CartScreenState {
  thingName: string;
  storeName: string | null;
  online: boolean;
  snapshotVersion: number | null;
  session: { state: 'idle' | 'shopping' | 'checkout'; sessionId: string | null };
  member: {
    displayName: string;
    tierName: LocalizedText | null;
    balancePoints: number;
    verified: boolean;
    coupons: Coupon[];
  } | null;
  lines: ScreenLine[];
  prompt: ScreenPrompt | null;
  /** Recognition's offer for the open unexplained item (null: none). */
  recognition: ScreenRecognition | null;
  locks: { kind: string; lineIds?: string[]; minAge?: number }[];
  attendant: { reason: string; detail: string; at: number } | null;
  priced: PricedBasket | null;
  /** Names of the promotions in `priced`, to label each saving. */
  promotionNames: Record<string, LocalizedText>;
  couponIds: string[];
  pointsToRedeem: number;
  maxRedeemablePoints: number;
  /** Points are redeemed in multiples of this (RedemptionPolicy.minPoints; 1 when the policy has none). */
  pointsStep: number;
  /** The produce picker is open while this is not null (`search-produce` opens it, `close-produce` closes it). */
  produce: {
    query: string;
    /** What recognition suggested (a `suggest-produce` offer): listed first in `results`, by these SKUs. */
    suggested?: string[];
    /** The store's weighed products matching the query; `priceFen` is per kg. */
    results: { sku: string; plu: string | null; name: LocalizedText; priceFen: number }[];
  } | null;
  checkout: ScreenCheckout | null;
  notice: ScreenNotice | null;
}

const action = <const T extends string, const P extends Record<string, object> = Record<never, never>>(
  type: T,
  properties: P = {} as P,
) => object({ type: { const: type }, ...properties });

/** What the shopper (or an attendant at the cart) does on the screen. */
export const CartScreenActionSchema = {
  oneOf: [
    action('start'),
    action('member-code', { code: { type: 'string', minLength: 1, maxLength: 64 } }),
    action('search-produce', { query: { type: 'string', maxLength: 32 } }),
    action('close-produce'),
    action('weigh-produce', { sku: { type: 'string', minLength: 1, maxLength: 64 } }),
    action('remove', { lineId: lineIdString }),
    action('answer-removal', { removed: { type: 'boolean' } }),
    action('apply-coupon', { couponId: { type: 'string', minLength: 1, maxLength: 24 } }),
    action('remove-coupon', { couponId: { type: 'string', minLength: 1, maxLength: 24 } }),
    action('redeem-points', { points: integer({ minimum: 0, maximum: 1_000_000_000 }) }),
    action('checkout'),
    action('cancel-checkout'),
    action('staff-code', { code: staffCodeString }),
    action('help'),
    action('end-session'),
    action('dismiss-notice'),
    /** The shopper picked one of recognition's options (`recognition.decisionId`). */
    action('pick-recognized', {
      decisionId: { type: 'string', minLength: 1, maxLength: 64 },
      sku: { type: 'string', minLength: 1, maxLength: 64 },
    }),
    /** None of these: the offer closes and the scan prompt asks for the barcode. */
    action('reject-recognized', { decisionId: { type: 'string', minLength: 1, maxLength: 64 } }),
  ],
} as const;
export type CartScreenAction = FromSchema<typeof CartScreenActionSchema>;

/** socket.io events between the cart (devices/cart/screen/cart-screen-server.ts) and its screen. */
export const CART_SCREEN_EVENTS = {
  /** cart → screen: the whole CartScreenState, on connect and on every change. */
  state: 'screen-state',
  /** screen → cart: a CartScreenAction, answered through the socket.io acknowledgement with a CartScreenReply. */
  action: 'screen-action',
} as const;

/** The cart's answer to one action: done, or refused with a coded error (nothing was done). */
export type CartScreenReply = { ok: true } | { ok: false; code: ErrorCode; message: string };
