import { type ChildProcess, spawn } from 'node:child_process';

export interface FfmpegRunOptions {
  /** Called with each chunk ffmpeg writes to stdout (an `-f f32le -` output); stdout is discarded otherwise. */
  onStdout?: (chunk: Buffer) => void;
  /** Called with stderr as it grows; return a reason to kill the process (e.g. the container says it is too long). */
  watchStderr?: (stderrSoFar: string) => string | undefined;
}

export interface FfmpegRunResult {
  exitCode: number | null;
  stderr: string;
  /** Set when `watchStderr` asked for the process to be killed. */
  stoppedFor: string | undefined;
  /** Killed by `killAll()` (its owner is stopping). */
  killed: boolean;
}

/** ffmpeg's first arguments on every run: no banner, no progress line, never read stdin (it is not ours). */
export const FFMPEG_QUIET = ['-hide_banner', '-nostdin', '-nostats'] as const;

/** Keeps the live ffmpeg children of an owner so its `stop()` can kill them. */
export class FfmpegProcesses {
  private readonly live = new Set<ChildProcess>();
  private readonly killedByStop = new WeakSet<ChildProcess>();

  constructor(private readonly ffmpegPath: string) {}

  run(args: readonly string[], options: FfmpegRunOptions = {}): Promise<FfmpegRunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.ffmpegPath, [...FFMPEG_QUIET, ...args], {
        stdio: ['ignore', options.onStdout ? 'pipe' : 'ignore', 'pipe'],
      });
      this.live.add(child);
      let stderr = '';
      let stoppedFor: string | undefined;
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (text: string) => {
        // Only the start (input description) and the end (the summaries) are ever read; the middle is bounded so a
        // long decode's warnings cannot grow without end.
        stderr =
          stderr.length > 256 * 1024 ? stderr.slice(0, 64 * 1024) + stderr.slice(-64 * 1024) + text : stderr + text;
        if (stoppedFor === undefined && options.watchStderr) {
          stoppedFor = options.watchStderr(stderr);
          if (stoppedFor !== undefined) child.kill('SIGKILL');
        }
      });
      if (options.onStdout) child.stdout?.on('data', options.onStdout);
      child.once('error', (err) => {
        this.live.delete(child);
        reject(err);
      });
      child.once('close', (exitCode) => {
        this.live.delete(child);
        resolve({ exitCode, stderr, stoppedFor, killed: this.killedByStop.has(child) });
      });
    });
  }

  /** Kills every child still running (their runs resolve with a null exit code). */
  killAll(): void {
    for (const child of this.live) {
      this.killedByStop.add(child);
      child.kill('SIGKILL');
    }
  }

  get running(): number {
    return this.live.size;
  }
}
