import { DUCKING, type EntryMode, layerRank } from '../../../protocol/broadcast/layers.ts';
import { FfmpegDecoder } from '../player/ffmpeg-decoder.ts';
import { type PcmSource, SILENT_DB, samplesFromMs } from '../player/pcm.ts';
import { Playback, type PlaybackEnd } from '../player/playback.ts';
import type { SpeakerPlayer } from '../player/speaker-player.ts';
import { type NowPlaying, nowPlayingOf, type PlayIntent } from './play-record.ts';

/** An announcement to place: what it is, how it enters over the music, its rank on the voice bus. */
export interface VoicePlan {
  intent: PlayIntent;
  entry: EntryMode;
  rank: number;
  /** Records only what really was meant to play (not a locate tone). */
  record: boolean;
  levelDbSpl?: number | null;
  onEnded?: (sample: number, end: PlaybackEnd) => void;
}

export interface VoiceEntriesHost {
  volumeAt(t: number): number;
  /** While an emergency holds the music, an ending announcement must not release it. */
  emergencyActive(): boolean;
  record(plan: VoicePlan, times: { startedAt: number; endedAt: number }, end: PlaybackEnd, volume: number): void;
  nowPlayingChanged(): void;
  /** An announcement ended on `sample`: a between-tracks item may start there. */
  ended(sample: number): void;
}

/** Interrupt cut and resume: short enough to hear as a cut, long enough not to click. */
const CUT_MS = 10;
export const EMERGENCY_RANK = layerRank('emergency');

/**
 * Announcements placed on the voice bus with what their entry mode does to the music bus, planned on the timeline
 * ahead of time: `overlay` ramps the music DUCKING.depthDb down over the DUCKING.rampMs before the item's first
 * sample and back up over the ramp from its last; `interrupt` (and an emergency) cuts the music in 10 ms and holds
 * the track until the item ends, then it resumes where it stopped; `between_tracks` holds the next track until the
 * item ends. Knows what voice plays now and when the last announcement ended (the minimum gap).
 */
export class VoiceEntries {
  now: NowPlaying | null = null;
  lastEnd = Number.NEGATIVE_INFINITY;
  private readonly withdrawn = new Set<Playback>();

  constructor(
    private readonly player: SpeakerPlayer,
    private readonly host: VoiceEntriesHost,
  ) {}

  place(plan: VoicePlan, fileOrSource: string | PcmSource, sample: number): Playback {
    const mixer = this.player.mixer;
    const source = typeof fileOrSource === 'string' ? this.player.decode(fileOrSource) : fileOrSource;
    const ramp = samplesFromMs(DUCKING.rampMs);
    const cut = samplesFromMs(CUT_MS);
    let volume = 0;
    let startedAt = 0;
    const playback = new Playback(source, sample, plan.rank, {
      onStart: (s) => {
        startedAt = mixer.timeAt(s);
        volume = this.host.volumeAt(startedAt);
        this.now = nowPlayingOf(plan.intent, startedAt);
        this.host.nowPlayingChanged();
      },
      onEnd: (s, end) => {
        const endedAt = mixer.timeAt(s);
        if (plan.entry === 'interrupt' || plan.rank >= EMERGENCY_RANK) {
          if (!this.host.emergencyActive()) {
            mixer.music.release(s);
            mixer.music.envelope.rampTo(0, s, cut);
          }
        } else if (plan.entry === 'overlay') {
          // Back up over the ramp after the item; one skipped before it started (its decoder failed early, a higher
          // layer held the bus) undoes its duck from where the duck was planned to begin, if that is still ahead.
          const from = playback.started === undefined ? Math.max(sample - ramp, mixer.earliestSample()) : s;
          mixer.music.envelope.rampTo(0, from, ramp);
        } else mixer.music.release(s);
        if (this.now && mixer.voice.current === undefined) {
          this.now = null;
          this.host.nowPlayingChanged();
        }
        if (end !== 'skipped') this.lastEnd = Math.max(this.lastEnd, endedAt);
        if (plan.record && !this.withdrawn.delete(playback))
          this.host.record(
            plan,
            end === 'skipped' ? { startedAt: endedAt, endedAt } : { startedAt, endedAt },
            end,
            volume,
          );
        plan.onEnded?.(s, end);
        this.host.ended(s);
      },
    });
    // A pre-rolled file that fails to decode (a damaged cache file) is known before its time: it is skipped and the
    // music is left alone rather than ducked or paused for nothing.
    if (source instanceof FfmpegDecoder)
      source.onFailure(() => {
        if (playback.started !== undefined || playback.ended) return;
        mixer.voice.cancel(playback, mixer.earliestSample());
      });
    if (plan.entry === 'overlay')
      mixer.music.envelope.rampTo(-DUCKING.depthDb, Math.max(sample - ramp, mixer.earliestSample()), ramp);
    else if (plan.entry === 'interrupt') {
      mixer.music.envelope.rampTo(SILENT_DB, Math.max(sample - cut, mixer.earliestSample()), cut);
      mixer.music.holdFrom(sample);
    } else mixer.music.holdFrom(sample);
    mixer.voice.schedule(playback);
    return playback;
  }

  /** Takes back a placed announcement that has not started, without a record (a new manifest dropped it). */
  withdraw(playback: Playback): void {
    if (playback.started !== undefined || playback.ended) return;
    this.withdrawn.add(playback);
    this.player.mixer.voice.cancel(playback, this.player.mixer.earliestSample());
  }

  /** Takes back every placed announcement that has not started (the scheduler stops). */
  withdrawQueued(): void {
    for (const queued of [...this.player.mixer.voice.queued]) this.withdraw(queued);
  }
}
