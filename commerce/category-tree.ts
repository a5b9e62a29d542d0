/**
 * The category tree of a snapshot: a product belongs to its category and every ancestor, so a promotion or an earn
 * rule on "Dairy" reaches "Dairy › Yoghurt". Depth decides which earn rule is the most specific.
 */
import type { Category } from '../protocol/commerce/catalog.ts';
import { fleetError } from '../protocol/errors.ts';

export class CategoryTree {
  /** Category id → itself and its ancestors, nearest first. */
  private readonly paths = new Map<string, string[]>();

  constructor(categories: readonly Category[]) {
    const parent = new Map<string, string | null>();
    for (const c of categories) parent.set(c.id, c.parentId);
    for (const c of categories) {
      const path: string[] = [];
      const seen = new Set<string>();
      for (let id: string | null | undefined = c.id; id != null; id = parent.get(id)) {
        if (seen.has(id)) throw fleetError('PRICING_INPUT_INVALID', `category ${c.id} is part of a cycle`, { id });
        seen.add(id);
        path.push(id);
      }
      this.paths.set(c.id, path);
    }
  }

  /** The category and its ancestors, nearest first (an unknown id: itself only). */
  pathOf(categoryId: string): readonly string[] {
    return this.paths.get(categoryId) ?? [categoryId];
  }

  /** 0 for a department, +1 per level below; -1 for "every category" (an empty list). */
  depthOf(categoryId: string): number {
    return this.pathOf(categoryId).length - 1;
  }

  /** Whether `categoryId` is `ancestorId` or lies under it. */
  isWithin(categoryId: string, ancestorId: string): boolean {
    return this.pathOf(categoryId).includes(ancestorId);
  }
}
