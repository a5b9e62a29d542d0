import type { PcmSource } from '../../devices/speaker/player/pcm.ts';

/**
 * A PcmSource whose samples the test hands over (`feed`), as a decoder that is late or on time: the mixer reads
 * what is there and no more. `finish()` is the decoder reaching the file's end.
 */
export class FakePcmSource implements PcmSource {
  private buffer: number[] = [];
  private finished = false;
  closed = false;
  readonly error = undefined;

  /** Appends `count` samples of value `value`. */
  feed(count: number, value: number): this {
    for (let i = 0; i < count; i++) this.buffer.push(value);
    return this;
  }

  finish(): this {
    this.finished = true;
    return this;
  }

  get done(): boolean {
    return this.closed || (this.finished && this.buffer.length === 0);
  }

  read(out: Float32Array, offset: number, count: number): number {
    const n = Math.min(count, this.buffer.length);
    for (let i = 0; i < n; i++) out[offset + i] = this.buffer[i] as number;
    this.buffer.splice(0, n);
    return n;
  }

  close(): void {
    this.closed = true;
  }
}
