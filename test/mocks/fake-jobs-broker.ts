import type { ClientRequest } from '../../fleet/broker/client-requests.ts';
import type { JobsBroker } from '../../fleet/jobs/jobs-mqtt-api.ts';

export type Body = Record<string, unknown>;

/** A message the fleet published (a notification) or answered on a request's connection. */
export interface Sent {
  topic: string;
  body: Body;
}

/**
 * The broker as the jobs service sees it (`JobsBroker`), for unit tests: no sockets. `request()` plays a device's
 * publish and resolves with the answer the service gave on that connection; `published` holds what went out to
 * subscribers (notifications), in order.
 */
export class FakeJobsBroker implements JobsBroker {
  readonly published: Sent[] = [];
  private handler: { accepts: (topic: string) => boolean; fn: (request: ClientRequest) => void } | undefined;

  onClientRequests(accepts: (topic: string) => boolean, fn: (request: ClientRequest) => void): () => void {
    const handler = { accepts, fn };
    this.handler = handler;
    return () => {
      if (this.handler === handler) this.handler = undefined;
    };
  }

  publish(topic: string, payload: string | Buffer): Promise<void> {
    this.published.push({ topic, body: JSON.parse(payload.toString()) as Body });
    return Promise.resolve();
  }

  /** True while something takes client requests on `topic`. */
  takes(topic: string): boolean {
    return this.handler?.accepts(topic) ?? false;
  }

  /** A device publishes `payload` (an object is sent as JSON) on `topic`; resolves with the answer to it. */
  request(topic: string, payload: Body | string | Buffer = {}, clientId = 'device'): Promise<Sent> {
    const handler = this.handler;
    if (!handler?.accepts(topic)) return Promise.reject(new Error(`nothing takes requests on ${topic}`));
    const bytes = Buffer.isBuffer(payload)
      ? payload
      : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
    return new Promise<Sent>((resolve) => {
      handler.fn({
        clientId,
        certificateId: null,
        topic,
        payload: bytes,
        reply: (replyTopic, replyPayload) => {
          resolve({ topic: replyTopic, body: JSON.parse(replyPayload) as Body });
          return Promise.resolve(true);
        },
      });
    });
  }

  /** The notifications published on `topic` so far. */
  on(topic: string): Body[] {
    return this.published.filter((m) => m.topic === topic).map((m) => m.body);
  }

  clear(): void {
    this.published.length = 0;
  }
}
