import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  FileStreamClient,
  type FileStreamClientOptions,
  type FileToDownload,
} from '../../../devices/core/file-stream-client.ts';
import { silentLogger } from '../../../platform/log.ts';
import type { FleetError } from '../../../protocol/errors.ts';
import type { StreamRejectionCode } from '../../../protocol/streams.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';
import { FakeStreamTransport, type SeenRequest, serveFile } from '../../mocks/fake-stream-transport.ts';

const THING = 'cart-1';
const STREAM = 'snapshot-store-1-v1';
const BLOCK = 32 * 1024; // four blocks per request (AWS: at most 128 KB answer one GetStream request)
const OPTIONS: FileStreamClientOptions = { blockSize: BLOCK, requestTimeoutMs: 5000, maxAttempts: 3 };
/** Seven blocks, the last one short: two windows, [0-3] and [4-6]. */
const FILE = Buffer.from(Array.from({ length: 6 * BLOCK + 1234 }, (_, k) => (k * 7 + (k >> 9)) & 0xff));
const SHA256 = createHash('sha256').update(FILE).digest('hex');

/**
 * The client on a fake transport and a fake clock: request timeouts run only when a test moves time, and `settle()`
 * lets the promise callbacks run, so "nothing was asked yet" is checked after everything that could ask has run.
 */
describe('FileStreamClient', () => {
  let clock: FakeClock;
  let transport: FakeStreamTransport;
  let client: FileStreamClient;
  const settle = () => clock.advanceAsync(0);

  beforeEach(() => {
    clock = new FakeClock();
    transport = new FakeStreamTransport(THING);
    client = new FileStreamClient(transport, THING, clock, silentLogger(), OPTIONS);
    client.start();
  });

  afterEach(async () => {
    await client.stop();
  });

  /** Starts a download; the promise settles to the bytes or the error, never rejects (no unhandled rejection). */
  function start(file: Partial<FileToDownload> = {}): Promise<Buffer | FleetError> {
    return client.download({ streamId: STREAM, fileId: 0, size: FILE.length, sha256: SHA256, ...file }).then(
      (bytes) => bytes,
      (err: FleetError) => err,
    );
  }

  const window = (body: SeenRequest['body']) => ({ o: body.o, n: body.n, b: body.b });

  it('describes the stream, then asks one window (≤ 128 KB) at a time by offset and bitmap, and checks the bytes', async () => {
    serveFile(transport, FILE);
    const bytes = await start();
    assert.ok(Buffer.isBuffer(bytes), String(bytes));
    assert.ok(bytes.equals(FILE));
    assert.deepEqual(
      transport.requests.map((r) => r.operation),
      ['describe', 'get', 'get'],
    );
    assert.deepEqual(
      transport.gets().map((g) => ({ s: g.s, f: g.f, l: g.l, ...window(g) })),
      [
        { s: 1, f: 0, l: BLOCK, o: 0, n: 4, b: '0x0f' },
        { s: 1, f: 0, l: BLOCK, o: 4, n: 3, b: '0x07' },
      ],
    );
    assert.equal(transport.subscriptions.size, 0, 'the reply filters are released once no download is under way');
  });

  it('asks again, after the timeout and not before, for only the blocks that did not come', async () => {
    const served = serveFile(transport, FILE);
    served.dropOnce = new Set([1, 2]);
    const outcome = start();
    await settle();
    assert.equal(transport.gets().length, 1);
    await clock.advanceAsync(OPTIONS.requestTimeoutMs - 1);
    assert.equal(transport.gets().length, 1, 'not asked again before the timeout');
    await clock.advanceAsync(1);
    const bytes = await outcome;
    assert.ok(Buffer.isBuffer(bytes) && bytes.equals(FILE), String(bytes));
    // From the first missing block (1): 1 and 2 again, 3 (received) left out, 4 brought into the window.
    assert.deepEqual(transport.gets().map(window), [
      { o: 0, n: 4, b: '0x0f' },
      { o: 1, n: 3, b: '0x0b' },
      { o: 5, n: 2, b: '0x03' },
    ]);
  });

  it('gives up with STREAM_TIMEOUT after maxAttempts requests that bring nothing', async () => {
    const served = serveFile(transport, FILE);
    served.dropAlways = new Set([5]);
    const outcome = start();
    await settle();
    // Window 2 brings blocks 4 and 6 (that request counts as progress), then maxAttempts requests for block 5
    // bring nothing: the timeout of the last one ends the download.
    for (let k = 0; k < OPTIONS.maxAttempts; k++) {
      await clock.advanceAsync(OPTIONS.requestTimeoutMs);
      assert.equal(transport.gets().length, 3 + k);
    }
    assert.equal(await Promise.race([outcome, 'pending']), 'pending', 'still trying before the last timeout');
    await clock.advanceAsync(OPTIONS.requestTimeoutMs);
    const err = await outcome;
    assert.equal((err as FleetError).code, 'STREAM_TIMEOUT');
    assert.deepEqual(transport.gets().map(window), [
      { o: 0, n: 4, b: '0x0f' },
      { o: 4, n: 3, b: '0x07' },
      { o: 5, n: 1, b: '0x01' },
      { o: 5, n: 1, b: '0x01' },
      { o: 5, n: 1, b: '0x01' },
    ]);
    assert.equal(clock.pending, 0, 'no timer left behind');
  });

  it('gives up with STREAM_TIMEOUT when DescribeStream is never answered, after maxAttempts requests', async () => {
    const outcome = start();
    for (let k = 0; k < OPTIONS.maxAttempts; k++) {
      await settle();
      assert.equal(transport.requests.length, k + 1);
      await clock.advanceAsync(OPTIONS.requestTimeoutMs);
    }
    assert.equal(((await outcome) as FleetError).code, 'STREAM_TIMEOUT');
    assert.equal(transport.requests.length, OPTIONS.maxAttempts);
    assert.ok(transport.requests.every((r) => r.operation === 'describe'));
  });

  it('does not count time spent offline against the retries, and asks nothing while offline', async () => {
    const served = serveFile(transport, FILE);
    served.silent = true;
    const outcome = start();
    await settle();
    assert.equal(transport.gets().length, 1); // attempt 1
    transport.online = false;
    await clock.advanceAsync(OPTIONS.requestTimeoutMs * 10);
    assert.equal(transport.gets().length, 1, 'nothing asked while offline');
    transport.online = true;
    await settle();
    assert.equal(transport.gets().length, 2); // attempt 1 again: the offline time did not count
    await clock.advanceAsync(OPTIONS.requestTimeoutMs);
    assert.equal(transport.gets().length, 3); // attempt 2
    await clock.advanceAsync(OPTIONS.requestTimeoutMs);
    assert.equal(transport.gets().length, 4); // attempt 3, the last one allowed
    served.silent = false;
    await clock.advanceAsync(OPTIONS.requestTimeoutMs);
    const err = await outcome;
    // Positive control: the attempts are bounded online (3 silent + the timeout of the 3rd = STREAM_TIMEOUT).
    assert.equal((err as FleetError).code, 'STREAM_TIMEOUT');
    assert.equal(transport.gets().length, 4);
  });

  it('DescribeStream: time offline does not count either; asked again once back online', async () => {
    const outcome = start();
    await settle();
    assert.equal(transport.requests.length, 1); // attempt 1, unanswered
    transport.online = false;
    await clock.advanceAsync(OPTIONS.requestTimeoutMs * 10);
    assert.equal(transport.requests.length, 1, 'nothing asked while offline');
    transport.online = true;
    await settle();
    assert.equal(transport.requests.length, 2); // attempt 1 again: the offline time did not count
    await clock.advanceAsync(OPTIONS.requestTimeoutMs);
    assert.equal(transport.requests.length, 3); // attempt 2
    serveFile(transport, FILE);
    await clock.advanceAsync(OPTIONS.requestTimeoutMs); // attempt 3, the last one allowed, answered
    const bytes = await outcome;
    assert.ok(Buffer.isBuffer(bytes) && bytes.equals(FILE), String(bytes));
  });

  it('offline for a while, then answered: completes within maxAttempts online requests', async () => {
    const served = serveFile(transport, FILE);
    served.silent = true;
    const outcome = start();
    await settle();
    transport.online = false;
    await clock.advanceAsync(OPTIONS.requestTimeoutMs * 10);
    transport.online = true;
    await settle();
    await clock.advanceAsync(OPTIONS.requestTimeoutMs); // attempt 2 online
    served.silent = false;
    await clock.advanceAsync(OPTIONS.requestTimeoutMs); // attempt 3 online, answered
    const bytes = await outcome;
    assert.ok(Buffer.isBuffer(bytes) && bytes.equals(FILE), String(bytes));
  });

  it('resumes after a reconnect with the blocks it already has, asking only for the rest', async () => {
    const served = serveFile(transport, FILE);
    served.dropOnce = new Set([2, 3]);
    const outcome = start();
    await settle();
    assert.equal(transport.gets().length, 1); // blocks 0 and 1 came
    transport.online = false;
    await settle();
    transport.online = true;
    const bytes = await outcome;
    assert.ok(Buffer.isBuffer(bytes) && bytes.equals(FILE), String(bytes));
    assert.deepEqual(transport.gets().map(window), [
      { o: 0, n: 4, b: '0x0f' },
      { o: 2, n: 4, b: '0x0f' },
      { o: 6, n: 1, b: '0x01' },
    ]);
    assert.ok(transport.subscriptions.size === 0);
  });

  it('blocks that arrive just before the connection drops are kept, and the client waits for the connection', async () => {
    // The blocks and the 'offline' event arrive in one turn, before the client looks at either.
    const served = serveFile(transport, FILE);
    served.dropOnce = new Set([3]);
    const answer = transport.server;
    let dropped = false;
    transport.server = (request) => {
      answer?.(request);
      if (request.operation === 'get' && !dropped) {
        dropped = true;
        transport.online = false;
      }
    };
    const outcome = start();
    await clock.advanceAsync(OPTIONS.requestTimeoutMs * 3);
    assert.equal(transport.gets().length, 1, 'nothing asked while offline');
    transport.online = true;
    const bytes = await outcome;
    assert.ok(Buffer.isBuffer(bytes) && bytes.equals(FILE), String(bytes));
    assert.deepEqual(transport.gets().map(window), [
      { o: 0, n: 4, b: '0x0f' },
      { o: 3, n: 4, b: '0x0f' },
    ]);
  });

  const REJECTIONS: [StreamRejectionCode, string][] = [
    ['ResourceNotFound', 'STREAM_NOT_FOUND'],
    ['Unauthorized', 'STREAM_UNAUTHORIZED'],
    ['VersionMismatch', 'STREAM_VERSION_MISMATCH'],
    ['InvalidTopic', 'STREAM_REJECTED'],
    ['InvalidRequest', 'STREAM_REJECTED'],
    ['BlockSizeOutOfBounds', 'STREAM_REJECTED'],
    ['InternalError', 'STREAM_REJECTED'],
  ];
  for (const operation of ['describe', 'get'] as const)
    for (const [o, code] of REJECTIONS)
      it(`a ${o} answer to ${operation} ends the download with ${code} at once`, async () => {
        serveFile(transport, FILE);
        const answer = transport.server;
        transport.server = (request) => {
          if (request.operation !== operation) return answer?.(request);
          // Another download's rejection is not this one's (positive control below: the same with our token).
          transport.reply(request.streamId, 'rejected', { o, m: 'someone else', c: 'another-token' });
          transport.reject(request, o);
        };
        const err = (await start()) as FleetError;
        assert.equal(err.code, code);
        assert.equal((err.details as { rejection: { o: string } }).rejection.o, o);
        assert.equal(transport.requests.length, operation === 'describe' ? 1 : 2, 'no retry after a rejection');
      });

  it('refuses a file whose size is not the announced one (STREAM_FILE_MISMATCH) before asking for a block', async () => {
    serveFile(transport, FILE);
    const err = (await start({ size: FILE.length + 1 })) as FleetError;
    assert.equal(err.code, 'STREAM_FILE_MISMATCH');
    assert.equal(transport.gets().length, 0);
  });

  it('refuses bytes whose sha256 is not the announced one (STREAM_FILE_MISMATCH)', async () => {
    serveFile(transport, FILE);
    const wrong = createHash('sha256').update('another file').digest('hex');
    const err = (await start({ sha256: wrong })) as FleetError;
    assert.equal(err.code, 'STREAM_FILE_MISMATCH');
    assert.deepEqual(err.details, { expected: wrong, actual: SHA256 });
  });

  it('a file id the stream does not have is STREAM_NOT_FOUND', async () => {
    serveFile(transport, FILE);
    const err = (await start({ fileId: 3 })) as FleetError;
    assert.equal(err.code, 'STREAM_NOT_FOUND');
  });

  it('a stream replaced during the download: GetStream names the described version, VersionMismatch ends it', async () => {
    const served = serveFile(transport, FILE);
    const answer = transport.server;
    transport.server = (request) => {
      answer?.(request);
      if (request.operation === 'get') served.version = 2; // replaced after the first window went out
    };
    const err = (await start()) as FleetError;
    assert.equal(err.code, 'STREAM_VERSION_MISMATCH');
    assert.deepEqual(
      transport.gets().map((g) => g.s),
      [1, 1],
      'both windows pinned to the described version',
    );
  });

  it('ignores a block of the wrong length and a block for another token: both are asked for again', async () => {
    const served = serveFile(transport, FILE);
    served.silent = true;
    const outcome = start();
    await settle();
    const get = transport.requests[1] as SeenRequest;
    transport.reply(STREAM, 'data', { c: get.body.c, f: 0, l: 3, i: 0, p: Buffer.from('abc').toString('base64') });
    const block1 = FILE.subarray(BLOCK, 2 * BLOCK).toString('base64');
    transport.reply(STREAM, 'data', { c: 'other', f: 0, l: BLOCK, i: 1, p: block1 });
    served.silent = false;
    await clock.advanceAsync(OPTIONS.requestTimeoutMs);
    const bytes = await outcome;
    assert.ok(Buffer.isBuffer(bytes) && bytes.equals(FILE), String(bytes));
    assert.deepEqual(transport.gets().map(window).slice(0, 2), [
      { o: 0, n: 4, b: '0x0f' },
      { o: 0, n: 4, b: '0x0f' },
    ]);
  });

  it('stop() ends a download under way with STREAM_ABORTED and leaves no subscription or timer', async () => {
    const served = serveFile(transport, FILE);
    served.silent = true;
    const outcome = start();
    await settle();
    assert.equal(transport.subscriptions.size, 3);
    await client.stop();
    assert.equal(((await outcome) as FleetError).code, 'STREAM_ABORTED');
    assert.equal(transport.subscriptions.size, 0);
    assert.equal(clock.pending, 0);
  });
});
