import type { Clock, TimerHandle } from '../../../platform/clock.ts';
import { gainFromVolume, softClip } from './master-gain.ts';
import { type BusStats, MusicBus } from './music-bus.ts';
import { msFromSamples, SAMPLES_PER_MS, samplesFromMs } from './pcm.ts';
import type { AudioSink } from './sinks/audio-sink.ts';
import { VoiceBus } from './voice-bus.ts';

const MAX_DROP_PASSES = 4;

export interface MixerOptions {
  /** How far ahead of now each tick renders: what a late event loop can be late by before the sink starves. */
  lookaheadMs?: number;
  /** How often it renders. */
  tickMs?: number;
  /** The volume 0-100 at a time (quiet = 0). Read once per block, applied with a ramp across the block. */
  volumeAt: (timeMs: number) => number;
}

export interface MixerStats extends BusStats {
  renderedSamples: number;
  /** Output samples the soft clip guard bent. */
  clippedSamples: number;
  /** Samples rendered too late to play (the process stalled longer than the lookahead): not written to the sink. */
  droppedSamples: number;
}

/**
 * Mixes a music bus and a voice bus into the sink on a sample clock tied to the injected clock: sample 0 is the
 * clock's time at `start()`, sample s is `origin + s / 48` ms. Each tick renders every sample up to now + lookahead;
 * so with a fake clock a test knows exactly which sample holds what, and with the system clock the sink (a sound
 * card) always has `lookahead` of audio queued. What starts where is decided by sample position ahead of time,
 * never by when a timer happens to fire.
 */
export class Mixer {
  readonly stats: MixerStats = {
    underruns: 0,
    underrunSamples: 0,
    renderedSamples: 0,
    clippedSamples: 0,
    droppedSamples: 0,
  };
  readonly music = new MusicBus(this.stats);
  readonly voice = new VoiceBus(this.stats);
  private origin = 0;
  private rendered = 0;
  private gain = 0;
  private timer: TimerHandle | undefined;
  private mix = new Float32Array(0);
  private readonly lookaheadMs: number;
  private readonly tickMs: number;
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly sink: AudioSink,
    private readonly options: MixerOptions,
  ) {
    this.lookaheadMs = options.lookaheadMs ?? 200;
    this.tickMs = options.tickMs ?? 20;
  }

  start(): void {
    if (this.timer) return;
    this.origin = this.clock.now();
    this.rendered = 0;
    this.gain = gainFromVolume(this.options.volumeAt(this.origin));
    this.timer = this.clock.setInterval(() => this.tick(), this.tickMs);
    this.tick();
  }

  stop(): void {
    this.clock.clearInterval(this.timer);
    this.timer = undefined;
    this.voice.endAll(this.rendered);
    this.music.endAll(this.rendered);
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** The timeline sample of a clock time (rounded to the nearest sample). */
  sampleAt(timeMs: number): number {
    return Math.round((timeMs - this.origin) * SAMPLES_PER_MS);
  }

  timeAt(sample: number): number {
    return this.origin + msFromSamples(sample);
  }

  /** The first sample not yet rendered: anything placed before it starts here instead (late). */
  get renderedUntil(): number {
    return this.rendered;
  }

  /** The earliest sample a new playback can still start on. */
  earliestSample(): number {
    return this.rendered;
  }

  /** Called after every block (the scheduler tops up what is due). */
  onRendered(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Renders up to now + lookahead. Public for tests and benches that drive it by hand. */
  tick(): void {
    // Stalled past the lookahead (a starved process): the sink ran dry and the samples up to now can no longer play
    // on time. They are rendered (sources advance, starts and ends happen on their samples) but not written, and the
    // sink is told the timeline jumped: a card's latency would otherwise grow by every stall, and every later item
    // start with it. Time is read again after each dropped block: rendering on a starved machine takes time too, and
    // what passed meanwhile is just as late (a few passes at most: a machine rendering slower than real time would
    // never catch up).
    for (let pass = 0; pass < MAX_DROP_PASSES; pass++) {
      const late = this.sampleAt(this.clock.now());
      if (this.rendered >= late) break;
      while (this.rendered < late) {
        const to = Math.min(late, this.rendered + samplesFromMs(1000));
        this.stats.droppedSamples += to - this.rendered;
        this.renderBlock(to, false);
      }
    }
    const until = this.sampleAt(this.clock.now() + this.lookaheadMs);
    // At most a second per block: after a long stall (a suspended VM) render in steps rather than one huge array.
    while (this.rendered < until) this.renderBlock(Math.min(until, this.rendered + samplesFromMs(1000)), true);
  }

  private renderBlock(to: number, write: boolean): void {
    const from = this.rendered;
    const n = to - from;
    if (this.mix.length < n) this.mix = new Float32Array(n);
    const mix = this.mix.subarray(0, n);
    mix.fill(0);
    // Music first: a track ending in this block can hand its end sample to an announcement waiting between tracks.
    const held = this.music.render(mix, from, to);
    this.voice.render(mix, from, to);
    // The voice that held the music ended in this block: the track resumes on that very sample, not a block later.
    const released = this.music.releasedAt;
    if (held && released !== undefined && released < to) this.music.render(mix, from, to, Math.max(released, from));
    const target = gainFromVolume(this.options.volumeAt(this.timeAt(from)));
    const start = this.gain;
    const out = new Int16Array(n);
    let clipped = 0;
    for (let i = 0; i < n; i++) {
      const g = start + ((target - start) * (i + 1)) / n;
      const raw = (mix[i] as number) * g;
      const y = softClip(raw);
      if (y !== raw) clipped++;
      out[i] = Math.round(y * 32767);
    }
    this.gain = target;
    this.rendered = to;
    this.stats.renderedSamples = to;
    this.stats.clippedSamples += clipped;
    if (write) this.sink.write(out, from);
    for (const listener of this.listeners) listener();
  }
}
