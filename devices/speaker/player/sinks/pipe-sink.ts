import type { Writable } from 'node:stream';
import type { AudioSink } from './audio-sink.ts';

/**
 * Raw PCM (s16le, 48 kHz mono) to a stream: a socket, another process's stdin. The stream's own buffering absorbs
 * the render-ahead; `stop()` ends it unless it belongs to someone else (`end: false`).
 */
export class PipeSink implements AudioSink {
  bytes = 0;

  constructor(
    private readonly stream: Writable,
    private readonly options: { end?: boolean } = {},
  ) {}

  async start(): Promise<void> {}

  write(pcm: Int16Array): void {
    if (this.stream.destroyed || this.stream.writableEnded) return;
    this.stream.write(Buffer.from(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.byteLength)));
    this.bytes += pcm.byteLength;
  }

  async stop(): Promise<void> {
    if (this.options.end === false || this.stream.writableEnded || this.stream.destroyed) return;
    await new Promise<void>((resolve) => this.stream.end(resolve));
  }
}
