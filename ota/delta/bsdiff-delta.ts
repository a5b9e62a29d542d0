import { randomUUID } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import bsdiff from 'bsdiff-node';
import { FleetError } from '../../protocol/errors.ts';
import { digestFile } from './file-digest.ts';

/**
 * Binary deltas in Colin Percival's bsdiff 4 format (`BSDIFF40`: a 32-byte header, then bzip2-compressed control,
 * diff and extra blocks), through bsdiff-node's native code in libuv's thread pool. Both sides work on FILES: the
 * fleet diffs two stored artifacts, the device patches its installed copy of the base. Why bsdiff: docs/ota.md.
 *
 * Neither side ever leaves half a file under the final name: output goes to a temp file beside it (same directory,
 * same file system) and is renamed into place only when complete and, on the device, verified.
 */

/** The magic of the format, the first 8 bytes of every delta. */
export const DELTA_MAGIC = 'BSDIFF40';
const HEADER_BYTES = 32;

export type DeltaHeader = { controlBytes: number; diffBytes: number; newSize: number };

/**
 * Makes the delta that turns `basePath` into `targetPath` at `deltaPath`. Memory: bsdiff holds both files, a suffix
 * array of 16 bytes per base byte and two buffers of the target's size, about 17 × base + 3 × target; the fleet
 * bounds the artifact size it diffs (docs/operations.md, `ota.deltas`).
 */
export async function createDelta(
  basePath: string,
  targetPath: string,
  deltaPath: string,
): Promise<{ size: number; sha256: string }> {
  const temp = tempBeside(deltaPath);
  try {
    await bsdiff.diff(basePath, targetPath, temp);
    const digest = await digestFile(temp);
    await rename(temp, deltaPath);
    return digest;
  } catch (err) {
    await rm(temp, { force: true });
    throw asError(err, 'bsdiff');
  }
}

/**
 * Applies `deltaPath` to `basePath` and writes the result to `outPath`, but only if it is exactly the expected
 * artifact: the header's size is checked before anything is allocated (a delta cannot make the device reserve more
 * than the artifact's signed size), and the output's sha256 after; a bad output is deleted. Refusals:
 * `OTA_HASH_MISMATCH` (not a BSDIFF40 delta, a corrupt one, another base, another target), `OTA_DISK_FULL` (ENOSPC),
 * `OTA_INSTALL_FAILED` (any other I/O failure).
 */
export async function applyDelta(
  basePath: string,
  deltaPath: string,
  outPath: string,
  expected: { sha256: string; size: number },
): Promise<void> {
  const header = await readDeltaHeader(deltaPath);
  if (header.newSize !== expected.size) {
    throw new FleetError(
      'OTA_HASH_MISMATCH',
      `the delta makes ${header.newSize} bytes, the artifact has ${expected.size}`,
    );
  }
  const temp = tempBeside(outPath);
  try {
    try {
      await bsdiff.patch(basePath, temp, deltaPath);
    } catch (err) {
      throw patchFailure(asError(err, 'bspatch'));
    }
    const digest = await digestFile(temp);
    if (digest.sha256 !== expected.sha256 || digest.size !== expected.size) {
      throw new FleetError('OTA_HASH_MISMATCH', `the patched file is ${digest.sha256}, not ${expected.sha256}`);
    }
    await rename(temp, outPath);
  } catch (err) {
    await rm(temp, { force: true });
    if (err instanceof FleetError) throw err;
    throw ioFailure(err as NodeJS.ErrnoException);
  }
}

/** The header of a BSDIFF40 delta; `OTA_HASH_MISMATCH` when the file is not one. */
export async function readDeltaHeader(deltaPath: string): Promise<DeltaHeader> {
  const file = await open(deltaPath, 'r');
  try {
    const buffer = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await file.read(buffer, 0, HEADER_BYTES, 0);
    if (bytesRead < HEADER_BYTES || buffer.toString('latin1', 0, 8) !== DELTA_MAGIC) {
      throw new FleetError('OTA_HASH_MISMATCH', `${basename(deltaPath)} is not a ${DELTA_MAGIC} delta`);
    }
    const header = { controlBytes: offtin(buffer, 8), diffBytes: offtin(buffer, 16), newSize: offtin(buffer, 24) };
    if (header.controlBytes < 0 || header.diffBytes < 0 || header.newSize < 0) {
      throw new FleetError('OTA_HASH_MISMATCH', `${basename(deltaPath)} has a corrupt header`);
    }
    return header;
  } finally {
    await file.close();
  }
}

/**
 * bsdiff's 64-bit integers: sign and magnitude, little-endian, the sign in the top bit (bspatch.c `offtin`). Sizes
 * past 2^53 are not exact in a double but far beyond any artifact (MAX_ARTIFACT_BYTES), so they still fail the
 * size check.
 */
function offtin(buffer: Buffer, at: number): number {
  const high = buffer.readUInt32LE(at + 4);
  const magnitude = (high & 0x7fffffff) * 2 ** 32 + buffer.readUInt32LE(at);
  return high & 0x80000000 ? -magnitude : magnitude;
}

function tempBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomUUID()}.part`);
}

// bsdiff-node rejects with the C code's message text, not an Error.
function asError(err: unknown, what: string): Error {
  return err instanceof Error ? err : new Error(`${what}: ${String(err)}`);
}

function patchFailure(err: Error): FleetError {
  if (/No space left/i.test(err.message)) return new FleetError('OTA_DISK_FULL', err.message);
  if (/Corrupt patch/i.test(err.message))
    return new FleetError('OTA_HASH_MISMATCH', `the delta is corrupt: ${err.message}`);
  return new FleetError('OTA_INSTALL_FAILED', err.message);
}

function ioFailure(err: NodeJS.ErrnoException): FleetError {
  if (err.code === 'ENOSPC') return new FleetError('OTA_DISK_FULL', err.message);
  return new FleetError('OTA_INSTALL_FAILED', err.message);
}
