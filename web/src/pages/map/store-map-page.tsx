import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, api } from '../../api/api-client.ts';
import type { DeviceSummary, Me, Page } from '../../api/types.ts';
import { applyPresence, applyTelemetry, patchDeviceRow } from '../../app/device-live.ts';
import { percent } from '../../app/format.ts';
import { navigate } from '../../app/router.ts';
import { useStores } from '../../app/stores-cache.ts';
import { useResource, useThrottled } from '../../app/use-resource.ts';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { PresenceBadge } from '../../components/status.tsx';
import { useLiveEvent, useReconnect } from '../../live/live-feed.ts';
import { FloorMap, markerTone, zoneOf } from './floor-map.tsx';

export function StoreMapPage({ storeId }: { me: Me; storeId: string | null }) {
  const stores = useStores();

  useEffect(() => {
    if (!storeId && stores[0]) navigate(`/map/${encodeURIComponent(stores[0].id)}`, { replace: true });
  }, [storeId, stores]);

  const store = stores.find((s) => s.id === storeId);
  const devices = useResource(
    () =>
      storeId
        ? api.get<Page<DeviceSummary>>('/api/devices', { storeId, limit: 500, sort: 'thingName' })
        : Promise.resolve({ items: [], total: 0 }),
    [storeId],
  );
  const reload = useThrottled(devices.reload, 1500);
  useReconnect(devices.reload);
  useLiveEvent('presence', (e) => {
    if (e.storeId !== storeId) return;
    devices.mutate((p) => patchDeviceRow(p, e.thingName, (d) => applyPresence(d, e)));
  });
  useLiveEvent('telemetry', (e) => {
    if (e.storeId !== storeId || (e.stream !== 'telemetry' && e.stream !== 'health')) return;
    devices.mutate((p) => patchDeviceRow(p, e.thingName, (d) => applyTelemetry(d, e)));
  });
  useLiveEvent('device', reload);
  useLiveEvent('alert', (a) => {
    if (a.storeId === storeId) reload();
  });

  const [selectedZone, setSelectedZone] = useState<string | null>(null);
  const items = devices.data?.items ?? [];
  const counts = useMemo(() => {
    const c = { carts: 0, cartsOnline: 0, speakers: 0, speakersOnline: 0 };
    for (const d of items) {
      if (d.kind === 'cart') {
        c.carts++;
        if (d.presence.state === 'online') c.cartsOnline++;
      } else {
        c.speakers++;
        if (d.presence.state === 'online') c.speakersOnline++;
      }
    }
    return c;
  }, [items]);

  if (!stores.length) return <Loading />;
  if (!storeId) return <Loading />;
  if (!store) return <ErrorState error={new ApiError(404, 'STORE_NOT_FOUND', '')} />;
  if (devices.error && !devices.data) return <ErrorState error={devices.error} onRetry={devices.reload} />;

  const inZone = selectedZone ? items.filter((d) => zoneOf(d) === selectedZone) : [];
  const unplaced = items.filter((d) => !zoneOf(d) || !store.zones.some((z) => z.id === zoneOf(d)));

  return (
    <div class="page page-map" data-testid="map-page">
      <PageHeader
        title="Floor map"
        subtitle={
          <>
            {counts.cartsOnline}/{counts.carts} carts and {counts.speakersOnline}/{counts.speakers} speakers online
          </>
        }
        actions={
          <select
            value={storeId}
            onChange={(e) => navigate(`/map/${encodeURIComponent(e.currentTarget.value)}`)}
            aria-label="Store"
            data-testid="map-store"
          >
            {stores.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        }
      />
      <div class="map-layout">
        <section class="panel map-panel">
          {!devices.data ? (
            <Loading />
          ) : store.zones.length === 0 ? (
            <Empty>This store has no floor plan yet.</Empty>
          ) : (
            <FloorMap
              zones={store.zones}
              devices={items}
              selectedZone={selectedZone}
              onSelectZone={(z) => setSelectedZone(z === selectedZone ? null : z)}
            />
          )}
          <div class="map-legend">
            <span>
              <span class="dot dot-ok" /> Online
            </span>
            <span>
              <span class="dot dot-warn" /> Needs attention
            </span>
            <span>
              <span class="dot dot-bad" /> Offline
            </span>
            <span>
              <span class="dot dot-idle" /> Never connected
            </span>
            <span class="legend-shape">● cart</span>
            <span class="legend-shape">■ speaker</span>
          </div>
        </section>
        <aside class="panel map-side">
          {selectedZone ? (
            <>
              <header class="panel-header">
                <h2>{store.zones.find((z) => z.id === selectedZone)?.name}</h2>
                <button type="button" class="btn btn-small btn-ghost" onClick={() => setSelectedZone(null)}>
                  All zones
                </button>
              </header>
              <DeviceMiniList devices={inZone} />
            </>
          ) : (
            <>
              <header class="panel-header">
                <h2>Zones</h2>
              </header>
              <ul class="zone-list">
                {store.zones.map((z) => {
                  const here = items.filter((d) => zoneOf(d) === z.id);
                  const carts = here.filter((d) => d.kind === 'cart').length;
                  const speakers = here.length - carts;
                  return (
                    <li key={z.id}>
                      <button type="button" onClick={() => setSelectedZone(z.id)} data-testid={`zone-${z.id}`}>
                        <span>{z.name}</span>
                        <span class="muted small tabular">
                          {carts} cart{carts === 1 ? '' : 's'}
                          {speakers ? ` · ${speakers} speaker${speakers === 1 ? '' : 's'}` : ''}
                        </span>
                      </button>
                    </li>
                  );
                })}
              </ul>
              {unplaced.length ? (
                <>
                  <h3 class="subhead">Not on the map</h3>
                  <DeviceMiniList devices={unplaced} />
                </>
              ) : null}
            </>
          )}
        </aside>
      </div>
    </div>
  );
}

function DeviceMiniList({ devices }: { devices: DeviceSummary[] }) {
  if (!devices.length) return <p class="muted small pad">No devices here.</p>;
  return (
    <ul class="mini-list">
      {devices.map((d) => (
        <li key={d.thingName}>
          <a href={`/devices/${encodeURIComponent(d.thingName)}`}>
            <span class={`dot dot-${markerTone(d)}`} />
            <span class="mono">{d.thingName}</span>
            <span class="muted small">{d.kind === 'cart' ? percent(d.battery) : ''}</span>
            <PresenceBadge presence={d.presence} />
          </a>
        </li>
      ))}
    </ul>
  );
}
