import type { AudioSink } from '../../devices/speaker/player/sinks/audio-sink.ts';

/**
 * A sound card as the start-error bench sees it: it consumes 48,000 samples a second of the system clock, from the
 * moment the first block arrives, and a sample can only be consumed once it was written. When the writer is late
 * the card runs dry (an xrun: silence), and everything after is consumed that much later, as ALSA does after it
 * recovers. So the time a sample leaves this card is `max(when the card got there, when it was written)`, computed
 * exactly from the write times rather than sampled by a timer.
 */
export class PacedSink implements AudioSink {
  private cardTime: number | undefined;
  private position = 0;
  /** Per written block: its first sample and when the card consumed that first sample. */
  private readonly blocks: { first: number; n: number; consumedAt: number }[] = [];
  xrunMs = 0;

  async start(): Promise<void> {}

  write(pcm: Int16Array, firstSample: number): void {
    // Date.now(), not performance time: the player's clock is the system clock, and the two drift apart by ms.
    this.append(firstSample, pcm.length, Date.now());
  }

  /** A block written at `writtenAt` (wall ms) starting at timeline sample `first`. */
  append(first: number, n: number, writtenAt: number): void {
    if (first > this.position) this.position = first; // a timeline gap (the naive player's silence between items)
    const start = this.cardTime === undefined ? writtenAt : Math.max(this.cardTime, writtenAt);
    if (this.cardTime !== undefined && writtenAt > this.cardTime) this.xrunMs += writtenAt - this.cardTime;
    this.blocks.push({ first, n, consumedAt: start });
    this.cardTime = start + n / 48;
    this.position = first + n;
  }

  /** A timeline position for a new stream a second after everything written (the naive player's items). */
  nextFree(): number {
    return this.position + 48_000;
  }

  /** When the card consumed timeline sample `sample` (wall ms), if it has been written. */
  consumedAt(sample: number): number | undefined {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = this.blocks[mid] as { first: number; n: number; consumedAt: number };
      if (sample < b.first) hi = mid - 1;
      else if (sample >= b.first + b.n) lo = mid + 1;
      else return b.consumedAt + (sample - b.first) / 48;
    }
    return undefined;
  }

  async stop(): Promise<void> {}
}
