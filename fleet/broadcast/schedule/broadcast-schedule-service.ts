import type { AssetCatalog, CompileInput, ScheduleStore } from '../../../broadcast/schedule/compile-input.ts';
import { campaignExclusion, targetsSpeaker, targetsStore } from '../../../broadcast/schedule/compile-input.ts';
import { compileManifest } from '../../../broadcast/schedule/compile-manifest.ts';
import { RecurrenceExpander } from '../../../broadcast/schedule/recurrence.ts';
import { DAY_MS, ZoneOffsets } from '../../../broadcast/schedule/zoned-time.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { EventBus } from '../../../platform/event-bus.ts';
import type {
  Calendar,
  CampaignBody,
  CampaignListQuery,
  CampaignRecord,
  ChainBroadcastSettings,
  CompiledSchedule,
  Holiday,
  ManifestDraft,
  OptDecision,
  OptRecord,
  ProgrammeBody,
  ProgrammeRecord,
  SlotOverride,
  SlotOverrideBody,
  StoreBroadcastSettings,
  StoreTarget,
} from '../../../protocol/api/broadcast-schedule.ts';
import { MIN_HORIZON_DAYS } from '../../../protocol/broadcast/manifest.ts';
import { FleetError } from '../../../protocol/errors.ts';
import type { FleetEvents } from '../../fleet-events.ts';
import type { DeviceRegistry } from '../../registry/device-registry.ts';
import type { Store } from '../../registry/registry-types.ts';
import type { StoreRepository } from '../../registry/store-repository.ts';
import type { Database } from '../../storage/database.ts';
import type { DatabaseWriter } from '../../storage/database-writer.ts';
import {
  checkedCampaign,
  checkedHoliday,
  checkedProgramme,
  checkedSlotOverride,
  checkVolume,
  type ScheduleReferences,
} from './schedule-checks.ts';
import { ScheduleRepository } from './schedule-repository.ts';
import { speakerRoleOf } from './speaker-roles.ts';

interface ChainWide {
  generation: number;
  programmes: CompileInput['programmes'];
  campaigns: CompileInput['campaigns'];
  owners: Map<string, string | null>;
  holidays: CompileInput['holidays'];
  chain: ChainBroadcastSettings;
}

/** Who reads or writes: their name, and their stores (`null`: the whole chain, a chain-wide role). */
export interface ScheduleActor {
  username: string;
  storeIds: ReadonlySet<string> | null;
}

export interface BroadcastScheduleOptions {
  writeDeadlineMs: number;
  /** How far ahead a speaker's manifest reaches (at least MIN_HORIZON_DAYS). */
  horizonDays: number;
}

/**
 * Programmes, campaigns, holidays, store opt-ins, slot overrides and volume schedules, and the compiler over them.
 * HQ (chain-wide roles) owns programmes, HQ campaigns, holidays, store tags and the chain's defaults; a store-scoped
 * person writes their own stores' campaigns, opt decisions (where HQ allows), slot overrides and volume. Every write
 * that can change what a store's speakers play emits `broadcast.schedule.changed` with the stores it concerns
 * (null: possibly any), which delivery answers by compiling again ({@link compileForThing}).
 */
export class BroadcastScheduleService {
  readonly repository: ScheduleRepository;
  private readonly zones = new ZoneOffsets();
  private expander: { day: number; generation: number; expander: RecurrenceExpander } | undefined;
  private generation = 0;
  private cached: ChainWide | undefined;

  constructor(
    db: Database,
    private readonly writer: DatabaseWriter,
    private readonly stores: StoreRepository,
    private readonly registry: DeviceRegistry,
    private readonly assets: AssetCatalog,
    private readonly bus: EventBus<FleetEvents>,
    private readonly options: BroadcastScheduleOptions,
    private readonly clock: Clock,
  ) {
    this.repository = new ScheduleRepository(db);
  }

  /**
   * Nothing to start: compiles read the database when asked. Speakers that arrive or move are delivery's to compile
   * (it listens to `thing.registered` / `thing.changed` itself); this service announces only schedule writes.
   */
  start(): void {}

  stop(): void {
    this.expander = undefined;
    this.cached = undefined;
  }

  // Compiling.

  /**
   * The manifest draft delivery versions (its `ManifestSource`): from the start of the store's local day holding
   * `from`, for the configured horizon plus that day, so two compiles on one day with nothing changed give the same
   * content (no new version) and at least the horizon always lies ahead.
   */
  compileForThing(thingName: string, from: number): ManifestDraft {
    const thing = this.registry.getThing(thingName);
    const store = thing?.storeId ? this.stores.getStore(thing.storeId) : undefined;
    const start = store
      ? this.zones.toInstant(store.timeZone, Math.floor(this.zones.toWall(store.timeZone, from) / DAY_MS) * DAY_MS)
      : from;
    return this.compileScheduleForThing(thingName, start, this.options.horizonDays + 1).manifest;
  }

  /** Whether a programme, campaign or slot override names the asset (the content library refuses to remove it). */
  usesAsset(sha256: string): boolean {
    const { programmes, campaigns } = this.chainWide();
    return (
      programmes.some((p) => p.slots.some((slot) => slot.playlist.includes(sha256))) ||
      campaigns.some((c) => c.assets.includes(sha256)) ||
      this.repository.slotOverrides().some((o) => o.playlist?.includes(sha256) ?? false)
    );
  }

  /** The draft with what was left out and why. THING_NOT_FOUND for no such speaker; SCHEDULE_INVALID off a store. */
  compileScheduleForThing(thingName: string, from: number, horizonDays = this.options.horizonDays): CompiledSchedule {
    const thing = this.registry.getThing(thingName);
    if (thing?.kind !== 'speaker') throw new FleetError('THING_NOT_FOUND', `no speaker '${thingName}'`);
    if (!thing.storeId) throw new FleetError('SCHEDULE_INVALID', `speaker '${thingName}' is in no store`);
    const store = this.stores.getStore(thing.storeId);
    if (!store) throw new FleetError('STORE_NOT_FOUND', `no store '${thing.storeId}'`);
    return compileManifest(
      this.inputFor(
        store,
        { thingName, role: speakerRoleOf(thing.hardwareModel), zoneId: thing.zoneId },
        from,
        horizonDays,
      ),
    );
  }

  /**
   * The promo campaigns playing in the store over some of [fromDay, toDay] (local dates), each with the product, the
   * store's speakers it targets and the days it ran (its validity cut to the period): the uplift report's placements.
   */
  promoPlacements(
    storeId: string,
    fromDay: string,
    toDay: string,
  ): { campaignId: string; storeId: string; sku: string; thingNames: string[]; fromDay: string; toDay: string }[] {
    const store = this.stores.getStore(storeId);
    if (!store) return [];
    const chainWide = this.chainWide();
    const scheduleStore: ScheduleStore = {
      id: store.id,
      timeZone: store.timeZone,
      region: store.region,
      tags: this.repository.storeSettings(store.id).tags,
      openingHours: store.openingHours,
    };
    const opts = new Map(this.repository.opts(store.id).map((o) => [o.campaignId, o.decision]));
    const speakers = this.registry
      .listThings({ kind: 'speaker', storeId })
      .map((t) => ({ thingName: t.thingName, role: speakerRoleOf(t.hardwareModel), zoneId: t.zoneId }));
    const placements = [];
    for (const campaign of chainWide.campaigns) {
      if (campaign.kind !== 'promo' || !campaign.promo) continue;
      if (campaignExclusion(campaign, chainWide.owners.get(campaign.id) ?? null, scheduleStore, opts.get(campaign.id)))
        continue;
      const from = [campaign.recurrence.validFrom, fromDay].sort()[1] as string;
      const to = [campaign.recurrence.validUntil ?? toDay, toDay].sort()[0] as string;
      if (to < from) continue;
      const thingNames = speakers.filter((s) => targetsSpeaker(campaign.speakers, s)).map((s) => s.thingName);
      placements.push({
        campaignId: campaign.id,
        storeId,
        sku: campaign.promo.productId,
        thingNames,
        fromDay: from,
        toDay: to,
      });
    }
    return placements;
  }

  /** The store's speakers that have a schedule (broadcast boxes and promo speakers), by name. */
  speakersOf(storeId: string): string[] {
    return this.registry
      .listThings({ kind: 'speaker', storeId })
      .filter((t) => t.provisioning !== 'pending-approval')
      .map((t) => t.thingName)
      .sort();
  }

  /**
   * What each speaker of the store plays from `from` for `days`, and what was dropped. Compiled for at least the
   * manifest's horizon (so the gaps and caps are those the speaker gets) and cut to the days asked.
   */
  calendar(actor: ScheduleActor, storeId: string, from: number, days: number, thingName?: string): Calendar {
    const store = this.visibleStore(actor, storeId);
    const speakers = this.speakersOf(storeId).filter((t) => thingName === undefined || t === thingName);
    if (thingName !== undefined && speakers.length === 0) {
      throw new FleetError('THING_NOT_FOUND', `no speaker '${thingName}' in store '${storeId}'`);
    }
    const to = from + days * DAY_MS;
    const within = (a: number, b: number) => a < to && b > from;
    return {
      storeId,
      timeZone: store.timeZone,
      from,
      to,
      speakers: speakers.map((name) => {
        const thing = this.registry.getThing(name);
        const compiled = this.compileScheduleForThing(name, from, Math.max(days, MIN_HORIZON_DAYS));
        const { manifest } = compiled;
        const music = manifest.music.filter((w) => within(w.from, w.to));
        const items = manifest.items.filter((i) => within(i.at, i.at + i.durationMs));
        const promo = manifest.promo && {
          ...manifest.promo,
          windows: manifest.promo.windows.filter((w) => within(w.from, w.to)),
        };
        const dropped = compiled.dropped.filter((d) => within(d.at, Math.max(d.until, d.at + 1)));
        const named = new Set([
          ...music.flatMap((w) => w.playlist),
          ...items.map((i) => i.sha256),
          ...(promo?.assets ?? []),
          ...dropped.flatMap((d) => (d.sha256 ? [d.sha256] : [])),
        ]);
        return {
          thingName: name,
          role: speakerRoleOf(thing?.hardwareModel ?? ''),
          assets: manifest.assets.filter((a) => named.has(a.sha256)),
          music,
          items,
          volume: manifest.volume.filter((v) => within(v.from, v.to)),
          promo,
          dropped,
        };
      }),
    };
  }

  /** Compile input for one speaker; the store's and chain's records are read once per call. */
  private inputFor(store: Store, speaker: CompileInput['speaker'], from: number, horizonDays: number): CompileInput {
    const r = this.repository;
    const chainWide = this.chainWide();
    const settings = r.storeSettings(store.id);
    const scheduleStore: ScheduleStore = {
      id: store.id,
      timeZone: store.timeZone,
      region: store.region,
      tags: settings.tags,
      openingHours: store.openingHours,
    };
    return {
      speaker,
      store: scheduleStore,
      programmes: chainWide.programmes,
      campaigns: chainWide.campaigns,
      campaignOwners: chainWide.owners,
      holidays: chainWide.holidays,
      opts: new Map(r.opts(store.id).map((o) => [o.campaignId, o.decision])),
      slotOverrides: r.slotOverrides(store.id),
      volume: settings.volume,
      chain: chainWide.chain,
      storeMinGapMs: settings.minGapMs,
      assets: this.assets,
      from,
      horizonDays,
      compiledAt: this.clock.now(),
      expander: this.expanderFor(from),
    };
  }

  /**
   * The chain's programmes, campaigns, holidays and defaults, parsed once per schedule generation: a chain-wide
   * compile after a change reads them for every speaker (a thousand speakers, over a thousand campaigns).
   */
  private chainWide(): ChainWide {
    if (this.cached?.generation !== this.generation) {
      const r = this.repository;
      const campaigns = r.campaigns();
      this.cached = {
        generation: this.generation,
        programmes: r.programmes().map((p) => p.programme),
        campaigns: campaigns.map((c) => c.campaign),
        owners: new Map(campaigns.map((c) => [c.campaign.id, c.ownerStoreId])),
        holidays: r.holidays(),
        chain: r.chainSettings(),
      };
    }
    return this.cached;
  }

  /** One expansion cache per day and schedule generation: compiles after a change share it, a new day drops it. */
  private expanderFor(from: number): RecurrenceExpander {
    const day = Math.floor(from / DAY_MS);
    if (!this.expander || this.expander.day !== day || this.expander.generation !== this.generation) {
      this.expander = { day, generation: this.generation, expander: new RecurrenceExpander(this.zones) };
    }
    return this.expander.expander;
  }

  // Programmes (HQ).

  listProgrammes(actor: ScheduleActor): ProgrammeRecord[] {
    const stores = this.scopeStores(actor);
    return this.repository
      .programmes()
      .filter((p) => actor.storeIds === null || stores.some((s) => targetsStore(p.programme.stores, s)));
  }

  getProgramme(actor: ScheduleActor, id: string): ProgrammeRecord {
    const found = this.listProgrammes(actor).find((p) => p.programme.id === id);
    if (!found) throw new FleetError('PROGRAMME_NOT_FOUND', `no programme '${id}'`);
    return found;
  }

  async putProgramme(actor: ScheduleActor, id: string, body: ProgrammeBody) {
    requireHq(actor, 'programmes');
    requireSameId(id, body.id);
    const result = await this.write('programme', () => {
      const programme = checkedProgramme(body, this.references());
      const before = this.repository.programme(id);
      const created = this.repository.putProgramme(programme, actor.username, this.clock.now());
      return { created, before };
    });
    this.changed(null);
    return { record: this.repository.programme(id) as ProgrammeRecord, ...result };
  }

  async deleteProgramme(actor: ScheduleActor, id: string): Promise<ProgrammeRecord> {
    requireHq(actor, 'programmes');
    const record = await this.write('programme delete', () => {
      const found = this.repository.programme(id);
      if (!found) throw new FleetError('PROGRAMME_NOT_FOUND', `no programme '${id}'`);
      this.repository.deleteProgramme(id);
      return found;
    });
    this.changed(null);
    return record;
  }

  // Campaigns.

  listCampaigns(actor: ScheduleActor, query: CampaignListQuery = {}): CampaignRecord[] {
    const stores = this.scopeStores(actor).filter((s) => query.storeId === undefined || s.id === query.storeId);
    return this.repository.campaigns().filter((c) => {
      if (query.layer !== undefined && c.campaign.layer !== query.layer) return false;
      if (actor.storeIds === null && query.storeId === undefined) return true;
      return stores.some((s) => reaches(c, s));
    });
  }

  getCampaign(actor: ScheduleActor, id: string): CampaignRecord {
    const found = this.listCampaigns(actor).find((c) => c.campaign.id === id);
    if (!found) throw new FleetError('CAMPAIGN_NOT_FOUND', `no campaign '${id}'`);
    return found;
  }

  /**
   * HQ writes any campaign; a store-scoped person only store campaigns of their own stores (NOT_AUTHORIZED
   * otherwise, and for replacing HQ's or another store's).
   */
  async putCampaign(actor: ScheduleActor, id: string, body: CampaignBody) {
    requireSameId(id, body.id);
    const owner = body.layer === 'store_campaign' ? (body.stores.storeIds[0] ?? null) : null;
    if (actor.storeIds !== null) {
      if (body.layer !== 'store_campaign' || owner === null || !actor.storeIds.has(owner)) {
        throw new FleetError(
          'NOT_AUTHORIZED',
          'you may write store campaigns (layer store_campaign) of your own stores only',
        );
      }
    }
    const result = await this.write('campaign', () => {
      const before = this.repository.campaign(id);
      if (
        before &&
        actor.storeIds !== null &&
        (before.ownerStoreId === null || !actor.storeIds.has(before.ownerStoreId))
      ) {
        throw new FleetError('NOT_AUTHORIZED', `campaign '${id}' is not your store's`);
      }
      const campaign = checkedCampaign(body, owner, this.references());
      const created = this.repository.putCampaign(campaign, owner, actor.username, this.clock.now());
      return { created, before };
    });
    const record = this.repository.campaign(id) as CampaignRecord;
    this.changed(affected(record, result.before));
    return { record, ...result };
  }

  async deleteCampaign(actor: ScheduleActor, id: string): Promise<CampaignRecord> {
    const record = await this.write('campaign delete', () => {
      const found = this.getCampaign(actor, id);
      if (actor.storeIds !== null && (found.ownerStoreId === null || !actor.storeIds.has(found.ownerStoreId))) {
        throw new FleetError('NOT_AUTHORIZED', `campaign '${id}' is HQ's: only HQ deletes it`);
      }
      this.repository.deleteCampaign(id);
      return found;
    });
    this.changed(affected(record));
    return record;
  }

  /**
   * A store's decision on an HQ campaign: `out` of an `opt_out` one, `in` to an `opt_in` one, or null to take back
   * its decision. CAMPAIGN_OPT_NOT_ALLOWED for a mandatory or store campaign, a decision the policy does not offer,
   * or a campaign that does not target the store.
   */
  async setOpt(
    actor: ScheduleActor,
    campaignId: string,
    storeId: string,
    decision: OptDecision | null,
  ): Promise<OptRecord | null> {
    const store = this.visibleStore(actor, storeId);
    await this.write('campaign opt', () => {
      const record = this.getCampaign(actor, campaignId);
      const c = record.campaign;
      const offered = c.optPolicy === 'opt_out' ? 'out' : c.optPolicy === 'opt_in' ? 'in' : null;
      if (c.layer === 'store_campaign' || offered === null) {
        throw new FleetError(
          'CAMPAIGN_OPT_NOT_ALLOWED',
          `campaign '${campaignId}' is mandatory: stores may not opt in or out`,
        );
      }
      if (!targetsStore(c.stores, this.scheduleStore(store))) {
        throw new FleetError('CAMPAIGN_OPT_NOT_ALLOWED', `campaign '${campaignId}' does not target store '${storeId}'`);
      }
      if (decision !== null && decision !== offered) {
        throw new FleetError(
          'CAMPAIGN_OPT_NOT_ALLOWED',
          `campaign '${campaignId}' is ${c.optPolicy}: a store may only opt ${offered}`,
        );
      }
      this.repository.setOpt(campaignId, storeId, decision, actor.username, this.clock.now());
    });
    this.changed([storeId]);
    return this.repository.opts(storeId).find((o) => o.campaignId === campaignId) ?? null;
  }

  listOpts(actor: ScheduleActor, storeId: string): OptRecord[] {
    this.visibleStore(actor, storeId);
    return this.repository.opts(storeId);
  }

  // Holidays (HQ).

  listHolidays(): Holiday[] {
    return this.repository.holidays();
  }

  async putHoliday(actor: ScheduleActor, id: string, body: Holiday) {
    requireHq(actor, 'the holiday calendar');
    requireSameId(id, body.id);
    const holiday = checkedHoliday(body);
    const created = await this.write('holiday', () =>
      this.repository.putHoliday(holiday, actor.username, this.clock.now()),
    );
    this.changed(null);
    return { holiday, created };
  }

  async deleteHoliday(actor: ScheduleActor, id: string): Promise<Holiday> {
    requireHq(actor, 'the holiday calendar');
    const holiday = await this.write('holiday delete', () => {
      const found = this.repository.holidays().find((h) => h.id === id);
      if (!found) throw new FleetError('NOT_FOUND', `no holiday '${id}'`);
      const users = [
        ...this.repository
          .programmes()
          .flatMap((p) => p.programme.slots.map((s) => [p.programme.id, s.recurrence] as const)),
        ...this.repository.campaigns().map((c) => [c.campaign.id, c.campaign.recurrence] as const),
      ].filter(([, r]) => (r.exceptHolidays ?? []).includes(id) || (r.onlyOnHolidays ?? []).includes(id));
      if (users.length > 0) {
        throw new FleetError('SCHEDULE_INVALID', `holiday '${id}' is used by ${users.map(([u]) => u).join(', ')}`);
      }
      this.repository.deleteHoliday(id);
      return found;
    });
    this.changed(null);
    return holiday;
  }

  // Store side: slot overrides, volume, gap, tags.

  listSlotOverrides(actor: ScheduleActor, storeId: string): SlotOverride[] {
    this.visibleStore(actor, storeId);
    return this.repository.slotOverrides(storeId);
  }

  async putSlotOverride(actor: ScheduleActor, storeId: string, id: string, body: SlotOverrideBody) {
    requireSameId(id, body.id);
    if (body.storeId !== storeId)
      throw new FleetError('BAD_REQUEST', `the body's storeId must be the path's ('${storeId}')`);
    this.visibleStore(actor, storeId);
    const result = await this.write('slot override', () => {
      const before = this.repository.slotOverride(id);
      if (before && before.storeId !== storeId)
        throw new FleetError('SCHEDULE_INVALID', `override '${id}' is another store's`);
      const programme = this.repository.programme(body.programmeId);
      if (!programme) throw new FleetError('PROGRAMME_NOT_FOUND', `no programme '${body.programmeId}'`);
      const override = checkedSlotOverride(body, programme.programme, this.references());
      const created = this.repository.putSlotOverride(override, actor.username, this.clock.now());
      return { override, created, before };
    });
    this.changed([storeId]);
    return result;
  }

  async deleteSlotOverride(actor: ScheduleActor, storeId: string, id: string): Promise<SlotOverride> {
    this.visibleStore(actor, storeId);
    const override = await this.write('slot override delete', () => {
      const found = this.repository.slotOverride(id);
      if (!found || found.storeId !== storeId)
        throw new FleetError('NOT_FOUND', `no slot override '${id}' in '${storeId}'`);
      this.repository.deleteSlotOverride(id);
      return found;
    });
    this.changed([storeId]);
    return override;
  }

  storeSettings(actor: ScheduleActor, storeId: string): StoreBroadcastSettings {
    this.visibleStore(actor, storeId);
    return this.repository.storeSettings(storeId);
  }

  /** Fields left out keep their value. Tags are HQ's (they decide which HQ campaigns reach the store). */
  async putStoreSettings(
    actor: ScheduleActor,
    storeId: string,
    body: Partial<Omit<StoreBroadcastSettings, 'storeId'>>,
  ): Promise<{ before: StoreBroadcastSettings; after: StoreBroadcastSettings }> {
    this.visibleStore(actor, storeId);
    const result = await this.write('store broadcast settings', () => {
      const before = this.repository.storeSettings(storeId);
      const after: StoreBroadcastSettings = {
        storeId,
        volume: body.volume === undefined ? before.volume : body.volume,
        minGapMs: body.minGapMs === undefined ? before.minGapMs : body.minGapMs,
        tags: body.tags === undefined ? before.tags : [...new Set(body.tags)].sort(),
      };
      if (actor.storeIds !== null && after.tags.join() !== before.tags.join()) {
        throw new FleetError('NOT_AUTHORIZED', 'store tags are HQ’s: they decide which HQ campaigns reach the store');
      }
      checkVolume(after.volume);
      this.repository.putStoreSettings(after, actor.username, this.clock.now());
      return { before, after };
    });
    this.changed([storeId]);
    return result;
  }

  chainSettings(): ChainBroadcastSettings {
    return this.repository.chainSettings();
  }

  async putChainSettings(actor: ScheduleActor, settings: ChainBroadcastSettings) {
    requireHq(actor, 'the chain’s broadcast settings');
    const before = this.repository.chainSettings();
    await this.write('chain broadcast settings', () =>
      this.repository.putChainSettings(settings, actor.username, this.clock.now()),
    );
    this.changed(null);
    return { before, after: settings };
  }

  // Support.

  private write<T>(label: string, run: () => T): Promise<T> {
    return this.writer.write(label, run, { deadlineMs: this.options.writeDeadlineMs });
  }

  private changed(storeIds: string[] | null): void {
    this.generation++;
    this.bus.emit('broadcast.schedule.changed', { storeIds: storeIds && [...new Set(storeIds)].sort() });
  }

  private references(): ScheduleReferences {
    const stores = new Set(this.stores.listStores().map((s) => s.id));
    const holidays = new Set(this.repository.holidays().map((h) => h.id));
    return { assets: this.assets, storeExists: (id) => stores.has(id), holidayExists: (id) => holidays.has(id) };
  }

  /** STORE_NOT_FOUND for a store outside the actor's scope, as for an unknown one. */
  private visibleStore(actor: ScheduleActor, storeId: string): Store {
    const store = this.stores.getStore(storeId);
    if (!store || (actor.storeIds !== null && !actor.storeIds.has(storeId))) {
      throw new FleetError('STORE_NOT_FOUND', `no store '${storeId}'`);
    }
    return store;
  }

  private scopeStores(actor: ScheduleActor): ScheduleStore[] {
    const tags = this.repository.allTags();
    return this.stores
      .listStores()
      .filter((s) => actor.storeIds === null || actor.storeIds.has(s.id))
      .map((s) => this.scheduleStore(s, tags.get(s.id) ?? []));
  }

  private scheduleStore(store: Store, tags = this.repository.tagsOf(store.id)): ScheduleStore {
    return { id: store.id, timeZone: store.timeZone, region: store.region, tags, openingHours: store.openingHours };
  }
}

/** Whether a campaign concerns the store: targets it (whatever the store decided), or is its own. */
function reaches(record: CampaignRecord, store: ScheduleStore): boolean {
  if (record.campaign.layer === 'store_campaign') return record.ownerStoreId === store.id;
  return targetsStore(record.campaign.stores, store);
}

/** The stores a campaign change concerns: those listed, when only listed; otherwise possibly any (null). */
function affected(after: CampaignRecord, before?: CampaignRecord): string[] | null {
  const targets: StoreTarget[] = [after.campaign.stores, ...(before ? [before.campaign.stores] : [])];
  if (targets.some((t) => t.all || t.regions.length > 0 || t.tags.length > 0)) return null;
  return targets.flatMap((t) => t.storeIds);
}

function requireHq(actor: ScheduleActor, what: string): void {
  if (actor.storeIds !== null) throw new FleetError('NOT_AUTHORIZED', `only chain-wide roles (HQ) write ${what}`);
}

function requireSameId(path: string, body: string): void {
  if (path !== body) throw new FleetError('BAD_REQUEST', `the body's id must be the path's ('${path}')`);
}
