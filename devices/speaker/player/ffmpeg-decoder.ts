import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { FleetError } from '../../../protocol/errors.ts';
import { PCM, type PcmSource, samplesFromMs } from './pcm.ts';

export interface DecoderOptions {
  /** Start this far into the file (a speaker joining a track mid-way). */
  offsetMs?: number;
  /**
   * How much decoded audio it holds before pausing ffmpeg (pipe backpressure: a paused stdout fills the pipe and
   * ffmpeg blocks in write(), using no CPU). Enough to ride out a busy event loop, small enough for a speaker's RAM.
   */
  bufferMs?: number;
}

/**
 * One asset decoded to PCM by an ffmpeg child process. `start()` spawns it ahead of time (pre-roll), so the first
 * samples are waiting when the mixer reaches the item's start sample. `close()` kills the child.
 */
export class FfmpegDecoder implements PcmSource {
  private child: ChildProcessByStdio<null, Readable, Readable> | undefined;
  private readonly chunks: Buffer[] = [];
  /** Read position (bytes) in `chunks[0]`. */
  private head = 0;
  private carry: Buffer | undefined;
  private buffered = 0;
  private exited = false;
  private closed = false;
  private produced = 0;
  private stderr = '';
  private failure: Error | undefined;
  private readonly highWater: number;
  private waiters: { samples: number; resolve: () => void }[] = [];
  private failureListeners: ((error: Error) => void)[] = [];

  constructor(
    private readonly ffmpegPath: string,
    readonly file: string,
    private readonly options: DecoderOptions = {},
  ) {
    this.highWater = samplesFromMs(options.bufferMs ?? 3000);
  }

  start(): this {
    if (this.child || this.closed) return this;
    const seek = this.options.offsetMs ? ['-ss', (this.options.offsetMs / 1000).toFixed(3)] : [];
    const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', ...seek, '-i', this.file, '-vn'];
    args.push('-f', PCM.ffmpegFormat, '-ac', String(PCM.channels), '-ar', String(PCM.sampleRate), 'pipe:1');
    const child = spawn(this.ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-500);
    });
    child.on('error', (err) => this.onExit(null, err));
    child.on('close', (code) => this.onExit(code));
    return this;
  }

  get done(): boolean {
    return this.closed || (this.exited && this.buffered === 0);
  }

  get error(): Error | undefined {
    return this.failure;
  }

  /** Called if decoding fails (at once when it already has): a pre-rolled item learns before its time. */
  onFailure(listener: (error: Error) => void): void {
    if (this.failure) listener(this.failure);
    else this.failureListeners.push(listener);
  }

  /** Samples decoded and not yet read. */
  get bufferedSamples(): number {
    return this.buffered;
  }

  /** Resolves once `samples` are buffered (at most what the buffer holds) or the decoder has ended. */
  whenBuffered(samples: number): Promise<void> {
    const want = Math.min(samples, this.highWater);
    if (this.buffered >= want || this.exited || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ samples: want, resolve }));
  }

  read(out: Float32Array, offset: number, count: number): number {
    let n = 0;
    while (n < count && this.chunks.length > 0) {
      const chunk = this.chunks[0] as Buffer;
      const available = (chunk.length - this.head) >> 1;
      const take = Math.min(available, count - n);
      for (let i = 0; i < take; i++) out[offset + n + i] = chunk.readInt16LE(this.head + i * 2) / 32768;
      n += take;
      this.head += take * 2;
      if (this.head >= chunk.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.buffered -= n;
    if (this.buffered < this.highWater / 2 && this.child?.stdout.isPaused()) this.child.stdout.resume();
    return n;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.chunks.length = 0;
    this.buffered = 0;
    if (this.child && !this.exited) this.child.kill('SIGKILL');
    this.child?.stdout.destroy();
    this.child?.stderr.destroy();
    this.wake();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    // A pipe read may end mid-sample: keep the odd byte for the next read.
    if (data.length % 2 === 1) {
      this.carry = data.subarray(data.length - 1);
      data = data.subarray(0, data.length - 1);
    }
    if (data.length === 0) return;
    this.chunks.push(data);
    this.buffered += data.length >> 1;
    this.produced += data.length >> 1;
    if (this.buffered >= this.highWater) this.child?.stdout.pause();
    this.wake();
  }

  private onExit(code: number | null, err?: Error): void {
    if (this.exited) return;
    this.exited = true;
    if (!this.closed && (err || code !== 0))
      this.failure = new FleetError(
        err ? 'FFMPEG_UNAVAILABLE' : 'AUDIO_UNDECODABLE',
        `decoding ${this.file} failed: ${err?.message ?? (this.stderr.trim() || `ffmpeg exited with ${code}`)}`,
      );
    else if (!this.closed && this.produced === 0)
      this.failure = new FleetError('AUDIO_EMPTY', `decoding ${this.file} gave no audio`);
    const failure = this.failure;
    if (failure) for (const listener of this.failureListeners.splice(0)) listener(failure);
    this.wake();
  }

  private wake(): void {
    const ready = this.waiters.filter((w) => this.buffered >= w.samples || this.exited || this.closed);
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}
