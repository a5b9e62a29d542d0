import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Clock, TimerHandle } from '../../../platform/clock.ts';
import type { EventBus } from '../../../platform/event-bus.ts';
import type { Logger } from '../../../platform/log.ts';
import type {
  BroadcastEmergency,
  BroadcastInsert,
  EmergencyBody,
  InsertBody,
} from '../../../protocol/api/broadcast-inserts.ts';
import {
  type AdhocInsert,
  EMERGENCY_REPEAT_GAP_MS,
  INSERT_SHADOW,
  type InsertDesired,
  MAX_ACTIVE_INSERTS,
} from '../../../protocol/broadcast/inserts.ts';
import { FleetError } from '../../../protocol/errors.ts';
import type { JsonObject } from '../../../protocol/shadow.ts';
import type { FleetEvents } from '../../fleet-events.ts';
import type { ShadowService } from '../../shadow/shadow-service.ts';
import type { DatabaseWriter } from '../../storage/database-writer.ts';
import type { EmergencyRecord, InsertRecord, InsertRepository } from './insert-repository.ts';

/** An asset of the content library, as inserts need it (the library is the source; this is its port). */
export interface InsertAsset {
  sha256: string;
  bytes: number;
  durationMs: number;
  title: string;
}

export interface InsertServiceDeps {
  repository: InsertRepository;
  writer: DatabaseWriter;
  /** The asset if the store may play it (HQ's content, the store's own, or shared with it). */
  assets: { usableIn(sha256: string, storeId: string): InsertAsset | undefined };
  /** The store's speakers (thing names). */
  speakersOf(storeId: string): string[];
  storeOf(thingName: string): string | null | undefined;
  online(thingName: string): boolean;
  shadows: Pick<ShadowService, 'find' | 'update'>;
  bus: EventBus<FleetEvents>;
  clock: Clock;
  log: Logger;
}

/** Furthest ahead an insert may be scheduled: inserts are for today's announcements, campaigns for the rest. */
export const MAX_INSERT_LEAD_MS = 7 * 86_400_000;
/** How often expired inserts are taken out of the speakers' shadows. */
const SWEEP_MS = 60_000;

/**
 * Ad-hoc inserts and emergency announcements (issue 9 item 7). What a speaker must play besides its manifest is kept
 * in its named shadow `broadcast-insert` (`desired`: the active inserts targeting it and its store's emergency),
 * recomputed from the database whenever an insert or emergency changes, a speaker joins the store, and when inserts
 * expire; an online speaker gets the delta at once, an offline one when it reconnects.
 */
export class InsertService {
  private sweepTimer: TimerHandle | undefined;
  private lastSweep = 0;
  private offs: (() => void)[] = [];

  constructor(private readonly deps: InsertServiceDeps) {}

  start(): void {
    const { bus, clock } = this.deps;
    this.lastSweep = clock.now();
    this.offs.push(
      bus.on('thing.registered', ({ thingName }) => this.syncThing(thingName)),
      bus.on('thing.changed', ({ thingName }) => this.syncThing(thingName)),
    );
    for (const storeId of this.deps.repository.liveStores(clock.now())) this.syncStore(storeId);
    this.sweepTimer = clock.setInterval(() => this.sweep(), SWEEP_MS);
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
    this.deps.clock.clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  async insert(storeId: string, body: InsertBody, actor: string): Promise<BroadcastInsert> {
    const now = this.deps.clock.now();
    const asset = this.asset(storeId, body.sha256);
    const thingNames = this.targets(storeId, body.thingNames ?? null);
    const at = body.at ?? now;
    const graceMs = (body.graceMinutes ?? 10) * 60_000;
    if (at + graceMs <= now) throw new FleetError('SCHEDULE_INVALID', 'that time has passed');
    if (at > now + MAX_INSERT_LEAD_MS)
      throw new FleetError('SCHEDULE_INVALID', 'an insert is at most 7 days ahead: make a campaign for later');
    const record: InsertRecord = {
      id: randomUUID(),
      storeId,
      sha256: asset.sha256,
      title: asset.title,
      bytes: asset.bytes,
      durationMs: asset.durationMs,
      entry: body.entry ?? 'interrupt',
      at,
      expiresAt: at + graceMs,
      thingNames,
      createdBy: actor,
      createdAt: now,
      cancelledBy: null,
      cancelledAt: null,
    };
    await this.deps.writer.write('broadcast.insert', () => this.deps.repository.addInsert(record));
    await this.syncStore(storeId);
    return this.insertView(record);
  }

  async cancel(storeId: string, id: string, actor: string): Promise<BroadcastInsert> {
    const record = this.deps.repository.getInsert(id);
    if (!record || record.storeId !== storeId) throw new FleetError('NOT_FOUND', `no insert '${id}' in this store`);
    if (record.cancelledAt !== null) throw new FleetError('CONFLICT', 'that insert was already cancelled');
    const now = this.deps.clock.now();
    await this.deps.writer.write('broadcast.insert.cancel', () => this.deps.repository.cancelInsert(id, actor, now));
    await this.syncStore(storeId);
    return this.insertView(this.deps.repository.getInsert(id) as InsertRecord);
  }

  list(storeId: string, active: boolean): BroadcastInsert[] {
    const now = this.deps.clock.now();
    return this.deps.repository.listInserts(storeId, active ? now : undefined).map((r) => this.insertView(r));
  }

  async startEmergency(storeId: string, body: EmergencyBody, actor: string): Promise<BroadcastEmergency> {
    const asset = this.asset(storeId, body.sha256);
    const thingNames = this.targets(storeId, body.thingNames ?? null);
    const record: EmergencyRecord = {
      id: randomUUID(),
      storeId,
      sha256: asset.sha256,
      title: asset.title,
      bytes: asset.bytes,
      durationMs: asset.durationMs,
      thingNames,
      startedBy: actor,
      startedAt: this.deps.clock.now(),
      clearedBy: null,
      clearedAt: null,
    };
    try {
      await this.deps.writer.write('broadcast.emergency', () => this.deps.repository.addEmergency(record));
    } catch (err) {
      // The partial unique index: two emergencies at once in one store, even from two requests racing.
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new FleetError(
          'EMERGENCY_ALREADY_ACTIVE',
          'an emergency announcement is already playing in this store: clear it first',
          { emergency: this.deps.repository.activeEmergency(storeId)?.id ?? null },
        );
      throw err;
    }
    await this.syncStore(storeId);
    return this.emergencyView(record);
  }

  async clearEmergency(storeId: string, actor: string): Promise<BroadcastEmergency> {
    const now = this.deps.clock.now();
    const cleared = await this.deps.writer.write('broadcast.emergency.clear', () =>
      this.deps.repository.clearEmergency(storeId, actor, now),
    );
    if (!cleared) throw new FleetError('EMERGENCY_NOT_ACTIVE', 'no emergency announcement is playing in this store');
    await this.syncStore(storeId);
    return this.emergencyView(cleared);
  }

  emergency(storeId: string): BroadcastEmergency | null {
    const active = this.deps.repository.activeEmergency(storeId);
    return active ? this.emergencyView(active) : null;
  }

  /** Whether the speaker's live inserts or emergency play this asset (it may then download it). */
  references(thingName: string, sha256: string): boolean {
    const desired = this.desiredFor(thingName);
    return desired.emergency?.sha256 === sha256 || desired.inserts.some((i) => i.sha256 === sha256);
  }

  /** What the speaker's `broadcast-insert` shadow should say now. */
  desiredFor(thingName: string): InsertDesired {
    const storeId = this.deps.storeOf(thingName);
    if (!storeId) return { inserts: [], emergency: null };
    const now = this.deps.clock.now();
    const targets = (names: string[] | null) => names === null || names.includes(thingName);
    const inserts: AdhocInsert[] = this.deps.repository
      .listInserts(storeId, now)
      .filter((r) => targets(r.thingNames))
      .slice(-MAX_ACTIVE_INSERTS)
      .map((r) => ({
        id: r.id,
        sha256: r.sha256,
        bytes: r.bytes,
        durationMs: r.durationMs,
        title: r.title,
        at: r.at,
        expiresAt: r.expiresAt,
        entry: r.entry,
      }));
    const e = this.deps.repository.activeEmergency(storeId);
    return {
      inserts,
      emergency:
        e && targets(e.thingNames)
          ? {
              id: e.id,
              sha256: e.sha256,
              bytes: e.bytes,
              durationMs: e.durationMs,
              title: e.title,
              since: e.startedAt,
              repeatGapMs: EMERGENCY_REPEAT_GAP_MS,
            }
          : null,
    };
  }

  private async syncStore(storeId: string): Promise<void> {
    await Promise.all(this.deps.speakersOf(storeId).map((t) => this.syncThing(t)));
  }

  private async syncThing(thingName: string): Promise<void> {
    if (
      !this.deps.storeOf(thingName) ||
      !this.deps.speakersOf(this.deps.storeOf(thingName) as string).includes(thingName)
    )
      return;
    const desired = this.desiredFor(thingName);
    const stored = this.deps.shadows.find(thingName, INSERT_SHADOW)?.state.desired as
      | Partial<InsertDesired>
      | undefined;
    // A shadow deletes a key set to null (AWS's rule): an absent emergency is no emergency.
    const current = stored ? { inserts: stored.inserts ?? [], emergency: stored.emergency ?? null } : undefined;
    if (current && isDeepStrictEqual(current, desired)) return;
    if (!current && desired.inserts.length === 0 && desired.emergency === null) return;
    const result = await this.deps.shadows.update(thingName, INSERT_SHADOW, {
      state: { desired: desired as unknown as JsonObject },
    });
    if (!result.ok) this.deps.log.warn({ thingName, error: result.error }, 'broadcast-insert shadow not updated');
  }

  private sweep(): void {
    const now = this.deps.clock.now();
    const stores = this.deps.repository.storesExpiringBetween(this.lastSweep, now);
    this.lastSweep = now;
    for (const storeId of stores)
      this.syncStore(storeId).catch((err: unknown) => this.deps.log.warn({ err, storeId }, 'insert sweep failed'));
  }

  private asset(storeId: string, sha256: string): InsertAsset {
    const asset = this.deps.assets.usableIn(sha256, storeId);
    // Another store's upload is as unknown here as one that does not exist.
    if (!asset) throw new FleetError('ASSET_NOT_FOUND', `no asset ${sha256} in the content library for this store`);
    return asset;
  }

  private targets(storeId: string, thingNames: string[] | null): string[] | null {
    if (thingNames === null) {
      if (this.deps.speakersOf(storeId).length === 0)
        throw new FleetError('THING_NOT_FOUND', 'this store has no speakers');
      return null;
    }
    const speakers = new Set(this.deps.speakersOf(storeId));
    const unknown = thingNames.filter((t) => !speakers.has(t));
    if (unknown.length > 0)
      throw new FleetError('THING_NOT_FOUND', `not speakers of this store: ${unknown.join(', ')}`, { unknown });
    return thingNames;
  }

  private deliveries(storeId: string, thingNames: string[] | null, id: string, emergency: boolean) {
    return (thingNames ?? this.deps.speakersOf(storeId)).map((thingName) => {
      const reported = this.deps.shadows.find(thingName, INSERT_SHADOW)?.state.reported as
        | { handled?: unknown; emergency?: unknown }
        | undefined;
      const handled = emergency
        ? reported?.emergency === id
        : Array.isArray(reported?.handled) && reported.handled.includes(id);
      return {
        thingName,
        state: handled
          ? ('handled' as const)
          : this.deps.online(thingName)
            ? ('pending' as const)
            : ('offline' as const),
      };
    });
  }

  private insertView(r: InsertRecord): BroadcastInsert {
    const { bytes: _bytes, ...rest } = r;
    return { ...rest, deliveries: this.deliveries(r.storeId, r.thingNames, r.id, false) };
  }

  private emergencyView(r: EmergencyRecord): BroadcastEmergency {
    const { bytes: _bytes, ...rest } = r;
    return { ...rest, deliveries: this.deliveries(r.storeId, r.thingNames, r.id, true) };
  }
}
