import { api } from '../../api/api-client.ts';
import type { Category } from '../../api/types.ts';
import { nameOf } from '../../app/format.ts';
import { useResource } from '../../app/use-resource.ts';

export function useCategories() {
  return useResource(() => api.get<Category[]>('/api/catalog/categories'), []);
}

/** The category tree in display order (depth-first, by English name), each with its depth. */
export function categoryTree(categories: Category[]): { category: Category; depth: number }[] {
  const children = new Map<string | null, Category[]>();
  for (const c of categories) {
    const list = children.get(c.parentId) ?? [];
    list.push(c);
    children.set(c.parentId, list);
  }
  const out: { category: Category; depth: number }[] = [];
  const seen = new Set<string>();
  const walk = (parentId: string | null, depth: number) => {
    const list = (children.get(parentId) ?? []).sort((a, b) => nameOf(a.name).localeCompare(nameOf(b.name)));
    for (const c of list) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      out.push({ category: c, depth });
      walk(c.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}
