import { musicWindowAt, plannedTrackAt, trackAtIndex } from '../../../broadcast/manifest-resolver.ts';
import { DUCKING } from '../../../protocol/broadcast/layers.ts';
import type { BroadcastManifest, MusicWindow } from '../../../protocol/broadcast/manifest.ts';
import { SILENT_DB, samplesFromMs } from '../player/pcm.ts';
import { Playback, type PlaybackEnd } from '../player/playback.ts';
import type { SpeakerPlayer } from '../player/speaker-player.ts';
import type { PlayIntent } from './play-record.ts';

/** A music track placed on the bus: where it comes from in its window's plan. */
export interface MusicTrack {
  playback: Playback;
  intent: PlayIntent;
  window: MusicWindow;
  index: number;
  durationMs: number;
}

export interface MusicChainHost {
  assetPath(sha256: string): string | undefined;
  asset(sha256: string): { durationMs: number; title: string } | undefined;
  started(track: MusicTrack, sample: number): void;
  /** A track ended; `withdrawn` ones (a new manifest dropped them before they started) leave no record. */
  ended(track: MusicTrack, sample: number, end: PlaybackEnd, withdrawn: boolean): void;
}

/** How long after "now" a track that starts on its own (no previous track to follow) is placed: ffmpeg's start-up. */
const STARTUP_MS = 150;
const MISSING_RETRY_MS = 5000;

/**
 * Music windows, track after track: the window's order (broadcast/manifest-resolver.ts) from where its plan is when
 * the speaker joins, each next track pre-rolled `prerollMs` before the current one ends and started on its last
 * sample (gapless); a track still playing when its window closes fades out over the ducking ramp.
 */
export class MusicChain {
  current: MusicTrack | undefined;
  queued: MusicTrack | undefined;
  /** The last track started: the next one follows it in its window's order. */
  private last: { windowId: string; index: number } | undefined;
  private fadePlannedFor: Playback | undefined;
  /** When no track of the window can play (all missing or undecodable), it is looked at again this much later. */
  private idleUntil = Number.NEGATIVE_INFINITY;
  /** Tracks whose file failed to decode (a damaged cache file), passed over until the next manifest. */
  private readonly undecodable = new Set<string>();
  private readonly withdrawn = new Set<Playback>();

  constructor(
    private readonly player: SpeakerPlayer,
    private readonly host: MusicChainHost,
    private readonly prerollMs: number,
  ) {}

  /** Tops up the chain for `now`: starts music in a window, pre-rolls the next track, plans the window's fade. */
  tick(manifest: BroadcastManifest, now: number, quiet: boolean): void {
    const mixer = this.player.mixer;
    if (quiet) {
      this.stop(mixer.earliestSample());
      return;
    }
    const window = musicWindowAt(manifest, now);
    if (!this.current && !this.queued && window && now >= this.idleUntil) {
      const continues = this.last?.windowId === window.id;
      const index = continues
        ? (this.last?.index ?? 0) + 1
        : (plannedTrackAt(window, now, (s) => this.host.asset(s)?.durationMs)?.index ?? 0);
      const playable = this.playableFrom(window, index);
      if (playable === undefined) this.idleUntil = now + MISSING_RETRY_MS;
      else {
        const sample = mixer.earliestSample() + samplesFromMs(STARTUP_MS);
        if (mixer.music.envelope.dbAt(sample) <= SILENT_DB + 1) mixer.music.envelope.rampTo(0, sample, 1);
        this.place(window, playable, sample);
      }
    }
    const current = this.current;
    if (!current) return;
    const startedAt = current.playback.started !== undefined ? mixer.timeAt(current.playback.started) : now;
    const expectedEnd = startedAt + current.durationMs;
    if (!this.queued && expectedEnd - now <= this.prerollMs && expectedEnd < current.window.to) {
      // The window at the track's end in the manifest now in force (a new one may have replaced it).
      const next = musicWindowAt(manifest, expectedEnd);
      if (next) {
        const index =
          next.id === current.window.id
            ? current.index + 1
            : (plannedTrackAt(next, expectedEnd, (s) => this.host.asset(s)?.durationMs)?.index ?? 0);
        const playable = this.playableFrom(next, index);
        if (playable !== undefined) this.place(next, playable, mixer.sampleAt(expectedEnd));
      }
    }
    // A track still playing at the window's end fades out over the ducking ramp (protocol/broadcast/manifest.ts).
    if (this.fadePlannedFor !== current.playback && current.window.to - now <= this.prerollMs) {
      this.fadePlannedFor = current.playback;
      const at = Math.max(mixer.sampleAt(current.window.to), mixer.earliestSample());
      mixer.music.envelope.rampTo(SILENT_DB, at, samplesFromMs(DUCKING.rampMs));
      current.playback.stopAt = at + samplesFromMs(DUCKING.rampMs);
      if (this.queued && this.queued.window.to <= current.window.to) this.withdrawQueued();
    }
  }

  /** A new manifest: what plays continues; the track queued behind it is chosen again. */
  withdrawQueued(): void {
    const queued = this.queued;
    if (!queued) return;
    this.queued = undefined;
    this.withdrawn.add(queued.playback);
    if (this.player.mixer.music.next === queued.playback) this.player.mixer.music.next = undefined;
    queued.playback.end(this.player.mixer.earliestSample(), 'skipped');
  }

  /** Fades out and ends the music from `sample` (quiet hours, an emergency). */
  stop(sample: number): void {
    this.withdrawQueued();
    const current = this.current;
    if (!current) return;
    const mixer = this.player.mixer;
    if (current.playback.stopAt === undefined || current.playback.stopAt > sample + samplesFromMs(DUCKING.rampMs)) {
      mixer.music.envelope.rampTo(SILENT_DB, sample, samplesFromMs(DUCKING.rampMs));
      current.playback.stopAt = sample + samplesFromMs(DUCKING.rampMs);
    }
  }

  /** A new manifest: tracks that failed are tried again (the cache may hold a good copy now). */
  manifestChanged(keepsCurrentWindow: boolean): void {
    this.undecodable.clear();
    this.idleUntil = Number.NEGATIVE_INFINITY;
    if (!keepsCurrentWindow) this.last = undefined;
  }

  /**
   * The first track from the window's `index`-th on that can play: in the cache and not known to be undecodable.
   * Tracks not (yet) downloaded are passed over without a record; the window's order goes on around them.
   */
  private playableFrom(window: MusicWindow, index: number): number | undefined {
    for (let k = 0; k < window.playlist.length; k++) {
      const sha256 = trackAtIndex(window, index + k);
      if (this.host.asset(sha256) && this.host.assetPath(sha256) && !this.undecodable.has(sha256)) return index + k;
    }
    return undefined;
  }

  /** Places the window's `index`-th track (playable: see `playableFrom`) at `sample`. */
  private place(window: MusicWindow, index: number, sample: number): void {
    const sha256 = trackAtIndex(window, index);
    const asset = this.host.asset(sha256);
    const path = this.host.assetPath(sha256);
    if (!asset || !path) return;
    const intent: PlayIntent = {
      sha256,
      title: asset?.title ?? sha256.slice(0, 12),
      layer: window.reason.layer,
      trigger: 'schedule',
      campaignId: null,
      itemId: window.id,
      scheduledAt: this.player.mixer.timeAt(sample),
    };
    this.last = { windowId: window.id, index };
    const track: MusicTrack = { playback: undefined as never, intent, window, index, durationMs: asset.durationMs };
    const decoder = this.player.decode(path);
    decoder.onFailure(() => this.undecodable.add(sha256));
    track.playback = new Playback(decoder, sample, -1, {
      onStart: (s) => {
        if (this.queued === track) this.queued = undefined;
        this.current = track;
        this.host.started(track, s);
      },
      onEnd: (s, end) => {
        if (this.current === track) this.current = undefined;
        if (this.queued === track) this.queued = undefined;
        const withdrawn = this.withdrawn.delete(track.playback);
        this.host.ended(track, s, end, withdrawn);
      },
    });
    if (this.current) this.queued = track;
    else this.current = track;
    this.player.mixer.music.enqueue(track.playback);
  }
}
