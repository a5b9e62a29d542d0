import { BROADCAST_SHADOW } from '../../../../protocol/broadcast/manifest.ts';
import { api, enc } from '../../api/api-client.ts';
import type { DeviceDetail, DevicePage, Me } from '../../api/types.ts';
import { applyPresence } from '../../app/device-live.ts';
import { zoneName } from '../../app/stores-cache.ts';
import { useResource } from '../../app/use-resource.ts';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { PresenceBadge } from '../../components/status.tsx';
import { useLiveEvent, useReconnect } from '../../live/live-feed.ts';
import { StoreSelect } from '../commerce/store-select.tsx';
import { BroadcastNav } from './broadcast-nav.tsx';
import { useBroadcastStore } from './broadcast-store.ts';
import { NowPlayingCard, readAudioError, readCache, readNowPlaying } from './now-playing.tsx';

/**
 * A store's speakers and what each is playing now, live: the classic shadow's `reported.nowPlaying` and the named
 * shadow `broadcast`'s cache report, patched from socket.io `shadow` events.
 */
export function NowPlayingPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const { stores, storeId, setStoreId } = useBroadcastStore(query);
  const speakers = useResource(async () => {
    if (!storeId) return undefined;
    const page = await api.get<DevicePage>('/api/devices', { storeId, kind: 'speaker', limit: 200 });
    return Promise.all(page.items.map((d) => api.get<DeviceDetail>(`/api/devices/${enc(d.thingName)}`)));
  }, [storeId]);
  useReconnect(speakers.reload);

  useLiveEvent('shadow', (e) => {
    speakers.mutate((list) =>
      list?.some((d) => d.thingName === e.thingName)
        ? list.map((d) => {
            if (d.thingName !== e.thingName) return d;
            const shadow = {
              metadata: null,
              ...(e.shadowName ? d.namedShadows?.[e.shadowName] : d.shadow),
              ...e.state,
              version: e.version,
            };
            return e.shadowName
              ? { ...d, namedShadows: { ...d.namedShadows, [e.shadowName]: shadow } }
              : { ...d, shadow };
          })
        : list,
    );
  });
  useLiveEvent('presence', (e) => {
    speakers.mutate((list) => list?.map((d) => (d.thingName === e.thingName ? applyPresence(d, e) : d)));
  });

  return (
    <div class="page broadcast" data-testid="now-playing-page">
      <PageHeader title="Broadcast" subtitle="What every speaker of the store is playing, live" />
      <BroadcastNav me={me} active="now" storeId={storeId ?? undefined} />
      <section class="filters">
        <StoreSelect stores={stores} value={storeId ?? ''} onChange={setStoreId} all={null} />
      </section>
      {speakers.error && !speakers.data ? (
        <ErrorState error={speakers.error} onRetry={speakers.reload} />
      ) : !speakers.data ? (
        <Loading />
      ) : speakers.data.length === 0 ? (
        <Empty>This store has no speakers.</Empty>
      ) : (
        <div class="speaker-grid">
          {speakers.data.map((d) => (
            <section class="panel speaker-card" key={d.thingName} data-testid="speaker-card" data-thing={d.thingName}>
              <header class="panel-header">
                <h2>
                  <a href={`/devices/${enc(d.thingName)}`}>{d.thingName}</a>
                </h2>
                <PresenceBadge presence={d.presence} />
              </header>
              <div class="muted small">
                {d.hardwareModel} · {zoneName(stores, d.zoneId)}
              </div>
              <NowPlayingCard
                nowPlaying={readNowPlaying(d.shadow?.reported)}
                cache={readCache(d.namedShadows?.[BROADCAST_SHADOW]?.reported)}
                online={d.presence.state === 'online'}
                audioError={readAudioError(d.shadow?.reported)}
              />
            </section>
          ))}
        </div>
      )}
    </div>
  );
}
