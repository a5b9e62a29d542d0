import type { Client } from 'aedes';
import { mqttTopicMatches } from '../../protocol/topics.ts';
import type { ConnectionAuthorizer } from '../policy/policy-evaluator.ts';

/** What the broker knows about one authenticated connection. */
export interface Session {
  sessionId: string;
  clientId: string;
  certificateId: string | null;
  authorizer: ConnectionAuthorizer;
  ipAddress: string | null;
  /** AWS disconnectReason, set by whoever ends the connection before it closes. */
  disconnectReason: string | undefined;
  identityEpoch: number;
  /**
   * The filters in effect: granted by SUBSCRIBE or restored with a persistent session, less those UNSUBSCRIBEd.
   * Kept from aedes' public 'subscribe' and 'unsubscribe' events.
   */
  filters: Set<string>;
  /** True once aedes announced the client ready (CONNACK sent). */
  ready: boolean;
}

/**
 * Sessions by aedes client, and the live client of each client id. A client id has at most one live client: a newer
 * connection with the same id replaces the older one (AWS: DUPLICATE_CLIENTID).
 */
export class BrokerSessions {
  private readonly byClient = new WeakMap<Client, Session>();
  private readonly live = new Map<string, Client>();
  /**
   * Counts identity changes (revocations, policy changes). A connection authenticated before a change but not yet
   * live when it was applied is decided again as it becomes live, so no change can slip past it.
   */
  identityEpoch = 0;

  open(client: Client, session: Session): void {
    this.byClient.set(client, session);
  }

  get(client: Client): Session | undefined {
    return this.byClient.get(client);
  }

  /** The client becomes the live one of its client id. */
  markLive(client: Client): void {
    this.live.set(client.id, client);
  }

  /** Forgets the client as live (when it still is the live one of its id). */
  end(client: Client): void {
    if (this.live.get(client.id) === client) this.live.delete(client.id);
  }

  isLive(client: Client): boolean {
    return this.live.get(client.id) === client;
  }

  liveClient(clientId: string): Client | undefined {
    return this.live.get(clientId);
  }

  liveClients(): Client[] {
    return [...this.live.values()];
  }

  liveClientIds(): string[] {
    return [...this.live.keys()];
  }

  get liveCount(): number {
    return this.live.size;
  }

  /** True when the live connection of `clientId` has a filter in effect that matches `topic`. */
  hasSubscriptionMatching(clientId: string, topic: string): boolean {
    const client = this.live.get(clientId);
    const session = client && this.byClient.get(client);
    if (!session) return false;
    for (const filter of session.filters) if (mqttTopicMatches(filter, topic)) return true;
    return false;
  }

  /** Records why the connection ends; the first reason given wins. */
  setReason(client: Client, reason: string): void {
    const session = this.byClient.get(client);
    if (session) session.disconnectReason ??= reason;
  }
}
