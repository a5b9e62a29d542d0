/**
 * Cuts ffmpeg's `-f rawvideo -pix_fmt rgb24` stream (frames back to back, no headers; pipe reads end anywhere) into
 * frames of `width`×`height`×3 bytes. Keeps only the latest complete frame: two buffers, swapped when one fills, so a
 * camera streaming at 15 fps allocates nothing per frame. Counts frames so a capture can wait for one that started
 * after it was asked for.
 */
export class RawFrameAssembler {
  readonly frameBytes: number;
  private filling: Uint8Array;
  private latest: Uint8Array;
  private filled = 0;
  private completed = 0;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.frameBytes = width * height * 3;
    this.filling = new Uint8Array(this.frameBytes);
    this.latest = new Uint8Array(this.frameBytes);
  }

  /** Frames completed so far. */
  get frames(): number {
    return this.completed;
  }

  /** Bytes of the frame being received (0 between frames). */
  get partialBytes(): number {
    return this.filled;
  }

  /**
   * The number the next frame that starts from now on will have: a frame already half received showed the basket
   * before the call, so it does not count.
   */
  nextFreshFrame(): number {
    return this.completed + (this.filled > 0 ? 2 : 1);
  }

  /** Takes a chunk; returns how many frames it completed. */
  push(chunk: Uint8Array): number {
    let offset = 0;
    let done = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.frameBytes - this.filled, chunk.length - offset);
      this.filling.set(chunk.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.frameBytes) {
        [this.latest, this.filling] = [this.filling, this.latest];
        this.filled = 0;
        this.completed++;
        done++;
      }
    }
    return done;
  }

  /** A copy of the latest complete frame's bytes (undefined before the first). */
  latestFrame(): Uint8Array | undefined {
    return this.completed > 0 ? this.latest.slice() : undefined;
  }

  /** Forgets the partial frame (a new stream starts on a frame boundary). */
  reset(): void {
    this.filled = 0;
  }
}
