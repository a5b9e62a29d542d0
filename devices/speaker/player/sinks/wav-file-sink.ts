import { closeSync, openSync, writeSync } from 'node:fs';
import { PCM } from '../pcm.ts';
import type { AudioSink } from './audio-sink.ts';

/**
 * Writes the timeline to a WAV file (RIFF, PCM 16-bit, 48 kHz mono): sample s of the file is sample s of the mixer,
 * so a test reads the file and knows when each sound was played. The header's sizes are written on `stop()`.
 * Synchronous writes: a block is on disk when the mixer's tick returns (2 KB every 20 ms).
 */
export class WavFileSink implements AudioSink {
  private fd: number | undefined;
  private bytes = 0;

  constructor(readonly path: string) {}

  async start(): Promise<void> {
    this.fd = openSync(this.path, 'w');
    writeSync(this.fd, wavHeader(0));
    this.bytes = 0;
  }

  write(pcm: Int16Array, firstSample: number): void {
    if (this.fd === undefined) return;
    const gap = firstSample * PCM.bytesPerSample - this.bytes;
    if (gap > 0) {
      writeSync(this.fd, Buffer.alloc(gap));
      this.bytes += gap;
    }
    const buf = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
    writeSync(this.fd, buf);
    this.bytes += buf.length;
  }

  async stop(): Promise<void> {
    if (this.fd === undefined) return;
    writeSync(this.fd, wavHeader(this.bytes), 0, 44, 0);
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** The canonical 44-byte header of a PCM WAV file holding `dataBytes` of samples. */
export function wavHeader(dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  const blockAlign = PCM.channels * PCM.bytesPerSample;
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(PCM.channels, 22);
  h.writeUInt32LE(PCM.sampleRate, 24);
  h.writeUInt32LE(PCM.sampleRate * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(PCM.bytesPerSample * 8, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}
