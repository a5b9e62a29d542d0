import { EventEmitter } from 'node:events';
import type { ConnectionSocket } from '../../fleet/broker/broker-connection.ts';

/** A socket for unit tests of `BrokerConnection`: records every write and whether the socket was corked for it. */
export class FakeSocket extends EventEmitter implements ConnectionSocket {
  readonly writes: { bytes: Buffer; corked: boolean }[] = [];
  /** Each uncork that flushed writes: how many writes it flushed together. */
  readonly flushes: number[] = [];
  destroyed = false;
  paused = false;
  private corkDepth = 0;
  private sinceCork = 0;

  write(chunk: Uint8Array | string): boolean {
    this.writes.push({ bytes: Buffer.from(chunk), corked: this.corkDepth > 0 });
    this.sinceCork++;
    return true;
  }

  cork(): void {
    if (this.corkDepth++ === 0) this.sinceCork = 0;
  }

  uncork(): void {
    if (--this.corkDepth === 0 && this.sinceCork > 0) this.flushes.push(this.sinceCork);
  }

  end(callback?: () => void): this {
    callback?.();
    return this;
  }

  destroy(): this {
    this.destroyed = true;
    this.emit('close');
    return this;
  }

  pause(): this {
    this.paused = true;
    return this;
  }

  resume(): this {
    this.paused = false;
    return this;
  }
}
