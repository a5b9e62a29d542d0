import type { Clock } from '../../platform/clock.ts';
import type { DeviceDetail, DeviceListQuery, DeviceSort, DeviceSummary, Shadow } from '../../protocol/api/devices.ts';
import type { MetricValue } from '../../protocol/telemetry.ts';
import type { Principal } from '../access/principal.ts';
import { inScope } from '../access/principal.ts';
import type { PresenceRecord } from '../presence/presence-repository.ts';
import type { PresenceService } from '../presence/presence-service.ts';
import type { DeviceRegistry } from '../registry/device-registry.ts';
import type { Thing } from '../registry/registry-types.ts';
import { computeDelta } from '../shadow/shadow-document.ts';
import type { ShadowService } from '../shadow/shadow-service.ts';
import type { TelemetryIngest } from '../telemetry/telemetry-ingest.ts';

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
    /** The fleet's clock: an online device is seen now, on the same time line as its presence and telemetry. */
    private readonly clock: Clock,
  ) {}

  /** The thing if it exists and the principal may see it; scope misses look exactly like unknown things. */
  visibleThing(principal: Principal, thingName: string): Thing | undefined {
    const thing = this.registry.getThing(thingName);
    return thing && inScope(principal, thing.storeId) ? thing : undefined;
  }

  visibleThings(principal: Principal): Thing[] {
    const things = this.registry.listThings();
    const stores = principal.storeIds;
    return stores === null ? things : things.filter((t) => t.storeId !== null && stores.has(t.storeId));
  }

  list(principal: Principal, query: DeviceListQuery): { items: DeviceSummary[]; total: number } {
    let things = this.visibleThings(principal);
    if (hasRegistryFilter(query)) things = things.filter((t) => matchesRegistry(t, query));
    const dir = query.order === 'desc' ? -1 : 1;
    if (!needsLiveState(query)) {
      // Filters and sort on registry columns only: summarize just the page (measured: summarizing 10,000 devices
      // is most of a list request's cost once the registry is in memory).
      if (query.sort === 'thingName') {
        // The directory is in thing-name order already (SQLite's binary collation, as JavaScript's `<`).
        if (dir < 0) things.reverse();
      } else {
        const key = registryKey(query.sort);
        things.sort((a, b) => compare(key(a), key(b), dir) || a.thingName.localeCompare(b.thingName));
      }
      const page = things.slice(query.offset, query.offset + query.limit);
      return { items: this.summariesOf(page), total: things.length };
    }
    let rows = this.summariesOf(things).filter((d) => matchesLiveState(d, query));
    const key = sortKey(query.sort);
    rows = rows.sort((a, b) => compare(key(a), key(b), dir) || a.thingName.localeCompare(b.thingName));
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

  detailOf(thing: Thing): DeviceDetail {
    const { shadows, telemetry, registry } = this;
    const named: Record<string, Shadow> = {};
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

  shadowOf(thingName: string, shadowName: string | undefined): Shadow | null {
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
    const tel = this.telemetry.peekLatest(thing.thingName, 'telemetry')?.metrics ?? NONE;
    const health = this.telemetry.peekLatest(thing.thingName, 'health')?.metrics ?? NONE;
    let lastSeen = this.telemetry.lastReceivedAt(thing.thingName);
    if (presence?.state === 'online') lastSeen = this.clock.now();
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
      provisioning: thing.provisioning,
    };
  }
}

const NONE: Readonly<Record<string, MetricValue>> = Object.freeze({});

function numberOf(value: MetricValue | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function hasRegistryFilter(q: DeviceListQuery): boolean {
  return Boolean(q.kind || q.storeId || q.softwareVersion || q.tag || q.q);
}

/** Filters answered by the registry entry alone. */
function matchesRegistry(t: Thing, q: DeviceListQuery): boolean {
  if (q.kind && t.kind !== q.kind) return false;
  if (q.storeId && t.storeId !== q.storeId) return false;
  if (q.softwareVersion && t.softwareVersion !== q.softwareVersion) return false;
  if (q.tag && !t.tags.includes(q.tag)) return false;
  if (q.q && !t.thingName.toLowerCase().startsWith(q.q.toLowerCase())) return false;
  return true;
}

/** Whether the query filters or sorts on what the devices report (presence, battery, live zone, last seen). */
function needsLiveState(q: DeviceListQuery): boolean {
  return (
    q.presence !== undefined ||
    q.batteryBelow !== undefined ||
    q.batteryAbove !== undefined ||
    q.zoneId !== undefined ||
    q.sort === 'battery' ||
    q.sort === 'lastSeen'
  );
}

function matchesLiveState(d: DeviceSummary, q: DeviceListQuery): boolean {
  // A cart matches a zone it is registered to or the zone it reports being in now.
  if (q.zoneId && d.zoneId !== q.zoneId && d.zone !== q.zoneId) return false;
  if (q.presence && d.presence.state !== q.presence) return false;
  if (q.batteryBelow !== undefined && (d.battery === null || d.battery >= q.batteryBelow)) return false;
  if (q.batteryAbove !== undefined && (d.battery === null || d.battery <= q.batteryAbove)) return false;
  return true;
}

/** Ascending or descending; unknown values (no battery reading yet...) sort last either way. */
function compare(x: string | number | null, y: string | number | null, dir: number): number {
  if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
  return (x < y ? -1 : x > y ? 1 : 0) * dir;
}

function registryKey(sort: DeviceSort): (t: Thing) => string | number | null {
  switch (sort) {
    case 'kind':
      return (t) => t.kind;
    case 'storeId':
      return (t) => t.storeId;
    case 'softwareVersion':
      return (t) => t.softwareVersion;
    default:
      return (t) => t.thingName;
  }
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
