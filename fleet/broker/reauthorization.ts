import type { Client } from 'aedes';
import type { Logger } from '../../platform/log.ts';
import type { AuthenticationResult } from '../identity/device-authenticator.ts';
import type { BrokerSessions } from './broker-sessions.ts';
import type { Authenticate } from './policy-hooks.ts';

/**
 * Live connections after an identity change (revocation, policy or attachment change): each is decided again as at
 * CONNECT, and closed when it may no longer connect; the others continue under their new policies (checked on their
 * next publish, subscribe and delivery, as AWS does).
 */
export class Reauthorization {
  constructor(
    private readonly sessions: BrokerSessions,
    private readonly authenticate: Authenticate,
    private readonly log: Logger,
  ) {}

  /** Decides every live connection again. Returns how many were closed. */
  reauthorizeAll(): number {
    this.sessions.identityEpoch++;
    let closed = 0;
    for (const client of this.sessions.liveClients()) {
      if (!this.reauthorize(client)) closed++;
    }
    return closed;
  }

  /** Decides one connection again; false when it was closed. */
  reauthorize(client: Client): boolean {
    const session = this.sessions.get(client);
    if (!session) return true;
    session.identityEpoch = this.sessions.identityEpoch;
    let result: AuthenticationResult;
    try {
      result = this.authenticate({
        clientId: client.id,
        certificateId: session.certificateId,
        sourceIp: session.ipAddress ?? undefined,
      });
    } catch (err) {
      // Fail closed: a connection whose permissions cannot be decided again does not keep the old ones.
      this.log.error({ err, clientId: client.id }, 'could not re-decide a live connection; closing it');
      result = { ok: false, code: 'INTERNAL', reason: 'authentication failed' };
    }
    if (result.ok) {
      session.authorizer = result.authorizer;
      return true;
    }
    this.log.info(
      { clientId: client.id, code: result.code, reason: result.reason },
      'live connection no longer allowed',
    );
    this.sessions.setReason(client, result.code === 'POLICY_DENIED' ? 'AUTH_ERROR' : 'API_INITIATED_DISCONNECT');
    client.close();
    return false;
  }

  /** Decides a connection that became live again if an identity change happened since it authenticated. */
  catchUp(client: Client): boolean {
    const session = this.sessions.get(client);
    return !session || session.identityEpoch === this.sessions.identityEpoch || this.reauthorize(client);
  }

  /** Closes every live connection made with this certificate (after a revocation). */
  disconnectCertificate(certificateId: string, reason = 'API_INITIATED_DISCONNECT'): number {
    this.sessions.identityEpoch++;
    let count = 0;
    for (const client of this.sessions.liveClients()) {
      if (this.sessions.get(client)?.certificateId === certificateId) {
        this.sessions.setReason(client, reason);
        client.close();
        count++;
      }
    }
    return count;
  }

  disconnectClient(clientId: string, reason = 'API_INITIATED_DISCONNECT'): boolean {
    const client = this.sessions.liveClient(clientId);
    if (!client) return false;
    this.sessions.setReason(client, reason);
    client.close();
    return true;
  }
}
