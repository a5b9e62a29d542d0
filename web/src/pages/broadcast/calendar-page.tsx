import { useState } from 'preact/hooks';
import type { Calendar } from '../../../../protocol/api/broadcast-schedule.ts';
import { BROADCAST_LAYERS } from '../../../../protocol/broadcast/layers.ts';
import { api, enc } from '../../api/api-client.ts';
import type { Me } from '../../api/types.ts';
import { setQuery } from '../../app/router.ts';
import { useResource } from '../../app/use-resource.ts';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { StoreSelect } from '../commerce/store-select.tsx';
import { BroadcastNav } from './broadcast-nav.tsx';
import { useBroadcastStore } from './broadcast-store.ts';
import { SpeakerWeek } from './calendar-week.tsx';
import { LayerChip } from './layer-style.tsx';
import { zoned } from './zoned-day.ts';

const DAY_MS = 86_400_000;

/**
 * A week per store (issue 9 item 3): for every speaker, what will play when, coloured by the layer that won, with
 * what the compiler dropped and why on hover (GET /api/broadcast/stores/:storeId/calendar).
 */
export function CalendarPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const { stores, storeId, setStoreId } = useBroadcastStore(query);
  const week = Number(query.get('week') ?? 0);
  const timeZone = stores.find((s) => s.id === storeId)?.timeZone;
  // The week starts at the store's local midnight today, so its seven columns are whole days.
  const [now] = useState(() => Math.floor(Date.now() / 1000) * 1000);
  const midnight = timeZone ? Math.round(now - zoned(now, timeZone).minutes * 60_000) : now;
  const start = midnight + week * 7 * DAY_MS;
  const calendar = useResource(
    () =>
      storeId && timeZone
        ? api.get<Calendar>(`/api/broadcast/stores/${enc(storeId)}/calendar`, { from: start, days: 7 })
        : Promise.resolve(undefined),
    [storeId, timeZone, start],
  );

  return (
    <div class="page broadcast" data-testid="calendar-page" data-from={calendar.data?.from}>
      <PageHeader
        title="Broadcast calendar"
        subtitle="What each speaker will play this week, and which layer won each moment"
      />
      <BroadcastNav me={me} active="calendar" storeId={storeId ?? undefined} />
      <section class="filters">
        <StoreSelect stores={stores} value={storeId ?? ''} onChange={setStoreId} all={null} />
        <button
          type="button"
          class="btn btn-small"
          onClick={() => setQuery({ week: week - 1 || null })}
          disabled={week <= 0}
        >
          ← Earlier
        </button>
        <button
          type="button"
          class="btn btn-small"
          onClick={() => setQuery({ week: week + 1 })}
          data-testid="calendar-next"
        >
          Next week →
        </button>
        <span class="legend">
          {BROADCAST_LAYERS.map((l) => (
            <LayerChip key={l} layer={l} />
          ))}
          <span class="dropped-key">dropped</span>
        </span>
      </section>
      {calendar.error && !calendar.data ? (
        <ErrorState error={calendar.error} onRetry={calendar.reload} />
      ) : !calendar.data ? (
        <Loading />
      ) : calendar.data.speakers.length === 0 ? (
        <Empty>This store has no speakers to schedule.</Empty>
      ) : (
        calendar.data.speakers.map((s) => (
          <SpeakerWeek key={s.thingName} speaker={s} timeZone={calendar.data!.timeZone} from={calendar.data!.from} />
        ))
      )}
    </div>
  );
}
