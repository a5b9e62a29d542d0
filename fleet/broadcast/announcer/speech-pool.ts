import type { Worker } from 'node:worker_threads';
import type { VoiceSettings } from '../../../broadcast/announcer/voices.ts';
import type { Logger } from '../../../platform/log.ts';
import { startWorker, workerEntry } from '../../../platform/typescript-worker.ts';
import { FleetError } from '../../../protocol/errors.ts';
import type { SpeechAnswer, SpeechJob } from './speech-worker.ts';

/** What turns text into a WAV: the worker pool here, a fake in unit tests (test/mocks/fake-speech.ts). */
export interface SpeechSynthesizer {
  synthesize(text: string, voice: VoiceSettings): Promise<Uint8Array>;
}

interface Pending {
  job: SpeechJob;
  resolve: (wav: Uint8Array) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  busy: Pending | undefined;
}

/**
 * eSpeak-NG in worker threads, so the fleet's event loop never waits on synthesis (a sentence is 50–400 ms of CPU).
 * `size` threads (one is enough on a small box: synthesis is short, and a second only helps when renders overlap),
 * a bounded FIFO queue in front of them. A thread that dies fails its job with TTS_FAILED and is replaced. `stop()`
 * terminates the threads and fails what is still queued.
 */
export class SpeechPool implements SpeechSynthesizer {
  private slots: Slot[] = [];
  private queue: Pending[] = [];
  private nextId = 1;
  private running = false;

  /**
   * `maxQueued`: sentences waiting beyond those being spoken; more are refused at once with ANNOUNCER_BUSY rather than
   * queued for a minute (at ~0.3 s each, 32 is ten seconds of work on one thread).
   */
  constructor(
    private readonly size: number,
    private readonly log: Logger,
    private readonly maxQueued = 32,
  ) {}

  async start(): Promise<void> {
    this.running = true;
    await Promise.all(Array.from({ length: this.size }, () => this.spawn()));
  }

  async stop(): Promise<void> {
    this.running = false;
    const slots = this.slots;
    this.slots = [];
    for (const pending of [...this.queue, ...slots.flatMap((s) => (s.busy ? [s.busy] : []))]) {
      pending.reject(new FleetError('TTS_FAILED', 'the announcer stopped before this speech was made'));
    }
    this.queue = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  synthesize(text: string, voice: VoiceSettings): Promise<Uint8Array> {
    if (!this.running) return Promise.reject(new FleetError('TTS_FAILED', 'the announcer is not running'));
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(
        new FleetError(
          'ANNOUNCER_BUSY',
          `${this.queue.length} announcements are waiting to be spoken: try again shortly`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { id: this.nextId++, text, voice }, resolve, reject });
      this.dispatch();
    });
  }

  private spawn(): Promise<void> {
    const worker = startWorker(workerEntry('./speech-worker', import.meta.url), { stdout: true, stderr: true });
    const slot: Slot = { worker, ready: false, busy: undefined };
    this.slots.push(slot);
    // eSpeak's module prints to stdout/stderr; its messages are not the fleet's log lines.
    worker.stdout?.resume();
    worker.stderr?.resume();
    return new Promise((resolve) => {
      worker.on('message', (message: SpeechAnswer | { ready: true }) => {
        if ('ready' in message) {
          slot.ready = true;
          resolve();
          this.dispatch();
          return;
        }
        const pending = slot.busy;
        slot.busy = undefined;
        if (pending && pending.job.id === message.id) {
          if ('wav' in message) pending.resolve(message.wav);
          else pending.reject(new FleetError('TTS_FAILED', message.error.message));
        }
        this.dispatch();
      });
      worker.on('error', (err) => this.log.warn({ err }, 'speech worker failed'));
      worker.on('exit', (code) => {
        const index = this.slots.indexOf(slot);
        if (index === -1) return;
        this.slots.splice(index, 1);
        slot.busy?.reject(new FleetError('TTS_FAILED', `the speech worker exited (${code})`));
        resolve();
        if (this.running) void this.spawn();
      });
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.ready || slot.busy) continue;
      const pending = this.queue.shift() as Pending;
      slot.busy = pending;
      slot.worker.postMessage(pending.job);
    }
  }
}
