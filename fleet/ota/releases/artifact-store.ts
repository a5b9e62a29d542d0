import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FleetError } from '../../../protocol/errors.ts';

/** An upload spooled to a temp file, counted and hashed on the way. */
export interface SpooledArtifact {
  tempPath: string;
  sha256: string;
  size: number;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The release files in the fleet's data dir, content-addressed: `ota/artifacts/{sha256}` and
 * `ota/deltas/{fromSha256}-{toSha256}`. A file reaches its final name only by a rename from `ota/tmp/` (same file
 * system) once complete, so a name never holds half a file; the temp dir is emptied at start.
 */
export class ArtifactStore {
  constructor(private readonly dataDir: string) {}

  get artifactsDir(): string {
    return join(this.dataDir, 'ota', 'artifacts');
  }

  get deltasDir(): string {
    return join(this.dataDir, 'ota', 'deltas');
  }

  get tempDir(): string {
    return join(this.dataDir, 'ota', 'tmp');
  }

  async start(): Promise<void> {
    await rm(this.tempDir, { recursive: true, force: true });
    await Promise.all([this.artifactsDir, this.deltasDir, this.tempDir].map((dir) => mkdir(dir, { recursive: true })));
  }

  artifactPath(sha256: string): string {
    if (!SHA256.test(sha256)) throw new FleetError('BAD_REQUEST', `${sha256} is not a sha256`);
    return join(this.artifactsDir, sha256);
  }

  deltaPath(fromSha256: string, toSha256: string): string {
    if (!SHA256.test(fromSha256) || !SHA256.test(toSha256)) throw new FleetError('BAD_REQUEST', 'not a sha256 pair');
    return join(this.deltasDir, `${fromSha256}-${toSha256}`);
  }

  /** A fresh temp path for work in progress (a delta being made). */
  tempPath(): string {
    return join(this.tempDir, randomUUID());
  }

  /**
   * Streams an upload to a temp file, hashing and counting: past `maxBytes` it stops reading at once and answers
   * PAYLOAD_TOO_LARGE, its partial file removed, so an oversized upload never sits whole on disk or in memory.
   */
  async spool(source: Readable, maxBytes: number): Promise<SpooledArtifact> {
    const tempPath = this.tempPath();
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        source,
        async function* count(chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            size += chunk.length;
            if (size > maxBytes) {
              throw new FleetError('PAYLOAD_TOO_LARGE', `an artifact is at most ${maxBytes} bytes`, { maxBytes });
            }
            hash.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(tempPath, { flags: 'wx' }),
      );
      return { tempPath, sha256: hash.digest('hex'), size };
    } catch (err) {
      await rm(tempPath, { force: true });
      throw err;
    }
  }

  /** Moves a complete temp file to its final name (atomic: same file system). */
  async commit(tempPath: string, finalPath: string): Promise<void> {
    await rename(tempPath, finalPath);
  }

  async exists(path: string): Promise<boolean> {
    return stat(path).then(
      () => true,
      () => false,
    );
  }

  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  }

  /**
   * Removes files no row names (a crash between a file's rename and its row, or between a row's delete and its
   * file's). Returns how many were removed.
   */
  async removeOrphans(artifacts: ReadonlySet<string>, deltas: ReadonlySet<string>): Promise<number> {
    let removed = 0;
    for (const [dir, known] of [
      [this.artifactsDir, artifacts],
      [this.deltasDir, deltas],
    ] as const) {
      for (const name of await readdir(dir)) {
        if (known.has(name)) continue;
        await rm(join(dir, name), { force: true, recursive: true });
        removed++;
      }
    }
    return removed;
  }
}
