import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { CliError, EXIT, NOT_SIGNED_IN_HINT } from './cli-error.ts';

/** What `fleetctl login` keeps: where the fleet is and the API token it created there. Never a password. */
export const CliCredentialsSchema = z.object({
  server: z.string().min(1),
  token: z.string().min(1),
  username: z.string().min(1).nullable().default(null),
  /** The token's id, so that `fleetctl logout` can delete it on the server. */
  tokenId: z.string().min(1).nullable().default(null),
});
export type CliCredentials = z.infer<typeof CliCredentialsSchema>;

type Env = NodeJS.ProcessEnv;

/** `$XDG_CONFIG_HOME/cartfleet/credentials.json`, `~/.config/cartfleet/credentials.json` without it. */
export function credentialsPath(env: Env): string {
  const base = env.XDG_CONFIG_HOME?.trim() ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'cartfleet', 'credentials.json');
}

export function readCredentialsFile(env: Env): CliCredentials | undefined {
  const path = credentialsPath(env);
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CliError(EXIT.notSignedIn, 'CREDENTIALS_INVALID', `${path} is not JSON: ${(err as Error).message}`, {
      hint: 'delete it and run `fleetctl login` again',
    });
  }
  const result = CliCredentialsSchema.safeParse(parsed);
  if (!result.success) {
    throw new CliError(EXIT.notSignedIn, 'CREDENTIALS_INVALID', `${path} is not a fleetctl credentials file`, {
      hint: 'delete it and run `fleetctl login` again',
    });
  }
  return result.data;
}

/** Written to a temporary file created 0600, then renamed: the token is never readable by others, even briefly. */
export function writeCredentialsFile(env: Env, credentials: CliCredentials): string {
  const path = credentialsPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
  return path;
}

export function deleteCredentialsFile(env: Env): boolean {
  const path = credentialsPath(env);
  if (!existsSync(path)) return false;
  rmSync(path, { force: true });
  return true;
}

export interface ResolvedCredentials {
  server: string;
  token: string;
  /** The user `fleetctl login` stored, whichever token is used: `tokens create` signs in as them by default. */
  storedUsername: string | null;
  /** Where the token came from: scripts and CI set the environment, people sign in. */
  source: 'environment' | 'file';
}

/**
 * The server and token to use: `FLEETCTL_SERVER` / `FLEETCTL_TOKEN` win over the file, each on its own (a CI job
 * may point a stored login at another URL). Throws exit 3 when either is missing.
 */
export function resolveCredentials(env: Env): ResolvedCredentials {
  const file = readCredentialsFile(env);
  const server = env.FLEETCTL_SERVER?.trim() || file?.server;
  const token = env.FLEETCTL_TOKEN?.trim() || file?.token;
  if (!server || !token) {
    throw new CliError(EXIT.notSignedIn, 'NOT_SIGNED_IN', 'not signed in to a fleet', { hint: NOT_SIGNED_IN_HINT });
  }
  return {
    server: normaliseServer(server),
    token,
    storedUsername: file?.username ?? null,
    source: env.FLEETCTL_TOKEN?.trim() ? 'environment' : 'file',
  };
}

/** `host:8080` → `http://host:8080`; no trailing slash. */
export function normaliseServer(server: string): string {
  const withScheme = /^https?:\/\//i.test(server) ? server : `http://${server}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new CliError(EXIT.usage, 'USAGE', `'${server}' is not a server address (e.g. http://fleet.local:8080)`);
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}
