import type { CompileInput, ScheduleSpeaker, ScheduleStore } from '../../../broadcast/schedule/compile-input.ts';
import { RecurrenceExpander } from '../../../broadcast/schedule/recurrence.ts';
import { ZoneOffsets } from '../../../broadcast/schedule/zoned-time.ts';
import type { Campaign, Programme } from '../../../protocol/api/broadcast-schedule.ts';
import { FakeAssetCatalog } from '../../mocks/fake-asset-catalog.ts';

const EVERY_DAY_8_TO_22 = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['08:00', '22:00']]]),
) as ScheduleStore['openingHours'];

/** A store in New York (DST on 2026-03-08), open 08:00-22:00 every day. */
export const NY_STORE: ScheduleStore = {
  id: 'ny-1',
  timeZone: 'America/New_York',
  region: 'us-east',
  tags: ['flagship'],
  openingHours: EVERY_DAY_8_TO_22,
};
export const SHANGHAI_STORE: ScheduleStore = { ...NY_STORE, id: 'sh-1', timeZone: 'Asia/Shanghai', region: 'east' };
export const BOX: ScheduleSpeaker = { thingName: 'spk-ny-bx01', role: 'broadcast', zoneId: null };
export const PROMO: ScheduleSpeaker = { thingName: 'spk-ny-px01', role: 'promo', zoneId: 'dairy' };

/** 2026-03-05 00:00 in New York (EST, UTC-5): the horizon crosses the spring-forward night of 03-08. */
export const NY_FROM = Date.UTC(2026, 2, 5, 5);

export function assetsFixture() {
  const catalog = new FakeAssetCatalog();
  return {
    catalog,
    song1: catalog.add('song 1', 'music', 180_000),
    song2: catalog.add('song 2', 'music', 200_000),
    xmas: catalog.add('xmas song', 'music', 150_000),
    ad1: catalog.add('ad 1', 'speech', 30_000),
    ad2: catalog.add('ad 2', 'speech', 20_000),
    promo: catalog.add('yoghurt promo', 'speech', 10_000),
  };
}

export function programme(over: Partial<Programme> & Pick<Programme, 'id' | 'slots'>): Programme {
  return {
    name: over.id,
    layer: 'ambient',
    priority: 50,
    stores: { all: true, regions: [], tags: [], storeIds: [] },
    speakers: { roles: ['broadcast'], zoneIds: [], thingNames: [] },
    ...over,
  };
}

export function campaign(over: Partial<Campaign> & Pick<Campaign, 'id' | 'assets' | 'recurrence'>): Campaign {
  return {
    name: over.id,
    kind: 'announcement',
    layer: 'hq_campaign',
    priority: 50,
    entry: 'between_tracks',
    maxDelayMs: 0,
    caps: { maxPerHour: null, minGapMinutes: null },
    stores: { all: true, regions: [], tags: [], storeIds: [] },
    speakers: { roles: ['broadcast'], zoneIds: [], thingNames: [] },
    optPolicy: 'mandatory',
    promo: null,
    ...over,
  };
}

export function recurrence(rule: string, more: Partial<Campaign['recurrence']> = {}): Campaign['recurrence'] {
  return {
    rule,
    validFrom: '2026-01-01',
    validUntil: null,
    exceptions: [],
    exceptHolidays: [],
    onlyOnHolidays: [],
    ...more,
  };
}

export function input(over: Partial<CompileInput> & Pick<CompileInput, 'assets'>): CompileInput {
  return {
    speaker: BOX,
    store: NY_STORE,
    programmes: [],
    campaigns: [],
    campaignOwners: new Map(),
    holidays: [],
    opts: new Map(),
    slotOverrides: [],
    volume: null,
    chain: { minGapMs: 0, defaultVolume: 60 },
    storeMinGapMs: null,
    from: NY_FROM,
    horizonDays: 7,
    compiledAt: NY_FROM,
    expander: new RecurrenceExpander(new ZoneOffsets()),
    ...over,
  };
}

/** `HH:MM` local wall time of an instant in a zone, with its date: `2026-03-08 08:00`. */
export function local(instant: number, zone = NY_STORE.timeZone): string {
  const zones = new ZoneOffsets();
  return new Date(zones.toWall(zone, instant)).toISOString().slice(0, 16).replace('T', ' ');
}
