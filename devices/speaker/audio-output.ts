import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../platform/clock.ts';

export interface Track {
  id: string;
  title: string;
  durationMs: number;
}

export interface NowPlaying {
  trackId: string;
  title: string;
  startedAt: number;
}

/**
 * Where audio goes. The broadcast issue brings the real output (ffmpeg-decoded PCM to the sound card) and the
 * scheduler that decides what plays; this interface is the seam both sides meet at.
 */
export interface AudioOutput extends EventEmitter<{ ended: [trackId: string] }> {
  play(track: Track): void;
  stop(): void;
  readonly nowPlaying: NowPlaying | null;
}

/** Audio output for the simulator: "plays" a track for its duration, then reports it ended. */
export class VirtualAudioOutput extends EventEmitter<{ ended: [trackId: string] }> implements AudioOutput {
  private timer: TimerHandle | undefined;
  private current: NowPlaying | null = null;

  constructor(private readonly clock: Clock) {
    super();
  }

  get nowPlaying(): NowPlaying | null {
    return this.current;
  }

  play(track: Track): void {
    this.stop();
    this.current = { trackId: track.id, title: track.title, startedAt: this.clock.now() };
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.current = null;
      this.emit('ended', track.id);
    }, track.durationMs);
  }

  stop(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.current = null;
  }
}
