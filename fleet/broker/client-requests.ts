import type { AedesPublishPacket, Client, PublishPacket } from 'aedes';
import type { Logger } from '../../platform/log.ts';
import { mqttTopicMatches } from '../../protocol/topics.ts';
import type { BrokerSessions } from './broker-sessions.ts';
import { toBuffer } from './in-process-routing.ts';

/** A client's request that is answered on the same connection only (AWS's fleet provisioning API). */
export interface ClientRequest {
  clientId: string;
  certificateId: string | null;
  topic: string;
  payload: Buffer;
  /**
   * Delivers an answer to this connection alone, if it is still open and subscribed to a filter matching `topic`
   * (AWS: subscribe to the answers before asking); iot:Receive applies. Resolves false when nothing was sent.
   */
  reply(topic: string, payload: string): Promise<boolean>;
}

type RequestHandler = { accepts: (topic: string) => boolean; fn: (request: ClientRequest) => void };

/**
 * Requests answered on the asking connection only. AWS's provisioning answers name no client, and many devices
 * share one claim certificate, so a normal publish would hand one device's key and ownership token to every claim
 * device subscribed: the answer goes to the one connection with aedes' `client.publish` instead.
 */
export class ClientRequests {
  private readonly handlers = new Set<RequestHandler>();

  constructor(
    private readonly sessions: BrokerSessions,
    private readonly log: Logger,
  ) {}

  /** Receives clients' publishes to topics `accepts` takes (after policy checks). Returns the function that stops it. */
  onClientRequests(accepts: (topic: string) => boolean, fn: (request: ClientRequest) => void): () => void {
    const entry = { accepts, fn };
    this.handlers.add(entry);
    return () => this.handlers.delete(entry);
  }

  /** aedes' 'publish' event: a publish that passed the policy checks, with the client that sent it. */
  onPublish(packet: AedesPublishPacket, client: Client | null): void {
    if (client === null || this.handlers.size === 0) return;
    const session = this.sessions.get(client);
    if (!session) return;
    for (const { accepts, fn } of this.handlers) {
      if (!accepts(packet.topic)) continue;
      try {
        fn({
          clientId: client.id,
          certificateId: session.certificateId,
          topic: packet.topic,
          payload: toBuffer(packet.payload),
          reply: (topic, payload) => this.reply(client, topic, payload),
        });
      } catch (err) {
        this.log.error({ err, topic: packet.topic }, 'request handler failed');
      }
    }
  }

  private reply(client: Client, topic: string, payload: string): Promise<boolean> {
    const filters = this.sessions.get(client)?.filters ?? new Set<string>();
    if (client.closed || !this.sessions.isLive(client) || ![...filters].some((f) => mqttTopicMatches(f, topic))) {
      return Promise.resolve(false);
    }
    const packet = { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false };
    return new Promise((resolve) => client.publish(packet as PublishPacket, (err) => resolve(!err)));
  }
}
