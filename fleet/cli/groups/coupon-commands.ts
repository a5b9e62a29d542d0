import type { CouponPage, CouponRecord } from '../../../protocol/api/loyalty.ts';
import {
  type CommandGroup,
  durationSeconds,
  groupHelp,
  integerOption,
  parseCommand,
  required,
} from '../cli-context.ts';
import { EXIT, usageError } from '../cli-error.ts';
import { findMember } from './member-lookup.ts';

export const couponCommands: CommandGroup = {
  name: 'coupons',
  summary: 'coupons issued to members: issue, list, revoke (coupons:issue)',
  help: `fleetctl coupons — single-use coupons for coupon-gated promotions

  fleetctl coupons issue MEMBER_ID|NUMBER --promotion ID [--valid 30d] [--from ISO-TIME] [--min-spend FEN]
  fleetctl coupons list [--member ID|NUMBER] [--promotion ID] [--state issued|held|used|expired|revoked] [--limit N]
  fleetctl coupons revoke CODE

--valid is how long from --from (default: now); --min-spend is in fen (¥100 = 10000).

Examples:
  fleetctl coupons issue 80000001 --promotion p-20-off-100 --valid 14d --min-spend 10000
  fleetctl coupons list --member 80000001 --state issued`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {
      promotion: { type: 'string' },
      valid: { type: 'string' },
      from: { type: 'string' },
      'min-spend': { type: 'string' },
      member: { type: 'string' },
      state: { type: 'string' },
      limit: { type: 'string' },
    });
    const [action, target] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    const api = ctx.api();
    switch (action) {
      case 'issue': {
        const member = await findMember(api, required(target, 'the member ID or NUMBER', 'coupons'));
        if (!values.promotion) throw usageError('missing --promotion ID');
        const validFrom = values.from ? Date.parse(values.from) : Date.now();
        if (Number.isNaN(validFrom)) throw usageError(`--from must be an ISO time, not '${values.from}'`);
        const validTo = validFrom + durationSeconds(values.valid ?? '30d', '--valid') * 1000;
        const coupon = await api.post<CouponRecord>('/api/coupons', {
          memberId: member.id,
          promotionId: values.promotion,
          validFrom,
          validTo,
          minSpendFen: integerOption(values['min-spend'], '--min-spend', 0) ?? 0,
        });
        if (ctx.out.json) {
          ctx.out.printJson(coupon);
          return EXIT.ok;
        }
        ctx.out.line(
          `Issued ${coupon.id} to ${member.displayName}, valid until ${new Date(coupon.validTo).toISOString()}.`,
        );
        return EXIT.ok;
      }
      case 'list': {
        const member = values.member ? await findMember(api, values.member) : undefined;
        const page = await api.get<CouponPage>('/api/coupons', {
          memberId: member?.id,
          promotionId: values.promotion,
          state: values.state,
          limit: integerOption(values.limit, '--limit', 1),
        });
        if (ctx.out.json) {
          ctx.out.printJson(page);
          return EXIT.ok;
        }
        ctx.out.table(
          page.items,
          [
            { header: 'CODE', value: (c) => c.id },
            { header: 'STATE', value: (c) => c.state, colour: (c) => (c.state === 'issued' ? 'green' : 'grey') },
            { header: 'MEMBER', value: (c) => c.memberId },
            { header: 'PROMOTION', value: (c) => c.promotionId, max: 30 },
            { header: 'MIN SPEND', value: (c) => (c.minSpendFen / 100).toFixed(2), align: 'right' },
            { header: 'VALID TO', value: (c) => new Date(c.validTo).toISOString().slice(0, 16) },
            { header: 'ORDER', value: (c) => c.orderId ?? '' },
          ],
          '(no coupons)',
        );
        if (page.items.length < page.total)
          ctx.out.note(`${page.items.length} of ${page.total} coupons; --limit N for more`);
        return EXIT.ok;
      }
      case 'revoke': {
        const coupon = await api.post<CouponRecord>(
          `/api/coupons/${encodeURIComponent(required(target, 'CODE', 'coupons'))}/revoke`,
        );
        if (ctx.out.json) {
          ctx.out.printJson(coupon);
          return EXIT.ok;
        }
        ctx.out.line(`Coupon ${coupon.id} is ${coupon.state}.`);
        return EXIT.ok;
      }
      default:
        throw usageError(`unknown command: coupons ${action}`, 'see `fleetctl coupons --help`');
    }
  },
};
