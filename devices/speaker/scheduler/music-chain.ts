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
  /** After a track missing from the cache, the next is tried this much later (no flood of skipped records). */
  private idleUntil = Number.NEGATIVE_INFINITY;
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
      const sample = mixer.earliestSample() + samplesFromMs(STARTUP_MS);
      if (mixer.music.envelope.dbAt(sample) <= SILENT_DB + 1) mixer.music.envelope.rampTo(0, sample, 1);
      if (!this.place(window, index, sample)) this.idleUntil = now + MISSING_RETRY_MS;
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
        this.place(next, index, mixer.sampleAt(expectedEnd));
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

  /** Forgets the window position (a new manifest without the current window). */
  forgetPosition(): void {
    this.last = undefined;
  }

  /** Places the window's `index`-th track at `sample`; false when its asset is missing (a skipped record). */
  private place(window: MusicWindow, index: number, sample: number): boolean {
    const sha256 = trackAtIndex(window, index);
    const asset = this.host.asset(sha256);
    const path = this.host.assetPath(sha256);
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
    if (!path || !asset) {
      // A track not in the cache: skipped, the window goes on with the next one at the next tick.
      this.host.ended({ playback: undefined as never, intent, window, index, durationMs: 0 }, sample, 'skipped', false);
      return false;
    }
    const track: MusicTrack = { playback: undefined as never, intent, window, index, durationMs: asset.durationMs };
    track.playback = new Playback(this.player.decode(path), sample, -1, {
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
    return true;
  }
}
