import { api, enc } from '../../api/api-client.ts';
import type { Me, StorePricePage } from '../../api/types.ts';
import { money } from '../../app/format.ts';
import { setQuery } from '../../app/router.ts';
import { useStores } from '../../app/stores-cache.ts';
import { useResource } from '../../app/use-resource.ts';
import { Empty, PageHeader } from '../../components/page-state.tsx';
import { PagedList, queryOffset } from '../../components/pager.tsx';
import { StoreSelect } from '../commerce/store-select.tsx';
import { CatalogNav } from './catalog-nav.tsx';

const PAGE_SIZE = 100;

/** A store's price overrides (a store manager sees their stores); each is changed on its product's page. */
export function StorePricesPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const stores = useStores();
  const storeId = query.get('storeId') ?? stores[0]?.id ?? '';
  const offset = queryOffset(query);
  const list = useResource(
    () =>
      storeId
        ? api.get<StorePricePage>(`/api/stores/${enc(storeId)}/prices`, { limit: PAGE_SIZE, offset })
        : Promise.resolve({ items: [], total: 0 }),
    [storeId, offset],
  );
  return (
    <div class="page commerce" data-testid="store-prices-page">
      <PageHeader title="Store prices" subtitle="Where a store's price or availability differs from the chain's" />
      <CatalogNav me={me} active="prices" />
      <section class="filters">
        <StoreSelect
          stores={stores}
          value={storeId}
          all={null}
          onChange={(v) => setQuery({ storeId: v, offset: null })}
        />
      </section>
      <section class="panel panel-flush">
        {!storeId ? (
          <Empty>No store in your scope.</Empty>
        ) : (
          <PagedList list={list} limit={PAGE_SIZE} offset={offset} empty="This store uses the chain's prices.">
            {(items) => (
              <table class="table" data-testid="store-prices-table">
                <thead>
                  <tr>
                    <th>SKU</th>
                    <th class="num">Store price</th>
                    <th>Available</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((p) => (
                    <tr key={p.sku} data-testid="store-price-row">
                      <td>
                        <a class="mono" href={`/catalog/products/${enc(p.sku)}?storeId=${enc(storeId)}`}>
                          {p.sku}
                        </a>
                      </td>
                      <td class="num tabular">{p.priceFen === null ? 'chain' : money(p.priceFen)}</td>
                      <td>{p.available === null ? 'chain' : p.available ? 'yes' : 'no'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </PagedList>
        )}
      </section>
    </div>
  );
}
