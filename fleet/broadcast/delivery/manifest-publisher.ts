import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Clock, TimerHandle } from '../../../platform/clock.ts';
import type { EventBus } from '../../../platform/event-bus.ts';
import type { Logger } from '../../../platform/log.ts';
import { SchemaValidator } from '../../../platform/schema-validator.ts';
import {
  BROADCAST_SHADOW,
  type BroadcastManifest,
  BroadcastManifestSchema,
  type ManifestAnnouncement,
  MIN_HORIZON_DAYS,
} from '../../../protocol/broadcast/manifest.ts';
import { FleetError } from '../../../protocol/errors.ts';
import type { FleetEvents } from '../../fleet-events.ts';
import type { DeviceRegistry } from '../../registry/device-registry.ts';
import type { ShadowService } from '../../shadow/shadow-service.ts';
import type { DatabaseWriter } from '../../storage/database-writer.ts';
import type { ManifestSource } from './delivery-ports.ts';
import type { ManifestRepository, StoredManifest } from './manifest-repository.ts';

const DAY_MS = 86_400_000;

export interface ManifestPublisherOptions {
  /** Schedule changes within this long of each other make one compilation per store. */
  debounceMs: number;
  /** Manifest versions kept (and served) per speaker; a speaker may still be fetching one of the older ones. */
  keepVersions: number;
  /** How often horizons are checked: a speaker whose horizon reaches less than 7 days ahead is recompiled. */
  rolloverCheckMs: number;
}

/**
 * Compiles, versions, stores and announces every speaker's broadcast manifest (issue 9 item 4), the pattern of the
 * pricing snapshots with the named shadow `broadcast` (`desired.manifest`): a speaker that was offline gets the
 * delta when it connects. Compilations are debounced on `broadcast.schedule.changed` and when a speaker is
 * registered or moved; a compilation whose content (everything but `version` and `compiledAt`) did not change makes
 * no version. The rollover keeps every horizon at least {@link MIN_HORIZON_DAYS} days ahead, so a speaker cut off
 * from the fleet always has a week to play.
 */
export class ManifestPublisher {
  private offs: (() => void)[] = [];
  private debounce: TimerHandle | undefined;
  private rollover: TimerHandle | undefined;
  private readonly dirtyStores = new Set<string>();
  private readonly dirtyThings = new Set<string>();
  private allStores = false;
  private running = false;
  private compiling: Promise<void> = Promise.resolve();
  private readonly validator = new SchemaValidator<BroadcastManifest>(BroadcastManifestSchema);

  constructor(
    private readonly repository: ManifestRepository,
    private readonly source: ManifestSource,
    private readonly shadows: ShadowService,
    private readonly registry: DeviceRegistry,
    private readonly writer: DatabaseWriter,
    private readonly bus: EventBus<FleetEvents>,
    private readonly options: ManifestPublisherOptions,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  start(): void {
    this.running = true;
    this.offs.push(
      this.bus.on('broadcast.schedule.changed', (e) => this.schedule(e.storeIds)),
      this.bus.on('thing.registered', (e) => this.scheduleThing(e.thingName)),
      this.bus.on('thing.changed', (e) => this.scheduleThing(e.thingName)),
    );
    this.rollover = this.clock.setInterval(() => this.rollOver(), this.options.rolloverCheckMs);
    // Schedules, content or the clock may have moved while the fleet was down: an unchanged speaker costs a compile.
    this.schedule(null);
  }

  /** Stops compiling; a compilation under way finishes the speaker it is on (its write and announcement) and ends. */
  stop(): Promise<void> {
    this.running = false;
    for (const off of this.offs) off();
    this.offs = [];
    this.clock.clearTimeout(this.debounce);
    this.clock.clearInterval(this.rollover);
    this.debounce = undefined;
    this.rollover = undefined;
    this.dirtyStores.clear();
    this.dirtyThings.clear();
    this.allStores = false;
    return this.compiling;
  }

  /** Recompiles these stores' speakers (null: every store) once the changes settle. */
  schedule(storeIds: readonly string[] | null): void {
    if (storeIds === null) this.allStores = true;
    else for (const id of storeIds) this.dirtyStores.add(id);
    this.arm();
  }

  /** Compiles what waits now (what the debounce timer runs); resolves once every manifest is stored and announced. */
  flush(): Promise<void> {
    const things = new Set(this.dirtyThings);
    const stores = this.allStores ? this.registry.listThings({ kind: 'speaker' }) : [];
    for (const thing of stores) if (thing.storeId) this.dirtyStores.add(thing.storeId);
    for (const storeId of this.dirtyStores) for (const thing of this.source.speakersOf(storeId)) things.add(thing);
    this.dirtyThings.clear();
    this.dirtyStores.clear();
    this.allStores = false;
    this.compiling = this.compiling.then(async () => {
      for (const thingName of things) {
        if (!this.running) return;
        try {
          await this.publish(thingName);
        } catch (err) {
          this.log.error({ err, thingName }, 'broadcast manifest not compiled');
        }
      }
    });
    return this.compiling;
  }

  /** Compiles one speaker's manifest; a new version only when its content changed. Announces the latest either way. */
  async publish(thingName: string): Promise<StoredManifest | undefined> {
    const thing = this.registry.getThing(thingName);
    if (thing?.kind !== 'speaker' || !thing.storeId) return undefined;
    const now = this.clock.now();
    const content = this.source.compileForThing(thingName, now);
    const digest = contentDigest(content);
    let current = this.repository.latest(thingName);
    if (!current || current.contentDigest !== digest) {
      const version = (current?.version ?? 0) + 1;
      const manifest: BroadcastManifest = { ...content, version };
      // A compiler bug must not reach the speakers: they would refuse it (MANIFEST_INVALID) and keep the old one anyway.
      const checked = this.validator.check(manifest);
      if (!checked.ok) throw new FleetError('MANIFEST_INVALID', `compiled manifest refused: ${checked.reason}`);
      if (manifest.thingName !== thingName)
        throw new FleetError('MANIFEST_INVALID', `compiled for ${manifest.thingName}, not ${thingName}`);
      const bytes = Buffer.from(JSON.stringify(manifest));
      const next: StoredManifest = {
        thingName,
        version,
        storeId: content.storeId,
        sha256: sha256(bytes),
        bytes,
        contentDigest: digest,
        compiledAt: content.compiledAt,
        horizonFrom: content.from,
        horizonTo: content.to,
      };
      const assets = content.assets.map((a) => a.sha256);
      await this.writer.write('broadcast manifest', () =>
        this.repository.append(next, assets, this.options.keepVersions),
      );
      current = next;
      this.log.info(
        { thingName, version, bytes: bytes.length, items: content.items.length, assets: assets.length },
        'broadcast manifest compiled',
      );
    }
    await this.announce(thingName, current);
    return current;
  }

  /** The speaker's latest stored manifest (with its bytes and horizon). */
  latest(thingName: string): StoredManifest | undefined {
    return this.repository.latest(thingName);
  }

  /** The announcement of the speaker's latest manifest, as it sees it in `desired.manifest`. */
  announcement(thingName: string): ManifestAnnouncement | undefined {
    const latest = this.repository.latest(thingName);
    return latest && toAnnouncement(latest);
  }

  private scheduleThing(thingName: string): void {
    const thing = this.registry.getThing(thingName);
    if (thing?.kind !== 'speaker' || !thing.storeId) return;
    if (!this.source.speakersOf(thing.storeId).includes(thingName)) return;
    this.dirtyThings.add(thingName);
    this.arm();
  }

  private arm(): void {
    this.clock.clearTimeout(this.debounce);
    this.debounce = this.clock.setTimeout(() => {
      this.debounce = undefined;
      void this.flush();
    }, this.options.debounceMs);
  }

  /** Recompiles every speaker whose horizon no longer reaches {@link MIN_HORIZON_DAYS} days ahead (a day passed). */
  private rollOver(): void {
    const needed = this.clock.now() + MIN_HORIZON_DAYS * DAY_MS;
    let due = 0;
    for (const m of this.repository.latestHorizons()) {
      if (m.horizonTo >= needed) continue;
      this.dirtyThings.add(m.thingName);
      due++;
    }
    if (due > 0) {
      this.log.info({ speakers: due }, 'broadcast horizons roll over');
      void this.flush();
    }
  }

  private async announce(thingName: string, manifest: StoredManifest): Promise<void> {
    const announcement = toAnnouncement(manifest);
    const desired = this.shadows.find(thingName, BROADCAST_SHADOW)?.state.desired?.manifest;
    if (isDeepStrictEqual(desired, announcement)) return;
    const result = await this.shadows.update(thingName, BROADCAST_SHADOW, {
      state: { desired: { manifest: announcement } },
    });
    if (!result.ok) this.log.warn({ thingName, error: result.error }, 'broadcast manifest announcement refused');
  }
}

/** What decides whether a compilation is new: the manifest without `compiledAt` (and without a version yet). */
export function contentDigest(content: Omit<BroadcastManifest, 'version'>): string {
  const { compiledAt: _compiledAt, ...rest } = content;
  return sha256(Buffer.from(JSON.stringify(rest)));
}

export function toAnnouncement(manifest: StoredManifest): ManifestAnnouncement {
  return { version: manifest.version, sha256: manifest.sha256, bytes: manifest.bytes.length };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
