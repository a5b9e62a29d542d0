import { inScope, localTime } from '../../commerce/promotion-window.ts';
import type { PromotionScope, PromotionWindow } from '../../protocol/commerce/promotions.ts';
import type { PricingSnapshot } from '../../protocol/commerce/snapshot.ts';
import type { SnapshotSource } from './snapshot-source.ts';

/** A snapshot's content: everything but `version` and `builtAt`, which the service stamps. */
export type SnapshotContent = Omit<PricingSnapshot, 'version' | 'builtAt'> & { version: 0; builtAt: 0 };

/**
 * The store's snapshot content at `at`: its products (store prices applied by the source), the chain's categories,
 * tiers, redemption policy and label layouts, the promotions and earn rules whose scope takes in this store and
 * whose window has not ended (its last day, in the store's zone, is today or later), and the offline verifiers of
 * the store's staff codes. Sorted, so that equal inputs make equal bytes. `undefined` for an unknown store.
 */
export function buildSnapshot(source: SnapshotSource, storeId: string, at: number): SnapshotContent | undefined {
  const store = source.store(storeId);
  if (!store) return undefined;
  const today = localTime(at, store.timeZone).date;
  const applies = (scope: PromotionScope, window: PromotionWindow | undefined) =>
    inScope(scope, store) && (window === undefined || (window.to as string) >= today);
  return {
    version: 0,
    storeId,
    builtAt: 0,
    store,
    categories: [...source.categories()].sort((a, b) => a.id.localeCompare(b.id)),
    products: [...source.products(storeId)].sort((a, b) => a.sku.localeCompare(b.sku)),
    promotions: source
      .promotions()
      .filter((p) => applies(p.scope, p.window))
      .sort((a, b) => a.id.localeCompare(b.id)),
    earnRules: source
      .earnRules()
      .filter((r) => applies(r.scope, r.window))
      .sort((a, b) => a.id.localeCompare(b.id)),
    tiers: [...source.tiers()].sort((a, b) => a.id.localeCompare(b.id)),
    redemption: source.redemption(),
    variableMeasureLayouts: [...source.variableMeasureLayouts()].sort((a, b) => a.id.localeCompare(b.id)),
    staff: [...source.staff(storeId)].sort((a, b) => a.userId.localeCompare(b.userId)),
  };
}
