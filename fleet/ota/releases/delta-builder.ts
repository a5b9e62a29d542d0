import { stat } from 'node:fs/promises';
import { createDelta } from '../../../ota/delta/bsdiff-delta.ts';
import { digestFile } from '../../../ota/delta/file-digest.ts';
import type { Logger } from '../../../platform/log.ts';
import type { DatabaseWriter } from '../../storage/database-writer.ts';
import type { ArtifactStore } from './artifact-store.ts';
import type { ReleaseRepository } from './release-repository.ts';

type Pair = { fromSha256: string; toSha256: string };

/**
 * Makes the deltas publishing asked for (`pending` rows), in the background, `concurrency` at a time: bsdiff runs in
 * libuv's thread pool, whose four threads the fleet's file and crypto work shares, and takes about 17 bytes of memory
 * per base byte. One delta per artifact pair, whatever the number of releases naming it. A delta not smaller than
 * the artifact is useless to a device and is marked failed; so is one bsdiff cannot make. start() picks up what a
 * previous run left pending; stop() waits for the deltas being made (bsdiff cannot be interrupted) and drops the queue.
 */
export class DeltaBuilder {
  private readonly queue: Pair[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private started = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly repository: ReleaseRepository,
    private readonly writer: DatabaseWriter,
    private readonly files: ArtifactStore,
    private readonly log: Logger,
    private readonly options: { concurrency: number; writeDeadlineMs?: number },
  ) {}

  start(): void {
    this.started = true;
    for (const delta of this.repository.pendingDeltas()) this.enqueue(delta);
  }

  async stop(): Promise<void> {
    this.started = false;
    this.queue.length = 0;
    this.queued.clear();
    await Promise.allSettled([...this.running]);
    this.notifyIdle();
  }

  /** Asks for the delta between two artifacts (made once however often asked). */
  enqueue(pair: Pair): void {
    if (!this.started) return;
    const key = `${pair.fromSha256}-${pair.toSha256}`;
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push({ fromSha256: pair.fromSha256, toSha256: pair.toSha256 });
    this.pump();
  }

  /** Resolves when nothing is queued or being made (tests, benchmarks, the demo). */
  whenIdle(): Promise<void> {
    if (this.queue.length === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.started && this.running.size < this.options.concurrency && this.queue.length > 0) {
      const pair = this.queue.shift()!;
      const work = this.make(pair).finally(() => {
        this.running.delete(work);
        this.queued.delete(`${pair.fromSha256}-${pair.toSha256}`);
        this.pump();
        if (this.queue.length === 0 && this.running.size === 0) this.notifyIdle();
      });
      this.running.add(work);
    }
  }

  private async make(pair: Pair): Promise<void> {
    const { fromSha256, toSha256 } = pair;
    const finalPath = this.files.deltaPath(fromSha256, toSha256);
    const write = (label: string, run: () => void) =>
      this.writer.write(label, run, { deadlineMs: this.options.writeDeadlineMs });
    try {
      let file: { sha256: string; size: number };
      if (await this.files.exists(finalPath)) {
        // Made before a restart that came before its row was marked: the file is complete (it got there by rename).
        file = await digestFile(finalPath);
      } else {
        const started = performance.now();
        file = await createDelta(this.files.artifactPath(fromSha256), this.files.artifactPath(toSha256), finalPath);
        this.log.info(
          { fromSha256, toSha256, size: file.size, ms: Math.round(performance.now() - started) },
          'release delta made',
        );
      }
      const full = (await stat(this.files.artifactPath(toSha256))).size;
      if (file.size >= full) {
        await this.files.remove(finalPath);
        await write('release.delta.failed', () =>
          this.repository.markDeltaFailed(
            fromSha256,
            toSha256,
            `the delta (${file.size} bytes) is not smaller than the artifact`,
          ),
        );
        return;
      }
      if (!this.started) return;
      await write('release.delta.ready', () => this.repository.markDeltaReady(fromSha256, toSha256, file));
      // The releases may have gone while it was being made: then nothing names the file.
      if (this.repository.deltaFileUses(fromSha256, toSha256) === 0) await this.files.remove(finalPath);
    } catch (err) {
      this.log.warn({ err, fromSha256, toSha256 }, 'release delta failed');
      await this.files.remove(finalPath);
      if (this.started) {
        await write('release.delta.failed', () =>
          this.repository.markDeltaFailed(fromSha256, toSha256, (err as Error).message),
        ).catch(() => undefined);
      }
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
