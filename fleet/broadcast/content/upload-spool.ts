import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FleetError } from '../../../protocol/errors.ts';

export interface SpooledUpload {
  path: string;
  bytes: number;
  sha256: string;
}

/**
 * Streams an upload to a temp file, counting and hashing on the way: past `maxBytes` the stream is abandoned at
 * once (AUDIO_TOO_LARGE), the partial file removed, so an oversized upload never sits whole in memory or on disk.
 */
export async function spoolUpload(source: Readable, dir: string, maxBytes: number): Promise<SpooledUpload> {
  const path = join(dir, `upload-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    await pipeline(
      source,
      async function* count(chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          bytes += chunk.length;
          if (bytes > maxBytes) {
            throw new FleetError('AUDIO_TOO_LARGE', `the upload is larger than ${maxBytes} bytes`, { maxBytes });
          }
          hash.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(path, { flags: 'wx' }),
    );
    return { path, bytes, sha256: hash.digest('hex') };
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
}

/** sha256 of a file, streamed. */
export async function sha256OfFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}
