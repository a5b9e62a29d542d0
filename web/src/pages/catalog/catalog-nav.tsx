import type { Me } from '../../api/types.ts';
import { can } from '../../app/session.ts';

/** The catalog's views, as a segmented control (like alerts and their rules). */
export function CatalogNav({ me, active }: { me: Me; active: 'products' | 'categories' | 'prices' | 'import' }) {
  const items = [
    { key: 'products', href: '/catalog', label: 'Products', show: true },
    { key: 'categories', href: '/catalog/categories', label: 'Categories', show: true },
    { key: 'prices', href: '/catalog/prices', label: 'Store prices', show: true },
    { key: 'import', href: '/catalog/import', label: 'Import', show: can(me, 'catalog:write') },
  ] as const;
  return (
    <nav class="segmented" aria-label="Catalog views" data-testid="catalog-nav">
      {items
        .filter((i) => i.show)
        .map((i) => (
          <a key={i.key} href={i.href} class={i.key === active ? 'active' : ''}>
            {i.label}
          </a>
        ))}
    </nav>
  );
}
