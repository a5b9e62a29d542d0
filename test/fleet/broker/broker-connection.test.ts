import assert from 'node:assert/strict';
import { BrokerConnection, PacketRefusedError } from '../../../fleet/broker/broker-connection.ts';
import { publishHeader } from '../../helpers/raw-mqtt.ts';
import { FakeSocket } from '../../mocks/fake-socket.ts';

const PEER = { listener: 'plain', certificateId: null, ipAddress: '127.0.0.1' } as const;

function open(maxPacketBytes = 1000): { socket: FakeSocket; connection: BrokerConnection; read: Buffer[] } {
  const socket = new FakeSocket();
  const connection = new BrokerConnection(socket, PEER, maxPacketBytes);
  const read: Buffer[] = [];
  connection.on('data', (chunk: Buffer) => read.push(chunk));
  connection.on('error', () => {});
  return { socket, connection, read };
}

describe('BrokerConnection', () => {
  it('hands what the socket reads on, and notes a DISCONNECT', async () => {
    const { socket, connection, read } = open();
    const ping = Buffer.from([0xc0, 0x00]);
    socket.emit('data', ping);
    socket.emit('data', Buffer.from([0xe0, 0x00]));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(Buffer.concat(read), Buffer.from([0xc0, 0x00, 0xe0, 0x00]));
    assert.equal(connection.sentDisconnect, true);
  });

  it('closes the socket on an oversized announcement without handing any of it on', async () => {
    const { socket, connection, read } = open(1000);
    const errors: Error[] = [];
    connection.on('error', (err) => errors.push(err));
    socket.emit('data', Buffer.concat([publishHeader(1001), Buffer.alloc(100)]));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(socket.destroyed, true);
    assert.deepEqual(read, []);
    assert.ok(errors[0] instanceof PacketRefusedError);
    assert.equal(connection.refusal?.kind, 'too-large');
  });

  it("writes a corked packet's pieces to the socket corked, as one flush", async () => {
    const { socket, connection } = open();
    // What mqtt-packet does for each packet aedes sends: cork, write the pieces, uncork on the next tick.
    connection.cork();
    connection.write(Buffer.from([0x30, 0x07]));
    connection.write(Buffer.from([0x00, 0x01, 0x74]));
    connection.write(Buffer.from('four'));
    process.nextTick(() => connection.uncork());
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(socket.writes.length, 3);
    assert.ok(socket.writes.every((w) => w.corked));
    assert.deepEqual(socket.flushes, [3]);
  });
});
