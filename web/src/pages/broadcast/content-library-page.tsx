import { useEffect, useState } from 'preact/hooks';
import { ASSET_KINDS, type AssetKind } from '../../../../protocol/broadcast/layers.ts';
import { api, enc } from '../../api/api-client.ts';
import type { ContentAsset, ContentPage, Me } from '../../api/types.ts';
import { absoluteTime } from '../../app/format.ts';
import { setQuery } from '../../app/router.ts';
import { can } from '../../app/session.ts';
import { storeName } from '../../app/stores-cache.ts';
import { toast } from '../../app/toasts.ts';
import { useResource } from '../../app/use-resource.ts';
import { PageHeader } from '../../components/page-state.tsx';
import { PagedList, queryOffset } from '../../components/pager.tsx';
import { StoreSelect } from '../commerce/store-select.tsx';
import { describeBroadcastError } from './broadcast-errors.ts';
import { BroadcastNav } from './broadcast-nav.tsx';
import { useBroadcastStore } from './broadcast-store.ts';
import { ContentUpload, KIND_LABELS } from './content-upload.tsx';
import { Waveform } from './waveform.tsx';

const PAGE_SIZE = 50;

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(1)} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** Whether this user may rename or remove the asset, as the server decides: HQ's content is HQ's, a store's its own. */
export function canChange(me: Me, asset: ContentAsset): boolean {
  if (!can(me, 'content:write')) return false;
  if (me.storeIds === null) return true;
  return asset.storeId !== null && me.storeIds.includes(asset.storeId);
}

/**
 * The broadcast content library (issue 9 item 1): every asset with its kind, duration, measured loudness and
 * waveform; play it in the browser, upload with progress, remove what is no longer used.
 */
export function ContentLibraryPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const { stores, storeId } = useBroadcastStore(query);
  const scope = query.get('scope') ?? '';
  const kind = query.get('kind') ?? '';
  const q = query.get('q') ?? '';
  const origin = query.get('origin') ?? '';
  const offset = queryOffset(query);
  const list = useResource(
    () => api.get<ContentPage>('/api/content', { storeId: scope || undefined, kind, q, limit: PAGE_SIZE, offset }),
    [scope, kind, q, offset],
  );
  const [playing, setPlaying] = useState<string | null>(null);

  const remove = async (asset: ContentAsset) => {
    if (!window.confirm(`Remove “${asset.title}” from the library? Speakers drop it from their cache.`)) return;
    try {
      await api.delete(`/api/content/${enc(asset.sha256)}`);
      toast('success', `“${asset.title}” removed.`);
      list.reload();
    } catch (err) {
      toast('error', describeBroadcastError(err));
    }
  };

  return (
    <div class="page broadcast" data-testid="content-page">
      <PageHeader
        title="Content library"
        subtitle={list.data ? `${list.data.total} asset${list.data.total === 1 ? '' : 's'}` : ' '}
      />
      <BroadcastNav me={me} active="content" storeId={storeId ?? undefined} />
      {can(me, 'content:write') ? (
        <ContentUpload me={me} stores={stores} defaultStoreId={storeId} onUploaded={() => list.reload()} />
      ) : null}
      <section class="filters">
        <input
          type="search"
          placeholder="Search titles"
          value={q}
          onChange={(e) => setQuery({ q: (e.currentTarget as HTMLInputElement).value, offset: null })}
          data-testid="content-search"
        />
        <select
          value={kind}
          onChange={(e) => setQuery({ kind: (e.currentTarget as HTMLSelectElement).value, offset: null })}
          aria-label="Kind"
          data-testid="content-kind"
        >
          <option value="">All kinds</option>
          {ASSET_KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_LABELS[k as AssetKind]}
            </option>
          ))}
        </select>
        <select
          value={origin}
          onChange={(e) => setQuery({ origin: (e.currentTarget as HTMLSelectElement).value, offset: null })}
          aria-label="Origin"
          data-testid="content-origin"
        >
          <option value="">Uploaded and announcer</option>
          <option value="upload">Uploaded</option>
          <option value="announcer">Made by the announcer</option>
        </select>
        <StoreSelect
          stores={stores}
          value={scope}
          onChange={(v) => setQuery({ scope: v, offset: null })}
          all="Everything I can use"
          testId="content-scope"
        />
      </section>
      <section class="panel panel-flush">
        <PagedList list={list} limit={PAGE_SIZE} offset={offset} empty="No audio matches.">
          {(items) => (
            <div class="table-scroll">
              <table class="table" data-testid="content-table">
                <thead>
                  <tr>
                    <th />
                    <th>Title</th>
                    <th>Waveform</th>
                    <th>Kind</th>
                    <th class="num">Duration</th>
                    <th class="num">Loudness</th>
                    <th class="num">True peak</th>
                    <th>Owner</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {items.map((a) => (
                    <AssetRow
                      key={a.sha256}
                      asset={a}
                      owner={a.storeId ? storeName(stores, a.storeId) : 'HQ'}
                      playing={playing === a.sha256}
                      onPlay={() => setPlaying(playing === a.sha256 ? null : a.sha256)}
                      onRemove={canChange(me, a) ? () => remove(a) : undefined}
                    />
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

function AssetRow({
  asset: a,
  owner,
  playing,
  onPlay,
  onRemove,
}: {
  asset: ContentAsset;
  owner: string;
  playing: boolean;
  onPlay: () => void;
  onRemove?: () => void;
}) {
  const [progress, setProgress] = useState(0);
  useEffect(() => {
    if (!playing) setProgress(0);
  }, [playing]);
  return (
    <tr data-testid="content-row" data-sha256={a.sha256}>
      <td>
        <button
          type="button"
          class="icon-btn play-btn"
          onClick={onPlay}
          aria-label={playing ? `Stop ${a.title}` : `Play ${a.title}`}
          data-testid="content-play"
        >
          {playing ? '■' : '▶'}
        </button>
      </td>
      <td>
        <strong data-testid="content-title">{a.title}</strong>
        <div class="muted small">
          {a.origin === 'announcer' ? 'Announcer · ' : ''}
          {absoluteTime(a.createdAt)}
          {a.createdBy ? ` · ${a.createdBy}` : ''}
        </div>
        {playing ? (
          // biome-ignore lint/a11y/useMediaCaption: store music and announcements; the title says what it is.
          <audio
            src={a.audioUrl}
            controls
            autoPlay
            preload="auto"
            data-testid="content-audio"
            onTimeUpdate={(e) => {
              const el = e.currentTarget as HTMLAudioElement;
              if (el.duration) setProgress(el.currentTime / el.duration);
            }}
            onEnded={() => setProgress(1)}
          />
        ) : null}
      </td>
      <td>
        <Waveform peaks={a.waveform} progress={progress} />
      </td>
      <td>{KIND_LABELS[a.kind]}</td>
      <td class="num tabular" data-testid="content-duration">
        {duration(a.durationMs)}
      </td>
      <td
        class="num tabular"
        data-testid="content-lufs"
        title={`as uploaded: ${a.input.loudness.integratedLufs.toFixed(1)} LUFS, gain ${a.gainDb >= 0 ? '+' : ''}${a.gainDb.toFixed(1)} dB`}
      >
        {a.loudness.integratedLufs.toFixed(1)} LUFS
      </td>
      <td class="num tabular" data-testid="content-dbtp">
        {a.loudness.truePeakDbtp.toFixed(1)} dBTP
        {a.limited ? <span class="badge badge-info">limited</span> : null}
      </td>
      <td class="small">
        {owner}
        {a.sharedWith.length ? <span class="muted"> +{a.sharedWith.length}</span> : null}
      </td>
      <td>
        {onRemove ? (
          <button type="button" class="btn btn-small btn-danger-ghost" onClick={onRemove} data-testid="content-remove">
            Remove
          </button>
        ) : null}
      </td>
    </tr>
  );
}
