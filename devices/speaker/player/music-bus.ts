import { GainEnvelope } from './gain-envelope.ts';
import type { Playback } from './playback.ts';

export interface BusStats {
  underrunSamples: number;
  underruns: number;
}

/**
 * Music: one track at a time and the next one queued behind it (started on the sample the current one ends:
 * gapless), under a gain envelope (fades, ducking) and holds (an interrupt pauses the track; it resumes where it
 * stopped when the hold is released).
 */
export class MusicBus {
  readonly envelope = new GainEnvelope();
  current: Playback | undefined;
  next: Playback | undefined;
  private hold: { from: number; to: number | undefined } | undefined;
  private scratch = new Float32Array(0);

  constructor(private readonly stats: BusStats) {}

  /** Plays `playback` after the current track (or at its start sample when nothing plays). */
  enqueue(playback: Playback): void {
    this.next?.end(playback.startSample, 'skipped');
    if (this.current) this.next = playback;
    else this.current = playback;
  }

  /** Ends what plays and what waits at `sample` (or as soon as the mixer gets there). */
  stopAll(sample: number): void {
    this.next?.end(sample, 'skipped');
    this.next = undefined;
    if (this.current) this.current.stopAt = Math.min(this.current.stopAt ?? sample, sample);
  }

  /** Ends everything now (the player stops): the current track interrupted, the queued one skipped. */
  endAll(sample: number): void {
    const { current, next } = this;
    this.current = undefined;
    this.next = undefined;
    next?.end(sample, 'skipped');
    current?.end(sample, 'interrupted');
  }

  /** Pauses the track from `sample` until `release()`. */
  holdFrom(sample: number): void {
    if (this.hold && this.hold.to === undefined) return;
    this.hold = { from: sample, to: undefined };
  }

  release(sample: number): void {
    if (this.hold && this.hold.to === undefined) this.hold.to = Math.max(sample, this.hold.from);
  }

  /** A track is playing, not paused by a hold, at `sample`. */
  busyAt(sample: number): boolean {
    return this.current !== undefined && this.current.startSample <= sample && !this.heldAt(sample);
  }

  heldAt(sample: number): boolean {
    const h = this.hold;
    return h !== undefined && h.from <= sample && (h.to === undefined || sample < h.to);
  }

  /**
   * Adds the bus's samples for `[start, to)` into `mix` (index 0 = sample `from`). Returns true when it stopped at
   * a hold not yet released: the mixer calls it again from the release if the voice bus releases it in this block.
   */
  render(mix: Float32Array, from: number, to: number, start = from): boolean {
    let pos = start;
    let waitsOnHold = false;
    while (pos < to) {
      let p = this.current;
      if (!p && this.next) {
        this.current = this.next;
        this.next = undefined;
        p = this.current;
      }
      if (!p) break;
      const segStart = Math.max(pos, p.startSample);
      if (segStart >= to) break;
      if (p.stopAt !== undefined && segStart >= p.stopAt) {
        this.finish(p, Math.max(p.stopAt, from), 'interrupted');
        pos = segStart;
        continue;
      }
      const h = this.hold;
      if (h && this.heldAt(segStart)) {
        waitsOnHold = h.to === undefined;
        if (h.to === undefined || h.to >= to) break;
        pos = h.to;
        continue;
      }
      let segEnd = to;
      if (h && h.from > segStart && h.from < segEnd) segEnd = h.from;
      if (p.stopAt !== undefined && p.stopAt < segEnd) segEnd = p.stopAt;
      const n = segEnd - segStart;
      if (this.scratch.length < n) this.scratch = new Float32Array(n);
      const got = p.source.read(this.scratch, 0, n);
      if (got > 0) {
        p.start(segStart);
        this.envelope.apply(this.scratch, 0, got, segStart);
        const at = segStart - from;
        for (let i = 0; i < got; i++) mix[at + i] = (mix[at + i] as number) + (this.scratch[i] as number);
      }
      if (got < n) {
        if (p.source.done) {
          this.finish(p, segStart + got, 'completed');
          pos = segStart + got;
          continue;
        }
        // The decoder is late: silence for the rest of the block, the track resumes where it was.
        this.stats.underruns++;
        this.stats.underrunSamples += n - got;
        break;
      }
      pos = segEnd;
    }
    this.hold = this.hold?.to !== undefined && this.hold.to <= to ? undefined : this.hold;
    this.envelope.prune(to);
    return waitsOnHold;
  }

  /** Where the hold the bus last stopped at was released, if it was. */
  get releasedAt(): number | undefined {
    return this.hold?.to;
  }

  private finish(p: Playback, sample: number, end: 'completed' | 'interrupted'): void {
    this.current = undefined;
    // Gapless: the next track starts on the current one's last sample, early or late against the manifest's duration.
    if (this.next) this.next.startSample = sample;
    p.end(sample, end);
  }
}
