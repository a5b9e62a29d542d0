import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP hop between a device and the fleet's broker that a test can cut and mend: the store's network going down and
 * coming back while the fleet keeps running (so people can still make staff codes, be disabled...). Cut, every
 * connection through it is reset and new ones are reset as they arrive; mended, they pass again. TLS goes through
 * untouched: the device still checks the fleet's certificate.
 */
export class NetworkCut {
  private readonly sockets = new Set<Socket>();
  private up = true;

  private constructor(
    private readonly server: Server,
    private readonly targetPort: number,
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  static async open(targetPort: number): Promise<NetworkCut> {
    const server = createServer();
    const cut = new NetworkCut(server, targetPort);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return cut;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  cut(): void {
    this.up = false;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
  }

  mend(): void {
    this.up = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(device: Socket): void {
    if (!this.up) {
      device.resetAndDestroy();
      return;
    }
    const broker = connect(this.targetPort, '127.0.0.1');
    for (const [a, b] of [
      [device, broker],
      [broker, device],
    ] as const) {
      this.sockets.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        this.sockets.delete(a);
        b.destroy();
      });
    }
  }
}
