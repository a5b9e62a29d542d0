import type { MetricValue } from '../../protocol/telemetry.ts';
import type { Principal } from '../access/principal.ts';
import { inScope } from '../access/principal.ts';
import type { PresenceRecord } from '../presence/presence-repository.ts';
import type { PresenceService } from '../presence/presence-service.ts';
import type { DeviceRegistry } from '../registry/device-registry.ts';
import type { DeviceKind, Thing } from '../registry/registry-types.ts';
import { computeDelta } from '../shadow/shadow-document.ts';
import type { ShadowService } from '../shadow/shadow-service.ts';
import type { TelemetryIngest } from '../telemetry/telemetry-ingest.ts';

export type PresenceFilter = 'online' | 'offline' | 'never';
export const DEVICE_SORTS = ['thingName', 'kind', 'storeId', 'battery', 'lastSeen', 'softwareVersion'] as const;
export type DeviceSort = (typeof DEVICE_SORTS)[number];

export interface DeviceSummary {
  thingName: string;
  kind: DeviceKind;
  hardwareModel: string;
  storeId: string | null;
  zoneId: string | null;
  tags: string[];
  softwareVersion: string | null;
  presence: { state: PresenceFilter; since: number | null; disconnectReason: string | null };
  battery: number | null;
  charging: boolean | null;
  temperature: number | null;
  zone: string | null;
  lastSeen: number | null;
  openAlerts: number;
  provisioning: string;
}

export interface DeviceQuery {
  kind?: DeviceKind;
  storeId?: string;
  zoneId?: string;
  presence?: PresenceFilter;
  batteryBelow?: number;
  batteryAbove?: number;
  softwareVersion?: string;
  tag?: string;
  q?: string;
  sort: DeviceSort;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** Open alert counts by thing name, from the alerts subsystem (absent until it runs). */
export type OpenAlertCounts = () => ReadonlyMap<string, number>;

/**
 * The devices as the console and the API show them: registry entry, presence, the latest battery, temperature
 * and zone, open alerts. Built from in-memory state (latest telemetry, one presence read per request), so listing
 * a chain's devices costs no per-device query.
 */
export class DeviceView {
  constructor(
    private readonly registry: DeviceRegistry,
    private readonly presence: PresenceService,
    private readonly telemetry: TelemetryIngest,
    private readonly shadows: ShadowService,
    private readonly openAlerts: OpenAlertCounts,
  ) {}

  /** The thing if it exists and the principal may see it; scope misses look exactly like unknown things. */
  visibleThing(principal: Principal, thingName: string): Thing | undefined {
    const thing = this.registry.getThing(thingName);
    return thing && inScope(principal, thing.storeId) ? thing : undefined;
  }

  visibleThings(principal: Principal): Thing[] {
    return this.registry.listThings().filter((t) => inScope(principal, t.storeId));
  }

  list(principal: Principal, query: DeviceQuery): { items: DeviceSummary[]; total: number } {
    const presence = this.presenceMap();
    const alerts = this.openAlerts();
    let rows = this.visibleThings(principal).map((t) => this.summarize(t, presence.get(t.thingName), alerts));
    rows = rows.filter((d) => matches(d, query));
    const dir = query.order === 'desc' ? -1 : 1;
    const key = sortKey(query.sort);
    rows.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      // Unknown values (no battery reading yet...) sort last either way.
      if (x === null || y === null) return x === y ? a.thingName.localeCompare(b.thingName) : x === null ? 1 : -1;
      const c = x < y ? -1 : x > y ? 1 : 0;
      return c !== 0 ? c * dir : a.thingName.localeCompare(b.thingName);
    });
    return { items: rows.slice(query.offset, query.offset + query.limit), total: rows.length };
  }

  summaryOf(thing: Thing): DeviceSummary {
    return this.summarize(thing, this.presence.get(thing.thingName), this.openAlerts());
  }

  summariesOf(things: Thing[]): DeviceSummary[] {
    const presence = this.presenceMap();
    const alerts = this.openAlerts();
    return things.map((t) => this.summarize(t, presence.get(t.thingName), alerts));
  }

  detailOf(thing: Thing): object {
    const { shadows, telemetry, registry } = this;
    const named: Record<string, object> = {};
    for (const name of shadows.namesOf(thing.thingName)) {
      if (name === undefined) continue;
      const shadow = this.shadowOf(thing.thingName, name);
      if (shadow) named[name] = shadow;
    }
    return {
      ...this.summaryOf(thing),
      createdAt: thing.createdAt,
      updatedAt: thing.updatedAt,
      latest: telemetry.latestOf(thing.thingName),
      shadow: this.shadowOf(thing.thingName, undefined),
      namedShadows: named,
      certificates: registry.certificatesOf(thing.thingName).map(({ certificatePem: _pem, ...rest }) => rest),
    };
  }

  shadowOf(thingName: string, shadowName: string | undefined): object | null {
    const shadow = this.shadows.find(thingName, shadowName);
    if (!shadow) return null;
    const desired = shadow.state.desired ?? null;
    const reported = shadow.state.reported ?? null;
    return {
      desired,
      reported,
      delta: computeDelta(desired ?? undefined, reported ?? undefined) ?? null,
      version: shadow.version,
      metadata: shadow.metadata ?? null,
    };
  }

  private presenceMap(): Map<string, PresenceRecord> {
    return new Map(this.presence.list().map((p) => [p.clientId, p]));
  }

  private summarize(
    thing: Thing,
    presence: PresenceRecord | undefined,
    alerts: ReadonlyMap<string, number>,
  ): DeviceSummary {
    const latest = this.telemetry.latestOf(thing.thingName);
    const tel = latest.telemetry?.metrics ?? {};
    const health = latest.health?.metrics ?? {};
    let lastSeen: number | null = null;
    for (const values of Object.values(latest)) if (values) lastSeen = Math.max(lastSeen ?? 0, values.receivedAt);
    if (presence?.state === 'online') lastSeen = Date.now();
    else if (presence?.disconnectedAt) lastSeen = Math.max(lastSeen ?? 0, presence.disconnectedAt);
    return {
      thingName: thing.thingName,
      kind: thing.kind,
      hardwareModel: thing.hardwareModel,
      storeId: thing.storeId,
      zoneId: thing.zoneId,
      tags: thing.tags,
      softwareVersion: thing.softwareVersion,
      presence: presence
        ? {
            state: presence.state,
            since: presence.state === 'online' ? presence.connectedAt : presence.disconnectedAt,
            disconnectReason: presence.state === 'offline' ? presence.disconnectReason : null,
          }
        : { state: 'never', since: null, disconnectReason: null },
      battery: numberOf(tel['battery.percent'] ?? health['battery.percent']),
      charging: typeof tel['battery.charging'] === 'boolean' ? tel['battery.charging'] : null,
      temperature: numberOf(health['temperature.c'] ?? tel['temperature.c']),
      zone: typeof tel.zone === 'string' ? tel.zone : null,
      lastSeen,
      openAlerts: alerts.get(thing.thingName) ?? 0,
      provisioning: (thing as Thing & { provisioning?: string }).provisioning ?? 'active',
    };
  }
}

function numberOf(value: MetricValue | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function matches(d: DeviceSummary, q: DeviceQuery): boolean {
  if (q.kind && d.kind !== q.kind) return false;
  if (q.storeId && d.storeId !== q.storeId) return false;
  if (q.zoneId && d.zoneId !== q.zoneId && d.zone !== q.zoneId) return false;
  if (q.presence && d.presence.state !== q.presence) return false;
  if (q.batteryBelow !== undefined && (d.battery === null || d.battery >= q.batteryBelow)) return false;
  if (q.batteryAbove !== undefined && (d.battery === null || d.battery <= q.batteryAbove)) return false;
  if (q.softwareVersion && d.softwareVersion !== q.softwareVersion) return false;
  if (q.tag && !d.tags.includes(q.tag)) return false;
  // A prefix, as docs/api.md and the console's search box ("Thing name starts with…") promise.
  if (q.q && !d.thingName.toLowerCase().startsWith(q.q.toLowerCase())) return false;
  return true;
}

function sortKey(sort: DeviceSort): (d: DeviceSummary) => string | number | null {
  switch (sort) {
    case 'thingName':
      return (d) => d.thingName;
    case 'kind':
      return (d) => d.kind;
    case 'storeId':
      return (d) => d.storeId;
    case 'battery':
      return (d) => d.battery;
    case 'lastSeen':
      return (d) => d.lastSeen;
    case 'softwareVersion':
      return (d) => d.softwareVersion;
  }
}
