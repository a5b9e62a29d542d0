import type { FieldAccuracyReport, ShareFigure } from '../../../protocol/api/vision.ts';
import { type CommandGroup, groupHelp, parseCommand } from '../cli-context.ts';
import { EXIT, usageError } from '../cli-error.ts';

export const visionCommands: CommandGroup = {
  name: 'vision',
  summary: 'Product recognition in the field: accuracy by product and model version',
  help: `fleetctl vision — how well carts recognise products (issue 11)

  fleetctl vision accuracy [--store STORE] [--from ISO] [--to ISO]
        vision top-1, top-1 with the weight and zone priors, and decisions right, against what the barcode, the
        shopper's pick or an attendant said; overall, by model version and by product (default: the last 7 days;
        without --store: the chain for HQ, your stores otherwise). Each rate with its count and 95 % interval.

Examples:
  fleetctl vision accuracy --store hf-shanghai-xuhui --from 2027-01-01
  fleetctl vision accuracy --json`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {
      store: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
    });
    const [action] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    if (action !== 'accuracy') throw usageError(`unknown vision command '${action}' (fleetctl vision --help)`);
    const report = await ctx.api().get<FieldAccuracyReport>('/api/vision/accuracy', {
      storeId: values.store,
      from: time(values.from, '--from'),
      to: time(values.to, '--to'),
    });
    if (ctx.out.json) {
      ctx.out.printJson(report);
      return EXIT.ok;
    }
    ctx.out.fields([
      ['scope', report.storeId ?? 'chain (your stores)'],
      ['range', `${new Date(report.from).toISOString()} – ${new Date(report.to).toISOString()}`],
      ['records', `${report.records}${report.truncated ? ' (the newest; more in the range)' : ''}`],
      ['pending', report.pending],
      ['without truth', report.withoutTruth],
    ]);
    const groups = [report.overall, ...report.byModelVersion, ...report.bySku];
    const label = (i: number) =>
      i === 0 ? 'overall' : i <= report.byModelVersion.length ? `model ${groups[i]!.key ?? 'none'}` : groups[i]!.key;
    ctx.out.table(
      groups.map((g, i) => ({ g, name: label(i) })),
      [
        { header: 'GROUP', value: (r) => r.name ?? '' },
        { header: 'RECORDS', value: (r) => r.g.records, align: 'right' },
        { header: 'VISION TOP-1', value: (r) => rate(r.g.visionTop1) },
        { header: 'WITH PRIORS', value: (r) => rate(r.g.fusedTop1) },
        { header: 'DECISION RIGHT', value: (r) => rate(r.g.decisionCorrect) },
        { header: 'WRONG ADDS', value: (r) => r.g.wrongAdds, align: 'right' },
      ],
    );
    return EXIT.ok;
  },
};

function rate(s: ShareFigure): string {
  if (s.rate === null) return '-';
  const pct = (v: number | null) => `${Math.round((v ?? 0) * 1000) / 10}`;
  return `${pct(s.rate)} % (${s.hits}/${s.n}, ${pct(s.low)}–${pct(s.high)})`;
}

function time(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw usageError(`${name}: an ISO 8601 time or epoch milliseconds`);
  return ms;
}
