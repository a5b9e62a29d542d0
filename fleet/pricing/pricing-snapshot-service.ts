import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Clock, TimerHandle } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import type { PricingSnapshot, SnapshotAnnouncement } from '../../protocol/commerce/snapshot.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { DeviceRegistry } from '../registry/device-registry.ts';
import type { ShadowService } from '../shadow/shadow-service.ts';
import type { StreamService } from '../streams/stream-service.ts';
import { buildSnapshot } from './snapshot-builder.ts';
import type { SnapshotRepository, SnapshotVersion } from './snapshot-repository.ts';
import type { SnapshotSource } from './snapshot-source.ts';

/** The named shadow that carries commerce state between the fleet and a cart (docs/protocol.md). */
export const COMMERCE_SHADOW = 'commerce';
/** A snapshot is one file of its stream. */
export const SNAPSHOT_FILE_ID = 0;

export interface PricingSnapshotOptions {
  /** Changes arriving within this long of each other make one rebuild. */
  debounceMs: number;
  /** Versions whose bytes are kept (and served) per store; older ones keep only their validity interval. */
  keepVersions: number;
}

export function snapshotStreamId(storeId: string, version: number): string {
  return `snapshot-${storeId}-v${version}`;
}

/**
 * Builds each store's pricing snapshot (plan decision 6), versions it, and delivers it: every version is served as an
 * AWS MQTT file-delivery stream readable by that store's things, and announced to each cart of the store in its
 * named shadow `commerce` (`desired.pricingSnapshot`), so a cart that was offline gets the delta when it connects.
 * Rebuilds are debounced on the fleet clock after `catalog.changed` / `loyalty.changed` / `staff.changed`; a rebuild
 * whose content did not change makes no version. Each version keeps `validFrom` / `supersededAt`, so the fleet can tell whether the
 * snapshot a cart priced with was valid at a given time (`validAt`).
 */
export class PricingSnapshotService {
  private offs: (() => void)[] = [];
  private timer: TimerHandle | undefined;
  private readonly dirty = new Set<string>();
  private building: Promise<void> = Promise.resolve();

  constructor(
    private readonly repository: SnapshotRepository,
    private readonly source: SnapshotSource,
    private readonly streams: StreamService,
    private readonly shadows: ShadowService,
    private readonly registry: DeviceRegistry,
    private readonly bus: EventBus<FleetEvents>,
    private readonly options: PricingSnapshotOptions,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  start(): void {
    // The streams live in memory: serve again every version whose bytes are kept.
    for (const version of this.repository.withBytes()) this.serve(version);
    this.offs.push(
      this.bus.on('catalog.changed', (e) => this.schedule(e.storeIds)),
      this.bus.on('loyalty.changed', (e) => this.schedule(e.storeIds)),
      this.bus.on('staff.changed', (e) => this.schedule(e.storeIds)),
      this.bus.on('thing.changed', (e) => this.announceToThing(e.thingName)),
      this.bus.on('thing.registered', (e) => this.announceToThing(e.thingName)),
    );
    // Inputs may have changed while the fleet was down (another process, an upgrade): an unchanged store costs a build.
    this.schedule(null);
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty.clear();
  }

  /** Rebuilds these stores (null: all) once the changes settle. */
  schedule(storeIds: readonly string[] | null): void {
    for (const id of storeIds ?? this.source.storeIds()) this.dirty.add(id);
    this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.options.debounceMs);
  }

  /** Builds every store waiting for it now (also what the debounce timer runs); resolves when all are announced. */
  flush(): Promise<void> {
    const stores = [...this.dirty];
    this.dirty.clear();
    this.building = this.building.then(async () => {
      for (const storeId of stores) {
        try {
          await this.rebuild(storeId);
        } catch (err) {
          this.log.error({ err, storeId }, 'pricing snapshot not built');
        }
      }
    });
    return this.building;
  }

  /** Builds the store's snapshot; a new version only when its content changed. Announces the latest either way. */
  async rebuild(storeId: string): Promise<SnapshotVersion | undefined> {
    const now = this.clock.now();
    const content = buildSnapshot(this.source, storeId, now);
    if (!content) return undefined;
    const digest = sha256(Buffer.from(JSON.stringify(content)));
    const latest = this.repository.latest(storeId);
    let current = latest;
    if (!latest || latest.contentDigest !== digest) {
      const version = (latest?.version ?? 0) + 1;
      const snapshot: PricingSnapshot = { ...content, version, builtAt: now };
      const bytes = gzipSync(Buffer.from(JSON.stringify(snapshot)));
      const next = {
        storeId,
        version,
        sha256: sha256(bytes),
        size: bytes.length,
        contentDigest: digest,
        builtAt: now,
        validFrom: now,
        bytes,
      };
      const pruned = this.repository.append(next, this.options.keepVersions);
      for (const old of pruned) this.streams.deleteStream(snapshotStreamId(storeId, old));
      current = { ...next, supersededAt: null };
      this.serve(current);
      this.log.info(
        { storeId, version, bytes: bytes.length, products: snapshot.products.length },
        'pricing snapshot built',
      );
    }
    if (current) await this.announceToStore(storeId, current);
    return current;
  }

  /** The announcement of the store's latest version, as carts see it in `desired.pricingSnapshot`. */
  announcement(storeId: string): SnapshotAnnouncement | undefined {
    const latest = this.repository.latest(storeId);
    return latest && toAnnouncement(latest);
  }

  /** Whether `version` of the store's snapshot was the current one at `at` (epoch ms). */
  validAt(storeId: string, version: number, at: number): boolean {
    const v = this.repository.interval(storeId, version);
    return v !== undefined && v.validFrom <= at && (v.supersededAt === null || at < v.supersededAt);
  }

  /** The store's current version, undefined before its first build. */
  currentVersion(storeId: string): number | undefined {
    return this.repository.latestVersion(storeId);
  }

  /** The gzip JSON of a version; null once pruned, undefined when unknown. */
  bytes(storeId: string, version: number): Buffer | null | undefined {
    return this.repository.get(storeId, version)?.bytes;
  }

  version(storeId: string, version: number): SnapshotVersion | undefined {
    return this.repository.get(storeId, version);
  }

  private serve(version: SnapshotVersion): void {
    if (!version.bytes) return;
    this.streams.putStream(
      snapshotStreamId(version.storeId, version.version),
      [{ fileId: SNAPSHOT_FILE_ID, bytes: version.bytes }],
      {
        description: `pricing snapshot of ${version.storeId}, version ${version.version}`,
        audience: { storeId: version.storeId },
      },
    );
  }

  private async announceToStore(storeId: string, version: SnapshotVersion): Promise<void> {
    const announcement = toAnnouncement(version);
    for (const thing of this.registry.listThings({ storeId, kind: 'cart' }))
      await this.announce(thing.thingName, announcement);
  }

  /** A cart registered or moved: it gets its (new) store's latest snapshot. */
  private announceToThing(thingName: string): void {
    const thing = this.registry.getThing(thingName);
    if (thing?.kind !== 'cart' || !thing.storeId) return;
    const storeId = thing.storeId;
    const latest = this.repository.latest(storeId);
    if (!latest) {
      this.schedule([storeId]);
      return;
    }
    this.announce(thingName, toAnnouncement(latest)).catch((err) =>
      this.log.warn({ err, thingName }, 'pricing snapshot not announced'),
    );
  }

  private async announce(thingName: string, announcement: SnapshotAnnouncement): Promise<void> {
    const desired = this.shadows.find(thingName, COMMERCE_SHADOW)?.state.desired?.pricingSnapshot;
    if (isDeepStrictEqual(desired, announcement)) return;
    const result = await this.shadows.update(thingName, COMMERCE_SHADOW, {
      state: { desired: { pricingSnapshot: announcement } },
    });
    if (!result.ok) this.log.warn({ thingName, error: result.error }, 'pricing snapshot announcement refused');
  }
}

function toAnnouncement(version: SnapshotVersion): SnapshotAnnouncement {
  return {
    version: version.version,
    streamId: snapshotStreamId(version.storeId, version.version),
    fileId: SNAPSHOT_FILE_ID,
    size: version.size,
    sha256: version.sha256,
  };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
