import { EventEmitter } from 'node:events';
import type { CommandTransport } from '../../devices/core/command-channel.ts';

/**
 * A {@link CommandTransport} for unit tests: no broker, no sockets. Records subscriptions and published answers;
 * `online(sessionPresent)` plays a (re)connect; `deliver()` hands a request to the subscribed handler.
 */
export class FakeCommandTransport extends EventEmitter implements CommandTransport {
  readonly subscriptions: string[] = [];
  readonly published: { topic: string; payload: string }[] = [];
  /** When set, publishes reject (the device lost its connection while answering). */
  failPublishes = false;
  private isOnline = false;
  private handler: ((topic: string, payload: Buffer) => void) | undefined;

  get online(): boolean {
    return this.isOnline;
  }

  goOnline(sessionPresent: boolean): void {
    this.isOnline = true;
    this.emit('online', sessionPresent);
  }

  goOffline(): void {
    this.isOnline = false;
    this.emit('offline', 'test');
  }

  subscribe(filter: string, handler: (topic: string, payload: Buffer) => void): Promise<void> {
    this.subscriptions.push(filter);
    this.handler = handler;
    return Promise.resolve();
  }

  publish(topic: string, payload: string): Promise<void> {
    if (this.failPublishes) return Promise.reject(new Error('fake transport: not connected'));
    this.published.push({ topic, payload });
    return Promise.resolve();
  }

  /** Delivers a request as the broker would, to whatever subscribed. */
  deliver(topic: string, payload: string | object): void {
    if (!this.handler) throw new Error('nothing subscribed');
    this.handler(topic, Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)));
  }

  /** The parsed answers published so far. */
  get answers(): { topic: string; body: Record<string, unknown> }[] {
    return this.published.map((p) => ({ topic: p.topic, body: JSON.parse(p.payload) as Record<string, unknown> }));
  }
}
