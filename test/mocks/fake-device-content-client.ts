import { appendFileSync, writeFileSync } from 'node:fs';
import type { DeviceContentClient, PartDownload } from '../../devices/core/device-https-client.ts';
import { FleetError } from '../../protocol/errors.ts';

/**
 * The fleet's device HTTPS endpoint, faked for unit tests (no sockets): serves the bytes put under a path, whole or
 * from an offset, and can be told to fail the next downloads or to serve corrupted bytes. Records every request.
 */
export class FakeDeviceContentClient implements DeviceContentClient {
  private readonly bodies = new Map<string, Buffer>();
  readonly requests: { path: string; offset: number }[] = [];
  /** Paths whose next downloads fail with a network error (count per path). */
  readonly failNext = new Map<string, number>();
  /** Paths served with one byte flipped. */
  readonly corrupt = new Set<string>();
  /** Paths whose next download stops after this many bytes (a cut connection), once. */
  readonly cutAfter = new Map<string, number>();
  aborted = 0;
  /** While set, downloads wait for it before sending anything (to see how many run at once). */
  hold: Promise<void> | undefined;
  inFlight = 0;
  maxInFlight = 0;

  put(path: string, bytes: Buffer): void {
    this.bodies.set(path, bytes);
  }

  async fetchBytes(path: string, maxBytes: number): Promise<Buffer> {
    this.requests.push({ path, offset: 0 });
    const body = this.body(path);
    if (body.length > maxBytes) throw new FleetError('PAYLOAD_TOO_LARGE', 'longer than announced');
    return body;
  }

  async downloadPart(
    path: string,
    partFile: string,
    offset: number,
    _etag: string,
    onBytes: (n: number, chunk: Buffer) => void = () => {},
  ): Promise<PartDownload> {
    this.requests.push({ path, offset });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.hold;
      return this.serve(path, partFile, offset, onBytes);
    } finally {
      this.inFlight--;
    }
  }

  private serve(
    path: string,
    partFile: string,
    offset: number,
    onBytes: (n: number, chunk: Buffer) => void,
  ): PartDownload {
    const failures = this.failNext.get(path) ?? 0;
    if (failures > 0) {
      this.failNext.set(path, failures - 1);
      throw new Error('ECONNREFUSED (fake)');
    }
    const body = this.body(path);
    const rest = body.subarray(offset);
    const cut = this.cutAfter.get(path);
    const sent = cut === undefined ? rest : rest.subarray(0, cut);
    if (offset > 0) appendFileSync(partFile, sent);
    else writeFileSync(partFile, sent);
    onBytes(sent.length, sent);
    if (cut !== undefined) {
      this.cutAfter.delete(path);
      throw new Error('ECONNRESET (fake)');
    }
    return { status: offset > 0 ? 206 : 200, offset, received: sent.length };
  }

  abortAll(): void {
    this.aborted++;
  }

  private body(path: string): Buffer {
    const body = this.bodies.get(path);
    if (!body) throw new FleetError('NOT_FOUND', `fake: nothing at ${path}`);
    if (!this.corrupt.has(path)) return body;
    const copy = Buffer.from(body);
    copy[0] = (copy[0] ?? 0) ^ 0xff;
    return copy;
  }
}

/** A network that is up or down as the test says. */
export class FakeReachability {
  online = true;
  private readonly listeners = new Set<() => void>();

  on(_event: 'online', listener: () => void): void {
    this.listeners.add(listener);
  }

  off(_event: 'online', listener: () => void): void {
    this.listeners.delete(listener);
  }

  goOnline(): void {
    this.online = true;
    for (const listener of this.listeners) listener();
  }
}
