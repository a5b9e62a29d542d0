import { hostname } from 'node:os';
import type { CreatedToken, LoginBody, NewTokenBody, SignedIn } from '../../protocol/api/auth.ts';
import type { User } from '../../protocol/api/users.ts';
import { ApiClient } from './api-client.ts';
import { CliError, EXIT } from './cli-error.ts';

/** A browser-style session, held only in this process's memory: API tokens can only be created from one. */
export interface Session {
  client: ApiClient;
  user: User;
  /** Ends the session on the server (best effort: it expires anyway). */
  close(): Promise<void>;
}

const SESSION_COOKIE = 'cf_session';

export async function signIn(server: string, username: string, password: string): Promise<Session> {
  let cookie: string | undefined;
  const anonymous = new ApiClient(server, null);
  const answer = await anonymous.request<SignedIn>(
    'POST',
    '/api/auth/login',
    { body: { username, password } satisfies LoginBody },
    (response) => {
      for (const header of response.headers.getSetCookie()) {
        const [pair] = header.split(';');
        if (pair?.startsWith(`${SESSION_COOKIE}=`)) cookie = pair;
      }
    },
  );
  if (!cookie) {
    throw new CliError(EXIT.failed, 'BAD_RESPONSE', `${server} signed in without a session cookie`, {
      hint: 'is it a Cartfleet server, and not behind a proxy that strips cookies?',
    });
  }
  const client = new ApiClient(server, { cookie, csrf: answer.csrf });
  return {
    client,
    user: answer.user,
    close: async () => {
      await client.post('/api/auth/logout').catch(() => undefined);
    },
  };
}

/** The name a login's token gets, so that `fleetctl tokens list` (and the console) show where each one lives. */
export function defaultTokenName(): string {
  return `fleetctl@${hostname()}`.slice(0, 80);
}

export function createToken(session: Session, name: string, expiresInDays?: number): Promise<CreatedToken> {
  const body: NewTokenBody = { name, ...(expiresInDays ? { expiresInDays } : {}) };
  return session.client.post<CreatedToken>('/api/auth/tokens', body);
}
