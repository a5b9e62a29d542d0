import { useState } from 'preact/hooks';
import { INSERT_SHADOW } from '../../../../protocol/broadcast/inserts.ts';
import { ENTRY_MODES, type EntryMode } from '../../../../protocol/broadcast/layers.ts';
import { api, enc } from '../../api/api-client.ts';
import type { BroadcastInsert, ContentAsset, DevicePage, InsertBody, Me } from '../../api/types.ts';
import { can } from '../../app/session.ts';
import { toast } from '../../app/toasts.ts';
import { useResource, useThrottled } from '../../app/use-resource.ts';
import { Loading, PageHeader } from '../../components/page-state.tsx';
import { useLiveEvent } from '../../live/live-feed.ts';
import { StoreSelect } from '../commerce/store-select.tsx';
import { AssetPicker } from './asset-picker.tsx';
import { describeBroadcastError } from './broadcast-errors.ts';
import { BroadcastNav } from './broadcast-nav.tsx';
import { useBroadcastStore } from './broadcast-store.ts';
import { ENTRY_LABELS } from './campaign-labels.ts';
import { useEmergency } from './emergency-banner.tsx';
import { InsertsTable } from './inserts-table.tsx';
import { fieldsOf } from './speech-fields.ts';
import { SpeechPanel } from './speech-panel.tsx';
import { localToEpoch } from './zoned-day.ts';

/**
 * Ad-hoc announcements and the emergency (issue 9 item 7): pick an asset or make one with the announcer, listen to
 * it, play it now or at a store-local time on all or some speakers; start an emergency (deliberate and confirmed)
 * that repeats until cleared.
 */
export function InsertPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const { stores, storeId, setStoreId } = useBroadcastStore(query);
  const store = stores.find((s) => s.id === storeId);
  const speakers = useResource(
    () =>
      storeId
        ? api.get<DevicePage>('/api/devices', { storeId, kind: 'speaker', limit: 200 }).then((p) => p.items)
        : Promise.resolve(undefined),
    [storeId],
  );
  const inserts = useResource(
    () =>
      storeId
        ? api.get<{ items: BroadcastInsert[] }>(`/api/stores/${enc(storeId)}/broadcast/inserts`).then((r) => r.items)
        : Promise.resolve(undefined),
    [storeId],
  );
  const library = useResource(
    () =>
      storeId
        ? api.get<{ items: ContentAsset[] }>('/api/content', { storeId, limit: 200 }).then((r) => r.items)
        : Promise.resolve(undefined),
    [storeId],
  );
  const emergency = useEmergency(storeId);
  // Deliveries move as speakers take inserts (their broadcast-insert shadows' reported state).
  const reloadInserts = useThrottled(inserts.reload, 500);
  useLiveEvent('shadow', (e) => {
    if (e.shadowName === INSERT_SHADOW && e.storeId === storeId) reloadInserts();
  });
  const [asset, setAsset] = useState<string[]>([]);
  const [words, setWords] = useState('');
  const [when, setWhen] = useState<'now' | 'at'>('now');
  const [at, setAt] = useState('');
  const [some, setSome] = useState<string[] | null>(null);
  const [entry, setEntry] = useState<EntryMode>('interrupt');
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);

  if (!storeId || !store) return <Loading />;
  const picked = library.data?.find((a) => a.sha256 === asset[0]);
  const targets = some === null ? null : some;

  const send = async () => {
    if (!picked) return;
    const time = when === 'at' ? localToEpoch(at, store.timeZone) : null;
    if (when === 'at' && time === null) return toast('error', 'Pick a date and time.');
    const body: InsertBody = { sha256: picked.sha256, at: time, thingNames: targets, entry };
    setBusy(true);
    try {
      await api.post<BroadcastInsert>(`/api/stores/${enc(storeId)}/broadcast/inserts`, body);
      toast(
        'success',
        when === 'now'
          ? `“${picked.title}” is playing now.`
          : `“${picked.title}” will play at ${at.replace('T', ' ')}.`,
      );
      inserts.reload();
    } catch (err) {
      toast('error', describeBroadcastError(err));
    } finally {
      setBusy(false);
    }
  };

  const startEmergency = async () => {
    if (!picked) return;
    setBusy(true);
    try {
      await api.post(`/api/stores/${enc(storeId)}/broadcast/emergency`, { sha256: picked.sha256, thingNames: targets });
      toast('success', 'Emergency announcement started: it repeats until cleared.');
      setConfirming(false);
      emergency.reload();
    } catch (err) {
      toast('error', describeBroadcastError(err));
    } finally {
      setBusy(false);
    }
  };

  const cancel = async (i: BroadcastInsert) => {
    try {
      await api.delete(`/api/stores/${enc(storeId)}/broadcast/inserts/${enc(i.id)}`);
      inserts.reload();
    } catch (err) {
      toast('error', describeBroadcastError(err));
    }
  };

  return (
    <div class="page broadcast" data-testid="insert-page">
      <PageHeader
        title="Insert an announcement"
        subtitle="Now or at a time, on every speaker of the store or some of them"
      />
      <BroadcastNav me={me} active="insert" storeId={storeId} />
      <section class="filters">
        <StoreSelect stores={stores} value={storeId} onChange={setStoreId} all={null} />
      </section>
      <section class="panel">
        <header class="panel-header">
          <h2>1. What</h2>
        </header>
        <AssetPicker
          value={asset}
          onChange={setAsset}
          storeId={storeId}
          single
          testId="insert-asset"
          key={library.data?.length}
        />
        {picked ? (
          <div class="row gap">
            {/* biome-ignore lint/a11y/useMediaCaption: an announcement; its title is beside it. */}
            <audio src={picked.audioUrl} controls preload="none" data-testid="insert-preview" />
            <span class="muted small">{picked.title}</span>
          </div>
        ) : null}
        {can(me, 'content:write') ? (
          <details class="announcer-inline">
            <summary>Or make one with the announcer</summary>
            <label class="field">
              <span>Words (fields like {'{time}'} allowed)</span>
              <textarea
                rows={2}
                value={words}
                onInput={(e) => setWords((e.currentTarget as HTMLTextAreaElement).value)}
                data-testid="insert-words"
              />
            </label>
            {words.trim() ? (
              <SpeechPanel
                source={{ texts: { zh: words, en: words } }}
                languages={/[\u4e00-\u9fff]/.test(words) ? ['zh', 'en'] : ['en', 'zh']}
                fields={fieldsOf(words)}
                defaults={{}}
                storeId={storeId}
                onRendered={(a) => {
                  library.reload();
                  setAsset([a.sha256]);
                }}
              />
            ) : null}
          </details>
        ) : null}
      </section>
      <section class="panel">
        <header class="panel-header">
          <h2>2. When and where</h2>
          <span class="muted small">Times in {store.timeZone}</span>
        </header>
        <div class="inline-fields">
          <label class="check">
            <input
              type="radio"
              name="when"
              checked={when === 'now'}
              onChange={() => setWhen('now')}
              data-testid="insert-now"
            />
            Now
          </label>
          <label class="check">
            <input
              type="radio"
              name="when"
              checked={when === 'at'}
              onChange={() => setWhen('at')}
              data-testid="insert-later"
            />
            At
          </label>
          <input
            type="datetime-local"
            value={at}
            disabled={when !== 'at'}
            onInput={(e) => setAt((e.currentTarget as HTMLInputElement).value)}
            data-testid="insert-at"
          />
          <select
            value={entry}
            onChange={(e) => setEntry((e.currentTarget as HTMLSelectElement).value as EntryMode)}
            aria-label="Enters"
            data-testid="insert-entry"
          >
            {ENTRY_MODES.map((m) => (
              <option key={m} value={m}>
                {ENTRY_LABELS[m]}
              </option>
            ))}
          </select>
        </div>
        <div class="checks" data-testid="insert-speakers">
          <label class="check">
            <input
              type="checkbox"
              checked={some === null}
              onChange={(e) => setSome((e.currentTarget as HTMLInputElement).checked ? null : [])}
              data-testid="insert-all-speakers"
            />
            Every speaker
          </label>
          {some !== null
            ? (speakers.data ?? []).map((d) => (
                <label key={d.thingName} class="check">
                  <input
                    type="checkbox"
                    checked={some.includes(d.thingName)}
                    onChange={(e) =>
                      setSome(
                        (e.currentTarget as HTMLInputElement).checked
                          ? [...some, d.thingName]
                          : some.filter((x) => x !== d.thingName),
                      )
                    }
                    data-testid={`insert-speaker-${d.thingName}`}
                  />
                  {d.thingName}
                </label>
              ))
            : null}
        </div>
        <div class="row-actions">
          <button
            type="button"
            class="btn btn-primary"
            disabled={busy || !picked || (some !== null && some.length === 0) || Boolean(emergency.emergency)}
            onClick={send}
            data-testid="insert-send"
          >
            {when === 'now' ? 'Play now' : 'Schedule'}
          </button>
          {can(me, 'broadcast:emergency') && !emergency.emergency ? (
            <button
              type="button"
              class="btn btn-danger"
              disabled={busy || !picked || (some !== null && some.length === 0)}
              onClick={() => setConfirming(true)}
              data-testid="emergency-start"
            >
              Start emergency…
            </button>
          ) : null}
        </div>
        {confirming && picked ? (
          <div
            class="emergency-confirm"
            role="alertdialog"
            aria-label="Confirm the emergency"
            data-testid="emergency-confirm"
          >
            <p>
              <strong>“{picked.title}”</strong> will interrupt everything on{' '}
              {targets ? `${targets.length} speaker(s)` : 'every speaker'} of {store.name} and{' '}
              <strong>repeat until someone clears it</strong>.
            </p>
            <div class="row-actions">
              <button
                type="button"
                class="btn btn-danger"
                disabled={busy}
                onClick={startEmergency}
                data-testid="emergency-confirm-start"
              >
                Start the emergency announcement
              </button>
              <button type="button" class="btn" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </div>
          </div>
        ) : null}
      </section>
      <section class="panel panel-flush">
        <header class="panel-header">
          <h2>Inserts</h2>
        </header>
        {inserts.data?.length ? (
          <InsertsTable
            inserts={inserts.data}
            timeZone={store.timeZone}
            onCancel={can(me, 'broadcast:insert') ? cancel : undefined}
          />
        ) : (
          <div class="pad muted">No inserts yet.</div>
        )}
      </section>
    </div>
  );
}
