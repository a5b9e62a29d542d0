import { gunzipSync } from 'node:zlib';
import { createPricingContext, type PricingContext, priceBasket } from '../../commerce/pricing-engine.ts';
import { windowsAgreeAtScan } from '../../commerce/scan-time-windows.ts';
import type { PricedBasket } from '../../protocol/commerce/basket.ts';
import type { PricingSnapshot } from '../../protocol/commerce/snapshot.ts';
import type { LocalizedText } from '../../protocol/commerce/text.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { OrderNames, OrderPrices, OrderPricing, PricingRequest } from './commerce-ports.ts';

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
      return {
        current,
        claimed: { basket: current, validAtScan: this.validAtScan(request, version) },
        names: this.names(now.context, undefined),
      };
    }
    const context = this.context(request.storeId, version);
    const claimed = context && {
      basket: priceBasket(context, engineRequest(request, 'scannedAt')),
      validAtScan: this.validAtScan(request, version),
    };
    return { current, claimed, names: this.names(now.context, context) };
  }

  /**
   * Names from the snapshots the order was priced with, as the store's carts show them, without a query per line;
   * the catalog (`deps`) answers what neither holds. A rename reaches the snapshot with its next build (debounced
   * after `catalog.changed`).
   */
  private names(current: PricingContext, claimed: PricingContext | undefined): OrderNames {
    const { deps } = this;
    return {
      product: (sku) => (current.catalog.product(sku) ?? claimed?.catalog.product(sku))?.name ?? deps.productName(sku),
      promotion: (id) =>
        (current.promotionById.get(id) ?? claimed?.promotionById.get(id))?.promotion.name ?? deps.promotionName(id),
    };
  }

  private currentContext(storeId: string): { version: number; context: PricingContext } {
    const version = this.deps.snapshots.currentVersion(storeId);
    const context = version === undefined ? undefined : this.context(storeId, version);
    if (version === undefined || !context) {
      throw new FleetError('SNAPSHOT_NOT_FOUND', `store '${storeId}' has no pricing snapshot yet`);
    }
    return { version, context };
  }

  /**
   * Whether `version` was current at every line's scan: a version is current over one interval, so at the earliest
   * and the latest scan is enough.
   */
  private validAtScan(request: PricingRequest, version: number): boolean {
    if (request.lines.length === 0) return true;
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const l of request.lines) {
      first = Math.min(first, l.scannedAt);
      last = Math.max(last, l.scannedAt);
    }
    const { snapshots } = this.deps;
    if (!snapshots.validAt(request.storeId, version, first)) return false;
    return first === last || snapshots.validAt(request.storeId, version, last);
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
