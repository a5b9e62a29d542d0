import { readFileSync } from 'node:fs';
import type { LoyaltyConfig } from '../../../protocol/api/loyalty.ts';
import { type CommandGroup, groupHelp, parseCommand } from '../cli-context.ts';
import { EXIT, usageError } from '../cli-error.ts';

export const loyaltyCommands: CommandGroup = {
  name: 'loyalty',
  summary: 'the loyalty configuration: tiers, earn rules, redemption policy (JSON)',
  help: `fleetctl loyalty — tiers, earn rules and the redemption policy, as one JSON document

  fleetctl loyalty get                  prints { tiers, earnRules, redemptionPolicy }
  fleetctl loyalty put --file FILE      replaces the parts the file has (HQ: members:write)

Edit what \`get\` printed and \`put\` it back; a part left out of the file is not changed. Each part is validated
as a whole (LOYALTY_CONFIG_INVALID names the first problem) and the carts' pricing snapshots follow.

Examples:
  fleetctl loyalty get > loyalty.json
  fleetctl loyalty put --file loyalty.json`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, { file: { type: 'string' } });
    const [action] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    const api = ctx.api();
    switch (action) {
      case 'get': {
        const config: LoyaltyConfig = {
          tiers: await api.get('/api/loyalty/tiers'),
          earnRules: await api.get('/api/loyalty/earn-rules'),
          redemptionPolicy: await api.get('/api/loyalty/redemption-policy'),
        };
        ctx.out.printJson(config);
        return EXIT.ok;
      }
      case 'put': {
        if (!values.file) throw usageError('missing --file FILE');
        let config: Partial<LoyaltyConfig>;
        try {
          config = JSON.parse(readFileSync(values.file, 'utf8')) as Partial<LoyaltyConfig>;
        } catch (err) {
          throw usageError(`cannot read ${values.file}: ${(err as Error).message}`);
        }
        const parts = [
          ['tiers', 'tiers'],
          ['earnRules', 'earn-rules'],
          ['redemptionPolicy', 'redemption-policy'],
        ] as const;
        const present = parts.filter(([key]) => config[key] !== undefined);
        if (present.length === 0) throw usageError('the file has none of tiers, earnRules, redemptionPolicy');
        for (const [key, path] of present) await api.request('PUT', `/api/loyalty/${path}`, { body: config[key] });
        if (ctx.out.json) {
          ctx.out.printJson({ replaced: present.map(([key]) => key) });
          return EXIT.ok;
        }
        ctx.out.line(`Replaced ${present.map(([key]) => key).join(', ')}.`);
        return EXIT.ok;
      }
      default:
        throw usageError(`unknown command: loyalty ${action}`, 'see `fleetctl loyalty --help`');
    }
  },
};
