/**
 * What the engine derives from a pricing snapshot once, so that a cart can price its basket on every scan cheaply:
 * the catalog index, the category tree, the store's promotions in a canonical order (priority, then id: the input
 * order never matters) with their windows parsed, and indexed by the SKUs they list and by the categories they reach
 * (a category's list already holds what its ancestors and the store-wide promotions add), tiers by id.
 */

import type { EarnRule, Tier } from '../protocol/commerce/loyalty.ts';
import type { Promotion } from '../protocol/commerce/promotions.ts';
import type { PricingSnapshot } from '../protocol/commerce/snapshot.ts';
import { CatalogIndex } from './catalog-index.ts';
import { CategoryTree } from './category-tree.ts';
import { PricingWorkspace } from './pricing-workspace.ts';
import { type CompiledWindow, compileWindow, inScope, LocalTimeCache } from './promotion-window.ts';

export interface RankedPromotion {
  promotion: Promotion;
  /** Position in the canonical order: priority descending, then id ascending. Lower ranks first. */
  rank: number;
  /** `promotion.window`, parsed. */
  window: CompiledWindow;
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
  /** Ranks of the promotions listing a SKU, ascending. */
  readonly ranksBySku: ReadonlyMap<string, readonly number[]>;
  /**
   * Ranks of the promotions reaching a product of a category, ascending, without the SKU-listed ones: those listing
   * the category or an ancestor, and those with an empty target. See {@link ranksReaching} for an unknown category.
   */
  readonly ranksByCategory: ReadonlyMap<string, readonly number[]>;
  readonly earnRules: readonly EarnRule[];
  readonly tiers: ReadonlyMap<string, Tier>;
  /** The store's wall clock by minute (promotion-window.ts): a cache, filled as pricings ask. */
  readonly localTimes: LocalTimeCache;
  /** Work arrays every pricing with this context reuses (pricing-workspace.ts): nothing in them is an answer. */
  readonly workspace: PricingWorkspace;
}

/** Canonical promotion order: higher priority first, then the smaller id. */
export function comparePromotions(a: Promotion, b: Promotion): number {
  return b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function createPricingContext(snapshot: PricingSnapshot): PricingContext {
  const store = snapshot.store;
  const sorted = snapshot.promotions.filter((p) => inScope(p.scope, store)).sort(comparePromotions);
  const promotions = sorted.map((promotion, rank) => ({ promotion, rank, window: compileWindow(promotion.window) }));
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
  const categories = new CategoryTree(snapshot.categories);
  const ranksBySku = new Map<string, number[]>();
  for (const [sku, list] of promotionsBySku)
    ranksBySku.set(
      sku,
      list.map((r) => r.rank),
    );
  const partial = { promotionsByCategory, promotionsEverywhere };
  const ranksByCategory = new Map<string, readonly number[]>();
  for (const c of snapshot.categories) ranksByCategory.set(c.id, ranksReaching(partial, categories.pathOf(c.id)));
  return {
    snapshot,
    catalog: new CatalogIndex(snapshot.products, snapshot.variableMeasureLayouts),
    categories,
    promotions,
    promotionById: new Map(promotions.map((r) => [r.promotion.id, r])),
    promotionsBySku,
    promotionsByCategory,
    promotionsEverywhere,
    ranksBySku,
    ranksByCategory,
    earnRules: snapshot.earnRules.filter((r) => inScope(r.scope, store)),
    tiers: new Map(snapshot.tiers.map((t) => [t.id, t])),
    localTimes: new LocalTimeCache(store.timeZone),
    workspace: new PricingWorkspace(),
  };
}

/** Ranks of the promotions listing a category of `path` (a category and its ancestors) or everything, ascending. */
export function ranksReaching(
  context: Pick<PricingContext, 'promotionsByCategory' | 'promotionsEverywhere'>,
  path: readonly string[],
): number[] {
  const ranks = new Set<number>();
  for (const id of path) for (const r of context.promotionsByCategory.get(id) ?? []) ranks.add(r.rank);
  for (const r of context.promotionsEverywhere) ranks.add(r.rank);
  return [...ranks].sort((a, b) => a - b);
}
