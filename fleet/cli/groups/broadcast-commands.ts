import { readFileSync } from 'node:fs';
import type { Calendar, CampaignRecord, OptRecord } from '../../../protocol/api/broadcast-schedule.ts';
import { CAMPAIGN_LAYERS } from '../../../protocol/api/broadcast-schedule.ts';
import {
  type CliContext,
  type CommandGroup,
  groupHelp,
  integerOption,
  parseCommand,
  required,
} from '../cli-context.ts';
import { EXIT, usageError } from '../cli-error.ts';

export const broadcastCommands: CommandGroup = {
  name: 'broadcast',
  summary: 'campaigns (list, show, create, opt out) and a store’s broadcast calendar',
  help: `fleetctl broadcast — store broadcast schedules

  fleetctl broadcast campaigns list [--store ID] [--layer LAYER]
  fleetctl broadcast campaigns show ID
  fleetctl broadcast campaigns create --file campaign.json   created or replaced (its id names it)
  fleetctl broadcast campaigns optout ID --store ID [--undo]  leave an opt_out campaign (--undo: rejoin)
  fleetctl broadcast campaigns optin ID --store ID [--undo]   join an opt_in campaign
  fleetctl broadcast calendar --store ID [--from DATE] [--days N] [--thing NAME] [--dropped]

Layers: ${CAMPAIGN_LAYERS.join(', ')}. The calendar prints, per speaker and local day, what plays when
and which layer won (times in the store's zone); --dropped adds what was left out and why.
A store manager creates store campaigns (layer store_campaign) for their own store only.

Examples:
  fleetctl broadcast campaigns list --store hf-shanghai-xuhui
  fleetctl broadcast campaigns create --file weekend-deals.json
  fleetctl broadcast campaigns optout spring-sale --store hf-shanghai-xuhui
  fleetctl broadcast calendar --store hf-shanghai-xuhui --days 1 --dropped`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {
      store: { type: 'string' },
      layer: { type: 'string' },
      file: { type: 'string' },
      undo: { type: 'boolean', default: false },
      from: { type: 'string' },
      days: { type: 'string' },
      thing: { type: 'string' },
      dropped: { type: 'boolean', default: false },
    });
    const [group, action, target] = positionals;
    if (values.help || !group) return groupHelp(ctx, this, values.help);
    if (group === 'calendar') {
      const store = required(values.store, '--store ID', 'broadcast');
      let from: number | undefined;
      if (values.from !== undefined) {
        from = Date.parse(values.from);
        if (Number.isNaN(from))
          throw usageError(`--from must be a time like 2026-03-09T00:00+08:00, not '${values.from}'`);
      }
      const calendar = await ctx.api().get<Calendar>(`/api/broadcast/stores/${encodeURIComponent(store)}/calendar`, {
        from,
        days: integerOption(values.days, '--days', 1),
        thingName: values.thing,
      });
      if (ctx.out.json) ctx.out.printJson(calendar);
      else printCalendar(ctx, calendar, values.dropped);
      return EXIT.ok;
    }
    if (group !== 'campaigns')
      throw usageError(`unknown command: broadcast ${group}`, 'see `fleetctl broadcast --help`');
    switch (action) {
      case 'list': {
        if (values.layer && !(CAMPAIGN_LAYERS as readonly string[]).includes(values.layer)) {
          throw usageError(`--layer must be one of ${CAMPAIGN_LAYERS.join(', ')}`);
        }
        const records = await ctx
          .api()
          .get<CampaignRecord[]>('/api/broadcast/campaigns', { storeId: values.store, layer: values.layer });
        if (ctx.out.json) {
          ctx.out.printJson(records);
          return EXIT.ok;
        }
        ctx.out.table(
          records,
          [
            { header: 'ID', value: (r) => r.campaign.id },
            { header: 'KIND', value: (r) => r.campaign.kind },
            { header: 'LAYER', value: (r) => r.campaign.layer },
            { header: 'NAME', value: (r) => r.campaign.name, max: 28 },
            { header: 'RULE', value: (r) => r.campaign.recurrence.rule, max: 40 },
            { header: 'ENTRY', value: (r) => r.campaign.entry },
            { header: 'POLICY', value: (r) => r.campaign.optPolicy },
            { header: 'STORES', value: (r) => storesText(r), max: 30 },
          ],
          '(no campaigns)',
        );
        return EXIT.ok;
      }
      case 'show': {
        const id = required(target, 'the campaign ID', 'broadcast campaigns');
        const record = await ctx.api().get<CampaignRecord>(`/api/broadcast/campaigns/${encodeURIComponent(id)}`);
        // The JSON is the readable form, and what `create --file` takes back.
        ctx.out.printJson(ctx.out.json ? record : record.campaign);
        return EXIT.ok;
      }
      case 'create': {
        const file = required(values.file, '--file FILE holding the campaign', 'broadcast campaigns');
        let campaign: { id?: unknown };
        try {
          campaign = JSON.parse(readFileSync(file, 'utf8')) as { id?: unknown };
        } catch (err) {
          throw usageError(`cannot read ${file} as JSON: ${(err as Error).message}`);
        }
        if (typeof campaign?.id !== 'string') throw usageError(`${file} has no "id"`);
        const record = await ctx
          .api()
          .put<CampaignRecord>(`/api/broadcast/campaigns/${encodeURIComponent(campaign.id)}`, campaign);
        if (ctx.out.json) ctx.out.printJson(record);
        else ctx.out.line(`Campaign ${record.campaign.id} (${record.campaign.layer}) saved.`);
        return EXIT.ok;
      }
      case 'optout':
      case 'optin': {
        const id = required(target, 'the campaign ID', 'broadcast campaigns');
        const store = required(values.store, '--store ID', 'broadcast campaigns');
        const decision = values.undo ? null : action === 'optout' ? 'out' : 'in';
        const record = await ctx
          .api()
          .put<OptRecord | null>(
            `/api/broadcast/stores/${encodeURIComponent(store)}/campaigns/${encodeURIComponent(id)}/opt`,
            { decision },
          );
        if (ctx.out.json) ctx.out.printJson(record);
        else
          ctx.out.line(
            record
              ? `Store ${store} opted ${record.decision} of ${id}.`
              : `Store ${store}: decision on ${id} taken back.`,
          );
        return EXIT.ok;
      }
      default:
        throw usageError(
          `unknown command: broadcast campaigns ${action ?? ''}`.trim(),
          'see `fleetctl broadcast --help`',
        );
    }
  },
};

function storesText(r: CampaignRecord): string {
  const s = r.campaign.stores;
  if (s.all) return 'all';
  return [...s.storeIds, ...s.regions.map((x) => `region ${x}`), ...s.tags.map((t) => `tag ${t}`)].join(', ');
}

/** A week (or the days asked) per speaker: one row per entry, in local time, music windows and announcements. */
function printCalendar(ctx: CliContext, calendar: Calendar, withDropped: boolean): void {
  const day = new Intl.DateTimeFormat('en-CA', {
    timeZone: calendar.timeZone,
    weekday: 'short',
    month: '2-digit',
    day: '2-digit',
  });
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone: calendar.timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const hm = (t: number) => time.format(t);
  ctx.out.line(
    `Store ${calendar.storeId} (${calendar.timeZone}), ${day.format(calendar.from)} .. ${day.format(calendar.to - 1)}`,
  );
  for (const speaker of calendar.speakers) {
    const title = new Map(speaker.assets.map((a) => [a.sha256, a.title]));
    const name = (sha: string | null) => (sha ? (title.get(sha) ?? sha.slice(0, 12)) : '');
    interface Row {
      at: number;
      until: number;
      what: string;
      detail: string;
      layer: string;
      why: string;
    }
    const rows: Row[] = [
      ...speaker.music.map((w) => ({
        at: w.from,
        until: w.to,
        what: 'music',
        detail: `${w.playlist.length} tracks${w.shuffleSeed === null ? '' : ', shuffled'}: ${w.playlist.map(name).join(', ')}`,
        layer: w.reason.layer,
        why: `${w.reason.source}${w.reason.note ? `; ${w.reason.note}` : ''}`,
      })),
      ...speaker.items.map((i) => ({
        at: i.at,
        until: i.at + i.durationMs,
        what: i.entry,
        detail: name(i.sha256),
        layer: i.reason.layer,
        why: `${i.reason.source}${i.reason.note ? `; ${i.reason.note}` : ''}`,
      })),
      ...(withDropped
        ? speaker.dropped.map((d) => ({
            at: d.at,
            until: d.until,
            what: `dropped ${d.kind}`,
            detail: name(d.sha256),
            layer: d.layer,
            why: `${d.source}: ${d.why}`,
          }))
        : []),
    ].sort((a, b) => a.at - b.at);
    ctx.out.line();
    ctx.out.line(
      `${speaker.thingName} (${speaker.role})${speaker.promo ? `, promo ${speaker.promo.campaignId}: ${speaker.promo.windows.length} windows` : ''}`,
    );
    ctx.out.table(
      rows,
      [
        { header: 'DAY', value: (r) => day.format(r.at) },
        { header: 'FROM', value: (r) => hm(r.at) },
        { header: 'TO', value: (r) => hm(r.until) },
        { header: 'WHAT', value: (r) => r.what },
        { header: 'LAYER', value: (r) => r.layer },
        { header: 'CONTENT', value: (r) => r.detail, max: 40 },
        { header: 'WHY', value: (r) => r.why, max: 60 },
      ],
      '(nothing scheduled)',
    );
    const volume = speaker.volume.map(
      (v) => `${day.format(v.from)} ${hm(v.from).slice(0, 5)}-${hm(v.to).slice(0, 5)} ${v.volume}`,
    );
    if (volume.length > 0)
      ctx.out.line(
        `volume (quiet otherwise): ${volume.slice(0, 4).join('; ')}${volume.length > 4 ? ` … (${volume.length} spans)` : ''}`,
      );
    if (!withDropped && speaker.dropped.length > 0)
      ctx.out.note(`${speaker.dropped.length} entries dropped; --dropped shows why`);
  }
}
