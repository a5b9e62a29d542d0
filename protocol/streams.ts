/**
 * AWS IoT MQTT-based file delivery ("streams"), as AWS documents it (developer guide, "Using AWS IoT MQTT-based file
 * delivery in devices"): a device asks for a stream's description (`DescribeStream`) and for blocks of one of its
 * files (`GetStream`), in JSON with one-letter field names. The fleet (fleet/streams/) and the devices
 * (devices/core/file-stream-client.ts) both use these shapes, limits and the block and bitmap arithmetic below.
 * Topics are built in topics.ts (`streamTopics`).
 */

/** AWS's limits for the streaming service (the guide's GetStream request section and the service quotas). */
export const STREAM_LIMITS = {
  /** "l is the data block size in bytes (an integer in the range 256 to 131,072)". */
  minBlockSize: 256,
  maxBlockSize: 131_072,
  /** "o ... (an integer in the range 0 to 98,304)", from the 24 MB file limit over 256-byte blocks. */
  maxOffset: 98_304,
  /** "n ... (an integer in the range 0 to 98,304)". */
  maxBlocks: 98_304,
  /** "The bitmap must be less than 12,288 bytes". */
  maxBitmapBytes: 12_287,
  /** "The client token can be no longer than 64 bytes". */
  maxClientTokenBytes: 64,
  /** "f is the stream file ID (an integer in the range 0 to 255)". */
  maxFileId: 255,
  /** One GetStream request returns at most 128 KB of blocks; the device asks again for the rest. */
  maxBytesPerRequest: 131_072,
  /** AWS IoT quota: files per stream. */
  maxFilesPerStream: 10,
  /** 98,304 blocks of 256 bytes: the largest file the offsets can address. */
  maxFileBytes: 24 * 1024 * 1024,
} as const;

/** AWS's stream id rule: 1-128 characters of `[a-zA-Z0-9_-]`. */
export const STREAM_ID_PATTERN = /^[a-zA-Z0-9_-]{1,128}$/;

/** The error codes AWS's streaming service answers on `.../rejected/{format}` (field `o`). */
export const STREAM_REJECTION_CODES = [
  'InvalidTopic',
  'InvalidJson',
  'InvalidCbor',
  'InvalidRequest',
  'Unauthorized',
  'BlockSizeOutOfBounds',
  'OffsetOutOfBounds',
  'BlockCountLimitExceeded',
  'BlockBitmapLimitExceeded',
  'ResourceNotFound',
  'VersionMismatch',
  'ETagMismatch',
  'InternalError',
] as const;
export type StreamRejectionCode = (typeof STREAM_REJECTION_CODES)[number];

/** `DescribeStream` request: only an optional client token. */
export interface DescribeStreamRequest {
  c?: string;
}

/** `DescribeStream` response: stream version, description, and each file's id and size in bytes. */
export interface DescribeStreamResponse {
  c?: string;
  s: number;
  d?: string;
  r: { f: number; z: number }[];
}

/** `GetStream` request. `o` and `n` default to 0 and 131072 / `l`; `b` is a hex bitmap of blocks from `o`. */
export interface GetStreamRequest {
  c?: string;
  s?: number;
  f: number;
  l: number;
  o?: number;
  n?: number;
  b?: string;
}

/** One data block: `i` is the block id (from 0), `l` the payload's size, `p` the payload in base64. */
export interface GetStreamResponse {
  c?: string;
  f: number;
  l: number;
  i: number;
  p: string;
}

/** An error answer: code `o`, message `m`, the client token when it was valid. */
export interface StreamRejection {
  o: StreamRejectionCode;
  m: string;
  c?: string;
}

export type StreamParse<T> = { ok: true; request: T } | { ok: false; rejection: StreamRejection };

function reject(o: StreamRejectionCode, m: string, c?: string): { ok: false; rejection: StreamRejection } {
  return { ok: false, rejection: c === undefined ? { o, m } : { o, m, c } };
}

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** Parses the JSON body of a request; an empty body is `{}` (DescribeStream's token is optional). */
function parseBody(
  payload: Buffer,
): { ok: true; body: Record<string, unknown> } | { ok: false; rejection: StreamRejection } {
  if (payload.length === 0) return { ok: true, body: {} };
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return reject('InvalidJson', 'The stream request is not a valid JSON document');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return reject('InvalidJson', 'The stream request is not a JSON object');
  return { ok: true, body: body as Record<string, unknown> };
}

/** The client token, or a rejection; AWS leaves an invalid token out of the error answer. */
function clientToken(body: Record<string, unknown>): StreamParse<string | undefined> {
  const c = body.c;
  if (c === undefined) return { ok: true, request: undefined };
  if (typeof c !== 'string') return reject('InvalidRequest', 'c (client token) must be a string');
  if (Buffer.byteLength(c, 'utf8') > STREAM_LIMITS.maxClientTokenBytes)
    return reject('InvalidRequest', `c (client token) is longer than ${STREAM_LIMITS.maxClientTokenBytes} bytes`);
  return { ok: true, request: c };
}

/**
 * The answer to a request whose topic names no possible stream (see parseMalformedStreamRequest in topics.ts):
 * `InvalidTopic`, with the request's client token when the body is JSON holding a valid one (AWS leaves out a token
 * it cannot read).
 */
export function invalidTopicRejection(payload: Buffer, invalid: 'thing name' | 'stream id'): StreamRejection {
  const m =
    invalid === 'stream id'
      ? 'The MQTT topic of the stream message is invalid: the stream id is not 1-128 characters of [a-zA-Z0-9_-]'
      : 'The MQTT topic of the stream message is invalid: the thing name is not 1-128 characters of [a-zA-Z0-9:_-]';
  const parsed = parseBody(payload);
  const token = parsed.ok ? clientToken(parsed.body) : undefined;
  const c = token?.ok ? token.request : undefined;
  return c === undefined ? { o: 'InvalidTopic', m } : { o: 'InvalidTopic', m, c };
}

export function parseDescribeStreamRequest(payload: Buffer): StreamParse<DescribeStreamRequest> {
  const parsed = parseBody(payload);
  if (!parsed.ok) return parsed;
  const token = clientToken(parsed.body);
  if (!token.ok) return token;
  return { ok: true, request: token.request === undefined ? {} : { c: token.request } };
}

/**
 * Checks a GetStream request against AWS's field ranges (which code for which field, as the guide lists them). What
 * depends on the stream (file exists, version, blocks past the end) is the service's to check.
 */
export function parseGetStreamRequest(payload: Buffer): StreamParse<GetStreamRequest> {
  const parsed = parseBody(payload);
  if (!parsed.ok) return parsed;
  const body = parsed.body;
  const token = clientToken(body);
  if (!token.ok) return token;
  const c = token.request;
  const { s, f, l, o, n, b } = body;
  if (s !== undefined && (!isInteger(s) || s < 0))
    return reject('InvalidRequest', 's (stream version) must be an integer', c);
  if (!isInteger(f) || f < 0 || f > STREAM_LIMITS.maxFileId)
    return reject('InvalidRequest', `f (file id) must be an integer from 0 to ${STREAM_LIMITS.maxFileId}`, c);
  if (!isInteger(l)) return reject('InvalidRequest', 'l (block size) must be an integer', c);
  if (l < STREAM_LIMITS.minBlockSize || l > STREAM_LIMITS.maxBlockSize)
    return reject(
      'BlockSizeOutOfBounds',
      `The block size ${l} is out of bounds (${STREAM_LIMITS.minBlockSize} to ${STREAM_LIMITS.maxBlockSize})`,
      c,
    );
  if (o !== undefined && !isInteger(o)) return reject('InvalidRequest', 'o (block offset) must be an integer', c);
  if (o !== undefined && (o < 0 || o > STREAM_LIMITS.maxOffset))
    return reject('OffsetOutOfBounds', `The offset ${o} is out of bounds (0 to ${STREAM_LIMITS.maxOffset})`, c);
  if (n !== undefined && !isInteger(n)) return reject('InvalidRequest', 'n (number of blocks) must be an integer', c);
  if (n !== undefined && (n < 0 || n > STREAM_LIMITS.maxBlocks))
    return reject(
      'BlockCountLimitExceeded',
      `The number of blocks ${n} is out of bounds (0 to ${STREAM_LIMITS.maxBlocks})`,
      c,
    );
  if (b !== undefined) {
    if (typeof b !== 'string' || !/^(0x)?([0-9a-fA-F]{2})+$/.test(b))
      return reject('InvalidRequest', 'b (block bitmap) must be bytes in hexadecimal notation', c);
    if (bitmapHexBytes(b) > STREAM_LIMITS.maxBitmapBytes)
      return reject(
        'BlockBitmapLimitExceeded',
        `The bitmap is ${bitmapHexBytes(b)} bytes; it must be less than 12,288`,
        c,
      );
  }
  const request: GetStreamRequest = { f, l };
  if (c !== undefined) request.c = c;
  if (s !== undefined) request.s = s;
  if (o !== undefined) request.o = o;
  if (n !== undefined) request.n = n;
  if (b !== undefined) request.b = b as string;
  return { ok: true, request };
}

function bitmapHexBytes(hex: string): number {
  return (hex.startsWith('0x') ? hex.length - 2 : hex.length) / 2;
}

// ---------------------------------------------------------------------------------------------------------------
// Block arithmetic

/** Blocks of `blockSize` bytes a file of `fileSize` bytes is cut into (the last one may be shorter). */
export function blockCount(fileSize: number, blockSize: number): number {
  return Math.ceil(fileSize / blockSize);
}

/** The byte length of block `blockId` of a file. */
export function blockLength(fileSize: number, blockSize: number, blockId: number): number {
  return Math.max(0, Math.min(blockSize, fileSize - blockId * blockSize));
}

/** At most this many blocks answer one request: AWS sends no more than 128 KB per GetStream request. */
export function blocksPerRequest(blockSize: number): number {
  return Math.max(1, Math.floor(STREAM_LIMITS.maxBytesPerRequest / blockSize));
}

/**
 * The bitmap of `blocks` relative to `offset`, as AWS builds it: bit k (block offset + k) is bit k % 8 of byte
 * k / 8, bytes written in order in hexadecimal ("blocks 20, 21, 24, 43 from offset 20" is "0x130080").
 */
export function encodeBlockBitmap(blocks: readonly number[], offset: number): string {
  const top = Math.max(-1, ...blocks.map((block) => block - offset));
  const bytes = Buffer.alloc(Math.floor(top / 8) + 1);
  for (const block of blocks) {
    const k = block - offset;
    if (k < 0) throw new RangeError(`block ${block} is before the offset ${offset}`);
    bytes[k >> 3] = (bytes[k >> 3] ?? 0) | (1 << (k & 7));
  }
  return `0x${bytes.toString('hex')}`;
}

/** The block ids a hex bitmap selects from `offset`, in ascending order. */
export function decodeBlockBitmap(hex: string, offset: number): number[] {
  const bytes = Buffer.from(hex.startsWith('0x') ? hex.slice(2) : hex, 'hex');
  const blocks: number[] = [];
  for (let byte = 0; byte < bytes.length; byte++) {
    const value = bytes[byte] ?? 0;
    for (let bit = 0; bit < 8; bit++) if (value & (1 << bit)) blocks.push(offset + byte * 8 + bit);
  }
  return blocks;
}

/**
 * The blocks one GetStream request asks for: the bitmap's (from `o`), or `n` consecutive blocks from `o`; never
 * more than `n` (default 131072 / `l`) nor more than 128 KB worth. Blocks past the file's end are returned apart so
 * that the service can refuse them (`ResourceNotFound`) or skip them.
 */
export function selectBlocks(request: GetStreamRequest, fileSize: number): { blocks: number[]; pastEnd: number[] } {
  const offset = request.o ?? 0;
  const cap = Math.min(request.n || blocksPerRequest(request.l), blocksPerRequest(request.l));
  const wanted =
    request.b === undefined
      ? Array.from({ length: cap }, (_, k) => offset + k)
      : decodeBlockBitmap(request.b, offset).slice(0, cap);
  const total = blockCount(fileSize, request.l);
  return { blocks: wanted.filter((i) => i < total), pastEnd: wanted.filter((i) => i >= total) };
}
