import { createHash } from 'node:crypto';
import { FleetError } from '../../protocol/errors.ts';
import { STREAM_ID_PATTERN, STREAM_LIMITS } from '../../protocol/streams.ts';

export interface StreamFile {
  fileId: number;
  bytes: Buffer;
}

/**
 * Who may read a stream: the things of one store (a pricing snapshot), the listed things, or every thing (a file
 * meant for the whole fleet). AWS leaves this to the IoT policy's stream resources; this fleet's default policy
 * grants `$aws/things/{thing}/streams/*` and the service checks the audience, so a store's data stays in the store.
 */
export type StreamAudience = { storeId: string } | { thingNames: readonly string[] } | 'fleet';

export interface StoredStream {
  streamId: string;
  /** AWS's stream version: 1 when created, +1 whenever its files are replaced (GetStream's `s` is checked against it). */
  version: number;
  description: string;
  audience: StreamAudience;
  files: Map<number, { bytes: Buffer; sha256: string }>;
}

/** The streams the fleet serves, in memory: their owners (pricing snapshots, later OTA) put them again at start. */
export class StreamStore {
  private readonly streams = new Map<string, StoredStream>();

  put(
    streamId: string,
    files: StreamFile[],
    options: { description?: string; audience: StreamAudience },
  ): StoredStream {
    if (!STREAM_ID_PATTERN.test(streamId))
      throw new FleetError('STREAM_INVALID', `stream id '${streamId}' is not 1-128 characters of [a-zA-Z0-9_-]`);
    if (files.length === 0 || files.length > STREAM_LIMITS.maxFilesPerStream)
      throw new FleetError('STREAM_INVALID', `a stream holds 1 to ${STREAM_LIMITS.maxFilesPerStream} files`);
    const byId = new Map<number, { bytes: Buffer; sha256: string }>();
    for (const file of files) {
      if (!Number.isInteger(file.fileId) || file.fileId < 0 || file.fileId > STREAM_LIMITS.maxFileId)
        throw new FleetError('STREAM_INVALID', `file id ${file.fileId} is not an integer from 0 to 255`);
      if (byId.has(file.fileId)) throw new FleetError('STREAM_INVALID', `file id ${file.fileId} appears twice`);
      if (file.bytes.length === 0 || file.bytes.length > STREAM_LIMITS.maxFileBytes)
        throw new FleetError('STREAM_INVALID', `file ${file.fileId} has ${file.bytes.length} bytes (1 to 24 MiB)`);
      byId.set(file.fileId, { bytes: file.bytes, sha256: createHash('sha256').update(file.bytes).digest('hex') });
    }
    const previous = this.streams.get(streamId);
    const stream: StoredStream = {
      streamId,
      version: (previous?.version ?? 0) + 1,
      description: options.description ?? '',
      audience: options.audience,
      files: byId,
    };
    this.streams.set(streamId, stream);
    return stream;
  }

  get(streamId: string): StoredStream | undefined {
    return this.streams.get(streamId);
  }

  delete(streamId: string): boolean {
    return this.streams.delete(streamId);
  }

  ids(): string[] {
    return [...this.streams.keys()];
  }
}
