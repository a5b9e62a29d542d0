import { gunzipSync } from 'node:zlib';
import { createPricingContext, type PricingContext, priceBasket } from '../../commerce/pricing-engine.ts';
import { windowsAgreeAtScan } from '../../commerce/scan-time-windows.ts';
import type { PricedBasket } from '../../protocol/commerce/basket.ts';
import type { PricingSnapshot } from '../../protocol/commerce/snapshot.ts';
import type { LocalizedText } from '../../protocol/commerce/text.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { OrderPrices, OrderPricing, PricingRequest } from './commerce-ports.ts';

/** What the adapter reads of the pricing snapshots (`PricingSnapshotService` implements it). */
export interface SnapshotVersions {
  /** The store's current version, undefined before its first build. */
  currentVersion(storeId: string): number | undefined;
  /** The gzip JSON of a version, undefined (or null) when unknown or pruned. */
  bytes(storeId: string, version: number): Buffer | null | undefined;
  validAt(storeId: string, version: number, at: number): boolean;
}

export interface SnapshotPricingDeps {
  snapshots: SnapshotVersions;
  productName: (sku: string) => LocalizedText | undefined;
  promotionName: (promotionId: string) => LocalizedText | undefined;
  /** Pricing contexts kept (per store and version); a store's current and previous one are what checkout uses. */
  cacheSize?: number;
}

/**
 * Orders and quotes priced by the one pricing engine (`commerce/pricing-engine.ts`, plan decision 4) over the
 * snapshots the carts priced with (decision 6): the store's current version for the rules of now, the stored bytes
 * of an older version for the rules the cart claims. A version's context is built once (unzip, parse, index) and
 * kept, so a burst of checkouts in one store parses its snapshot once.
 */
export class SnapshotOrderPricing implements OrderPricing {
  private readonly contexts = new Map<string, PricingContext>();

  constructor(private readonly deps: SnapshotPricingDeps) {}

  price(request: PricingRequest): PricedBasket {
    return priceBasket(this.currentContext(request.storeId).context, engineRequest(request, 'at'));
  }

  /**
   * The order's two prices. A cart that priced with the store's current snapshot, every line scanned while each
   * promotion was open or closed as it is now (commerce/scan-time-windows.ts), gets one pricing for both: the
   * engine would answer the same basket twice, and it is most of an order's CPU in a checkout burst.
   */
  priceForOrder(version: number, request: PricingRequest): OrderPrices {
    const now = this.currentContext(request.storeId);
    const current = priceBasket(now.context, engineRequest(request, 'at'));
    const scannedAts = request.lines.map((l) => l.scannedAt);
    if (version === now.version && windowsAgreeAtScan(now.context, request.at, scannedAts)) {
      return { current, claimed: { basket: current, validAtScan: this.validAtScan(request, version) } };
    }
    const context = this.context(request.storeId, version);
    if (!context) return { current, claimed: undefined };
    return {
      current,
      claimed: {
        basket: priceBasket(context, engineRequest(request, 'scannedAt')),
        validAtScan: this.validAtScan(request, version),
      },
    };
  }

  productName(sku: string): LocalizedText | undefined {
    return this.deps.productName(sku);
  }

  promotionName(promotionId: string): LocalizedText | undefined {
    return this.deps.promotionName(promotionId);
  }

  private currentContext(storeId: string): { version: number; context: PricingContext } {
    const version = this.deps.snapshots.currentVersion(storeId);
    const context = version === undefined ? undefined : this.context(storeId, version);
    if (version === undefined || !context) {
      throw new FleetError('SNAPSHOT_NOT_FOUND', `store '${storeId}' has no pricing snapshot yet`);
    }
    return { version, context };
  }

  private validAtScan(request: PricingRequest, version: number): boolean {
    return request.lines.every((l) => this.deps.snapshots.validAt(request.storeId, version, l.scannedAt));
  }

  private context(storeId: string, version: number): PricingContext | undefined {
    const key = `${storeId}\n${version}`;
    const cached = this.contexts.get(key);
    if (cached) {
      // Most recently used last: the Map's order is the eviction order.
      this.contexts.delete(key);
      this.contexts.set(key, cached);
      return cached;
    }
    const bytes = this.deps.snapshots.bytes(storeId, version);
    if (!bytes) return undefined;
    const snapshot = JSON.parse(gunzipSync(bytes).toString('utf8')) as PricingSnapshot;
    const context = createPricingContext(snapshot);
    this.contexts.set(key, context);
    const limit = this.deps.cacheSize ?? 16;
    while (this.contexts.size > limit) this.contexts.delete(this.contexts.keys().next().value as string);
    return context;
  }
}

function engineRequest(request: PricingRequest, windowsAt: 'at' | 'scannedAt') {
  return {
    lines: request.lines,
    member: request.member,
    couponIds: request.couponIds,
    pointsToRedeem: request.pointsToRedeem,
    at: request.at,
    windowsAt,
  };
}
