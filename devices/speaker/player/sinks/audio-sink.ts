/**
 * Where mixed PCM goes (48 kHz mono s16le, protocol/broadcast/audio-format.ts). The mixer writes each block once,
 * in order; `firstSample` is the block's position on the mixer's timeline (sample 0 = the mixer's start). A jump in
 * `firstSample` means samples were dropped because their time had passed (the process stalled longer than the
 * lookahead): a real-time sink plays on, a file sink fills the gap with silence so its samples stay the timeline's.
 */
export interface AudioSink {
  /** Opens the output; rejects with AUDIO_OUTPUT_UNAVAILABLE when it cannot. */
  start(): Promise<void>;
  write(pcm: Int16Array, firstSample: number): void;
  /** Flushes and closes; whatever it spawned is gone when this resolves. */
  stop(): Promise<void>;
}

/** Discards everything (a speaker with no output configured): the mixer still runs, so records and timing are real. */
export class NullSink implements AudioSink {
  samples = 0;

  async start(): Promise<void> {}

  write(pcm: Int16Array): void {
    this.samples += pcm.length;
  }

  async stop(): Promise<void> {}
}
