import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { FleetError } from '../../../../protocol/errors.ts';
import { PCM, samplesFromMs } from '../pcm.ts';
import type { AudioSink } from './audio-sink.ts';

export interface AlsaSinkOptions {
  /** ALSA PCM name: `default`, `plughw:0,0` (card 0 device 0 through the plug layer), `hw:CARD=Device,DEV=0`. */
  device: string;
  /** `ffmpeg` (`-f alsa`, the binary the speaker already has) or `aplay` (alsa-utils). */
  player: 'ffmpeg' | 'aplay';
  ffmpegPath: string;
  /** How long the player must stay up after its first audio to count as open. */
  openCheckMs?: number;
}

/**
 * The sound card, through a child process reading raw PCM on stdin. The card's own clock paces it: the mixer's
 * render-ahead sits in the pipe and the ALSA buffer. `start()` feeds it a little silence and waits: a player that
 * exits (no card, wrong name, busy device) is AUDIO_OUTPUT_UNAVAILABLE with its message.
 */
export class AlsaSink implements AudioSink {
  private child: ChildProcessByStdio<Writable, null, Readable> | undefined;
  private stderr = '';
  private exited: Promise<number | null> | undefined;
  private failed = false;

  constructor(private readonly options: AlsaSinkOptions) {}

  async start(): Promise<void> {
    const { device, player, ffmpegPath } = this.options;
    const rate = String(PCM.sampleRate);
    const channels = String(PCM.channels);
    const [command, args] =
      player === 'aplay'
        ? ['aplay', ['-q', '-D', device, '-t', 'raw', '-f', 'S16_LE', '-r', rate, '-c', channels]]
        : [
            ffmpegPath,
            // Raw input needs no probing: without these ffmpeg reads ~5 MB (27 s of audio) before it opens the card.
            ['-nostdin', '-hide_banner', '-loglevel', 'error', '-probesize', '32', '-analyzeduration', '0'],
          ];
    if (player === 'ffmpeg') args.push('-f', PCM.ffmpegFormat, '-ar', rate, '-ac', channels);
    if (player === 'ffmpeg') args.push('-i', 'pipe:0', '-f', 'alsa', device);
    const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-500);
    });
    child.stdin.on('error', () => {
      this.failed = true;
    });
    this.exited = new Promise((resolve) => {
      child.on('error', (err) => {
        this.stderr ||= err.message;
        resolve(null);
      });
      child.on('close', (code) => {
        this.failed = true;
        resolve(code);
      });
    });
    // A player opens the device only once audio arrives: give it some silence to open it with.
    child.stdin.write(Buffer.alloc(samplesFromMs(100) * PCM.bytesPerSample));
    // Real time on purpose: this waits on a child process opening a device (real I/O), not on the speaker's clock.
    const settled = await Promise.race([
      this.exited.then(() => 'exited' as const),
      new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), this.options.openCheckMs ?? 500).unref()),
    ]);
    if (settled === 'exited') {
      this.child = undefined;
      throw new FleetError(
        'AUDIO_OUTPUT_UNAVAILABLE',
        `cannot open ALSA device '${device}' with ${player}: ${this.stderr.trim() || 'the player exited'}`,
      );
    }
  }

  write(pcm: Int16Array): void {
    const stdin = this.child?.stdin;
    if (!stdin || this.failed || stdin.destroyed) return;
    stdin.write(Buffer.from(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.byteLength)));
  }

  /** The player died after opening (device unplugged): the mixer keeps time, the audio goes nowhere. */
  get broken(): boolean {
    return this.failed;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child) return;
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(timer);
  }
}
