import type { PcmSource } from './pcm.ts';

/** How a playback ended: it ran out, something cut it (a stop, a higher layer), or it never got to start. */
export type PlaybackEnd = 'completed' | 'interrupted' | 'skipped';

export interface PlaybackHooks {
  /** The sample its first sample was mixed at (the actual start). */
  onStart?(sample: number): void;
  /** The sample after its last one, and why it ended. Runs inside the mixer's render: only change player state. */
  onEnd?(sample: number, end: PlaybackEnd, error: Error | undefined): void;
}

/**
 * One source placed on the mixer's timeline: it starts at `startSample` (the mixer's sample clock) and ends when its
 * source runs out, or at `stopAt`. `rank` arbitrates the voice bus (a lower rank never cuts a higher one).
 */
export class Playback {
  started: number | undefined;
  ended = false;
  stopAt: number | undefined;

  constructor(
    readonly source: PcmSource,
    public startSample: number,
    readonly rank: number,
    private readonly hooks: PlaybackHooks = {},
  ) {}

  start(sample: number): void {
    if (this.started !== undefined) return;
    this.started = sample;
    this.hooks.onStart?.(sample);
  }

  end(sample: number, end: PlaybackEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.source.close();
    this.hooks.onEnd?.(sample, this.started === undefined ? 'skipped' : end, this.source.error);
  }
}
