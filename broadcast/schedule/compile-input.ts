import type {
  Campaign,
  ChainBroadcastSettings,
  Holiday,
  OptDecision,
  Programme,
  SlotOverride,
  SpeakerRole,
  SpeakerTarget,
  StoreTarget,
  VolumeSchedule,
} from '../../protocol/api/broadcast-schedule.ts';
import type { AssetKind } from '../../protocol/broadcast/layers.ts';
import type { RecurrenceExpander } from './recurrence.ts';

/**
 * The content library as the compiler sees it (a port: the fleet binds it to its content library; tests to
 * test/mocks/fake-asset-catalog.ts). `undefined`: no such asset.
 */
export interface AssetCatalog {
  get(
    sha256: string,
  ): { sha256: string; bytes: number; durationMs: number; title: string; kind: AssetKind } | undefined;
}

/** Opening hours by weekday, local `HH:MM` pairs (the registry's `stores.openingHours`). */
export type OpeningHours = Partial<Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', [string, string][]>>;

/** The store a speaker is in, as scheduling needs it. */
export interface ScheduleStore {
  id: string;
  timeZone: string;
  region: string | null;
  tags: readonly string[];
  openingHours: OpeningHours;
}

/** The speaker compiled for. */
export interface ScheduleSpeaker {
  thingName: string;
  role: SpeakerRole;
  zoneId: string | null;
}

/**
 * Everything one speaker's manifest is compiled from. The compiler filters programmes and campaigns by target and
 * opt policy itself, so the caller may pass the chain's whole set.
 */
export interface CompileInput {
  speaker: ScheduleSpeaker;
  store: ScheduleStore;
  programmes: readonly Programme[];
  campaigns: readonly Campaign[];
  /** Store campaigns' owners: a `store_campaign` plays only in its own store. */
  campaignOwners: ReadonlyMap<string, string | null>;
  holidays: readonly Holiday[];
  /** This store's opt decisions, by campaign id. */
  opts: ReadonlyMap<string, OptDecision>;
  /** This store's slot overrides. */
  slotOverrides: readonly SlotOverride[];
  /** The store's volume schedule, or null for the chain's default volume through opening hours. */
  volume: VolumeSchedule | null;
  chain: ChainBroadcastSettings;
  /** The store's own global minimum gap; null: the chain's. */
  storeMinGapMs: number | null;
  assets: AssetCatalog;
  from: number;
  horizonDays: number;
  compiledAt: number;
  /** Share one across a compile run (all speakers, all stores): expansions of the same rules are reused. */
  expander: RecurrenceExpander;
}

/** Whether a target takes the store: all, its region, one of its tags, or listed. */
export function targetsStore(target: StoreTarget, store: ScheduleStore): boolean {
  return (
    target.all ||
    target.storeIds.includes(store.id) ||
    (store.region !== null && target.regions.includes(store.region)) ||
    target.tags.some((t) => store.tags.includes(t))
  );
}

/** Whether a target takes the speaker: listed by name, or of a listed role (and zone, when zones are named). */
export function targetsSpeaker(target: SpeakerTarget, speaker: ScheduleSpeaker): boolean {
  if (target.thingNames.includes(speaker.thingName)) return true;
  if (!target.roles.includes(speaker.role)) return false;
  return target.zoneIds.length === 0 || (speaker.zoneId !== null && target.zoneIds.includes(speaker.zoneId));
}

/** Why a campaign does not play in the store (null: it does): target, ownership, HQ's opt policy and the store's choice. */
export function campaignExclusion(
  campaign: Campaign,
  owner: string | null,
  store: ScheduleStore,
  opt: OptDecision | undefined,
): string | null {
  if (campaign.layer === 'store_campaign') return owner === store.id ? null : 'another store’s campaign';
  if (!targetsStore(campaign.stores, store)) return 'store not targeted';
  if (campaign.optPolicy === 'opt_out' && opt === 'out') return 'store opted out';
  if (campaign.optPolicy === 'opt_in' && opt !== 'in') return 'store has not opted in';
  return null;
}
