import type { Store } from '../../../protocol/api/stores.ts';
import { type CommandGroup, groupHelp, parseCommand, required } from '../cli-context.ts';
import { EXIT, usageError } from '../cli-error.ts';

export const storeCommands: CommandGroup = {
  name: 'stores',
  summary: 'the stores you can see, with their floor zones',
  help: `fleetctl stores — stores in your scope

  fleetctl stores list
  fleetctl stores show STORE_ID      the store and its zones (polygons in metres)

Examples:
  fleetctl stores list
  fleetctl stores show hf-shanghai-xuhui --json`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {});
    const [action, target] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    switch (action) {
      case 'list': {
        const stores = await ctx.api().get<Store[]>('/api/stores');
        if (ctx.out.json) {
          ctx.out.printJson(stores);
          return EXIT.ok;
        }
        ctx.out.table(stores, [
          { header: 'ID', value: (s) => s.id },
          { header: 'NAME', value: (s) => s.name, max: 40 },
          { header: 'REGION', value: (s) => s.region },
          { header: 'TIME ZONE', value: (s) => s.timeZone },
          { header: 'ZONES', value: (s) => s.zones.length, align: 'right' },
        ]);
        return EXIT.ok;
      }
      case 'show': {
        const id = required(target, 'STORE_ID', 'stores');
        const store = await ctx.api().get<Store>(`/api/stores/${encodeURIComponent(id)}`);
        if (ctx.out.json) {
          ctx.out.printJson(store);
          return EXIT.ok;
        }
        ctx.out.fields([
          ['id', store.id],
          ['name', store.name],
          ['chain', store.chainId],
          ['region', store.region],
          ['time zone', store.timeZone],
          [
            'address',
            `${store.address.street}, ${store.address.postcode} ${store.address.city}, ${store.address.country}`,
          ],
          [
            'opening hours',
            Object.entries(store.openingHours)
              .map(([day, spans]) => `${day} ${spans.map(([from, to]) => `${from}-${to}`).join(' ') || 'closed'}`)
              .join(', '),
          ],
        ]);
        ctx.out.heading(`Zones (${store.zones.length})`);
        ctx.out.table(store.zones, [
          { header: 'ID', value: (z) => z.id },
          { header: 'NAME', value: (z) => z.name, max: 30 },
          { header: 'KIND', value: (z) => z.kind },
          { header: 'CORNERS', value: (z) => z.polygon.length, align: 'right' },
        ]);
        return EXIT.ok;
      }
      default:
        throw usageError(`unknown command: stores ${action}`, 'see `fleetctl stores --help`');
    }
  },
};
