import { EventEmitter } from 'node:events';
import type { OutboxTransport } from '../../devices/core/outbox.ts';

/** How the fake answers a publish: acknowledge at once, reject, never answer, or wait for `acknowledgePending()`. */
export type PublishBehaviour = 'ack' | 'reject' | 'hang' | 'manual';

export interface PublishAttempt {
  topic: string;
  payload: string;
}

/**
 * An {@link OutboxTransport} for unit tests: no broker, no sockets. It records every publish attempt, answers as
 * `behaviour` says, and emits `'online'` whenever `online` is set to true.
 */
export class FakeOutboxTransport extends EventEmitter implements OutboxTransport {
  behaviour: PublishBehaviour = 'ack';
  /**
   * Topics the "broker" refuses as the fleet refuses a publish its policy does not allow: the connection drops at
   * once (offline, then online again on the next turn, as the SDK reconnects) and the publish is never acknowledged.
   */
  readonly refusedTopics = new Set<string>();
  /** Every publish call, answered or not, in call order. */
  readonly attempts: PublishAttempt[] = [];
  /** The publishes that were acknowledged, in acknowledgement order. */
  readonly acknowledged: PublishAttempt[] = [];
  private isOnline: boolean;
  private failuresLeft = 0;
  private readonly pending: { attempt: PublishAttempt; resolve: () => void }[] = [];

  constructor(options: { online?: boolean } = {}) {
    super();
    this.isOnline = options.online ?? false;
  }

  get online(): boolean {
    return this.isOnline;
  }

  /** Going offline this way is a network failure (the peer did not close the connection); see {@link closeByPeer}. */
  set online(value: boolean) {
    this.isOnline = value;
    if (value) this.emit('online');
    else this.emit('offline', 'fake transport: network down', false);
  }

  /** The broker closes the connection (as the fleet does on a refused publish or when it stops). */
  closeByPeer(): void {
    this.isOnline = false;
    this.emit('offline', 'fake transport: closed by the broker', true);
  }

  /** Rejects the next `count` publishes, whatever `behaviour` says, then answers as usual. */
  failNext(count: number): void {
    this.failuresLeft = count;
  }

  /** Publishes held by the 'manual' behaviour that are not acknowledged yet. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Acknowledges every publish the 'manual' behaviour is holding. */
  acknowledgePending(): void {
    for (const { attempt, resolve } of this.pending.splice(0)) {
      this.acknowledged.push(attempt);
      resolve();
    }
  }

  publish(topic: string, payload: string): Promise<void> {
    const attempt = { topic, payload };
    this.attempts.push(attempt);
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      return Promise.reject(new Error('fake transport: publish failed'));
    }
    // Sent on a connection that is gone: never acknowledged.
    if (!this.isOnline) return new Promise<void>(() => {});
    if (this.refusedTopics.has(topic)) {
      this.closeByPeer();
      setImmediate(() => {
        this.online = true;
      });
      return new Promise<void>(() => {});
    }
    switch (this.behaviour) {
      case 'ack':
        this.acknowledged.push(attempt);
        return Promise.resolve();
      case 'reject':
        return Promise.reject(new Error('fake transport: publish failed'));
      case 'hang':
        return new Promise<void>(() => {});
      case 'manual':
        return new Promise<void>((resolve) => {
          this.pending.push({ attempt, resolve });
        });
    }
  }
}
