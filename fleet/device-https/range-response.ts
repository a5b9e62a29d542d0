import { createReadStream, statSync } from 'node:fs';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { FleetError } from '../../protocol/errors.ts';

/** A single byte range, both ends included (RFC 9110 §14.1.2). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The one range a `Range` header asks for within `size` bytes: `undefined` to send the whole representation (no
 * header, a unit other than bytes, several ranges — a server may ignore a Range it does not support, RFC 9110
 * §14.2), or RANGE_NOT_SATISFIABLE when the range starts beyond the end (§14.1.1: "unsatisfiable").
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first, last] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    // A suffix range: the last N bytes.
    const length = Number(last);
    if (length === 0) throw unsatisfiable(size);
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size) throw unsatisfiable(size);
  if (end < start) return undefined;
  return { start, end };
}

function unsatisfiable(size: number): FleetError {
  return new FleetError('RANGE_NOT_SATISFIABLE', `range outside the ${size} bytes`, { size });
}

/** A strong entity tag from a content hash: the same bytes always have the same tag (RFC 9110 §8.8.3). */
export function entityTag(sha256: string): string {
  return `"${sha256}"`;
}

/**
 * Whether the Range applies: without If-Range it does; with one it does only if the tag still matches (RFC 9110
 * §13.1.5: a resume of a file that has since changed gets the whole new file instead of a spliced one).
 */
function rangeApplies(headers: IncomingHttpHeaders, etag: string): boolean {
  const ifRange = headers['if-range'];
  return ifRange === undefined || ifRange === etag;
}

interface Representation {
  size: number;
  etag: string;
  contentType: string;
  /** Writes bytes `start..end` (inclusive) of the representation. */
  write(response: ServerResponse, range: ByteRange): Promise<void>;
}

/** Answers a GET or HEAD with the whole representation (200) or the range asked for (206). */
async function respond(
  method: string,
  headers: IncomingHttpHeaders,
  response: ServerResponse,
  representation: Representation,
): Promise<void> {
  const { size, etag } = representation;
  const asked = rangeApplies(headers, etag) ? parseRange(headers.range, size) : undefined;
  const range = asked ?? { start: 0, end: size - 1 };
  response.setHeader('Accept-Ranges', 'bytes');
  response.setHeader('ETag', etag);
  response.setHeader('Content-Type', representation.contentType);
  response.setHeader('Content-Length', String(size === 0 ? 0 : range.end - range.start + 1));
  if (asked) {
    response.statusCode = 206;
    response.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  } else {
    response.statusCode = 200;
  }
  if (method === 'HEAD' || size === 0) {
    response.end();
    return;
  }
  await representation.write(response, range);
}

/**
 * Serves a file whose content hash is `sha256` (its ETag). `through`: a stream the bytes pass on their way out (a
 * bandwidth cap); the headers are sent as for the file itself, so it must pass every byte unchanged.
 */
export function sendFile(
  method: string,
  headers: IncomingHttpHeaders,
  response: ServerResponse,
  path: string,
  sha256: string,
  contentType: string,
  through: NodeJS.ReadWriteStream | null = null,
): Promise<void> {
  const size = statSync(path).size;
  return respond(method, headers, response, {
    size,
    etag: entityTag(sha256),
    contentType,
    write: (res, range) => {
      const file = createReadStream(path, { start: range.start, end: range.end });
      return through ? pipeline(file, through, res) : pipeline(file, res);
    },
  });
}

/** Serves bytes held in memory (a manifest as stored) whose content hash is `sha256`. */
export function sendBytes(
  method: string,
  headers: IncomingHttpHeaders,
  response: ServerResponse,
  bytes: Buffer,
  sha256: string,
  contentType: string,
): Promise<void> {
  return respond(method, headers, response, {
    size: bytes.length,
    etag: entityTag(sha256),
    contentType,
    write: async (res, range) => {
      res.end(bytes.subarray(range.start, range.end + 1));
    },
  });
}
