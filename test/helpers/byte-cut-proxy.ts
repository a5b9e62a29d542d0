import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP hop to a fleet port that resets the first connection carrying more than `afterBytes` towards the client:
 * a download cut midway (TLS passes through untouched). Later connections pass whole. `downstream` counts the bytes
 * each connection carried to the client.
 */
export class ByteCutProxy {
  private readonly sockets = new Set<Socket>();
  private armed = true;
  readonly downstream: number[] = [];

  private constructor(
    private readonly server: Server,
    private readonly targetPort: number,
    private readonly afterBytes: number,
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  static async open(targetPort: number, afterBytes: number): Promise<ByteCutProxy> {
    const server = createServer();
    const proxy = new ByteCutProxy(server, targetPort, afterBytes);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** Whether the cut has happened. */
  get cut(): boolean {
    return !this.armed;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const fleet = connect(this.targetPort, '127.0.0.1');
    const index = this.downstream.push(0) - 1;
    this.sockets.add(client);
    this.sockets.add(fleet);
    client.pipe(fleet);
    fleet.on('data', (chunk: Buffer) => {
      this.downstream[index] = (this.downstream[index] ?? 0) + chunk.length;
      if (this.armed && (this.downstream[index] ?? 0) > this.afterBytes) {
        this.armed = false;
        client.resetAndDestroy();
        fleet.destroy();
        return;
      }
      client.write(chunk);
    });
    for (const [a, b] of [
      [client, fleet],
      [fleet, client],
    ] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => {
        this.sockets.delete(a);
        b.destroy();
      });
    }
  }
}
