import type { LedgerPage } from '../../../protocol/api/members.ts';
import { type CommandGroup, groupHelp, integerOption, parseCommand, required } from '../cli-context.ts';
import { EXIT, usageError } from '../cli-error.ts';
import { findMember } from './member-lookup.ts';

export const pointsCommands: CommandGroup = {
  name: 'points',
  summary: 'a member’s points ledger, and corrections (points:adjust)',
  help: `fleetctl points — the points ledger (append-only; a balance is the sum of its entries)

  fleetctl points ledger ID|NUMBER [--limit N]
  fleetctl points adjust ID|NUMBER POINTS --note "REASON"

\`ledger\` lists the member's pool (their family's, or their own), newest first, with the member who made each
entry. \`adjust\` adds signed points with a reason (hq-admin); it may not take the pool below zero.

Examples:
  fleetctl points ledger 80000001
  fleetctl points adjust 80000001 500 --note "goodwill: damaged delivery"
  fleetctl points adjust 80000001 -200 --note "duplicate credit"`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, { limit: { type: 'string' }, note: { type: 'string' } });
    const [action, target, amount] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    const api = ctx.api();
    switch (action) {
      case 'ledger': {
        const member = await findMember(api, required(target, 'the member ID or NUMBER', 'points'));
        const page = await api.get<LedgerPage>(`/api/members/${encodeURIComponent(member.id)}/ledger`, {
          limit: integerOption(values.limit, '--limit', 1),
        });
        if (ctx.out.json) {
          ctx.out.printJson(page);
          return EXIT.ok;
        }
        ctx.out.line(`Pool ${page.poolId}: ${page.balancePoints} points`);
        ctx.out.table(
          page.items,
          [
            { header: 'WHEN', value: (e) => ctx.out.ago(e.createdAt) },
            { header: 'KIND', value: (e) => e.kind },
            { header: 'POINTS', value: (e) => (e.points > 0 ? `+${e.points}` : String(e.points)), align: 'right' },
            { header: 'MEMBER', value: (e) => `${e.memberName} (${e.memberNumber})`, max: 32 },
            { header: 'STORE', value: (e) => e.storeId ?? '', max: 24 },
            { header: 'ORDER', value: (e) => e.orderId ?? '', max: 24 },
            { header: 'NOTE', value: (e) => e.note ?? '', max: 40 },
          ],
          '(no entries)',
        );
        if (page.items.length < page.total)
          ctx.out.note(`${page.items.length} of ${page.total} entries; --limit N for more`);
        return EXIT.ok;
      }
      case 'adjust': {
        const member = await findMember(api, required(target, 'the member ID or NUMBER', 'points'));
        const points = Number(required(amount, 'POINTS (signed)', 'points'));
        if (!Number.isSafeInteger(points) || points === 0)
          throw usageError(`POINTS must be a non-zero whole number, not '${amount}'`);
        if (!values.note) throw usageError('missing --note "REASON" (every correction says why)');
        const page = await api.post<LedgerPage>(`/api/members/${encodeURIComponent(member.id)}/points/adjust`, {
          points,
          note: values.note,
        });
        if (ctx.out.json) {
          ctx.out.printJson(page);
          return EXIT.ok;
        }
        ctx.out.line(
          `Adjusted ${member.displayName} by ${points > 0 ? '+' : ''}${points}: pool balance ${page.balancePoints}.`,
        );
        return EXIT.ok;
      }
      default:
        throw usageError(`unknown command: points ${action}`, 'see `fleetctl points --help`');
    }
  },
};
