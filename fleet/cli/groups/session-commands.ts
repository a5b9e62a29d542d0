import type { Me } from '../../../protocol/api/auth.ts';
import type { User } from '../../../protocol/api/users.ts';
import { ApiClient } from '../api-client.ts';
import { type CommandGroup, groupHelp, integerOption, parseCommand } from '../cli-context.ts';
import {
  credentialsPath,
  deleteCredentialsFile,
  normaliseServer,
  readCredentialsFile,
  writeCredentialsFile,
} from '../cli-credentials.ts';
import { CliError, EXIT, usageError } from '../cli-error.ts';
import { passwordFromStdin, promptHidden, promptLine, readStdinLines } from '../password-prompt.ts';
import { createToken, defaultTokenName, signIn } from '../sign-in.ts';

export const loginCommand: CommandGroup = {
  name: 'login',
  summary: 'sign in to a fleet server and keep an API token for the next commands',
  help: `fleetctl login — sign in and store an API token

  fleetctl login --server URL [--username NAME] [--password-stdin] [--token-days N]

Asks for the password without echo (or reads it from stdin with --password-stdin), signs in, creates an API token
named fleetctl@<this host> and stores { server, token, username } in
$XDG_CONFIG_HOME/cartfleet/credentials.json (~/.config/... without it), readable by you only (0600).
The password itself is never stored. FLEETCTL_SERVER and FLEETCTL_TOKEN, when set, win over the file.

Examples:
  fleetctl login --server http://fleet.store.local:8080 --username alice
  printf '%s\\n' "$PASSWORD" | fleetctl login --server http://127.0.0.1:8080 --username ci-bot --password-stdin`,
  async run(args, ctx) {
    const { values } = parseCommand(args, {
      server: { type: 'string' },
      username: { type: 'string', short: 'u' },
      'password-stdin': { type: 'boolean', default: false },
      'token-days': { type: 'string' },
    });
    if (values.help) return groupHelp(ctx, this, true);
    const previous = readCredentialsFile(ctx.env);
    const serverText = values.server ?? ctx.env.FLEETCTL_SERVER ?? previous?.server;
    if (!serverText) throw usageError('missing --server', 'e.g. fleetctl login --server http://fleet.local:8080');
    const server = normaliseServer(serverText);
    const sameServer = previous && normaliseServer(previous.server) === server;
    const username =
      values.username ??
      (sameServer ? previous?.username : undefined) ??
      (process.stdin.isTTY ? await promptLine('Username: ') : undefined);
    if (!username) throw usageError('missing --username');
    const password = values['password-stdin'] ? await passwordFromStdin() : await promptHidden('Password: ');
    const expiresInDays = integerOption(values['token-days'], '--token-days', 1);

    const session = await signIn(server, username, password);
    try {
      const token = await createToken(session, defaultTokenName(), expiresInDays);
      // The token the previous login stored (best effort: gone already, or its server unreachable).
      if (previous?.tokenId)
        await deleteToken(previous.server, previous.token, previous.tokenId).catch(() => undefined);
      const path = writeCredentialsFile(ctx.env, {
        server,
        token: token.token,
        username: session.user.username,
        tokenId: token.id,
      });
      let mustChange = session.user.mustChangePassword;
      if (mustChange && !values['password-stdin'] && process.stdin.isTTY && !ctx.out.json) {
        ctx.out.note('This account still has its one-time password and must choose its own first.');
        const answer = await promptLine('Choose a new password now? [Y/n] ');
        if (!/^n/i.test(answer)) {
          await changePassword(session.client, password, await newPassword());
          mustChange = false;
        }
      }
      if (ctx.out.json) {
        ctx.out.printJson({
          server,
          user: session.user,
          token: { id: token.id, name: token.name, expiresAt: token.expiresAt },
          credentials: path,
          mustChangePassword: mustChange,
        });
      } else {
        ctx.out.line(`Signed in to ${server} as ${describeUser(session.user)}.`);
        ctx.out.line(`API token '${token.name}' saved in ${path}`);
      }
      if (mustChange) {
        ctx.out.note(
          'This account must change its one-time password before anything else works: run `fleetctl password`.',
        );
      }
      if (ctx.env.FLEETCTL_TOKEN?.trim()) ctx.out.note('Note: FLEETCTL_TOKEN is set and wins over the stored token.');
      return EXIT.ok;
    } finally {
      await session.close();
    }
  },
};

export const logoutCommand: CommandGroup = {
  name: 'logout',
  summary: 'delete the stored API token on the server and the credentials file',
  help: `fleetctl logout — delete the stored API token, on the server and on this machine

  fleetctl logout

A token given through FLEETCTL_TOKEN is left alone (delete it with \`fleetctl tokens delete ID\`).

Example:
  fleetctl logout`,
  async run(args, ctx) {
    const { values } = parseCommand(args, {});
    if (values.help) return groupHelp(ctx, this, true);
    const stored = readCredentialsFile(ctx.env);
    if (!stored) {
      ctx.out.note(`Not signed in (no ${credentialsPath(ctx.env)}).`);
      return EXIT.ok;
    }
    let failure: CliError | undefined;
    if (stored.tokenId) {
      try {
        await deleteToken(stored.server, stored.token, stored.tokenId);
      } catch (err) {
        // A token the server no longer knows (or no longer accepts) is as good as deleted.
        if (!(err instanceof CliError) || (err.exitCode !== EXIT.notSignedIn && err.code !== 'TOKEN_NOT_FOUND')) {
          failure = err instanceof CliError ? err : new CliError(EXIT.failed, 'INTERNAL', String(err));
        }
      }
    }
    deleteCredentialsFile(ctx.env);
    if (failure) {
      ctx.out.note(
        `Removed ${credentialsPath(ctx.env)}, but the token could not be deleted on ${stored.server}: ` +
          `${failure.code}: ${failure.message}. Delete it from the console or with \`fleetctl tokens delete\`.`,
      );
      return EXIT.failed;
    }
    ctx.out.line(`Signed out of ${stored.server}.`);
    return EXIT.ok;
  },
};

export const passwordCommand: CommandGroup = {
  name: 'password',
  summary: 'change your password (required after a one-time password)',
  help: `fleetctl password — change your own password (12+ characters)

  fleetctl password [--password-stdin]

Asks for the current password and the new one twice, without echo. With --password-stdin, reads the current
password from the first line of stdin and the new one from the second.

Examples:
  fleetctl password
  printf '%s\\n%s\\n' "$OLD" "$NEW" | fleetctl password --password-stdin`,
  async run(args, ctx) {
    const { values } = parseCommand(args, { 'password-stdin': { type: 'boolean', default: false } });
    if (values.help) return groupHelp(ctx, this, true);
    const api = ctx.api();
    let current: string;
    let next: string;
    if (values['password-stdin']) {
      const lines = await readStdinLines();
      if (lines.length < 2 || !lines[0] || !lines[1]) {
        throw usageError('--password-stdin: pipe the current password and the new one on two lines');
      }
      [current, next] = [lines[0], lines[1]];
    } else {
      current = await promptHidden('Current password: ');
      next = await newPassword();
    }
    await changePassword(api, current, next);
    ctx.out.line('Password changed.');
    return EXIT.ok;
  },
};

export const whoamiCommand: CommandGroup = {
  name: 'whoami',
  summary: 'who the stored token signs in as, and what it may do',
  help: `fleetctl whoami — the user behind the current token, its role, stores and permissions

Examples:
  fleetctl whoami
  fleetctl whoami --json`,
  async run(args, ctx) {
    const { values } = parseCommand(args, {});
    if (values.help) return groupHelp(ctx, this, true);
    const credentials = ctx.credentials();
    const me = await ctx.api().get<Me>('/api/auth/me');
    if (ctx.out.json) {
      ctx.out.printJson(me);
      return EXIT.ok;
    }
    ctx.out.fields([
      ['server', ctx.api().server],
      ['user', describeUser(me.user)],
      ['stores', me.storeIds === null ? 'whole chain' : me.storeIds.join(', ') || '(none)'],
      ['token from', credentials.source === 'environment' ? 'FLEETCTL_TOKEN' : credentialsPath(ctx.env)],
      ['may', me.permissions.join(', ')],
    ]);
    if (me.user.mustChangePassword) ctx.out.note('You must change your one-time password: run `fleetctl password`.');
    return EXIT.ok;
  },
};

function describeUser(user: User): string {
  return `${user.username} (${user.role})`;
}

async function newPassword(): Promise<string> {
  const first = await promptHidden('New password (12+ characters): ');
  const again = await promptHidden('New password again: ');
  if (first !== again) throw usageError('the two new passwords differ; nothing was changed');
  return first;
}

async function changePassword(client: ApiClient, current: string, next: string): Promise<void> {
  await client.post('/api/auth/password', { currentPassword: current, newPassword: next });
}

/** Deletes a stored login's token on the server it was made on (logout, and a login that replaces it). */
async function deleteToken(server: string, token: string, tokenId: string): Promise<void> {
  await new ApiClient(normaliseServer(server), { token }).delete(`/api/auth/tokens/${encodeURIComponent(tokenId)}`);
}
