import assert from 'node:assert/strict';
import {
  blockCount,
  blockLength,
  decodeBlockBitmap,
  encodeBlockBitmap,
  parseDescribeStreamRequest,
  parseGetStreamRequest,
  selectBlocks,
} from '../../protocol/streams.ts';
import { parseStreamTopic, streamTopics } from '../../protocol/topics.ts';

const get = (body: unknown) =>
  parseGetStreamRequest(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
const code = (body: unknown) => {
  const r = get(body);
  return r.ok ? 'ok' : r.rejection.o;
};

describe('MQTT file delivery: requests', () => {
  it("rejects with AWS's code for each field out of range, and accepts the guide's example", () => {
    assert.equal(code('{not json'), 'InvalidJson');
    assert.equal(code('[1]'), 'InvalidJson');
    assert.equal(code({ c: 'x'.repeat(65), f: 0, l: 256 }), 'InvalidRequest');
    assert.equal(code({ f: 256, l: 256 }), 'InvalidRequest');
    assert.equal(code({ f: 0 }), 'InvalidRequest');
    assert.equal(code({ f: 0, l: 255 }), 'BlockSizeOutOfBounds');
    assert.equal(code({ f: 0, l: 131_073 }), 'BlockSizeOutOfBounds');
    assert.equal(code({ f: 0, l: 256, o: 98_305 }), 'OffsetOutOfBounds');
    assert.equal(code({ f: 0, l: 256, n: 98_305 }), 'BlockCountLimitExceeded');
    assert.equal(code({ f: 0, l: 256, b: 'zz' }), 'InvalidRequest');
    assert.equal(code({ f: 0, l: 256, b: `0x${'00'.repeat(12_288)}` }), 'BlockBitmapLimitExceeded');
    assert.equal(code({ f: 0, l: 256, b: `0x${'00'.repeat(12_287)}` }), 'ok');
    assert.equal(code({ c: '1', s: 1, l: 256, f: 1, o: 20, n: 32, b: '0x130080' }), 'ok');
    assert.equal(code({ f: 0, l: 256, o: 98_304, n: 98_304 }), 'ok');
  });

  it('keeps a valid client token in the rejection, drops an invalid one', () => {
    const r = get({ c: 'tok', f: 0, l: 1 });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.rejection.c, 'tok');
    const bad = get({ c: 'x'.repeat(65), f: 0, l: 256 });
    assert.equal(!bad.ok && bad.rejection.c, undefined);
    assert.deepEqual(parseDescribeStreamRequest(Buffer.alloc(0)), { ok: true, request: {} });
  });
});

describe('MQTT file delivery: blocks and bitmaps', () => {
  it("builds the guide's bitmap: blocks 20, 21, 24, 43 from offset 20 are 0x130080", () => {
    assert.equal(encodeBlockBitmap([20, 21, 24, 43], 20), '0x130080');
    assert.deepEqual(decodeBlockBitmap('0x130080', 20), [20, 21, 24, 43]);
    assert.deepEqual(decodeBlockBitmap('130080', 0), [0, 1, 4, 23]);
  });

  it('cuts a file into blocks, the last one shorter', () => {
    assert.equal(blockCount(1000, 256), 4);
    assert.equal(blockLength(1000, 256, 3), 232);
    assert.equal(blockLength(1024, 256, 3), 256);
  });

  it('sends at most 128 KB per request and leaves blocks past the end apart', () => {
    assert.equal(selectBlocks({ f: 0, l: 32_768, n: 100 }, 10_000_000).blocks.length, 4);
    assert.deepEqual(selectBlocks({ f: 0, l: 256, o: 2, n: 3 }, 1000), { blocks: [2, 3], pastEnd: [4] });
    assert.deepEqual(selectBlocks({ f: 0, l: 256, o: 0, b: '0x0a' }, 1000).blocks, [1, 3]);
  });
});

describe('stream topics', () => {
  it('builds and parses requests and replies; refuses bad stream ids', () => {
    const topic = streamTopics.request('cart-1', 'snapshot-s1-v2', 'get');
    assert.equal(topic, '$aws/things/cart-1/streams/snapshot-s1-v2/get/json');
    assert.deepEqual(parseStreamTopic(topic), {
      thingName: 'cart-1',
      streamId: 'snapshot-s1-v2',
      operation: 'get',
      format: 'json',
    });
    assert.equal(parseStreamTopic('$aws/things/cart-1/streams/a.b/get/json'), undefined);
    assert.equal(parseStreamTopic('$aws/things/cart-1/streams/s/put/json'), undefined);
  });
});
