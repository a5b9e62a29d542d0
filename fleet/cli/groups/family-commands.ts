import type { Family } from '../../../protocol/api/members.ts';
import { type CommandGroup, groupHelp, parseCommand, required } from '../cli-context.ts';
import { EXIT, usageError } from '../cli-error.ts';
import type { Output } from '../output.ts';
import { findMember } from './member-lookup.ts';

export const familyCommands: CommandGroup = {
  name: 'families',
  summary: 'family accounts: an owner and up to 5 members sharing one points pool',
  help: `fleetctl families — family accounts (members:write to change)

  fleetctl families get FAMILY_ID
  fleetctl families create OWNER_ID|NUMBER
  fleetctl families add FAMILY_ID MEMBER_ID|NUMBER
  fleetctl families remove FAMILY_ID MEMBER_ID|NUMBER

A member who joins brings their points into the family's pool; one who leaves leaves them. The owner cannot leave.

Examples:
  fleetctl families create 80000001
  fleetctl families add f-3f9a0c2d1b7e 80000002`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {});
    const [action, first, second] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    const api = ctx.api();
    let family: Family;
    switch (action) {
      case 'get':
        family = await api.get<Family>(`/api/families/${encodeURIComponent(required(first, 'FAMILY_ID', 'families'))}`);
        break;
      case 'create': {
        const owner = await findMember(api, required(first, 'the owner ID or NUMBER', 'families'));
        family = await api.post<Family>('/api/families', { ownerId: owner.id });
        break;
      }
      case 'add':
      case 'remove': {
        const familyId = encodeURIComponent(required(first, 'FAMILY_ID', 'families'));
        const member = await findMember(api, required(second, 'the member ID or NUMBER', 'families'));
        family =
          action === 'add'
            ? await api.post<Family>(`/api/families/${familyId}/members`, { memberId: member.id })
            : await api.request<Family>(
                'DELETE',
                `/api/families/${familyId}/members/${encodeURIComponent(member.id)}`,
                {},
              );
        break;
      }
      default:
        throw usageError(`unknown command: families ${action}`, 'see `fleetctl families --help`');
    }
    printFamily(ctx.out, family);
    return EXIT.ok;
  },
};

function printFamily(out: Output, family: Family): void {
  if (out.json) {
    out.printJson(family);
    return;
  }
  out.line(`Family ${family.id} (${family.members.length} of 6)`);
  out.table(family.members, [
    { header: 'NUMBER', value: (m) => m.memberNumber },
    { header: 'NAME', value: (m) => m.displayName, max: 30 },
    { header: 'ROLE', value: (m) => (m.owner ? 'owner' : 'member') },
    { header: 'ID', value: (m) => m.id },
  ]);
}
