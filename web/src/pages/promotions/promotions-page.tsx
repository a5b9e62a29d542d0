import { PROMOTION_KINDS } from '../../../../protocol/commerce/promotions.ts';
import { api } from '../../api/api-client.ts';
import type { Me, PromotionPage, PromotionRecord } from '../../api/types.ts';
import { nameOf } from '../../app/format.ts';
import { setQuery } from '../../app/router.ts';
import { can } from '../../app/session.ts';
import { storeName, useStores } from '../../app/stores-cache.ts';
import { useResource } from '../../app/use-resource.ts';
import { Icon } from '../../components/icons.tsx';
import { PageHeader } from '../../components/page-state.tsx';
import { PagedList, queryOffset } from '../../components/pager.tsx';
import { StoreSelect } from '../commerce/store-select.tsx';
import { benefit, KIND_LABELS, scopeText, windowText } from './promotion-text.ts';

const PAGE_SIZE = 50;

/**
 * Whether this user may change this promotion, as the server decides it: chain-wide roles any; a store manager only
 * `stores` promotions all of whose stores are theirs (and no regions).
 */
export function canEdit(me: Me, record: PromotionRecord): boolean {
  if (!can(me, 'promotions:write')) return false;
  if (me.storeIds === null) return true;
  const mine = new Set(me.storeIds);
  const scope = record.promotion.scope;
  return (
    record.owner === 'stores' &&
    scope.regions.length === 0 &&
    scope.storeIds.length > 0 &&
    scope.storeIds.every((s) => mine.has(s))
  );
}

export function PromotionsPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const stores = useStores();
  const storeId = query.get('storeId') ?? '';
  const kind = query.get('kind') ?? '';
  const activeNow = query.get('active') === '1';
  const offset = queryOffset(query);
  const list = useResource(
    () =>
      api.get<PromotionPage>('/api/promotions', {
        storeId,
        kind,
        activeAt: activeNow ? Date.now() : undefined,
        limit: PAGE_SIZE,
        offset,
      }),
    [storeId, kind, activeNow, offset],
  );
  return (
    <div class="page commerce" data-testid="promotions-page">
      <PageHeader
        title="Promotions"
        subtitle={list.data ? `${list.data.total} promotion${list.data.total === 1 ? '' : 's'}` : ' '}
        actions={
          can(me, 'promotions:write') ? (
            <a class="btn btn-primary" href="/promotions/new" data-testid="promotion-create">
              <Icon name="plus" size={16} /> New promotion
            </a>
          ) : null
        }
      />
      <section class="filters">
        <StoreSelect stores={stores} value={storeId} onChange={(v) => setQuery({ storeId: v, offset: null })} />
        <select
          value={kind}
          onChange={(e) => setQuery({ kind: (e.currentTarget as HTMLSelectElement).value, offset: null })}
          aria-label="Kind"
          data-testid="filter-kind"
        >
          <option value="">All kinds</option>
          {PROMOTION_KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_LABELS[k]}
            </option>
          ))}
        </select>
        <label class="check">
          <input
            type="checkbox"
            checked={activeNow}
            onChange={(e) =>
              setQuery({ active: (e.currentTarget as HTMLInputElement).checked ? '1' : null, offset: null })
            }
            data-testid="filter-active"
          />
          Active now
        </label>
      </section>
      <section class="panel panel-flush">
        <PagedList list={list} limit={PAGE_SIZE} offset={offset} empty="No promotion matches.">
          {(items) => (
            <div class="table-scroll">
              <table class="table" data-testid="promotions-table">
                <thead>
                  <tr>
                    <th>Promotion</th>
                    <th>Kind</th>
                    <th>Window</th>
                    <th>Scope</th>
                    <th>Stacking</th>
                    <th class="num">Priority</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {items.map((r) => (
                    <tr key={r.promotion.id} data-testid="promotion-row" data-id={r.promotion.id}>
                      <td>
                        <strong>{nameOf(r.promotion.name)}</strong>
                        <div class="muted small">
                          {benefit(r.promotion)}
                          {r.promotion.couponRequired ? ' · coupon' : ''}
                          {r.promotion.memberOnly ? ' · members' : ''}
                        </div>
                      </td>
                      <td>{KIND_LABELS[r.promotion.kind]}</td>
                      <td class="small">{windowText(r.promotion)}</td>
                      <td class="small wrap">{scopeText(r.promotion, (id) => storeName(stores, id))}</td>
                      <td>{r.promotion.stacking}</td>
                      <td class="num tabular">{r.promotion.priority}</td>
                      <td>
                        <a class="btn btn-small" href={`/promotions/${encodeURIComponent(r.promotion.id)}`}>
                          {canEdit(me, r) ? 'Edit' : 'View'}
                        </a>
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
