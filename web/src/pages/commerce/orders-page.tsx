import { ORDER_STATES } from '../../../../protocol/commerce/orders.ts';
import { api } from '../../api/api-client.ts';
import type { Me, Order } from '../../api/types.ts';
import { money, relativeTime } from '../../app/format.ts';
import { setQuery } from '../../app/router.ts';
import { storeName, useStores } from '../../app/stores-cache.ts';
import { useResource, useTick } from '../../app/use-resource.ts';
import { PageHeader } from '../../components/page-state.tsx';
import { PagedList, queryOffset } from '../../components/pager.tsx';
import { useLiveEvent, useReconnect } from '../../live/live-feed.ts';
import { ORDER_STATE_LABELS, OrderStateBadge } from './commerce-badges.tsx';
import { StoreSelect } from './store-select.tsx';

const PAGE_SIZE = 50;

/**
 * The orders of the user's stores, newest first, live: an order submitted by a cart appears at the top without a
 * reload and its row follows it (awaiting payment → paid → exit verified) from the `order` event.
 */
export function OrdersPage({ query }: { me: Me; query: URLSearchParams }) {
  const stores = useStores();
  useTick(15_000);
  const storeId = query.get('storeId') ?? '';
  const state = query.get('state') ?? '';
  const memberNumber = query.get('memberNumber') ?? '';
  const offset = queryOffset(query);
  const list = useResource(
    () =>
      api.get<{ items: Order[]; total: number }>('/api/orders', {
        storeId,
        state,
        memberNumber,
        limit: PAGE_SIZE,
        offset,
      }),
    [storeId, state, memberNumber, offset],
  );
  useReconnect(list.reload);

  useLiveEvent('order', (order) => {
    const matches =
      (!storeId || order.storeId === storeId) &&
      (!state || order.state === state) &&
      (!memberNumber || order.memberNumber === memberNumber);
    list.mutate((page) => {
      if (!page) return page;
      const at = page.items.findIndex((o) => o.id === order.id);
      if (at >= 0) {
        const items = [...page.items];
        if (matches) items[at] = order;
        else items.splice(at, 1);
        return { items, total: matches ? page.total : page.total - 1 };
      }
      // A new order belongs on the first page only (newest first).
      if (!matches || offset > 0) return page;
      return { items: [order, ...page.items].slice(0, PAGE_SIZE), total: page.total + 1 };
    });
  });

  const set = (key: string) => (value: string) => setQuery({ [key]: value, offset: null });

  return (
    <div class="page commerce" data-testid="orders-page">
      <PageHeader
        title="Orders"
        subtitle={list.data ? `${list.data.total} order${list.data.total === 1 ? '' : 's'} · live` : ' '}
      />
      <section class="filters">
        <StoreSelect stores={stores} value={storeId} onChange={set('storeId')} />
        <select
          value={state}
          onChange={(e) => set('state')((e.currentTarget as HTMLSelectElement).value)}
          aria-label="State"
          data-testid="filter-state"
        >
          <option value="">Any state</option>
          {ORDER_STATES.map((s) => (
            <option key={s} value={s}>
              {ORDER_STATE_LABELS[s]}
            </option>
          ))}
        </select>
        <input
          type="search"
          placeholder="Member number"
          value={memberNumber}
          onChange={(e) => set('memberNumber')((e.currentTarget as HTMLInputElement).value.trim())}
          aria-label="Member number"
          data-testid="filter-member"
        />
      </section>
      <section class="panel panel-flush">
        <PagedList list={list} limit={PAGE_SIZE} offset={offset} empty="No order matches these filters.">
          {(items) => (
            <div class="table-scroll">
              <table class="table" data-testid="orders-table">
                <thead>
                  <tr>
                    <th>Order</th>
                    <th>Store</th>
                    <th>Cart</th>
                    <th>State</th>
                    <th class="num">Total</th>
                    <th>Member</th>
                    <th>Time</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((o) => (
                    <tr key={o.id} data-testid="order-row" data-order={o.id} data-state={o.state}>
                      <td>
                        <a class="strong mono" href={`/orders/${o.id}`}>
                          {o.id}
                        </a>
                        {o.priceAudit ? <span class="badge badge-warn">Price audit</span> : null}
                      </td>
                      <td class="wrap">{storeName(stores, o.storeId)}</td>
                      <td class="mono">{o.thingName}</td>
                      <td>
                        <OrderStateBadge state={o.state} />
                      </td>
                      <td class="num tabular" data-testid="order-total">
                        {money(o.payableFen)}
                      </td>
                      <td class="mono">{o.memberNumber ?? '—'}</td>
                      <td class="muted nowrap">{relativeTime(o.createdAt)}</td>
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
