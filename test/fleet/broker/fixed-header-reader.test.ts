import assert from 'node:assert/strict';
import { FixedHeaderReader } from '../../../fleet/broker/fixed-header-reader.ts';
import { connectPacket, publishHeader, remainingLength } from '../../helpers/raw-mqtt.ts';

const PINGREQ = Buffer.from([0xc0, 0x00]);
const DISCONNECT = Buffer.from([0xe0, 0x00]);

/** A QoS 0 PUBLISH of `payloadBytes` to topic `t`. */
function publish(payloadBytes: number): Buffer {
  const body = Buffer.concat([Buffer.from([0, 1, 0x74]), Buffer.alloc(payloadBytes, 0x61)]);
  return Buffer.concat([publishHeader(body.length), body]);
}

/** Feeds `bytes` in chunks of `size`; returns the first problem. */
function feed(reader: FixedHeaderReader, bytes: Buffer, size: number) {
  for (let i = 0; i < bytes.length; i += size) {
    const problem = reader.read(bytes.subarray(i, i + size));
    if (problem) return problem;
  }
  return undefined;
}

describe('FixedHeaderReader', () => {
  it('follows packets of every size, split anywhere, without a problem', () => {
    const stream = Buffer.concat([connectPacket('cart-1'), publish(0), publish(127), publish(16_384), PINGREQ]);
    for (const size of [1, 2, 3, 7, 1000, stream.length]) {
      assert.equal(feed(new FixedHeaderReader(20_000), stream, size), undefined, `chunks of ${size}`);
    }
  });

  it('reports a packet over the limit as soon as its length is complete, even one byte at a time', () => {
    const reader = new FixedHeaderReader(1000);
    assert.equal(reader.read(publish(10)), undefined);
    const header = publishHeader(268_435_455);
    assert.equal(reader.read(header.subarray(0, 4)), undefined, 'the length is not complete yet');
    assert.deepEqual(reader.read(header.subarray(4)), {
      kind: 'too-large',
      packetType: 3,
      remainingLength: 268_435_455,
      limit: 1000,
    });
  });

  it('takes a packet of exactly the limit and refuses one byte more', () => {
    assert.equal(new FixedHeaderReader(1000).read(publishHeader(1000)), undefined);
    assert.equal(new FixedHeaderReader(1000).read(publishHeader(1001))?.kind, 'too-large');
  });

  it('counts payload bytes instead of reading them as headers', () => {
    // A payload full of bytes that would announce a huge packet if taken for a header.
    const body = Buffer.concat([Buffer.from([0, 1, 0x74]), Buffer.alloc(500, 0xff)]);
    const stream = Buffer.concat([publishHeader(body.length), body, PINGREQ]);
    assert.equal(feed(new FixedHeaderReader(1000), stream, 64), undefined);
  });

  it('refuses a Remaining Length of more than four bytes [MQTT-2.2.3]', () => {
    const reader = new FixedHeaderReader(2 ** 30);
    assert.deepEqual(reader.read(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])), { kind: 'malformed-length' });
  });

  it('notices a DISCONNECT only once it is complete, and not inside a payload', () => {
    const reader = new FixedHeaderReader(1000);
    const body = Buffer.concat([Buffer.from([0, 1, 0x74]), DISCONNECT]);
    reader.read(Buffer.concat([publishHeader(body.length), body]));
    assert.equal(reader.disconnectSeen, false, 'E0 00 inside a payload is data');
    reader.read(DISCONNECT.subarray(0, 1));
    assert.equal(reader.disconnectSeen, false);
    reader.read(DISCONNECT.subarray(1));
    assert.equal(reader.disconnectSeen, true);
  });

  it('encodes lengths as the MQTT examples do (test helper check)', () => {
    assert.deepEqual([...remainingLength(127)], [0x7f]);
    assert.deepEqual([...remainingLength(128)], [0x80, 0x01]);
    assert.deepEqual([...remainingLength(268_435_455)], [0xff, 0xff, 0xff, 0x7f]);
  });
});
