import { api } from '../../api/api-client.ts';
import type { Me, ProductPage } from '../../api/types.ts';
import { money, nameOf } from '../../app/format.ts';
import { setQuery } from '../../app/router.ts';
import { can } from '../../app/session.ts';
import { useResource } from '../../app/use-resource.ts';
import { Icon } from '../../components/icons.tsx';
import { PageHeader } from '../../components/page-state.tsx';
import { PagedList, queryOffset } from '../../components/pager.tsx';
import { CatalogNav } from './catalog-nav.tsx';
import { categoryTree, useCategories } from './use-categories.ts';

const PAGE_SIZE = 50;

/** What a search box holds: a GTIN as scanned (8, 12 or 13 digits), a PLU (4-5 digits), or words. */
export function searchParams(text: string): { q?: string; gtin?: string; plu?: string } {
  const t = text.trim();
  if (!t) return {};
  if (/^(\d{8}|\d{12}|\d{13})$/.test(t)) return { gtin: t };
  if (/^\d{4,5}$/.test(t)) return { plu: t };
  return { q: t };
}

export function CatalogPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const search = query.get('search') ?? '';
  const categoryId = query.get('categoryId') ?? '';
  const offset = queryOffset(query);
  const categories = useCategories();
  const list = useResource(
    () =>
      api.get<ProductPage>('/api/catalog/products', {
        ...searchParams(search),
        categoryId,
        limit: PAGE_SIZE,
        offset,
      }),
    [search, categoryId, offset],
  );
  const categoryName = new Map((categories.data ?? []).map((c) => [c.id, nameOf(c.name)]));

  return (
    <div class="page commerce" data-testid="catalog-page">
      <PageHeader
        title="Catalog"
        subtitle={list.data ? `${list.data.total} product${list.data.total === 1 ? '' : 's'}` : ' '}
        actions={
          can(me, 'catalog:write') ? (
            <a class="btn btn-primary" href="/catalog/new" data-testid="product-create">
              <Icon name="plus" size={16} /> New product
            </a>
          ) : null
        }
      />
      <CatalogNav me={me} active="products" />
      <section class="filters">
        <label class="search">
          <Icon name="search" size={16} />
          <input
            type="search"
            placeholder="Name, brand, SKU, GTIN or PLU"
            value={search}
            onChange={(e) => setQuery({ search: (e.currentTarget as HTMLInputElement).value, offset: null })}
            aria-label="Search products"
            data-testid="catalog-search"
          />
        </label>
        <select
          value={categoryId}
          onChange={(e) => setQuery({ categoryId: (e.currentTarget as HTMLSelectElement).value, offset: null })}
          aria-label="Category"
          data-testid="catalog-category"
        >
          <option value="">All categories</option>
          {categoryTree(categories.data ?? []).map(({ category, depth }) => (
            <option key={category.id} value={category.id}>
              {'  '.repeat(depth)}
              {nameOf(category.name)}
            </option>
          ))}
        </select>
      </section>
      <section class="panel panel-flush">
        <PagedList list={list} limit={PAGE_SIZE} offset={offset} empty="No product matches.">
          {(items) => (
            <div class="table-scroll">
              <table class="table" data-testid="products-table">
                <thead>
                  <tr>
                    <th>Product</th>
                    <th>SKU</th>
                    <th>GTIN / PLU</th>
                    <th>Category</th>
                    <th class="num">Price</th>
                    <th>Flags</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((p) => (
                    <tr key={p.sku} data-testid="product-row" data-sku={p.sku}>
                      <td>
                        <a class="strong" href={`/catalog/products/${encodeURIComponent(p.sku)}`}>
                          {nameOf(p.name)}
                        </a>
                        <div class="muted small">
                          {p.name.zh}
                          {p.brand ? ` · ${p.brand}` : ''}
                        </div>
                      </td>
                      <td class="mono">{p.sku}</td>
                      <td class="mono small">{p.plu ? `PLU ${p.plu}` : (p.gtins[0] ?? '—')}</td>
                      <td>{categoryName.get(p.categoryId) ?? p.categoryId}</td>
                      <td class="num tabular" data-testid="product-price">
                        {money(p.priceFen)}
                        {p.soldBy === 'weight' ? '/kg' : ''}
                      </td>
                      <td>
                        {!p.available ? <span class="badge badge-idle">Unavailable</span> : null}
                        {p.minAge ? <span class="badge badge-warn">{p.minAge}+</span> : null}
                        {p.needsAttendant ? <span class="badge badge-info">Attendant</span> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </PagedList>
      </section>
    </div>
  );
}
