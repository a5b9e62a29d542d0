/**
 * A waveform preview: the absolute peak of each of `points` equal slices of a mono programme, 0..1. Fed the decoded
 * samples as they stream (32-bit float, little-endian), it keeps one peak per fixed-size block and folds the blocks
 * into slices at the end, so memory stays bounded whatever the length: blocks are sized once the total is known
 * (`expectedSamples`) or grow by doubling when it is not.
 */
export class WaveformBuilder {
  private blockPeaks: number[] = [];
  private blockSize: number;
  private current = 0;
  private inBlock = 0;
  private samples = 0;
  private carry: Buffer | undefined;

  constructor(
    private readonly points: number,
    expectedSamples?: number,
  ) {
    this.blockSize = Math.max(1, Math.floor((expectedSamples ?? points * 64) / (points * 8)));
  }

  push(chunk: Buffer): void {
    let data = chunk;
    if (this.carry) {
      data = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    const whole = data.length - (data.length % 4);
    if (whole < data.length) this.carry = Buffer.from(data.subarray(whole));
    for (let offset = 0; offset < whole; offset += 4) {
      const value = Math.abs(data.readFloatLE(offset));
      if (value > this.current) this.current = value;
      this.samples++;
      if (++this.inBlock === this.blockSize) this.closeBlock();
    }
  }

  /** Samples seen so far. */
  get sampleCount(): number {
    return this.samples;
  }

  /** `points` peaks (fewer when the programme has fewer samples), rounded to 3 decimals, clamped to 1. */
  finish(): number[] {
    if (this.inBlock > 0) this.closeBlock();
    const blocks = this.blockPeaks;
    const count = Math.min(this.points, blocks.length);
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const from = Math.floor((i * blocks.length) / count);
      const to = Math.max(from + 1, Math.floor(((i + 1) * blocks.length) / count));
      let peak = 0;
      for (let b = from; b < to; b++) peak = Math.max(peak, blocks[b] as number);
      out.push(Math.round(Math.min(1, peak) * 1000) / 1000);
    }
    return out;
  }

  private closeBlock(): void {
    this.blockPeaks.push(this.current);
    this.current = 0;
    this.inBlock = 0;
    if (this.blockPeaks.length >= this.points * 16) {
      // Unknown length and already many blocks: merge pairs, double the block size.
      const merged: number[] = [];
      for (let i = 0; i < this.blockPeaks.length; i += 2) {
        merged.push(Math.max(this.blockPeaks[i] as number, this.blockPeaks[i + 1] ?? 0));
      }
      this.blockPeaks = merged;
      this.blockSize *= 2;
    }
  }
}
