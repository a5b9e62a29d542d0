import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Logger } from '../../platform/log.ts';
import { certificateIdFromFingerprint } from '../pki/certificate-authority.ts';
import { BrokerConnection } from './broker-connection.ts';

export interface MqttListenerOptions {
  host: string;
  tlsPort: number;
  plainPort: number | null;
  plainHost: string;
  /** The largest MQTT packet (Remaining Length) a client may send; a larger one closes its connection at once. */
  maxPacketBytes: number;
  tls: { caPem: string; certPem: string; keyPem: string };
}

/**
 * The broker's sockets: the mTLS listener (the client certificate is the identity), an optional plain listener for
 * development, and every accepted socket until it closes. Each accepted socket is handed on as a `BrokerConnection`.
 */
export class MqttListeners {
  private tlsServer: Server | undefined;
  private plainServer: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly options: MqttListenerOptions,
    private readonly log: Logger,
  ) {}

  async start(accept: (connection: BrokerConnection) => void): Promise<void> {
    this.tlsServer = createTlsServer(
      {
        ca: this.options.tls.caPem,
        cert: this.options.tls.certPem,
        key: this.options.tls.keyPem,
        requestCert: true,
        // A certificate not signed by the fleet CA never gets past the handshake.
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
        // A client that opens a socket and never completes the handshake is dropped after this.
        handshakeTimeout: 10_000,
      },
      (socket: TLSSocket) => {
        const fingerprint = socket.getPeerCertificate()?.fingerprint256;
        accept(
          this.connection(socket, {
            listener: 'tls',
            certificateId: fingerprint ? certificateIdFromFingerprint(fingerprint) : null,
            ipAddress: normaliseIp(socket.remoteAddress),
          }),
        );
      },
    );
    // Raw sockets are tracked from the first byte, so stop() can close connections still in the handshake.
    this.tlsServer.on('connection', (socket: Socket) => this.track(socket));
    this.tlsServer.on('tlsClientError', (err, socket) => {
      this.log.info({ err: err.message, remote: socket.remoteAddress }, 'TLS handshake refused');
    });
    await listen(this.tlsServer, this.options.tlsPort, this.options.host);
    if (this.options.plainPort !== null) {
      this.plainServer = createNetServer((socket) => {
        this.track(socket);
        accept(
          this.connection(socket, {
            listener: 'plain',
            certificateId: null,
            ipAddress: normaliseIp(socket.remoteAddress),
          }),
        );
      });
      await listen(this.plainServer, this.options.plainPort, this.options.plainHost);
      this.log.warn({ port: this.plainPort }, 'plain MQTT listener is on: development only');
    }
  }

  /** Stops listening and closes every connection, including those still in the TLS handshake. */
  async stop(): Promise<void> {
    const closing = [this.tlsServer, this.plainServer].filter((s): s is Server => s !== undefined).map(closeServer);
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(closing);
    this.tlsServer = undefined;
    this.plainServer = undefined;
  }

  get tlsPort(): number {
    return portOf(this.tlsServer);
  }

  get plainPort(): number | null {
    return this.plainServer ? portOf(this.plainServer) : null;
  }

  private connection(socket: Socket, peer: BrokerConnection['peer']): BrokerConnection {
    // MQTT is request/response in small packets: without this, a response written after its PUBACK waits ~40 ms for
    // the peer's delayed ACK (Nagle). Measured in bench/shadow-roundtrip.ts.
    socket.setNoDelay(true);
    return new BrokerConnection(socket, peer, this.options.maxPacketBytes);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}

function normaliseIp(address: string | undefined): string | null {
  if (!address) return null;
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function portOf(server: Server | undefined): number {
  const address = server?.address();
  return address && typeof address === 'object' ? address.port : 0;
}
