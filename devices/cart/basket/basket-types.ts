import type { Product } from '../../../protocol/commerce/catalog.ts';

/** Where a line came from: a scanned barcode, the produce picker, or (product recognition issue) the camera. */
export type LineSource = 'scan' | 'produce' | 'vision';

/** One line of the basket: a product and how much of it, and how far the scale has confirmed it. */
export interface BasketLine {
  lineId: string;
  sku: string;
  source: LineSource;
  /** Items on the line (`each`); 1 for a weighed or labelled line. */
  quantity: number;
  /** Items the scale has seen go in (`each`); equals `quantity` once the line is confirmed. */
  confirmedQuantity: number;
  /** Net weight of a weighed line, or the weight a variable-measure label printed. */
  weightG: number | null;
  /** The price a variable-measure label printed. */
  labelPriceFen: number | null;
  barcode: string | null;
  /** When the shopper saw its price (the first scan): which pricing the fleet honours. */
  scannedAt: number;
}

/** What the cart asks of the shopper (or tells them) now. At most one weight prompt is open at a time. */
export type Prompt =
  /** A scanned item is awaited in the basket. */
  | { kind: 'place-item'; lineId: string; sku: string; expectedG: number | null; since: number }
  /** The basket got heavier and nothing scanned explains it. */
  | { kind: 'scan-added'; deltaG: number; since: number }
  /** The basket got lighter by what one item of a line weighs: was it taken out? */
  | { kind: 'confirm-removal'; lineId: string; sku: string; deltaG: number; since: number }
  /** The basket got lighter and no line explains it. */
  | { kind: 'unexpected-removal'; deltaG: number; since: number }
  /** The shopper removed a line on the screen: the item should come out of the basket. */
  | { kind: 'take-out'; lineId: string; sku: string; expectedG: number | null; since: number }
  /** A weighed product was picked: put it on the scale (in its bag). */
  | { kind: 'weigh-produce'; sku: string; tareG: number; since: number };

export const ATTENDANT_REASONS = ['age-check', 'weight-mismatch', 'unknown-item', 'needs-attendant', 'help'] as const;
export type AttendantReason = (typeof ATTENDANT_REASONS)[number];

/** Why checkout cannot start yet. */
export type CheckoutLock =
  | { kind: 'age-check'; lineIds: string[]; minAge: number }
  | { kind: 'needs-attendant'; lineIds: string[] }
  | { kind: 'weight-prompt' }
  | { kind: 'unconfirmed-lines'; lineIds: string[] };

export interface AttendantCall {
  reason: AttendantReason;
  detail: string;
  at: number;
}

/** Who let an age-restricted or attendant-only item through, for the audit trail. */
export interface Approval {
  kind: 'age-check' | 'needs-attendant';
  /** The lines and how many of their items were approved: one more beer later needs a new check. */
  lines: { lineId: string; quantity: number }[];
  approvedBy: string;
  /** `staff-code-offline`: verified by the cart against its snapshot, checked by the fleet when it syncs. */
  method: 'staff-code' | 'staff-code-offline' | 'console';
  at: number;
}

export interface BasketState {
  lines: BasketLine[];
  prompt: Prompt | null;
  locks: CheckoutLock[];
  attendant: AttendantCall | null;
  approvals: Approval[];
  /** The last settled scale reading the basket accounted for. */
  accountedG: number;
}

/** What the basket needs of the catalog: `commerce/catalog-index.ts` provides it from the pricing snapshot. */
export interface BasketCatalog {
  /** Resolves a scanned code; throws a FleetError (GTIN_CHECK_DIGIT, BARCODE_UNKNOWN, ...) for a bad one. */
  resolveBarcode(code: string): { product: Product; weightG?: number | null; labelPriceFen?: number | null };
  product(sku: string): Product | undefined;
}

/**
 * What the basket tells product recognition (devices/cart/vision/): the moments a camera frame is worth looking at,
 * and what became of each item, which is the truth a recognition is measured against. Events of `Basket`.
 */
export interface BasketRecognitionEvents {
  /** The basket got heavier by `deltaG` and nothing scanned explains it: a `scan-added` prompt is open for it. */
  unexplained: [{ deltaG: number; at: number }];
  /** A scanned item and its weight met (the item arrived after its scan, or a scan named what was dropped). */
  scanned: [{ lineId: string; sku: string; deltaG: number; at: number }];
  /** An item of a line left the basket (a removal the scale or the shopper confirmed). */
  removed: [{ lineId: string; sku: string; at: number }];
  /** The unexplained increase went away unnamed (the item was taken out again before anyone said what it was). */
  withdrawn: [{ deltaG: number; at: number }];
}
