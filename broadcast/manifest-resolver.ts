/**
 * What a compiled manifest (protocol/broadcast/manifest.ts) says about a moment, read the same way by the speaker
 * that plays it and by the fleet's calendar that shows it. Pure: time is a parameter (epoch ms), spans are half-open
 * `[from, to)` as everywhere in the manifest.
 */
import type {
  BroadcastManifest,
  MusicWindow,
  PresencePromo,
  ScheduledItem,
  VolumeSpan,
} from '../protocol/broadcast/manifest.ts';
import { seededShuffle } from './seeded-shuffle.ts';

const covers = (span: { from: number; to: number }, t: number) => span.from <= t && t < span.to;

/** The span that sets the volume at `t`, or undefined: outside every span the speaker is quiet. */
export function volumeSpanAt(manifest: Pick<BroadcastManifest, 'volume'>, t: number): VolumeSpan | undefined {
  return manifest.volume.find((span) => covers(span, t));
}

/** The output level 0-100 at `t`; 0 where no span covers it (outside opening hours). */
export function volumeAt(manifest: Pick<BroadcastManifest, 'volume'>, t: number): number {
  return volumeSpanAt(manifest, t)?.volume ?? 0;
}

/** The music window playing at `t`, or undefined (a gap between windows is silence). */
export function musicWindowAt(manifest: Pick<BroadcastManifest, 'music'>, t: number): MusicWindow | undefined {
  return manifest.music.find((window) => covers(window, t));
}

/** The first music window that opens after `t`, for a speaker waiting in a gap. */
export function nextMusicWindow(manifest: Pick<BroadcastManifest, 'music'>, t: number): MusicWindow | undefined {
  let next: MusicWindow | undefined;
  for (const window of manifest.music) if (window.from > t && (!next || window.from < next.from)) next = window;
  return next;
}

/**
 * The order a window plays its playlist in, cycled until the window closes: the playlist as given, or shuffled once
 * with the window's seed (the speaker and the calendar call this same function).
 */
export function windowTrackOrder(window: Pick<MusicWindow, 'playlist' | 'shuffleSeed'>): string[] {
  return window.shuffleSeed === null ? [...window.playlist] : seededShuffle(window.playlist, window.shuffleSeed);
}

/** One track of a window's plan: the `index`-th play since the window opened (the order cycles). */
export interface PlannedTrack {
  index: number;
  sha256: string;
  from: number;
  to: number;
}

/**
 * The track the plan has at `t` when the window plays uninterrupted from its start, each track for its duration
 * (`durationOf`, from the manifest's assets). Undefined outside the window or when no track has a known duration.
 * A speaker that starts mid-window (a boot, a new manifest) joins the plan here; announcements shift it afterwards.
 */
export function plannedTrackAt(
  window: MusicWindow,
  t: number,
  durationOf: (sha256: string) => number | undefined,
): PlannedTrack | undefined {
  if (!covers(window, t)) return undefined;
  const order = windowTrackOrder(window);
  const durations = order.map((sha) => durationOf(sha) ?? 0);
  const cycle = durations.reduce((sum, d) => sum + d, 0);
  if (cycle <= 0) return undefined;
  const elapsed = t - window.from;
  const cycles = Math.floor(elapsed / cycle);
  let start = window.from + cycles * cycle;
  for (let i = 0; ; i++) {
    const k = i % order.length;
    const duration = durations[k] as number;
    if (duration > 0 && t < start + duration)
      return { index: cycles * order.length + i, sha256: order[k] as string, from: start, to: start + duration };
    start += duration;
  }
}

/** The `index`-th track of a window's plan (the order cycles). */
export function trackAtIndex(window: Pick<MusicWindow, 'playlist' | 'shuffleSeed'>, index: number): string {
  const order = windowTrackOrder(window);
  return order[((index % order.length) + order.length) % order.length] as string;
}

/** The scheduled items due in `[t, t + lookaheadMs)`, earliest first (ties by id, so the order is total). */
export function itemsDue(manifest: Pick<BroadcastManifest, 'items'>, t: number, lookaheadMs: number): ScheduledItem[] {
  return manifest.items
    .filter((item) => item.at >= t && item.at < t + lookaheadMs)
    .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Whether a presence promo may play at `t` by its windows (cooldown, caps and battery are the speaker's to count). */
export function promoWindowOpen(promo: Pick<PresencePromo, 'windows'>, t: number): boolean {
  return promo.windows.some((window) => covers(window, t));
}
