import { readFileSync } from 'node:fs';
import type { PromotionPage, PromotionRecord } from '../../../protocol/api/promotions.ts';
import { PROMOTION_KINDS, type Promotion } from '../../../protocol/commerce/promotions.ts';
import { type CommandGroup, groupHelp, integerOption, parseCommand, required } from '../cli-context.ts';
import { EXIT, usageError } from '../cli-error.ts';
import { yuan } from './catalog-commands.ts';

export const promotionCommands: CommandGroup = {
  name: 'promotions',
  summary: 'list, show, write and delete promotions',
  help: `fleetctl promotions — promotions in your scope

  fleetctl promotions list [--store ID] [--kind KIND] [--active | --at TIME] [--limit N]
  fleetctl promotions get ID
  fleetctl promotions put FILE        a promotion as JSON (its id names it; created or replaced)
  fleetctl promotions delete ID

Kinds: ${PROMOTION_KINDS.join(', ')}. --active lists those running now, --at TIME (ISO 8601) those
running then, in each store's time zone. A store manager writes promotions for their own stores only.

Examples:
  fleetctl promotions list --store hf-shanghai-xuhui --active
  fleetctl promotions put weekend-beer.json
  fleetctl promotions delete weekend-beer`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {
      store: { type: 'string' },
      kind: { type: 'string' },
      active: { type: 'boolean', default: false },
      at: { type: 'string' },
      limit: { type: 'string' },
    });
    const [action, target] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    switch (action) {
      case 'list': {
        if (values.kind && !(PROMOTION_KINDS as readonly string[]).includes(values.kind)) {
          throw usageError(`--kind must be one of ${PROMOTION_KINDS.join(', ')}`);
        }
        let activeAt: number | undefined = values.active ? Date.now() : undefined;
        if (values.at !== undefined) {
          activeAt = Date.parse(values.at);
          if (Number.isNaN(activeAt))
            throw usageError(`--at must be a time like 2025-06-01T18:00+08:00, not '${values.at}'`);
        }
        const page = await ctx.api().get<PromotionPage>('/api/promotions', {
          storeId: values.store,
          kind: values.kind,
          activeAt,
          limit: integerOption(values.limit, '--limit', 1),
        });
        if (ctx.out.json) {
          ctx.out.printJson(page);
          return EXIT.ok;
        }
        ctx.out.table(
          page.items,
          [
            { header: 'ID', value: (r) => r.promotion.id },
            { header: 'KIND', value: (r) => r.promotion.kind },
            { header: 'NAME', value: (r) => r.promotion.name.en, max: 32 },
            { header: 'OFFER', value: (r) => offer(r.promotion), max: 28 },
            { header: 'WINDOW', value: (r) => `${r.promotion.window.from}..${r.promotion.window.to}` },
            { header: 'SCOPE', value: (r) => scopeText(r.promotion), max: 30 },
            { header: 'OWNER', value: (r) => r.owner },
          ],
          '(no promotions)',
        );
        if (page.items.length < page.total)
          ctx.out.note(`${page.items.length} of ${page.total} promotions; --limit N for more`);
        return EXIT.ok;
      }
      case 'get': {
        const id = required(target, 'the promotion ID', 'promotions');
        const record = await ctx.api().get<PromotionRecord>(`/api/promotions/${encodeURIComponent(id)}`);
        // A promotion's fields depend on its kind: its JSON is the readable form (and what `put` takes back).
        ctx.out.printJson(ctx.out.json ? record : record.promotion);
        return EXIT.ok;
      }
      case 'put': {
        const file = required(target, 'the FILE holding the promotion', 'promotions');
        let promotion: { id?: unknown };
        try {
          promotion = JSON.parse(readFileSync(file, 'utf8')) as { id?: unknown };
        } catch (err) {
          throw usageError(`cannot read ${file} as JSON: ${(err as Error).message}`);
        }
        if (typeof promotion?.id !== 'string') throw usageError(`${file} has no "id"`);
        const record = await ctx
          .api()
          .put<PromotionRecord>(`/api/promotions/${encodeURIComponent(promotion.id)}`, promotion);
        if (ctx.out.json) {
          ctx.out.printJson(record);
          return EXIT.ok;
        }
        ctx.out.line(`Promotion ${record.promotion.id} (${record.promotion.kind}) saved.`);
        return EXIT.ok;
      }
      case 'delete': {
        const id = required(target, 'the promotion ID', 'promotions');
        await ctx.api().delete(`/api/promotions/${encodeURIComponent(id)}`);
        if (!ctx.out.json) ctx.out.line(`Promotion ${id} deleted.`);
        return EXIT.ok;
      }
      default:
        throw usageError(`unknown command: promotions ${action}`, 'see `fleetctl promotions --help`');
    }
  },
};

function offer(p: Promotion): string {
  switch (p.kind) {
    case 'percent_off':
      return `${p.percentOff}% off`;
    case 'amount_off':
      return `${yuan(p.amountOffFen)} off`;
    case 'multi_buy':
      return `${p.quantity} for ${yuan(p.priceFen)}`;
    case 'buy_x_get_y':
      return `buy ${p.buy} get ${p.get} ${p.getPercentOff === 100 ? 'free' : `${p.getPercentOff}% off`}`;
    case 'spend_threshold':
      return `${yuan(p.minSpendFen)} - ${yuan(p.amountOffFen)}${p.repeat ? ' (repeats)' : ''}`;
    case 'member_price':
      return `members ${yuan(p.priceFen)}`;
  }
}

function scopeText(p: Promotion): string {
  const parts = [...p.scope.storeIds, ...p.scope.regions.map((r) => `region ${r}`)];
  return parts.length === 0 ? 'chain' : parts.join(', ');
}
