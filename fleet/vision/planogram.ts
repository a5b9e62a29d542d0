import type { PlanogramEntry } from '../../protocol/api/vision.ts';
import type { Category } from '../../protocol/commerce/catalog.ts';

/**
 * Which zones a product is shelved in by a store's planogram: the entries naming its SKU, or its category or any
 * category above it (a planogram says "dairy is in zone 4" once, not per yoghurt). Sorted, no duplicates; empty when
 * the planogram says nothing of it (the cart then applies no location prior, never a veto).
 */
export class Planogram {
  private readonly parents: Map<string, string | null>;

  constructor(
    private readonly entries: readonly PlanogramEntry[],
    categories: readonly Category[],
  ) {
    this.parents = new Map(categories.map((c) => [c.id, c.parentId]));
  }

  zonesOf(sku: string, categoryId: string | null): string[] {
    const lineage = new Set<string>();
    for (let id = categoryId; id !== null && id !== undefined && !lineage.has(id); id = this.parents.get(id) ?? null) {
      lineage.add(id);
    }
    const zones = new Set<string>();
    for (const entry of this.entries) {
      if (entry.skus.includes(sku) || entry.categoryIds.some((c) => lineage.has(c))) zones.add(entry.zoneId);
    }
    return [...zones].sort();
  }
}
