import type { ApiToken } from '../../../protocol/api/auth.ts';
import { type CommandGroup, groupHelp, integerOption, parseCommand, required } from '../cli-context.ts';
import { EXIT, usageError } from '../cli-error.ts';
import { passwordFromStdin, promptHidden } from '../password-prompt.ts';
import { createToken, signIn } from '../sign-in.ts';

export const tokenCommands: CommandGroup = {
  name: 'tokens',
  summary: 'your API tokens: list, create (for scripts), delete',
  help: `fleetctl tokens — your own API tokens (for scripts, CI, Prometheus)

  fleetctl tokens list
  fleetctl tokens create NAME [--days N] [--username NAME] [--password-stdin]
  fleetctl tokens delete ID

A token carries your role and stores. Tokens are made from a signed-in session, so \`create\` asks for your
password again; the new token is printed once. \`delete\` takes an id from \`tokens list\`.

Examples:
  fleetctl tokens list
  fleetctl tokens create grafana-scraper --days 365
  fleetctl tokens delete 3f9c2a1e`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {
      days: { type: 'string' },
      username: { type: 'string', short: 'u' },
      'password-stdin': { type: 'boolean', default: false },
    });
    const [action, target] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    switch (action) {
      case 'list': {
        const tokens = await ctx.api().get<ApiToken[]>('/api/auth/tokens');
        if (ctx.out.json) {
          ctx.out.printJson(tokens);
          return EXIT.ok;
        }
        ctx.out.table(tokens, [
          { header: 'ID', value: (t) => t.id },
          { header: 'NAME', value: (t) => t.name, max: 40 },
          { header: 'CREATED', value: (t) => ctx.out.ago(t.createdAt) },
          { header: 'LAST USED', value: (t) => ctx.out.ago(t.lastUsedAt) },
          { header: 'EXPIRES', value: (t) => (t.expiresAt === null ? 'never' : ctx.out.ago(t.expiresAt)) },
        ]);
        return EXIT.ok;
      }
      case 'create': {
        const name = required(target, 'NAME', 'tokens');
        const credentials = ctx.credentials();
        const username = values.username ?? credentials.storedUsername;
        if (!username) throw usageError('missing --username (the token is made for the user who signs in)');
        const password = values['password-stdin'] ? await passwordFromStdin() : await promptHidden('Password: ');
        const session = await signIn(credentials.server, username, password);
        try {
          const token = await createToken(session, name, integerOption(values.days, '--days', 1));
          if (ctx.out.json) {
            ctx.out.printJson(token);
            return EXIT.ok;
          }
          ctx.out.line(token.token);
          ctx.out.note(
            `Token '${token.name}' (id ${token.id}) for ${session.user.username}, ` +
              `${token.expiresAt === null ? 'no expiry' : `expires ${new Date(token.expiresAt).toISOString()}`}. ` +
              'It is shown only this once.',
          );
          return EXIT.ok;
        } finally {
          await session.close();
        }
      }
      case 'delete': {
        const id = required(target, 'ID', 'tokens');
        await ctx.api().delete(`/api/auth/tokens/${encodeURIComponent(id)}`);
        if (ctx.out.json) {
          ctx.out.printJson({ deleted: id });
          return EXIT.ok;
        }
        ctx.out.line(`Deleted token ${id}.`);
        return EXIT.ok;
      }
      default:
        throw usageError(`unknown command: tokens ${action}`, 'see `fleetctl tokens --help`');
    }
  },
};
