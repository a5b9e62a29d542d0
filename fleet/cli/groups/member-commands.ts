import type { Member, MemberCode, MemberDetail, MemberPage } from '../../../protocol/api/members.ts';
import { type CommandGroup, groupHelp, integerOption, parseCommand, required } from '../cli-context.ts';
import { EXIT, usageError } from '../cli-error.ts';
import { findMember } from './member-lookup.ts';

export const memberCommands: CommandGroup = {
  name: 'members',
  summary: 'loyalty members: find, show, enrol, show the current member code',
  help: `fleetctl members — members of the loyalty program (chain-wide)

  fleetctl members list [--search TEXT] [--tier ID] [--limit N]
  fleetctl members get ID|NUMBER
  fleetctl members create --name "DISPLAY NAME" [--number DIGITS] [--phone NUMBER] [--tier ID]
  fleetctl members code ID|NUMBER

--search matches a member number (prefix), a name (part) or a whole phone number. \`code\` prints the code the
member app shows now (CFM1.{number}.{6 digits}, valid for its 30 s step and the next): it logs in as the member, so it
needs members:write. Points: \`fleetctl points\`; families: \`fleetctl families\`; coupons: \`fleetctl coupons\`.

Examples:
  fleetctl members list --search 8000
  fleetctl members create --name "Wang Fang" --phone 13812345678 --tier silver
  fleetctl members get 80000001`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {
      search: { type: 'string' },
      tier: { type: 'string' },
      limit: { type: 'string' },
      name: { type: 'string' },
      number: { type: 'string' },
      phone: { type: 'string' },
    });
    const [action, target] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    const api = ctx.api();
    switch (action) {
      case 'list': {
        const page = await api.get<MemberPage>('/api/members', {
          q: values.search,
          tierId: values.tier,
          limit: integerOption(values.limit, '--limit', 1),
        });
        if (ctx.out.json) {
          ctx.out.printJson(page);
          return EXIT.ok;
        }
        ctx.out.table(
          page.items,
          [
            { header: 'NUMBER', value: (m) => m.memberNumber },
            { header: 'NAME', value: (m) => m.displayName, max: 30 },
            { header: 'TIER', value: (m) => m.tierId },
            { header: 'FAMILY', value: (m) => m.familyId ?? '' },
            { header: 'PHONE', value: (m) => m.phoneMasked ?? '' },
            {
              header: 'STATUS',
              value: (m) => (m.disabled ? 'disabled' : 'active'),
              colour: (m) => (m.disabled ? 'red' : undefined),
            },
            { header: 'ID', value: (m) => m.id },
          ],
          '(no members)',
        );
        if (page.items.length < page.total)
          ctx.out.note(`${page.items.length} of ${page.total} members; --limit N for more`);
        return EXIT.ok;
      }
      case 'get': {
        const member = await findMember(api, required(target, 'the member ID or NUMBER', 'members'));
        const detail = await api.get<MemberDetail>(`/api/members/${encodeURIComponent(member.id)}`);
        if (ctx.out.json) {
          ctx.out.printJson(detail);
          return EXIT.ok;
        }
        ctx.out.fields([
          ['member', `${detail.member.displayName} (${detail.member.memberNumber}, id ${detail.member.id})`],
          ['tier', detail.member.tierId],
          ['phone', detail.member.phoneMasked],
          ['status', detail.member.disabled ? 'disabled' : 'active'],
          ['points', `${detail.balancePoints} (pool ${detail.poolId})`],
          [
            'family',
            detail.family
              ? detail.family.members.map((m) => `${m.displayName}${m.owner ? ' (owner)' : ''}`).join(', ')
              : '-',
          ],
          ['coupons', detail.coupons.map((c) => `${c.id} ${c.state}`).join(', ') || '-'],
        ]);
        return EXIT.ok;
      }
      case 'create': {
        if (!values.name) throw usageError('missing --name "DISPLAY NAME"');
        const member = await api.post<Member>('/api/members', {
          displayName: values.name,
          ...(values.number ? { memberNumber: values.number } : {}),
          ...(values.phone ? { phone: values.phone } : {}),
          ...(values.tier ? { tierId: values.tier } : {}),
        });
        if (ctx.out.json) {
          ctx.out.printJson(member);
          return EXIT.ok;
        }
        ctx.out.line(`Enrolled ${member.displayName}: member number ${member.memberNumber} (id ${member.id}).`);
        return EXIT.ok;
      }
      case 'code': {
        const member = await findMember(api, required(target, 'the member ID or NUMBER', 'members'));
        const code = await api.get<MemberCode>(`/api/members/${encodeURIComponent(member.id)}/code`);
        if (ctx.out.json) {
          ctx.out.printJson(code);
          return EXIT.ok;
        }
        ctx.out.line(code.code);
        ctx.out.note(`valid until ${new Date(code.expiresAt + 30_000).toISOString()} (this step and the next)`);
        return EXIT.ok;
      }
      default:
        throw usageError(`unknown command: members ${action}`, 'see `fleetctl members --help`');
    }
  },
};
