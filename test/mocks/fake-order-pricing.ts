import type { ClaimedPricing, OrderPrices, OrderPricing, PricingRequest } from '../../fleet/orders/commerce-ports.ts';
import type { PricedBasket } from '../../protocol/commerce/basket.ts';
import { FleetError } from '../../protocol/errors.ts';

/** One version of a store's prices: fen per item, valid from `validFrom` until `supersededAt` (null: still). */
export interface FakePriceVersion {
  version: number;
  validFrom: number;
  supersededAt: number | null;
  prices: Record<string, number>;
}

/**
 * A stand-in for the pricing engine over snapshots: per-item prices by version, 1 point earned per full ¥1 for
 * members, 1 point = 1 fen when redeemed. Enough to drive the price policy and the order life cycle.
 */
export class FakeOrderPricing implements OrderPricing {
  readonly versions: FakePriceVersion[] = [];
  calls = 0;

  constructor(prices: Record<string, number>, validFrom = 0) {
    this.versions.push({ version: 1, validFrom, supersededAt: null, prices });
  }

  /** A new price list from `at`: the current version is superseded then. */
  reprice(prices: Record<string, number>, at: number): number {
    const current = this.versions.at(-1)!;
    current.supersededAt = at;
    const version = current.version + 1;
    this.versions.push({ version, validFrom: at, supersededAt: null, prices: { ...current.prices, ...prices } });
    return version;
  }

  price(request: PricingRequest): PricedBasket {
    const version = this.versions.find((v) => v.validFrom <= request.at && (v.supersededAt ?? Infinity) > request.at);
    if (!version) throw new FleetError('SNAPSHOT_NOT_FOUND', 'no prices at that time');
    return this.priceBy(version, request);
  }

  priceForOrder(versionNumber: number, request: PricingRequest): OrderPrices {
    return {
      current: this.price(request),
      claimed: this.priceWithSnapshot(versionNumber, request),
      names: { product: (sku) => this.productName(sku), promotion: () => this.promotionName() },
    };
  }

  private priceWithSnapshot(versionNumber: number, request: PricingRequest): ClaimedPricing | undefined {
    const v = this.versions.find((x) => x.version === versionNumber);
    if (!v) return undefined;
    const valid = (at: number) => v.validFrom <= at && (v.supersededAt ?? Infinity) > at;
    return { basket: this.priceBy(v, request), validAtScan: request.lines.every((l) => valid(l.scannedAt)) };
  }

  productName(sku: string) {
    return { zh: `商品 ${sku}`, en: `Product ${sku}` };
  }

  promotionName() {
    return undefined;
  }

  private priceBy(v: FakePriceVersion, request: PricingRequest): PricedBasket {
    this.calls++;
    const lines = request.lines.map((l) => {
      const unit = v.prices[l.sku];
      if (unit === undefined) throw new FleetError('PRODUCT_NOT_FOUND', `no product '${l.sku}'`);
      const gross = l.weightG !== null ? Math.round((l.weightG * unit) / 1000) : unit * l.quantity;
      return {
        lineId: l.lineId,
        sku: l.sku,
        soldBy: l.weightG !== null ? ('weight' as const) : ('each' as const),
        quantity: l.quantity,
        weightG: l.weightG,
        unitPriceFen: unit,
        grossFen: gross,
        discounts: [],
        netFen: gross,
        minAge: null,
        needsAttendant: false,
      };
    });
    const total = lines.reduce((s, l) => s + l.netFen, 0);
    const redeemed = request.member ? Math.min(request.pointsToRedeem, total) : 0;
    return {
      snapshotVersion: v.version,
      at: request.at,
      lines,
      promotions: [],
      subtotalFen: total,
      discountFen: 0,
      totalFen: total,
      points: {
        earned: request.member ? Math.floor((total - redeemed) / 100) : 0,
        redeemed,
        redeemedValueFen: redeemed,
      },
      payableFen: total - redeemed,
      couponsUsed: request.member ? request.couponIds : [],
      couponsNotApplied: [],
    };
  }
}
