import { DEVICE_KINDS } from '../../../protocol/api/devices.ts';
import { api } from '../api/api-client.ts';
import type { Me, Overview } from '../api/types.ts';
import { relativeTime, shortZone } from '../app/format.ts';
import { storeName, useStores } from '../app/stores-cache.ts';
import { useResource, useThrottled, useTick } from '../app/use-resource.ts';
import { Icon } from '../components/icons.tsx';
import { ErrorState, Loading, PageHeader } from '../components/page-state.tsx';
import { PresenceBar } from '../components/presence-bar.tsx';
import { BatteryGauge, KindLabel, PresenceBadge } from '../components/status.tsx';
import { useLiveEvent, useReconnect } from '../live/live-feed.ts';

export function OverviewPage({ me }: { me: Me }) {
  const overview = useResource(() => api.get<Overview>('/api/overview'), []);
  const stores = useStores();
  useTick(15_000);
  const refresh = useThrottled(overview.reload, 1000);
  useLiveEvent('presence', refresh);
  useLiveEvent('alert', refresh);
  useLiveEvent('device', refresh);
  useReconnect(overview.reload);

  const scope =
    me.storeIds === null
      ? 'Whole chain'
      : me.storeIds.length === 1
        ? storeName(stores, me.storeIds[0])
        : `${me.storeIds.length} stores`;

  if (overview.error && !overview.data) return <ErrorState error={overview.error} onRetry={overview.reload} />;
  const o = overview.data;
  if (!o) return <Loading />;
  const d = o.devices;
  const onlinePct = d.total ? Math.round((d.online / d.total) * 100) : 0;

  return (
    <div class="page" data-testid="overview-page">
      <PageHeader title="Fleet overview" subtitle={scope} />
      <section class="cards">
        <div class="card stat-card" data-testid="overview-online">
          <span class="stat-label">Devices online</span>
          <span class="stat-value tabular">
            {d.online}
            <small> / {d.total}</small>
          </span>
          <PresenceBar counts={d} />
          <span class="stat-foot muted">{onlinePct}% of the fleet is connected</span>
        </div>
        {DEVICE_KINDS.map((kind) => {
          const k = d.byKind[kind];
          const total = k.online + k.offline + k.neverConnected;
          return (
            <a
              class="card stat-card card-link"
              key={kind}
              href={`/devices?kind=${kind}`}
              data-testid={`overview-${kind}`}
            >
              <span class="stat-label">
                <KindLabel kind={kind} />
              </span>
              <span class="stat-value tabular">
                {k.online}
                <small> / {total} online</small>
              </span>
              <PresenceBar counts={k} />
            </a>
          );
        })}
        <a class="card stat-card card-link" href="/alerts" data-testid="overview-alerts">
          <span class="stat-label">Active alerts</span>
          <span class={`stat-value tabular ${o.alerts.open ? 'text-bad' : ''}`}>
            {o.alerts.open}
            <small> open</small>
          </span>
          <div class="legend">
            <span>
              <span class="dot dot-warn" /> {o.alerts.acknowledged} acknowledged
            </span>
            <span>
              <span class="dot dot-bad" /> {o.alerts.critical} critical
            </span>
          </div>
        </a>
      </section>

      <div class="grid-2">
        <section class="panel">
          <header class="panel-header">
            <h2>Needs attention</h2>
            <span class="muted">{o.attention.length ? `${o.attention.length} devices` : ''}</span>
          </header>
          {o.attention.length === 0 ? (
            <div class="state state-empty state-good">
              <Icon name="check" size={22} /> Every device is connected and healthy.
            </div>
          ) : (
            <ul class="attention-list" data-testid="attention-list">
              {o.attention.map((dev) => (
                <li key={dev.thingName}>
                  <a href={`/devices/${encodeURIComponent(dev.thingName)}`} class="attention-item">
                    <span class={`severity-stripe ${dev.openAlerts ? 'stripe-bad' : 'stripe-warn'}`} />
                    <span class="attention-main">
                      <strong>{dev.thingName}</strong>
                      <span class="muted">
                        <KindLabel kind={dev.kind} /> · {storeName(stores, dev.storeId)}
                        {dev.zone || dev.zoneId ? ` · ${shortZone(dev.zone ?? dev.zoneId, dev.storeId)}` : ''}
                      </span>
                    </span>
                    <span class="attention-side">
                      <PresenceBadge presence={dev.presence} />
                      {dev.openAlerts ? (
                        <span class="badge badge-bad">
                          {dev.openAlerts} alert{dev.openAlerts > 1 ? 's' : ''}
                        </span>
                      ) : null}
                      {dev.kind === 'cart' ? <BatteryGauge battery={dev.battery} charging={dev.charging} /> : null}
                      <span class="muted small">seen {relativeTime(dev.lastSeen)}</span>
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          )}
        </section>

        <section class="panel">
          <header class="panel-header">
            <h2>Stores</h2>
          </header>
          <div class="table-scroll">
            <table class="table compact" data-testid="overview-stores">
              <thead>
                <tr>
                  <th>Store</th>
                  <th class="num">Online</th>
                  <th class="num">Offline</th>
                  <th class="wide">Presence</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {d.byStore.map((s) => (
                  <tr key={s.storeId ?? 'none'}>
                    <td class="cell-name">
                      <a href={s.storeId ? `/devices?storeId=${encodeURIComponent(s.storeId)}` : '/devices'}>
                        {s.name || storeName(stores, s.storeId)}
                      </a>
                    </td>
                    <td class="num tabular">{s.online}</td>
                    <td class={`num tabular ${s.offline ? 'text-bad' : ''}`}>{s.offline}</td>
                    <td class="wide">
                      <PresenceBar counts={s} compact />
                    </td>
                    <td class="num">
                      {s.storeId ? (
                        <a
                          class="icon-btn"
                          href={`/map/${encodeURIComponent(s.storeId)}`}
                          title="Floor map"
                          aria-label={`Floor map of ${s.name}`}
                        >
                          <Icon name="map" size={16} />
                        </a>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </div>
    </div>
  );
}
