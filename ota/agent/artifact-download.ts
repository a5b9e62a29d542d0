import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { type Clock, sleep } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import { FleetError, isFleetError } from '../../protocol/errors.ts';
import type { DeltaApplier, DiskSpace, OtaDownloadTransport } from './ports.ts';

export interface ArtifactTarget {
  sha256: string;
  size: number;
  /** The full artifact's path on the fleet's device endpoint. */
  path: string;
}

/** A delta the job offers whose base the device holds (its slot's artifact). */
export interface UsableDelta {
  fromSha256: string;
  sha256: string;
  size: number;
  path: string;
  baseFile: string;
}

export interface DownloadOptions {
  /** Where the part and the finished file go (`<ota>/downloads`). */
  dir: string;
  partFile: (sha256: string) => string;
  deltaPartFile: (fromSha256: string, toSha256: string) => string;
  /** Free space kept beyond what the download needs (the runtime's own files, logs, the outbox). */
  reserveBytes: number;
  /** Backoff between attempts after a cut: doubles from min to max, without end while the job lasts. */
  retryMinMs: number;
  retryMaxMs: number;
  /** Refusals by the fleet (4xx: gone, forbidden) tried this many times before OTA_DOWNLOAD_FAILED. */
  maxRefusals: number;
}

/**
 * Gets a release's artifact onto the disk, verified: free space first (OTA_DISK_FULL), then a delta when the job
 * offers one for a base the device holds (falling back to the full artifact if the delta or its result does not
 * check out), else the full artifact. Downloads resume from the `.part` file with Range/If-Range after a cut or a
 * restart, hashing the part on disk first and then every chunk as it arrives; a fleet that is unreachable is waited
 * for (back-off on the device clock, for as long as the job lasts). The result is checked against the signed
 * manifest's size and sha256 (OTA_HASH_MISMATCH: the file is deleted, nothing was installed).
 */
export class ArtifactDownloader {
  constructor(
    private readonly transport: OtaDownloadTransport,
    private readonly deltas: DeltaApplier | null,
    private readonly disk: DiskSpace,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: DownloadOptions,
  ) {}

  /** The verified artifact's path (`<dir>/<sha256>.artifact`). */
  async download(
    target: ArtifactTarget,
    delta: UsableDelta | null,
    signal: AbortSignal,
    onProgress: (fraction: number) => void,
  ): Promise<string> {
    await mkdir(this.options.dir, { recursive: true });
    const done = `${this.options.dir}/${target.sha256}.artifact`;
    if (await this.hasVerified(done, target)) return done;
    if (delta && this.deltas) {
      try {
        return await this.viaDelta(target, delta, done, signal, onProgress);
      } catch (err) {
        if (signal.aborted || isFleetError(err, 'OTA_DISK_FULL')) throw err;
        this.log.warn({ err: (err as Error).message }, 'delta not used; downloading the whole artifact');
      }
    }
    const part = this.options.partFile(target.sha256);
    await this.checkSpace(part, target.size, target.size);
    const hash = await this.fetch(target.path, part, target.sha256, target.size, signal, onProgress);
    await this.finish(part, done, target, hash);
    return done;
  }

  private async viaDelta(
    target: ArtifactTarget,
    delta: UsableDelta,
    done: string,
    signal: AbortSignal,
    onProgress: (fraction: number) => void,
  ): Promise<string> {
    const part = this.options.deltaPartFile(delta.fromSha256, target.sha256);
    // The delta and the artifact made from it are both on disk at the end.
    await this.checkSpace(part, delta.size, delta.size + target.size);
    const hash = await this.fetch(delta.path, part, delta.sha256, delta.size, signal, onProgress);
    const received = hash.digest('hex');
    if (received !== delta.sha256) {
      await rm(part, { force: true });
      throw new FleetError('OTA_HASH_MISMATCH', `the delta's sha256 is ${received}, the job says ${delta.sha256}`);
    }
    const patched = `${done}.patched`;
    try {
      await this.deltas?.apply(delta.baseFile, part, patched, { sha256: target.sha256, size: target.size });
      const result = await hashFile(patched);
      if (result.sha256 !== target.sha256 || result.size !== target.size)
        throw new FleetError('OTA_HASH_MISMATCH', `the delta applied to the base gives ${result.sha256}`);
      await rename(patched, done);
      this.log.info(
        { deltaBytes: delta.size, artifactBytes: target.size, from: delta.fromSha256 },
        'artifact rebuilt from a delta',
      );
      return done;
    } finally {
      await rm(patched, { force: true });
      await rm(part, { force: true });
    }
  }

  private async checkSpace(part: string, size: number, needed: number): Promise<void> {
    const have = await fileSize(part);
    const free = await this.disk.freeBytes(this.options.dir);
    const missing = needed - Math.min(have, size) + this.options.reserveBytes;
    if (free < missing)
      throw new FleetError(
        'OTA_DISK_FULL',
        `the download needs ${missing} bytes (with ${this.options.reserveBytes} kept free), ${free} are free`,
      );
  }

  /** Downloads `path` into `part` until it has `size` bytes; resolves with the hash of all of them. */
  private async fetch(
    path: string,
    part: string,
    etagSha: string,
    size: number,
    signal: AbortSignal,
    onProgress: (fraction: number) => void,
  ): Promise<Hash> {
    let hash = await hashPrefix(part, size);
    let have = await fileSize(part);
    let waitMs = this.options.retryMinMs;
    let refusals = 0;
    while (have < size) {
      if (signal.aborted) throw abortError(signal);
      try {
        const response = await this.transport.downloadPart(path, part, have, `"${etagSha}"`, (n, chunk) => {
          hash.update(chunk);
          onProgress((have + n) / size);
        });
        if (response.status === 200 && have > 0) {
          // The fleet sent the whole file (its If-Range did not match): the part was rewritten from 0.
          hash = await hashPrefix(part, size);
        }
        const now = await fileSize(part);
        if (now === have && response.received === 0)
          throw new FleetError('OTA_HASH_MISMATCH', `the fleet has no bytes past ${have}; the manifest says ${size}`);
        have = now;
        waitMs = this.options.retryMinMs;
        onProgress(have / size);
        if (have > size) break;
      } catch (err) {
        if (signal.aborted) throw abortError(signal);
        if (isFleetError(err, 'OTA_HASH_MISMATCH')) {
          await rm(part, { force: true });
          throw err;
        }
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC')
          throw new FleetError('OTA_DISK_FULL', `the disk filled up during the download: ${(err as Error).message}`);
        if (isFleetError(err, 'RANGE_NOT_SATISFIABLE')) {
          await rm(part, { force: true });
          throw new FleetError('OTA_HASH_MISMATCH', `the fleet's file is shorter than the ${size} bytes announced`);
        }
        if (isRefusal(err) && ++refusals >= this.options.maxRefusals)
          throw new FleetError('OTA_DOWNLOAD_FAILED', `the fleet refuses the download: ${(err as Error).message}`);
        // A cut, a timeout, the fleet away: what arrived is kept, the hash is rebuilt from the disk.
        have = await fileSize(part);
        this.log.info({ err: (err as Error).message, have, size, retryInMs: waitMs }, 'download interrupted');
        await this.wait(waitMs, signal);
        waitMs = Math.min(waitMs * 2, this.options.retryMaxMs);
        hash = await hashPrefix(part, size);
        have = await fileSize(part);
      }
    }
    return hash;
  }

  private async finish(part: string, done: string, target: ArtifactTarget, hash: Hash): Promise<void> {
    const size = await fileSize(part);
    const sha256 = hash.digest('hex');
    if (size !== target.size || sha256 !== target.sha256) {
      await rm(part, { force: true });
      throw new FleetError(
        'OTA_HASH_MISMATCH',
        `downloaded ${size} bytes with sha256 ${sha256}; the signed manifest says ${target.size} bytes, ${target.sha256}`,
      );
    }
    await rename(part, done);
  }

  private async hasVerified(file: string, target: ArtifactTarget): Promise<boolean> {
    if ((await fileSize(file)) !== target.size) return false;
    const { sha256 } = await hashFile(file);
    if (sha256 === target.sha256) return true;
    await rm(file, { force: true });
    return false;
  }

  private async wait(ms: number, signal: AbortSignal): Promise<void> {
    const pause = sleep(this.clock, ms);
    const wake = () => pause.wake();
    signal.addEventListener('abort', wake, { once: true });
    try {
      await pause.done;
    } finally {
      signal.removeEventListener('abort', wake);
    }
    if (signal.aborted) throw abortError(signal);
  }
}

/** A FleetError the fleet answered with a 4xx: it will say the same next time. */
function isRefusal(err: unknown): boolean {
  if (!(err instanceof FleetError)) return false;
  const status = (err.details as { status?: number } | undefined)?.status ?? err.status;
  return status >= 400 && status < 500;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

async function fileSize(path: string): Promise<number> {
  return (await stat(path).catch(() => undefined))?.size ?? 0;
}

/** The hash of the first `max` bytes of `file` (what a resume continues from). */
async function hashPrefix(file: string, max: number): Promise<Hash> {
  const hash = createHash('sha256');
  if ((await fileSize(file)) === 0) return hash;
  for await (const chunk of createReadStream(file, { start: 0, end: Math.max(0, max - 1) }))
    hash.update(chunk as Buffer);
  return hash;
}

export async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}
