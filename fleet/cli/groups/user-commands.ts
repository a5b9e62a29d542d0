import type { CreatedUser, PasswordReset, User } from '../../../protocol/api/users.ts';
import type { ApiClient } from '../api-client.ts';
import { type CommandGroup, groupHelp, listOption, parseCommand, required } from '../cli-context.ts';
import { CliError, EXIT, usageError } from '../cli-error.ts';

export const userCommands: CommandGroup = {
  name: 'users',
  summary: 'people who can sign in: list, add, change, reset passwords (hq-admin)',
  help: `fleetctl users — everyone who can sign in (hq-admin only)

  fleetctl users list
  fleetctl users add USERNAME --role ROLE --name "DISPLAY NAME" [--store ID]... [--region NAME]...
  fleetctl users set ID|USERNAME [--role ROLE] [--name TEXT] [--store ID]... [--region NAME]... [--disable|--enable]
  fleetctl users reset-password ID|USERNAME

Roles: hq-admin, store-manager, technician, viewer. --store and --region repeat or take a comma list; with
\`set\`, they replace the user's stores/regions (--store "" clears them).
\`add\` and \`reset-password\` print a one-time password once: hand it over safely; it must be changed at first sign-in.

Examples:
  fleetctl users add li.wei --role store-manager --name "Li Wei" --store hf-shanghai-xuhui
  fleetctl users set li.wei --store hf-shanghai-xuhui,hf-shanghai-jingan
  fleetctl users set li.wei --disable
  fleetctl users reset-password li.wei`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {
      role: { type: 'string' },
      name: { type: 'string' },
      store: { type: 'string', multiple: true },
      region: { type: 'string', multiple: true },
      disable: { type: 'boolean', default: false },
      enable: { type: 'boolean', default: false },
    });
    const [action, target] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    const api = ctx.api();
    switch (action) {
      case 'list': {
        const users = await api.get<User[]>('/api/users');
        if (ctx.out.json) {
          ctx.out.printJson(users);
          return EXIT.ok;
        }
        ctx.out.table(users, [
          { header: 'USERNAME', value: (u) => u.username, max: 24 },
          { header: 'NAME', value: (u) => u.displayName, max: 30 },
          { header: 'ROLE', value: (u) => u.role },
          { header: 'STORES', value: (u) => u.storeIds.join(','), max: 40 },
          { header: 'REGIONS', value: (u) => u.regions.join(','), max: 24 },
          {
            header: 'STATUS',
            value: (u) => (u.disabled ? 'disabled' : u.mustChangePassword ? 'one-time password' : 'active'),
            colour: (u) => (u.disabled ? 'red' : u.mustChangePassword ? 'yellow' : undefined),
          },
          { header: 'LAST LOGIN', value: (u) => ctx.out.ago(u.lastLoginAt) },
          { header: 'ID', value: (u) => u.id },
        ]);
        return EXIT.ok;
      }
      case 'add': {
        const username = required(target, 'USERNAME', 'users');
        if (!values.role) throw usageError('missing --role (hq-admin, store-manager, technician, viewer)');
        if (!values.name) throw usageError('missing --name "DISPLAY NAME"');
        const created = await api.post<CreatedUser>('/api/users', {
          username,
          displayName: values.name,
          role: values.role,
          ...scope(values.store, values.region),
        });
        if (ctx.out.json) {
          ctx.out.printJson(created);
          return EXIT.ok;
        }
        ctx.out.line(`Created ${created.user.username} (${created.user.role}, id ${created.user.id}).`);
        ctx.out.line(`One-time password: ${created.oneTimePassword}`);
        ctx.out.note('It is shown only this once; it must be changed at first sign-in.');
        return EXIT.ok;
      }
      case 'set': {
        const user = await findUser(api, required(target, 'ID or USERNAME', 'users'));
        if (values.disable && values.enable) throw usageError('--disable and --enable together');
        const change = {
          ...(values.name ? { displayName: values.name } : {}),
          ...(values.role ? { role: values.role } : {}),
          ...scope(values.store, values.region),
          ...(values.disable ? { disabled: true } : values.enable ? { disabled: false } : {}),
        };
        if (Object.keys(change).length === 0) throw usageError('nothing to change', 'see `fleetctl users --help`');
        const updated = await api.patch<User>(`/api/users/${encodeURIComponent(user.id)}`, change);
        if (ctx.out.json) {
          ctx.out.printJson(updated);
          return EXIT.ok;
        }
        ctx.out.fields([
          ['user', `${updated.username} (${updated.displayName})`],
          ['role', updated.role],
          ['stores', updated.storeIds.join(', ')],
          ['regions', updated.regions.join(', ')],
          ['disabled', updated.disabled ? 'yes' : 'no'],
        ]);
        return EXIT.ok;
      }
      case 'reset-password': {
        const user = await findUser(api, required(target, 'ID or USERNAME', 'users'));
        const { oneTimePassword } = await api.post<PasswordReset>(
          `/api/users/${encodeURIComponent(user.id)}/reset-password`,
        );
        if (ctx.out.json) {
          ctx.out.printJson({ user: { id: user.id, username: user.username }, oneTimePassword });
          return EXIT.ok;
        }
        ctx.out.line(`One-time password for ${user.username}: ${oneTimePassword}`);
        ctx.out.note('Their sessions have ended; the password must be changed at the next sign-in.');
        return EXIT.ok;
      }
      default:
        throw usageError(`unknown command: users ${action}`, 'see `fleetctl users --help`');
    }
  },
};

function scope(stores: string[] | undefined, regions: string[] | undefined) {
  const storeIds = listOption(stores);
  const regionNames = listOption(regions);
  return { ...(storeIds ? { storeIds } : {}), ...(regionNames ? { regions: regionNames } : {}) };
}

/** Users are addressed by id in the API; people think in user names, so both are accepted. */
async function findUser(api: ApiClient, idOrUsername: string): Promise<User> {
  const users = await api.get<User[]>('/api/users');
  const user = users.find((u) => u.id === idOrUsername) ?? users.find((u) => u.username === idOrUsername);
  if (!user) throw new CliError(EXIT.failed, 'USER_NOT_FOUND', `no user '${idOrUsername}'`);
  return user;
}
