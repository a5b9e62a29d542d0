import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { type Clock, systemClock, type TimerHandle } from '../../platform/clock.ts';
import { resolveFfmpeg } from '../../platform/ffmpeg-binary.ts';
import type { CameraFailureReason } from '../../protocol/vision/camera.ts';
import { type Camera, type CameraFrame, type CameraStatus, CameraStatusTracker, cameraUnavailable } from './camera.ts';
import { RawFrameAssembler } from './raw-frame-assembler.ts';

export interface FfmpegCameraOptions {
  /** What ffmpeg opens: `/dev/video0` for V4L2, a filter graph such as `testsrc2=size=320x240:rate=15` for lavfi. */
  device: string;
  /** ffmpeg's input format (`-f`): `v4l2` on a cart. */
  inputFormat: string;
  /** Options before `-i`, e.g. `['-video_size', '640x480', '-framerate', '15']` (lavfi in tests: `['-re']`). */
  inputOptions: readonly string[];
  /** The frames it hands out (ffmpeg scales to this). */
  width: number;
  height: number;
  /** The stream closes after this long without a wake or a capture. */
  idleMs: number;
  /** A capture fails (`timeout`) when no fresh frame arrives within this. */
  captureTimeoutMs: number;
  /** The ffmpeg binary; unset: resolved as platform/ffmpeg-binary.ts says. */
  ffmpegPath?: string | undefined;
}

export const FFMPEG_CAMERA_DEFAULTS = {
  device: '/dev/video0',
  inputFormat: 'v4l2',
  inputOptions: [] as readonly string[],
  width: 320,
  height: 240,
  idleMs: 10_000,
  captureTimeoutMs: 2_000,
} as const;

interface PendingCapture {
  target: number;
  at: number;
  resolve: (frame: CameraFrame) => void;
  reject: (error: Error) => void;
}

type FfmpegChild = ChildProcessByStdio<null, Readable, Readable>;

interface Stream {
  child: FfmpegChild;
  stderr: string;
  /** Killed by us (idle, stop, a timeout): its end is not a failure of its own. */
  closing: boolean;
  exited: Promise<void>;
}

/**
 * A real basket camera read through ffmpeg (V4L2 on a cart): ffmpeg streams raw RGB frames, scaled to the configured
 * size, to a pipe; the camera keeps the latest complete frame and answers a capture with the next frame that starts
 * after it. The stream opens on `wake()` (or the first capture) and closes after `idleMs` without either, so the
 * camera does not run between drops. When ffmpeg ends on its own the status goes not ok and the waiting captures
 * fail; the next capture starts a new stream. `stop()` kills ffmpeg and waits until it is gone.
 */
export class FfmpegCamera implements Camera {
  readonly options: FfmpegCameraOptions;
  private readonly tracker: CameraStatusTracker;
  private ffmpegPath: string | undefined;
  private started = false;
  private stream: Stream | undefined;
  /** Every ffmpeg not yet gone, the current one and any still dying after a kill: `stop()` waits for them all. */
  private readonly live = new Set<Stream>();
  private readonly assembler: RawFrameAssembler;
  private pending: PendingCapture[] = [];
  private idleTimer: TimerHandle | undefined;
  private timeoutTimer: TimerHandle | undefined;
  private streamsOpened = 0;

  constructor(
    options: Partial<FfmpegCameraOptions> = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.options = { ...FFMPEG_CAMERA_DEFAULTS, ...options };
    this.assembler = new RawFrameAssembler(this.options.width, this.options.height);
    this.tracker = new CameraStatusTracker({ ok: false, reason: 'stopped', detail: 'not started', since: clock.now() });
  }

  /** The running ffmpeg's process id (undefined while the stream is closed), for the logs and the tests. */
  get streamPid(): number | undefined {
    return this.stream?.child.pid;
  }

  /** How many times an ffmpeg stream was started. */
  get streamStarts(): number {
    return this.streamsOpened;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (!this.resolveBinary()) return;
    if (this.deviceMissing()) {
      this.tracker.fail('device-missing', `${this.options.device} does not exist`, this.clock.now());
      return;
    }
    this.tracker.ok(this.clock.now());
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.failPending('stopped', 'the camera was stopped');
    await this.closeStream();
    await Promise.all([...this.live].map((s) => this.kill(s)));
    this.tracker.fail('stopped', 'the camera was stopped', this.clock.now());
  }

  status(): CameraStatus {
    return this.tracker.get();
  }

  onStatus(listener: (status: CameraStatus) => void): () => void {
    return this.tracker.listen(listener);
  }

  wake(): void {
    if (!this.started) return;
    if (!this.stream && this.ffmpegPath && !this.deviceMissing()) this.openStream();
    this.armIdle();
  }

  capture(at: number): Promise<CameraFrame> {
    if (!this.started) return Promise.reject(cameraUnavailable('stopped', 'the camera is not started'));
    if (!this.ffmpegPath && !this.resolveBinary()) {
      return Promise.reject(cameraUnavailable('ffmpeg-missing', this.tracker.get().detail ?? 'no ffmpeg'));
    }
    if (!this.stream && this.deviceMissing()) {
      const detail = `${this.options.device} does not exist`;
      this.tracker.fail('device-missing', detail, this.clock.now());
      return Promise.reject(cameraUnavailable('device-missing', detail));
    }
    if (!this.stream) this.openStream();
    this.armIdle();
    return new Promise<CameraFrame>((resolve, reject) => {
      this.pending.push({ target: this.assembler.nextFreshFrame(), at, resolve, reject });
      if (!this.timeoutTimer) {
        this.timeoutTimer = this.clock.setTimeout(() => this.onCaptureTimeout(), this.options.captureTimeoutMs);
      }
    });
  }

  private resolveBinary(): boolean {
    try {
      this.ffmpegPath = resolveFfmpeg(this.options.ffmpegPath).path;
      return true;
    } catch (err) {
      this.tracker.fail('ffmpeg-missing', (err as Error).message, this.clock.now());
      return false;
    }
  }

  /** Only a device path can be checked before ffmpeg opens it (lavfi's "device" is a filter graph). */
  private deviceMissing(): boolean {
    return this.options.inputFormat === 'v4l2' && !existsSync(this.options.device);
  }

  private openStream(): void {
    const o = this.options;
    const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-f', o.inputFormat];
    args.push(...o.inputOptions, '-i', o.device, '-an', '-vf', `scale=${o.width}:${o.height}`);
    args.push('-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1');
    const child = spawn(this.ffmpegPath as string, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.streamsOpened++;
    this.assembler.reset();
    let onExited: () => void = () => {};
    const stream: Stream = {
      child,
      stderr: '',
      closing: false,
      exited: new Promise<void>((resolve) => {
        onExited = resolve;
      }),
    };
    this.stream = stream;
    this.live.add(stream);
    child.stdout.on('data', (chunk: Buffer) => {
      if (this.stream === stream && !stream.closing) this.onData(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stream.stderr = (stream.stderr + text).slice(-2000);
    });
    let ended = false;
    const end = (code: number | null, error?: Error): void => {
      if (ended) return;
      ended = true;
      this.live.delete(stream);
      this.onStreamEnd(stream, code, error);
      onExited();
    };
    child.once('error', (err) => end(null, err));
    child.once('close', (code) => end(code));
  }

  private onData(chunk: Buffer): void {
    if (this.assembler.push(chunk) === 0) return;
    if (!this.tracker.get().ok) this.tracker.ok(this.clock.now());
    const frames = this.assembler.frames;
    const ready = this.pending.filter((p) => frames >= p.target);
    if (ready.length === 0) return;
    this.pending = this.pending.filter((p) => frames < p.target);
    if (this.pending.length === 0) {
      this.clock.clearTimeout(this.timeoutTimer);
      this.timeoutTimer = undefined;
    }
    const now = this.clock.now();
    for (const p of ready) {
      const rgb = this.assembler.latestFrame() as Uint8Array;
      p.resolve({ width: this.options.width, height: this.options.height, rgb, at: Math.max(p.at, now) });
    }
    this.armIdle();
  }

  private onStreamEnd(stream: Stream, code: number | null, error?: Error): void {
    if (this.stream === stream) this.stream = undefined;
    if (stream.closing) return;
    const [reason, detail] = this.classifyEnd(stream, code, error);
    this.tracker.fail(reason, detail, this.clock.now());
    this.failPending(reason, detail);
  }

  private classifyEnd(stream: Stream, code: number | null, error?: Error): [CameraFailureReason, string] {
    const said = stream.stderr.trim().split('\n').slice(-3).join(' / ');
    if (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      return [missing ? 'ffmpeg-missing' : 'ffmpeg-exited', `ffmpeg could not run: ${error.message}`];
    }
    if (/No such file or directory|No such device|Cannot open video device/i.test(stream.stderr)) {
      return ['device-missing', said || `${this.options.device} could not be opened`];
    }
    if (code === 0 && this.assembler.partialBytes > 0) {
      return ['bad-frame-size', `the stream ended ${this.assembler.partialBytes} bytes into a frame`];
    }
    return ['ffmpeg-exited', said || `ffmpeg exited with ${code ?? 'a signal'}`];
  }

  private onCaptureTimeout(): void {
    this.timeoutTimer = undefined;
    const detail = `no frame within ${this.options.captureTimeoutMs} ms`;
    this.tracker.fail('timeout', detail, this.clock.now());
    this.failPending('timeout', detail);
    // A stream that gives no frames is restarted by the next capture.
    void this.closeStream();
  }

  private failPending(reason: CameraFailureReason, detail: string): void {
    this.clock.clearTimeout(this.timeoutTimer);
    this.timeoutTimer = undefined;
    for (const p of this.pending.splice(0)) p.reject(cameraUnavailable(reason, detail));
  }

  private armIdle(): void {
    this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = this.clock.setTimeout(() => {
      this.idleTimer = undefined;
      if (this.pending.length > 0) this.armIdle();
      else void this.closeStream();
    }, this.options.idleMs);
  }

  private async closeStream(): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    this.stream = undefined;
    await this.kill(stream);
  }

  private async kill(stream: Stream): Promise<void> {
    stream.closing = true;
    if (stream.child.exitCode === null && stream.child.signalCode === null) stream.child.kill('SIGKILL');
    await stream.exited;
  }
}
