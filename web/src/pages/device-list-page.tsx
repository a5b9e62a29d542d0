import { useMemo, useState } from 'preact/hooks';
import { api } from '../api/api-client.ts';
import type { DeviceListQuery, DeviceSort, DeviceSummary, Me, Page } from '../api/types.ts';
import { applyPresence, applyTelemetry, patchDeviceRow } from '../app/device-live.ts';
import { relativeTime, shortZone, temperature } from '../app/format.ts';
import { setQuery } from '../app/router.ts';
import { storeName, useStores, zoneName } from '../app/stores-cache.ts';
import { useResource, useThrottled, useTick } from '../app/use-resource.ts';
import { Icon } from '../components/icons.tsx';
import { PageHeader } from '../components/page-state.tsx';
import { PagedList, queryOffset } from '../components/pager.tsx';
import { BatteryGauge, KindLabel, PresenceBadge } from '../components/status.tsx';
import { useLiveEvent, useReconnect } from '../live/live-feed.ts';

/** The list's filters, in the order the filter bar shows them; each is a query parameter of `GET /api/devices`. */
const FILTER_KEYS: readonly (keyof DeviceListQuery & string)[] = [
  'q',
  'kind',
  'storeId',
  'zoneId',
  'presence',
  'batteryBelow',
  'batteryAbove',
  'softwareVersion',
  'tag',
];
const PAGE_SIZE = 50;

type SortKey = DeviceSort;

export function DeviceListPage({ query }: { me: Me; query: URLSearchParams }) {
  const stores = useStores();
  useTick(15_000);
  const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, query.get(k) ?? ''])) as Record<
    (typeof FILTER_KEYS)[number],
    string
  >;
  const sort = (query.get('sort') as SortKey | null) ?? 'thingName';
  const order = query.get('order') === 'desc' ? 'desc' : 'asc';
  const offset = queryOffset(query);
  const key = query.toString();

  const list = useResource(
    () => api.get<Page<DeviceSummary>>('/api/devices', { ...filters, sort, order, limit: PAGE_SIZE, offset }),
    [key],
  );
  const reload = useThrottled(list.reload, 1500);
  useReconnect(list.reload);

  useLiveEvent('presence', (e) => {
    // a presence filter may now exclude (or include) the device: ask the server
    if (filters.presence) reload();
    list.mutate((page) => patchDeviceRow(page, e.thingName, (d) => applyPresence(d, e)));
  });
  useLiveEvent('telemetry', (e) => {
    if (e.stream !== 'telemetry' && e.stream !== 'health') return;
    list.mutate((page) => patchDeviceRow(page, e.thingName, (d) => applyTelemetry(d, e)));
  });
  useLiveEvent('device', reload);
  useLiveEvent('alert', (e) => {
    if (list.data?.items.some((d) => d.thingName === e.thingName)) reload();
  });

  const zones = useMemo(
    () => (filters.storeId ? (stores.find((s) => s.id === filters.storeId)?.zones ?? []) : []),
    [stores, filters.storeId],
  );
  const activeFilters = FILTER_KEYS.filter((k) => filters[k]).length;

  const sortBy = (key: SortKey) =>
    setQuery({ sort: key, order: sort === key && order === 'asc' ? 'desc' : 'asc', offset: null });
  const header = (key: SortKey, label: string, cls = '') => (
    <th class={`sortable ${cls}`} aria-sort={sort === key ? (order === 'asc' ? 'ascending' : 'descending') : undefined}>
      <button type="button" onClick={() => sortBy(key)} data-testid={`sort-${key}`}>
        {label}
        <span class="sort-mark">{sort === key ? (order === 'asc' ? '▲' : '▼') : ''}</span>
      </button>
    </th>
  );

  return (
    <div class="page" data-testid="device-list-page">
      <PageHeader
        title="Devices"
        subtitle={list.data ? `${list.data.total} device${list.data.total === 1 ? '' : 's'}` : ' '}
      />
      <Filters filters={filters} stores={stores} zones={zones} activeCount={activeFilters} />
      <section class="panel panel-flush">
        <PagedList list={list} limit={PAGE_SIZE} offset={offset} empty="No device matches these filters.">
          {(items) => (
            <div class="table-scroll">
              <table class="table table-devices" data-testid="device-table">
                <thead>
                  <tr>
                    {header('thingName', 'Device')}
                    {header('kind', 'Kind', 'hide-md')}
                    {header('storeId', 'Store')}
                    <th>Zone</th>
                    <th>Status</th>
                    {header('battery', 'Battery')}
                    <th class="hide-md">Temp.</th>
                    {header('softwareVersion', 'Version', 'hide-md hide-lg')}
                    {header('lastSeen', 'Last seen')}
                  </tr>
                </thead>
                <tbody>
                  {items.map((d) => (
                    <tr key={d.thingName} data-testid="device-row" data-thing={d.thingName}>
                      <td>
                        <a class="strong" href={`/devices/${encodeURIComponent(d.thingName)}`}>
                          {d.thingName}
                        </a>
                        {d.tags.length ? (
                          <span class="tags">
                            {d.tags.map((t) => (
                              <span class="tag" key={t}>
                                {t}
                              </span>
                            ))}
                          </span>
                        ) : null}
                      </td>
                      <td class="hide-md">
                        <KindLabel kind={d.kind} />
                      </td>
                      <td class="wrap">{storeName(stores, d.storeId)}</td>
                      <td class="wrap">
                        {zoneName(stores, d.zone ?? d.zoneId) || shortZone(d.zone ?? d.zoneId, d.storeId)}
                      </td>
                      <td>
                        <div class="status-cell">
                          <PresenceBadge presence={d.presence} />
                          {d.openAlerts ? <span class="badge badge-bad">{d.openAlerts} alert</span> : null}
                          {d.provisioning === 'pending-approval' ? <span class="badge badge-warn">Pending</span> : null}
                        </div>
                      </td>
                      <td>
                        <BatteryGauge battery={d.battery} charging={d.charging} />
                      </td>
                      <td class="hide-md tabular">{temperature(d.temperature)}</td>
                      <td class="hide-md hide-lg mono">{d.softwareVersion ?? '—'}</td>
                      <td class="muted nowrap">{relativeTime(d.lastSeen)}</td>
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

function Filters({
  filters,
  stores,
  zones,
  activeCount,
}: {
  filters: Record<string, string>;
  stores: { id: string; name: string }[];
  zones: { id: string; name: string }[];
  activeCount: number;
}) {
  const [more, setMore] = useState(Boolean(filters.batteryAbove || filters.softwareVersion || filters.tag));
  const set = (key: string) => (e: Event) =>
    setQuery({
      [key]: (e.currentTarget as HTMLInputElement).value,
      offset: null,
      ...(key === 'storeId' ? { zoneId: null } : {}),
    });
  return (
    <section class="filters" data-testid="device-filters">
      <label class="search">
        <Icon name="search" size={16} />
        <input
          type="search"
          placeholder="Thing name starts with…"
          value={filters.q}
          onInput={set('q')}
          aria-label="Search by thing name"
          data-testid="filter-q"
        />
      </label>
      <select value={filters.kind} onChange={set('kind')} aria-label="Kind" data-testid="filter-kind">
        <option value="">All kinds</option>
        <option value="cart">Carts</option>
        <option value="speaker">Speakers</option>
      </select>
      <select value={filters.storeId} onChange={set('storeId')} aria-label="Store" data-testid="filter-store">
        <option value="">All stores</option>
        {stores.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
      <select
        value={filters.zoneId}
        onChange={set('zoneId')}
        aria-label="Zone"
        disabled={!zones.length}
        data-testid="filter-zone"
      >
        <option value="">{zones.length ? 'All zones' : 'Zone (pick a store)'}</option>
        {zones.map((z) => (
          <option key={z.id} value={z.id}>
            {z.name}
          </option>
        ))}
      </select>
      <select value={filters.presence} onChange={set('presence')} aria-label="Presence" data-testid="filter-presence">
        <option value="">Any status</option>
        <option value="online">Online</option>
        <option value="offline">Offline</option>
        <option value="never">Never connected</option>
      </select>
      <select
        value={filters.batteryBelow}
        onChange={set('batteryBelow')}
        aria-label="Battery below"
        data-testid="filter-battery"
      >
        <option value="">Any battery</option>
        <option value="15">Below 15%</option>
        <option value="30">Below 30%</option>
        <option value="50">Below 50%</option>
      </select>
      <button type="button" class="btn btn-ghost btn-small" onClick={() => setMore(!more)} aria-expanded={more}>
        More filters
      </button>
      {activeCount ? (
        <button
          type="button"
          class="btn btn-ghost btn-small"
          data-testid="filter-clear"
          onClick={() => setQuery(Object.fromEntries([...Object.keys(filters), 'offset'].map((k) => [k, null])))}
        >
          Clear ({activeCount})
        </button>
      ) : null}
      {more ? (
        <div class="filters-more">
          <label class="inline-field">
            <span>Battery above</span>
            <input type="number" min={0} max={100} value={filters.batteryAbove} onChange={set('batteryAbove')} />
          </label>
          <label class="inline-field">
            <span>Software version</span>
            <input value={filters.softwareVersion} onChange={set('softwareVersion')} placeholder="e.g. 0.1.0" />
          </label>
          <label class="inline-field">
            <span>Tag</span>
            <input value={filters.tag} onChange={set('tag')} placeholder="e.g. pilot" />
          </label>
        </div>
      ) : null}
    </section>
  );
}
