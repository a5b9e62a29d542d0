import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { DeviceCredentials } from '../../devices/core/device-config.ts';

/** [MQTT-2.2.3] Remaining Length: 7 bits a byte, least significant first, high bit = more. */
export function remainingLength(length: number): Buffer {
  const bytes: number[] = [];
  let rest = length;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return Buffer.from(bytes);
}

function mqttString(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** An MQTT 3.1.1 CONNECT with a clean session, 60 s keep-alive and no credentials [MQTT-3.1]. */
export function connectPacket(clientId: string): Buffer {
  const body = Buffer.concat([mqttString('MQTT'), Buffer.from([4, 0x02, 0, 60]), mqttString(clientId)]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

/** The fixed header of a QoS 0 PUBLISH announcing `length` bytes to follow [MQTT-3.3.1]. */
export function publishHeader(length: number): Buffer {
  return Buffer.concat([Buffer.from([0x30]), remainingLength(length)]);
}

/** A socket that records what arrives and when it closes. */
export interface RawClient {
  socket: Socket;
  received: Buffer[];
  closed: boolean;
  /** The CONNACK return code, once one arrived [MQTT-3.2.2.3]. */
  connackCode(): number | undefined;
}

function watch(socket: Socket): RawClient {
  const client: RawClient = {
    socket,
    received: [],
    closed: false,
    connackCode() {
      const all = Buffer.concat(client.received);
      return all.length >= 4 && all[0] === 0x20 ? all[3] : undefined;
    },
  };
  socket.on('data', (chunk) => client.received.push(chunk));
  socket.on('error', () => {});
  socket.on('close', () => {
    client.closed = true;
  });
  return client;
}

/** A plain TCP socket to the development listener. */
export async function rawPlainClient(port: number): Promise<RawClient> {
  const socket = netConnect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return watch(socket);
}

/** A TLS socket with a device's certificate to the mTLS listener. */
export async function rawTlsClient(port: number, credentials: DeviceCredentials): Promise<RawClient> {
  const socket = tlsConnect({
    host: 'localhost',
    port,
    cert: credentials.certificatePem,
    key: credentials.privateKeyPem,
    ca: credentials.caPem,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('error', reject);
  });
  return watch(socket);
}
