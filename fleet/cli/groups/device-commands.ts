import type { DeviceDetail, DevicePage, DeviceSummary } from '../../../protocol/api/devices.ts';
import {
  type CliContext,
  type CommandGroup,
  groupHelp,
  integerOption,
  parseCommand,
  required,
} from '../cli-context.ts';
import { usageError } from '../cli-error.ts';
import type { Colour } from '../output.ts';
import { addDevice, revokeDevice, setDesired } from './device-changes.ts';

/** The API's page size limit (docs/api.md: `limit ≤ 500`). */
const MAX_PAGE = 500;

export const deviceCommands: CommandGroup = {
  name: 'devices',
  summary: 'list, show, register and revoke devices; set desired state',
  help: `fleetctl devices — carts and speakers in your scope

  fleetctl devices list [--kind cart|speaker] [--store ID] [--zone ID] [--presence online|offline|never]
                        [--battery-below N] [--version V] [--tag T] [--prefix P]
                        [--sort thingName|kind|storeId|battery|lastSeen|softwareVersion] [--order asc|desc]
                        [--limit N] [--all]
  fleetctl devices show THING                 identity, presence, battery, shadow (desired/reported/delta), certificates
  fleetctl devices add THING --kind cart|speaker --store ID [--model M] [--zone ID] [--tags a,b] [--out DIR]
                                              register; writes cert.pem, key.pem (0600), ca.pem, thing.json to DIR
                                              (default ./THING); the private key is never printed
  fleetctl devices revoke THING --reason TEXT revoke every certificate; the live connection is dropped
  fleetctl devices set THING key=value...     change desired state; numbers and true/false are parsed,
                        [--shadow NAME] [--version N]   key=null deletes the key, key='"42"' keeps a string

--limit is the page size (default 50, at most 500); --all fetches every page (progress on stderr).
--json prints the API's JSON (for add: the device and where the bundle went, never the key).

Examples:
  fleetctl devices list --store hf-shanghai-xuhui --presence offline
  fleetctl devices list --kind cart --battery-below 20 --sort battery
  fleetctl devices list --all --json > devices.json
  fleetctl devices show cart-xuhui-101
  fleetctl devices add cart-xuhui-120 --kind cart --store hf-shanghai-xuhui --zone hf-shanghai-xuhui-dock --out ./cart-xuhui-120
  fleetctl devices set spk-xuhui-001 volume=40
  fleetctl devices set cart-xuhui-101 brightness=null
  fleetctl devices revoke cart-xuhui-101 --reason "stolen"`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {
      kind: { type: 'string' },
      store: { type: 'string' },
      zone: { type: 'string' },
      presence: { type: 'string' },
      'battery-below': { type: 'string' },
      version: { type: 'string' },
      tag: { type: 'string' },
      prefix: { type: 'string' },
      sort: { type: 'string' },
      order: { type: 'string' },
      limit: { type: 'string' },
      all: { type: 'boolean', default: false },
      model: { type: 'string' },
      tags: { type: 'string' },
      out: { type: 'string' },
      reason: { type: 'string' },
      shadow: { type: 'string' },
      thing: { type: 'string' },
    });
    const [action, target, ...rest] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    if (values.thing) {
      throw usageError(
        '--thing belongs to `fleetctl local devices ...` (the data dir)',
        'over the API the thing is the first argument: fleetctl devices add THING ...',
      );
    }
    switch (action) {
      case 'list':
        return listDevices(ctx, values);
      case 'show':
        return showDevice(ctx, required(target, 'THING', 'devices'));
      case 'add':
        return addDevice(ctx, required(target, 'THING', 'devices'), values);
      case 'revoke':
        return revokeDevice(ctx, required(target, 'THING', 'devices'), values.reason);
      case 'set':
        return setDesired(ctx, required(target, 'THING', 'devices'), rest, values);
      default:
        throw usageError(`unknown command: devices ${action}`, 'see `fleetctl devices --help`');
    }
  },
};

interface ListOptions {
  kind?: string;
  store?: string;
  zone?: string;
  presence?: string;
  'battery-below'?: string;
  version?: string;
  tag?: string;
  prefix?: string;
  sort?: string;
  order?: string;
  limit?: string;
  all?: boolean;
}

async function listDevices(ctx: CliContext, o: ListOptions): Promise<number> {
  const pageSize = integerOption(o.limit, '--limit', 1) ?? (o.all ? MAX_PAGE : 50);
  if (pageSize > MAX_PAGE) throw usageError(`--limit is at most ${MAX_PAGE}`);
  const batteryBelow = o['battery-below'] === undefined ? undefined : Number(o['battery-below']);
  if (batteryBelow !== undefined && !(batteryBelow >= 0 && batteryBelow <= 100)) {
    throw usageError('--battery-below must be a number from 0 to 100');
  }
  const query = {
    kind: o.kind,
    storeId: o.store,
    zoneId: o.zone,
    presence: o.presence,
    batteryBelow,
    softwareVersion: o.version,
    tag: o.tag,
    q: o.prefix,
    sort: o.sort,
    order: o.order,
    limit: pageSize,
  };
  const api = ctx.api();
  let page = await api.get<DevicePage>('/api/devices', { ...query, offset: 0 });
  const items = [...page.items];
  if (o.all) {
    while (items.length < page.total && page.items.length > 0) {
      ctx.out.progress(`fetching devices: ${items.length}/${page.total}`);
      page = await api.get<DevicePage>('/api/devices', { ...query, offset: items.length });
      items.push(...page.items);
    }
    ctx.out.progress(`fetching devices: ${items.length}/${page.total}`);
    ctx.out.clearProgress();
  }
  if (ctx.out.json) {
    ctx.out.printJson(o.all ? { items, total: page.total, limit: items.length, offset: 0 } : page);
    return 0;
  }
  ctx.out.table(
    items,
    [
      { header: 'THING', value: (d) => d.thingName, max: 40 },
      { header: 'KIND', value: (d) => d.kind },
      { header: 'STORE', value: (d) => d.storeId, max: 24 },
      { header: 'ZONE', value: (d) => d.zone ?? d.zoneId, max: 28 },
      { header: 'PRESENCE', value: (d) => presenceText(ctx, d), colour: (d) => presenceColour(d.presence.state) },
      { header: 'BATTERY', value: (d) => batteryText(d), align: 'right', colour: (d) => batteryColour(d.battery) },
      { header: 'VERSION', value: (d) => d.softwareVersion, max: 12 },
      {
        header: 'ALERTS',
        value: (d) => d.openAlerts || '',
        align: 'right',
        colour: (d) => (d.openAlerts ? 'red' : undefined),
      },
      { header: 'LAST SEEN', value: (d) => ctx.out.ago(d.lastSeen) },
    ],
    '(no devices match)',
  );
  if (!o.all && items.length < page.total) {
    ctx.out.note(`${items.length} of ${page.total} devices; --all for every one, or --limit N`);
  }
  return 0;
}

async function showDevice(ctx: CliContext, thingName: string): Promise<number> {
  const d = await ctx.api().get<DeviceDetail>(`/api/devices/${encodeURIComponent(thingName)}`);
  if (ctx.out.json) {
    ctx.out.printJson(d);
    return 0;
  }
  const { out } = ctx;
  out.fields([
    ['thing', d.thingName],
    ['kind', `${d.kind} (${d.hardwareModel})`],
    ['store', d.storeId],
    ['zone', d.zone && d.zone !== d.zoneId ? `${d.zone} (registered in ${d.zoneId ?? '-'})` : d.zoneId],
    ['tags', d.tags.join(', ')],
    ['software', d.softwareVersion],
    ['provisioning', d.provisioning],
    [
      'presence',
      out.paint(presenceText(ctx, d), presenceColour(d.presence.state)) +
        (d.presence.disconnectReason && d.presence.state !== 'online' ? ` (${d.presence.disconnectReason})` : ''),
    ],
    ['battery', d.battery === null ? null : out.paint(batteryText(d), batteryColour(d.battery))],
    ['temperature', d.temperature === null ? null : `${d.temperature} °C`],
    ['last seen', out.ago(d.lastSeen)],
    ['open alerts', d.openAlerts],
  ]);
  const shadows: [string, DeviceDetail['shadow']][] = [
    ['Shadow', d.shadow],
    ...Object.entries(d.namedShadows).map(([name, s]): [string, DeviceDetail['shadow']] => [`Shadow '${name}'`, s]),
  ];
  for (const [title, shadow] of shadows) {
    if (!shadow) {
      out.heading(`${title}: none yet`);
      continue;
    }
    out.heading(`${title} (version ${shadow.version})`);
    out.fields([
      ['desired', jsonText(shadow.desired)],
      ['reported', jsonText(shadow.reported)],
      ['delta', jsonText(shadow.delta)],
    ]);
  }
  out.heading('Certificates');
  out.table(d.certificates, [
    { header: 'ID', value: (c) => c.certificateId.slice(0, 16) },
    { header: 'STATUS', value: (c) => c.status, colour: (c) => (c.status === 'ACTIVE' ? 'green' : 'red') },
    { header: 'ISSUED', value: (c) => out.ago(c.createdAt) },
    { header: 'EXPIRES', value: (c) => new Date(c.notAfter).toISOString().slice(0, 10) },
    { header: 'REVOKED', value: (c) => out.ago(c.revokedAt) },
  ]);
  return 0;
}

function presenceText(ctx: CliContext, d: DeviceSummary): string {
  const { state, since } = d.presence;
  return state === 'never' || since === null ? state : `${state} ${ctx.out.ago(since)}`;
}

function presenceColour(state: string): Colour | undefined {
  return state === 'online' ? 'green' : state === 'offline' ? 'red' : 'grey';
}

function batteryText(d: DeviceSummary): string {
  if (d.battery === null) return '-';
  return `${Math.round(d.battery)}%${d.charging ? ' ⚡' : ''}`;
}

function batteryColour(battery: number | null): Colour | undefined {
  if (battery === null) return undefined;
  return battery < 10 ? 'red' : battery < 20 ? 'yellow' : undefined;
}

function jsonText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = JSON.stringify(value);
  return text === '{}' ? null : text;
}
