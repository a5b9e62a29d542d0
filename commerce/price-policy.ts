/**
 * The order price policy (plan decision 7), as one pure function the fleet calls after recomputing an order. The
 * cart shows a total computed with the snapshot it holds; the fleet prices the same lines twice: with the snapshot
 * the cart claims (promotion windows judged at each line's `scannedAt`) and with the store's current snapshot.
 *
 * - shown < claimed: the cart shows less than its own snapshot's rules allow → ORDER_PRICE_BELOW_RULES (refused).
 * - current ≤ shown: charge the current price (the shopper never pays more than shown, and gets a price drop);
 *   `as-shown` when equal, `current-lower` when lower.
 * - current > shown, the claimed snapshot was valid when every line was scanned: honour what the rules of that
 *   snapshot give (`honoured-snapshot`), flagged for audit.
 * - current > shown, the claimed snapshot unknown or superseded before a line was scanned: the cart showed a stale
 *   price; charge the current one (`current-stale-snapshot`), flagged. The shopper sees the amount before paying.
 * Totals are compared before points (points are the shopper's choice, checked separately); line differences with
 * equal totals are flagged, never refused.
 */
import type { PricedBasket } from '../protocol/commerce/basket.ts';
import type { PriceAuditReason, PriceDecision } from '../protocol/commerce/orders.ts';
import { fleetError } from '../protocol/errors.ts';

export type { PriceAuditReason, PriceDecision };

export interface ShownPrice {
  totalFen: number;
  lines: readonly { lineId: string; netFen: number }[];
}

export interface PricePolicyInput {
  shown: ShownPrice;
  /** The fleet's recompute with the snapshot the cart claims, or null when the fleet does not know that version. */
  claimed: PricedBasket | null;
  /** Whether the claimed snapshot was the store's current one at every line's `scannedAt`. */
  claimedValidAtScan: boolean;
  current: PricedBasket;
}

export interface PricePolicyResult {
  charge: PricedBasket;
  decision: PriceDecision;
  audit: PriceAuditReason[];
}

function linesDiffer(shown: ShownPrice, basket: PricedBasket): boolean {
  if (shown.lines.length !== basket.lines.length) return true;
  const nets = new Map(basket.lines.map((l) => [l.lineId, l.netFen]));
  return shown.lines.some((l) => nets.get(l.lineId) !== l.netFen);
}

export function decideOrderPrice({ shown, claimed, claimedValidAtScan, current }: PricePolicyInput): PricePolicyResult {
  if (claimed && shown.totalFen < claimed.totalFen) {
    throw fleetError('ORDER_PRICE_BELOW_RULES', 'the cart shows less than its own snapshot allows', {
      shownFen: shown.totalFen,
      rulesFen: claimed.totalFen,
      snapshotVersion: claimed.snapshotVersion,
    });
  }
  const audit: PriceAuditReason[] = [];
  if (claimed === null) audit.push('claimed-snapshot-unknown');
  else if (!claimedValidAtScan) audit.push('claimed-snapshot-not-valid-at-scan');
  if (claimed && shown.totalFen > claimed.totalFen) audit.push('shown-above-claimed-rules');
  if (current.totalFen <= shown.totalFen) {
    if (current.totalFen < shown.totalFen) audit.push('current-lower-than-shown');
    else if (linesDiffer(shown, current)) audit.push('line-nets-differ');
    return { charge: current, decision: current.totalFen === shown.totalFen ? 'as-shown' : 'current-lower', audit };
  }
  audit.push('current-higher-than-shown');
  if (claimed && claimedValidAtScan) return { charge: claimed, decision: 'honoured-snapshot', audit };
  return { charge: current, decision: 'current-stale-snapshot', audit };
}
