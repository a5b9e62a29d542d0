import type { Clock } from '../../../platform/clock.ts';
import { FfmpegDecoder } from './ffmpeg-decoder.ts';
import { Mixer } from './mixer.ts';
import { samplesFromMs } from './pcm.ts';
import type { AudioSink } from './sinks/audio-sink.ts';

export interface SpeakerPlayerOptions {
  ffmpegPath: string;
  lookaheadMs?: number;
  tickMs?: number;
  /** The volume 0-100 at a time; the scheduler provides it (manifest spans, overrides). */
  volumeAt: (timeMs: number) => number;
}

/**
 * The speaker's audio engine: a mixer rendering on the injected clock into a sink, and the ffmpeg decoders that feed
 * it (tracked, so `stop()` leaves no child process behind).
 */
export class SpeakerPlayer {
  readonly mixer: Mixer;
  private readonly decoders = new Set<FfmpegDecoder>();
  private readonly lookaheadMs: number;

  constructor(
    readonly clock: Clock,
    readonly sink: AudioSink,
    private readonly options: SpeakerPlayerOptions,
  ) {
    this.lookaheadMs = options.lookaheadMs ?? 200;
    this.mixer = new Mixer(clock, sink, {
      lookaheadMs: this.lookaheadMs,
      tickMs: options.tickMs ?? 20,
      volumeAt: options.volumeAt,
    });
  }

  /** Opens the sink (AUDIO_OUTPUT_UNAVAILABLE when it cannot), then starts rendering. */
  async start(): Promise<void> {
    await this.sink.start();
    this.mixer.start();
  }

  async stop(): Promise<void> {
    this.mixer.stop();
    for (const decoder of this.decoders) decoder.close();
    this.decoders.clear();
    await this.sink.stop();
  }

  /** A decoder for `file`, started now (pre-roll): its first seconds are buffered by the time the mixer needs them. */
  decode(file: string, offsetMs?: number): FfmpegDecoder {
    for (const d of this.decoders) if (d.done) this.decoders.delete(d);
    const decoder = new FfmpegDecoder(this.options.ffmpegPath, file, offsetMs ? { offsetMs } : {});
    this.decoders.add(decoder.start());
    return decoder;
  }

  /** Live decoders (not yet ended or closed). */
  get liveDecoders(): number {
    let n = 0;
    for (const d of this.decoders) if (!d.done) n++;
    return n;
  }

  /**
   * Resolves when every live decoder holds enough for the next few renders (or has ended). Tests on a fake clock
   * await this before advancing time: decoding is real I/O that a fake clock does not wait for.
   */
  async whenBuffered(ms = this.lookaheadMs + 500): Promise<void> {
    await Promise.all([...this.decoders].filter((d) => !d.done).map((d) => d.whenBuffered(samplesFromMs(ms))));
  }
}
