/**
 * What the engine derives from a pricing snapshot once, so that a cart can price its basket on every scan cheaply:
 * the catalog index, the category tree, the store's promotions in a canonical order (priority, then id: the input
 * order never matters) and indexed by the SKUs and categories they target, tiers by id.
 */

import type { EarnRule, Tier } from '../protocol/commerce/loyalty.ts';
import type { Promotion } from '../protocol/commerce/promotions.ts';
import type { PricingSnapshot } from '../protocol/commerce/snapshot.ts';
import { CatalogIndex } from './catalog-index.ts';
import { CategoryTree } from './category-tree.ts';
import { inScope } from './promotion-window.ts';

export interface RankedPromotion {
  promotion: Promotion;
  /** Position in the canonical order: priority descending, then id ascending. Lower ranks first. */
  rank: number;
}

export interface PricingContext {
  readonly snapshot: PricingSnapshot;
  readonly catalog: CatalogIndex;
  readonly categories: CategoryTree;
  /** The store's promotions (scope already applied), in rank order. */
  readonly promotions: readonly RankedPromotion[];
  readonly promotionById: ReadonlyMap<string, RankedPromotion>;
  /** Promotions listing a SKU, by SKU; listing a category, by category id; with an empty target. */
  readonly promotionsBySku: ReadonlyMap<string, RankedPromotion[]>;
  readonly promotionsByCategory: ReadonlyMap<string, RankedPromotion[]>;
  readonly promotionsEverywhere: readonly RankedPromotion[];
  readonly earnRules: readonly EarnRule[];
  readonly tiers: ReadonlyMap<string, Tier>;
}

/** Canonical promotion order: higher priority first, then the smaller id. */
export function comparePromotions(a: Promotion, b: Promotion): number {
  return b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function createPricingContext(snapshot: PricingSnapshot): PricingContext {
  const store = snapshot.store;
  const sorted = snapshot.promotions.filter((p) => inScope(p.scope, store)).sort(comparePromotions);
  const promotions = sorted.map((promotion, rank) => ({ promotion, rank }));
  const promotionsBySku = new Map<string, RankedPromotion[]>();
  const promotionsByCategory = new Map<string, RankedPromotion[]>();
  const promotionsEverywhere: RankedPromotion[] = [];
  const push = (map: Map<string, RankedPromotion[]>, key: string, value: RankedPromotion) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  for (const ranked of promotions) {
    const skus = ranked.promotion.target.skus ?? [];
    const categoryIds = ranked.promotion.target.categoryIds ?? [];
    if (skus.length === 0 && categoryIds.length === 0) promotionsEverywhere.push(ranked);
    for (const sku of new Set(skus)) push(promotionsBySku, sku, ranked);
    for (const id of new Set(categoryIds)) push(promotionsByCategory, id, ranked);
  }
  return {
    snapshot,
    catalog: new CatalogIndex(snapshot.products, snapshot.variableMeasureLayouts),
    categories: new CategoryTree(snapshot.categories),
    promotions,
    promotionById: new Map(promotions.map((r) => [r.promotion.id, r])),
    promotionsBySku,
    promotionsByCategory,
    promotionsEverywhere,
    earnRules: snapshot.earnRules.filter((r) => inScope(r.scope, store)),
    tiers: new Map(snapshot.tiers.map((t) => [t.id, t])),
  };
}
