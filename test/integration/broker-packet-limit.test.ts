import assert from 'node:assert/strict';
import { PACKET_HEADROOM_BYTES } from '../../fleet/broker/device-broker.ts';
import type { FleetEvents } from '../../fleet/fleet-events.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { eventually, registerDevice, startFleet, type TestDevice, tempDir } from '../helpers/fleet-harness.ts';
import { connectPacket, publishHeader, rawPlainClient, rawTlsClient } from '../helpers/raw-mqtt.ts';

const MAX_PAYLOAD = 128 * 1024;

describe('oversized packets are refused before they are read (real broker, raw sockets)', function () {
  this.timeout(20_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let cart: TestDevice;
  const disconnects: FleetEvents['broker.clientDisconnected'][] = [];

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path, { mqtt: { tlsPort: 0, host: '127.0.0.1', plainPort: 0 } });
    cart = await registerDevice(fleet, 'cart-big');
    fleet.bus.on('broker.clientDisconnected', (e) => disconnects.push(e));
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('closes a connection as soon as a packet announces more than the limit, having read none of it', async () => {
    const before = fleet.services.broker.stats().packetsRefused;
    // Positive control: the same kind of raw socket, with a CONNECT, is read and answered (CONNACK 5: no such thing).
    const control = await rawPlainClient(fleet.services.broker.plainPort!);
    control.socket.write(connectPacket('nobody-here'));
    await eventually(() => control.connackCode() !== undefined, 3000, 'CONNACK for the control');
    assert.equal(control.connackCode(), 5);
    control.socket.destroy();

    // 256 MB announced (the largest Remaining Length MQTT can encode), 1 KiB sent: aedes' parser would wait for the
    // rest, holding what arrived, until its connect timeout.
    const greedy = await rawPlainClient(fleet.services.broker.plainPort!);
    greedy.socket.write(Buffer.concat([publishHeader(268_435_455), Buffer.alloc(1024, 0x61)]));
    await eventually(() => greedy.closed, 2000, 'the connection to close');
    assert.equal(greedy.received.length, 0, 'nothing was answered');
    assert.equal(fleet.services.broker.stats().packetsRefused, before + 1);
  });

  it('takes a packet up to the limit, and ends an authenticated connection announcing more with CLIENT_ERROR', async () => {
    const client = await rawTlsClient(fleet.services.broker.tlsPort, cart);
    client.socket.write(connectPacket('cart-big'));
    await eventually(() => client.connackCode() !== undefined, 3000, 'CONNACK');
    assert.equal(client.connackCode(), 0);
    const before = fleet.services.broker.stats().packetsRefused;
    // One byte over the largest packet the broker reads: the payload limit plus room for the longest topic.
    client.socket.write(publishHeader(MAX_PAYLOAD + PACKET_HEADROOM_BYTES + 1));
    await eventually(() => client.closed, 2000, 'the connection to close');
    assert.equal(fleet.services.broker.stats().packetsRefused, before + 1);
    const gone = await eventually(() => disconnects.find((e) => e.clientId === 'cart-big'), 2000, 'disconnect');
    assert.equal(gone.reason, 'CLIENT_ERROR');
  });

  it('reads a packet of exactly the limit (it may still be refused for its payload, after it was read)', async () => {
    const client = await rawTlsClient(fleet.services.broker.tlsPort, cart);
    client.socket.write(connectPacket('cart-big'));
    await eventually(() => client.connackCode() === 0, 3000, 'CONNACK 0');
    const before = fleet.services.broker.stats();
    const name = Buffer.from('dt/cartfleet/cart-big/telemetry');
    const topic = Buffer.concat([Buffer.from([0, name.length]), name]);
    const length = MAX_PAYLOAD + PACKET_HEADROOM_BYTES;
    client.socket.write(Buffer.concat([publishHeader(length), topic, Buffer.alloc(length - topic.length, 0x61)]));
    await eventually(() => client.closed, 3000, 'the connection to close');
    const after = fleet.services.broker.stats();
    assert.equal(after.packetsRefused, before.packetsRefused, 'not cut by the size guard');
    assert.equal(after.publishesRefused, before.publishesRefused + 1, 'refused by the payload check');
  });
});
