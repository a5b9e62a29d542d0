import { ALERT_STATE_FILTERS, type Alert, type AlertPage } from '../../../protocol/api/alerts.ts';
import { type CommandGroup, groupHelp, integerOption, parseCommand, required } from '../cli-context.ts';
import { EXIT, usageError } from '../cli-error.ts';
import type { Colour } from '../output.ts';

const STATES: readonly string[] = [...ALERT_STATE_FILTERS, 'all'];

export const alertCommands: CommandGroup = {
  name: 'alerts',
  summary: 'list, acknowledge and resolve alerts',
  help: `fleetctl alerts — alerts in your scope (battery-low, offline, temperature-high, fault)

  fleetctl alerts list [--state active|open|acknowledged|resolved|all] [--store ID] [--device THING]
                       [--severity warning|critical] [--limit N]
  fleetctl alerts ack ID [--note TEXT]
  fleetctl alerts resolve ID [--note TEXT]

--state defaults to active (open or acknowledged), newest first.

Examples:
  fleetctl alerts list --store hf-shanghai-xuhui --severity critical
  fleetctl alerts ack 42 --note "cart brought to the dock"
  fleetctl alerts resolve 42`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {
      state: { type: 'string' },
      store: { type: 'string' },
      device: { type: 'string' },
      severity: { type: 'string' },
      limit: { type: 'string' },
      note: { type: 'string' },
    });
    const [action, target] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    switch (action) {
      case 'list': {
        const state = values.state ?? 'active';
        if (!STATES.includes(state)) throw usageError(`--state must be one of ${STATES.join(', ')}`);
        const page = await ctx.api().get<AlertPage>('/api/alerts', {
          state: state === 'all' ? undefined : state,
          storeId: values.store,
          thingName: values.device,
          severity: values.severity,
          limit: integerOption(values.limit, '--limit', 1),
        });
        if (ctx.out.json) {
          ctx.out.printJson(page);
          return EXIT.ok;
        }
        ctx.out.table(
          page.items,
          [
            { header: 'ID', value: (a) => a.id, align: 'right' },
            { header: 'SEVERITY', value: (a) => a.severity, colour: (a) => severityColour(a) },
            { header: 'STATE', value: (a) => a.state },
            { header: 'CAUSE', value: (a) => a.cause },
            { header: 'DEVICE', value: (a) => a.thingName, max: 32 },
            { header: 'STORE', value: (a) => a.storeId, max: 24 },
            { header: 'OPENED', value: (a) => ctx.out.ago(a.openedAt) },
            { header: 'MESSAGE', value: (a) => a.message, max: 60 },
          ],
          '(no alerts)',
        );
        if (page.items.length < page.total)
          ctx.out.note(`${page.items.length} of ${page.total} alerts; --limit N for more`);
        return EXIT.ok;
      }
      case 'ack':
      case 'acknowledge':
      case 'resolve': {
        const id = integerOption(required(target, 'the alert ID', 'alerts'), 'ID', 1) as number;
        const verb = action === 'resolve' ? 'resolve' : 'acknowledge';
        const alert = await ctx
          .api()
          .post<Alert>(`/api/alerts/${id}/${verb}`, values.note ? { note: values.note } : {});
        if (ctx.out.json) {
          ctx.out.printJson(alert);
          return EXIT.ok;
        }
        ctx.out.line(`Alert ${alert.id} (${alert.cause} on ${alert.thingName}) is ${alert.state}.`);
        return EXIT.ok;
      }
      default:
        throw usageError(`unknown command: alerts ${action}`, 'see `fleetctl alerts --help`');
    }
  },
};

function severityColour(a: Alert): Colour | undefined {
  if (a.state === 'resolved') return 'grey';
  return a.severity === 'critical' ? 'red' : 'yellow';
}
