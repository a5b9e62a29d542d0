import { Duplex } from 'node:stream';
import { FixedHeaderReader, type FrameProblem } from './fixed-header-reader.ts';

/** What a `BrokerConnection` uses of the accepted socket: a `net.Socket` or `tls.TLSSocket` (a fake in unit tests). */
export interface ConnectionSocket {
  write(chunk: Uint8Array): boolean;
  cork(): void;
  uncork(): void;
  end(callback?: () => void): unknown;
  destroy(): unknown;
  pause(): unknown;
  resume(): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end' | 'drain' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/** Who is at the other end of a connection, as the listener saw it when it was accepted. */
export interface Peer {
  listener: 'tls' | 'plain';
  /** The TLS client certificate's id (SHA-256 fingerprint); `null` on the plain listener or without a certificate. */
  certificateId: string | null;
  ipAddress: string | null;
}

/**
 * The stream aedes reads and writes for one client: the accepted socket, with every packet's fixed header read as
 * its bytes pass (`FixedHeaderReader`). A packet announcing more than `maxPacketBytes` ends the connection before a
 * byte of it reaches aedes. It also carries the peer's identity and whether the client sent DISCONNECT, so the broker
 * needs nothing from aedes' private fields.
 */
export class BrokerConnection extends Duplex {
  private readonly header: FixedHeaderReader;
  private writeDone: (() => void) | undefined;
  private problem: FrameProblem | undefined;

  constructor(
    private readonly socket: ConnectionSocket,
    readonly peer: Peer,
    maxPacketBytes: number,
  ) {
    super({ allowHalfOpen: false });
    this.header = new FixedHeaderReader(maxPacketBytes);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.push(null));
    socket.on('drain', () => this.onDrain());
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
  }

  /** True once the client sent a complete DISCONNECT packet. */
  get sentDisconnect(): boolean {
    return this.header.disconnectSeen;
  }

  /** Why the stream was cut, when the header reader cut it. */
  get refusal(): FrameProblem | undefined {
    return this.problem;
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.socket.write(chunk)) done();
    else this.writeDone = done;
  }

  /**
   * aedes writes a packet in pieces (header, topic, payload) under `cork()`; they arrive here together and go to the
   * socket corked too, so a packet still leaves as one TLS record and one TCP segment, as when aedes wrote to the
   * socket itself.
   */
  override _writev(chunks: { chunk: Buffer }[], done: (err?: Error | null) => void): void {
    this.socket.cork();
    let flushed = true;
    for (const { chunk } of chunks) flushed = this.socket.write(chunk);
    this.socket.uncork();
    if (flushed) done();
    else this.writeDone = done;
  }

  override _final(done: (err?: Error | null) => void): void {
    this.socket.end(() => done());
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.socket.destroy();
    this.writeDone = undefined;
    done(err);
  }

  private onData(chunk: Buffer): void {
    if (this.problem) return;
    const problem = this.header.read(chunk);
    if (problem) {
      this.problem = problem;
      // The chunk never reaches aedes: nothing of the packet is buffered.
      this.destroy(new PacketRefusedError(problem));
      return;
    }
    if (!this.push(chunk)) this.socket.pause();
  }

  private onDrain(): void {
    const done = this.writeDone;
    this.writeDone = undefined;
    done?.();
  }
}

/** The error a connection ends with when its fixed header was refused. */
export class PacketRefusedError extends Error {
  constructor(readonly problem: FrameProblem) {
    super(
      problem.kind === 'too-large'
        ? `packet of ${problem.remainingLength} bytes announced, over the limit of ${problem.limit}`
        : 'malformed remaining length',
    );
    this.name = 'PacketRefusedError';
  }
}
