import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../../platform/clock.ts';
import type { Logger } from '../../../platform/log.ts';
import {
  COMMERCE_EVENTS,
  type CommerceEvent,
  type CommerceOperation,
  commerceTopics,
} from '../../../protocol/commerce/commerce-topics.ts';
import { type ErrorCode, ErrorCodes, FleetError } from '../../../protocol/errors.ts';
import { isSubscriptionRefused } from '../../core/device-connection.ts';

/** What the client needs of the device connection (DeviceConnection, or a fake in unit tests). */
export interface CommerceTransport {
  readonly online: boolean;
  publish(topic: string, payload: string): Promise<void>;
  subscribe(topic: string, handler: (topic: string, payload: Buffer) => void): Promise<void>;
  route?(filter: string, handler: (topic: string, payload: Buffer) => void): void;
  on(event: 'online', listener: (sessionPresent: boolean) => void): unknown;
  off(event: 'online', listener: (sessionPresent: boolean) => void): unknown;
}

/** Durable publishing: the device outbox (a message survives kill -9 and waits for the network). */
export interface DurableQueue {
  enqueue(topic: string, payload: string): void;
}

/** A reply the fleet sent to a request, whether the cart is still waiting for it or sent it through the outbox. */
export interface CommerceReplyMessage {
  operation: CommerceOperation;
  clientToken: string;
  accepted: boolean;
  body: Record<string, unknown>;
}

export interface CommerceClientEvents {
  reply: [CommerceReplyMessage];
  notify: [{ event: CommerceEvent; body: Record<string, unknown> }];
}

interface Waiting {
  operation: CommerceOperation;
  resolve: (body: Record<string, unknown>) => void;
  reject: (err: FleetError) => void;
  timer: TimerHandle;
}

/**
 * The cart's side of the commerce request/reply topics (protocol/commerce/commerce-topics.ts). `request()` asks and
 * waits (member login: only online, with a timeout); `send()` puts the request in the outbox (an order: it must
 * survive a power cut and the network being down) and its reply comes later as a `reply` event, matched by the
 * clientToken the caller keeps. Notifications (`order-status`, `attendant-resolved`) come as `notify` events.
 */
export class CommerceClient extends EventEmitter<CommerceClientEvents> {
  private readonly waiting = new Map<string, Waiting>();
  private subscribed = false;
  private running = false;
  private readonly onMessage = (topic: string, payload: Buffer) => this.receive(topic, payload);
  private readonly onOnline = (sessionPresent: boolean) => {
    if (this.subscribed && sessionPresent) return;
    this.subscribed = true;
    Promise.all(
      commerceTopics.deviceFilters(this.thingName).map((f) => this.transport.subscribe(f, this.onMessage)),
    ).catch((err: Error) => {
      this.subscribed = false;
      if (isSubscriptionRefused(err)) this.log.debug({ err: err.message }, 'commerce subscription refused');
      else this.log.warn({ err: err.message }, 'commerce subscription failed; retrying on reconnect');
    });
  };

  constructor(
    private readonly thingName: string,
    private readonly transport: CommerceTransport,
    private readonly queue: DurableQueue,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {
    super();
  }

  start(): void {
    this.running = true;
    for (const filter of commerceTopics.deviceFilters(this.thingName)) this.transport.route?.(filter, this.onMessage);
    this.transport.off('online', this.onOnline);
    this.transport.on('online', this.onOnline);
    if (this.transport.online) this.onOnline(false);
  }

  stop(): void {
    this.running = false;
    this.subscribed = false;
    this.transport.off('online', this.onOnline);
    for (const [token, w] of this.waiting) {
      this.clock.clearTimeout(w.timer);
      w.reject(new FleetError('DEVICE_OFFLINE', 'the cart is stopping'));
      this.waiting.delete(token);
    }
  }

  get online(): boolean {
    return this.transport.online;
  }

  /**
   * Asks the fleet and waits for its answer: the accepted body, or the rejection as a FleetError with the fleet's
   * code. Offline, or no answer within `timeoutMs`: DEVICE_OFFLINE (the caller falls back to what it can do alone).
   */
  async request(
    operation: CommerceOperation,
    payload: Record<string, unknown>,
    timeoutMs = 5_000,
  ): Promise<Record<string, unknown>> {
    if (!this.running || !this.transport.online) throw new FleetError('DEVICE_OFFLINE', 'the store network is down');
    const clientToken = randomUUID();
    const answer = new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.waiting.delete(clientToken);
        reject(new FleetError('DEVICE_OFFLINE', `no answer to ${operation} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(clientToken, { operation, resolve, reject, timer });
    });
    // The answer may come before the publish below resolves (the broker is in-process): it is handled by the caller's
    // await of `answer`, not reported as an unhandled rejection in between.
    answer.catch(() => undefined);
    try {
      await this.transport.publish(
        commerceTopics.request(this.thingName, operation),
        JSON.stringify({ ...payload, clientToken }),
      );
    } catch (err) {
      const waiting = this.waiting.get(clientToken);
      if (waiting) {
        this.clock.clearTimeout(waiting.timer);
        this.waiting.delete(clientToken);
      }
      throw new FleetError('DEVICE_OFFLINE', `could not send ${operation}: ${(err as Error).message}`);
    }
    return answer;
  }

  /** Queues the request durably; the reply (whenever it comes) is a `reply` event carrying `clientToken`. */
  send(operation: CommerceOperation, payload: Record<string, unknown>, clientToken: string): void {
    this.queue.enqueue(commerceTopics.request(this.thingName, operation), JSON.stringify({ ...payload, clientToken }));
  }

  private receive(topic: string, payload: Buffer): void {
    if (!this.running) return;
    const parts = topic.split('/');
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(payload.toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch (err) {
      this.log.warn({ topic, err: (err as Error).message }, 'unreadable commerce message dropped');
      return;
    }
    if (parts[3] === 'notify') {
      const event = parts[4] as CommerceEvent;
      if (COMMERCE_EVENTS.includes(event)) this.emit('notify', { event, body });
      return;
    }
    const operation = parts[3] as CommerceOperation;
    const accepted = parts[4] === 'accepted';
    const clientToken = typeof body.clientToken === 'string' ? body.clientToken : '';
    const waiting = this.waiting.get(clientToken);
    if (waiting) {
      this.clock.clearTimeout(waiting.timer);
      this.waiting.delete(clientToken);
      if (accepted) waiting.resolve(body);
      else waiting.reject(rejection(body));
      return;
    }
    this.emit('reply', { operation, clientToken, accepted, body });
  }
}

/** The fleet's rejection as the FleetError it was (an unknown code stays readable as INTERNAL). */
export function rejection(body: Record<string, unknown>): FleetError {
  const code = typeof body.code === 'string' && body.code in ErrorCodes ? (body.code as ErrorCode) : 'INTERNAL';
  const message = typeof body.message === 'string' ? body.message : 'refused by the fleet';
  return new FleetError(code, message, body.details);
}
