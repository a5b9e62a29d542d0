import type { PricedBasket } from '../../protocol/commerce/basket.ts';
import type { PriceAudit, PriceDecision, SubmittedLine } from '../../protocol/commerce/orders.ts';
import { FleetError } from '../../protocol/errors.ts';

export interface CheckedLine {
  lineId: string;
  fleetNetFen: number;
  cartNetFen: number;
  chargedNetFen: number;
  decision: PriceDecision | null;
}

/**
 * The price policy of plan decision 7, line by line:
 * - the cart's net equals the fleet's of now: charged as is;
 * - higher than now: the shopper pays the lower (`charged_lower`, flagged);
 * - lower than now, but exactly what the snapshot the cart claims gave when the item was scanned, that snapshot
 *   being valid then: honoured (`honoured`, flagged);
 * - lower than the rules allow (now, and the claimed snapshot at scan time): refused, ORDER_PRICE_BELOW_RULES.
 *
 * `then` prices each line by the claimed snapshot at its scan time (undefined where that snapshot was not valid).
 */
export function checkPrices(
  cartLines: readonly SubmittedLine[],
  now: PricedBasket,
  then: (lineId: string) => number | undefined,
): { lines: CheckedLine[]; audit: PriceAudit | null } {
  const fleetNet = new Map(now.lines.map((l) => [l.lineId, l.netFen]));
  const lines: CheckedLine[] = [];
  const below: { lineId: string; cartNetFen: number; fleetNetFen: number }[] = [];
  for (const line of cartLines) {
    const fleetNetFen = fleetNet.get(line.lineId);
    if (fleetNetFen === undefined) throw new FleetError('ORDER_INVALID', `line '${line.lineId}' was not priced`);
    const cartNetFen = line.cartNetFen;
    let chargedNetFen = fleetNetFen;
    let decision: PriceDecision | null = null;
    if (cartNetFen > fleetNetFen) {
      decision = 'charged_lower';
    } else if (cartNetFen < fleetNetFen) {
      if (then(line.lineId) === cartNetFen) {
        chargedNetFen = cartNetFen;
        decision = 'honoured';
      } else {
        below.push({ lineId: line.lineId, cartNetFen, fleetNetFen });
      }
    }
    lines.push({ lineId: line.lineId, fleetNetFen, cartNetFen, chargedNetFen, decision });
  }
  if (below.length > 0) {
    throw new FleetError(
      'ORDER_PRICE_BELOW_RULES',
      `${below.length} line(s) priced lower than the rules allow (first: '${below[0]!.lineId}', cart ${below[0]!.cartNetFen} fen, rules ${below[0]!.fleetNetFen} fen)`,
      below,
    );
  }
  const flagged = lines.filter((l) => l.decision !== null);
  if (flagged.length === 0) return { lines, audit: null };
  const charged = lines.reduce((sum, l) => sum + l.chargedNetFen, 0);
  return {
    lines,
    audit: {
      lines: flagged.map((l) => ({
        lineId: l.lineId,
        cartNetFen: l.cartNetFen,
        fleetNetFen: l.fleetNetFen,
        chargedNetFen: l.chargedNetFen,
        decision: l.decision as PriceDecision,
      })),
      differenceFen: charged - now.totalFen,
    },
  };
}
