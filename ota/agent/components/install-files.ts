import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ErrorCode, FleetError, isFleetError } from '../../../protocol/errors.ts';

/** Errors of a full disk (ENOSPC) or a used-up quota (EDQUOT): the agent reports OTA_DISK_FULL. */
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT']);

/**
 * A failure of an install as the agent reports it: a FleetError as it is, a full disk as OTA_DISK_FULL, anything
 * else (a read error, a permission) as `fallback` with its message.
 */
export function installError(err: unknown, fallback: ErrorCode = 'OTA_INSTALL_FAILED'): FleetError {
  if (isFleetError(err)) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && DISK_FULL.has(code))
    return new FleetError('OTA_DISK_FULL', `no space left for the install: ${(err as Error).message}`);
  return new FleetError(fallback, (err as Error)?.message ?? String(err));
}

/**
 * Why an install or a self-test stopped when its signal aborted: the signal's reason if it is a FleetError (the agent
 * says OTA_CANCELED or OTA_HEALTH_CHECK_TIMEOUT), else OTA_CANCELED.
 */
export function abortError(signal: AbortSignal): FleetError {
  return isFleetError(signal.reason) ? signal.reason : new FleetError('OTA_CANCELED', 'the install was stopped');
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}

/**
 * Copies the verified artifact into the slot and checks the copy's size and sha256 on the way (a copy the disk
 * corrupted, or an artifact changed since the agent verified it, is refused: OTA_INSTALL_FAILED), then fsyncs the
 * file and its directory so the slot is whole on disk before the agent switches to it (a power cut right after the
 * switch must not find a short file). Stops at once when `signal` aborts.
 */
export async function copyVerified(
  source: string,
  target: string,
  artifact: { sha256: string; size: number },
  signal: AbortSignal,
): Promise<void> {
  throwIfAborted(signal);
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(source), tap, createWriteStream(target, { flags: 'w', mode: 0o644 }), { signal });
  } catch (err) {
    if (signal.aborted) throw abortError(signal);
    throw installError(err);
  }
  const sha256 = hash.digest('hex');
  if (size !== artifact.size || sha256 !== artifact.sha256)
    throw new FleetError(
      'OTA_INSTALL_FAILED',
      `the copy in the slot is ${size} bytes with sha256 ${sha256}; the release says ${artifact.size} bytes, ${artifact.sha256}`,
    );
  await fsync(target);
  await fsync(dirname(target));
}

/** sha256 and size of a file, read in chunks. */
export async function fileDigest(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

async function fsync(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } catch (err) {
    throw installError(err);
  } finally {
    await handle.close();
  }
}
