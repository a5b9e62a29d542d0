import type { BroadcastLayer } from '../../../../protocol/broadcast/layers.ts';
import { relativeTime } from '../../app/format.ts';
import { useTick } from '../../app/use-resource.ts';
import { isLayer, LayerChip } from './layer-style.tsx';

/**
 * What a speaker says it is playing (classic shadow `reported.nowPlaying`): a title at least; the broadcast player adds
 * the asset's sha256, the layer and the campaign. Read defensively: the shadow is the device's word.
 */
export interface NowPlayingView {
  title: string | null;
  sha256: string | null;
  startedAt: number | null;
  layer: BroadcastLayer | null;
  campaignId: string | null;
}

/** The named shadow `broadcast`'s reported cache state (protocol/broadcast/manifest.ts BroadcastReport). */
export interface CacheView {
  manifestVersion: number | null;
  manifestError: { version: number; code: string } | null;
  usedBytes: number;
  budgetBytes: number;
  assets: number;
  missing: number;
}

type Json = Record<string, unknown> | null | undefined;

const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

const SHA256 = /^[0-9a-f]{64}$/;

export function readNowPlaying(reported: Json): NowPlayingView | null {
  const np = reported?.nowPlaying as Json;
  if (!np || typeof np !== 'object') return null;
  // The broadcast player reports the asset's sha256 as `trackId`; the local-content loop a file name.
  const trackId = str(np.trackId);
  return {
    title: str(np.title) ?? trackId,
    sha256: str(np.sha256) ?? (trackId && SHA256.test(trackId) ? trackId : null),
    startedAt: num(np.startedAt),
    layer: isLayer(np.layer) ? np.layer : null,
    campaignId: str(np.campaignId),
  };
}

export function readCache(reported: Json): CacheView | null {
  const cache = reported?.cache as Json;
  if (!reported || !cache) return null;
  const error = reported.manifestError as Json;
  return {
    manifestVersion: num(reported.manifestVersion),
    manifestError:
      error && num(error.version) !== null ? { version: error.version as number, code: String(error.code) } : null,
    usedBytes: num(cache.usedBytes) ?? 0,
    budgetBytes: num(cache.budgetBytes) ?? 0,
    assets: num(cache.assets) ?? 0,
    missing: num(cache.missing) ?? 0,
  };
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** Why the speaker cannot play (reported `audioError`: AUDIO_OUTPUT_UNAVAILABLE, FFMPEG_UNAVAILABLE), or null. */
export function readAudioError(reported: Json): string | null {
  return str(reported?.audioError);
}

/** A speaker's now playing and cache state, updated by the caller from live shadow events. */
export function NowPlayingCard({
  nowPlaying,
  cache,
  online,
  audioError = null,
}: {
  nowPlaying: NowPlayingView | null;
  cache: CacheView | null;
  online: boolean;
  audioError?: string | null;
}) {
  useTick(5_000);
  return (
    <div class="now-playing" data-testid="now-playing" data-state={nowPlaying ? 'playing' : 'idle'}>
      <div class="now-playing-line">
        <span class={`eq ${nowPlaying && online ? 'eq-on' : ''}`} aria-hidden="true">
          <i />
          <i />
          <i />
        </span>
        {nowPlaying ? (
          <span class="now-playing-title" data-testid="now-playing-title">
            {nowPlaying.title ?? nowPlaying.sha256?.slice(0, 12) ?? 'Untitled'}
          </span>
        ) : (
          <span class="muted" data-testid="now-playing-title">
            {online ? 'Silent' : 'Offline'}
          </span>
        )}
        {nowPlaying?.layer ? <LayerChip layer={nowPlaying.layer} /> : null}
      </div>
      {nowPlaying ? (
        <div class="muted small">
          {nowPlaying.startedAt ? `started ${relativeTime(nowPlaying.startedAt)}` : null}
          {nowPlaying.campaignId ? ` · campaign ${nowPlaying.campaignId}` : ''}
          {nowPlaying.sha256 ? <span class="mono"> · {nowPlaying.sha256.slice(0, 10)}</span> : null}
        </div>
      ) : null}
      {audioError ? (
        <div class="small" data-testid="speaker-audio-error">
          <span class="badge badge-bad">{audioError}</span> the speaker cannot output sound
        </div>
      ) : null}
      {cache ? (
        <div class="small" data-testid="speaker-cache">
          <span class="muted">Programme</span>{' '}
          {cache.manifestVersion !== null ? `v${cache.manifestVersion}` : 'none yet'}
          {' · '}
          <span class="muted">Cache</span> {cache.assets} assets, {bytes(cache.usedBytes)} of {bytes(cache.budgetBytes)}
          {cache.missing > 0 ? <span class="badge badge-warn">{cache.missing} downloading</span> : null}
          {cache.manifestError ? (
            <span class="badge badge-bad" title={`manifest v${cache.manifestError.version} refused`}>
              {cache.manifestError.code}
            </span>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
