import type { AssetCatalog } from '../../../broadcast/schedule/compile-input.ts';
import { checkRule } from '../../../broadcast/schedule/recurrence.ts';
import type {
  Campaign,
  CampaignBody,
  Holiday,
  Programme,
  ProgrammeBody,
  Recurrence,
  RecurrenceBody,
  SlotOverride,
  SlotOverrideBody,
  SpeakerTarget,
  StoreTarget,
  VolumeSchedule,
} from '../../../protocol/api/broadcast-schedule.ts';
import type { AssetKind } from '../../../protocol/broadcast/layers.ts';
import { FleetError } from '../../../protocol/errors.ts';

/** What a check looks things up in. */
export interface ScheduleReferences {
  assets: AssetCatalog;
  storeExists(id: string): boolean;
  holidayExists(id: string): boolean;
}

/**
 * Checks of what the API's schemas cannot say. Every problem is collected and answered at once as SCHEDULE_INVALID
 * (`details`: one line each); a rule that does not parse or floods is RRULE_INVALID first, on its own.
 */
class Problems {
  readonly list: string[] = [];
  add(field: string, message: string): void {
    this.list.push(`${field}: ${message}`);
  }
  throwIfAny(what: string): void {
    if (this.list.length > 0) {
      throw new FleetError('SCHEDULE_INVALID', `${what}: ${this.list.join('; ')}`, this.list);
    }
  }
}

export function checkedProgramme(body: ProgrammeBody, refs: ScheduleReferences): Programme {
  const programme: Programme = {
    ...body,
    priority: body.priority ?? 50,
    slots: body.slots.map((s) => ({ ...s, recurrence: withDefaults(s.recurrence) })),
  };
  const problems = new Problems();
  const slotIds = new Set<string>();
  programme.slots.forEach((slot, i) => {
    if (slotIds.has(slot.id)) problems.add(`slots[${i}].id`, `'${slot.id}' appears twice`);
    slotIds.add(slot.id);
    checkRecurrence(slot.recurrence, `slots[${i}].recurrence`, problems, refs);
    checkAssets(slot.playlist, ['music'], `slots[${i}].playlist`, problems, refs);
  });
  checkStoreTarget(programme.stores, problems, refs);
  checkSpeakerTarget(programme.speakers, problems);
  problems.throwIfAny(`programme '${programme.id}'`);
  return programme;
}

/** `ownerStoreId`: the store a store campaign belongs to (null for HQ's). */
export function checkedCampaign(body: CampaignBody, ownerStoreId: string | null, refs: ScheduleReferences): Campaign {
  const campaign: Campaign = { ...body, priority: body.priority ?? 50, recurrence: withDefaults(body.recurrence) };
  const problems = new Problems();
  checkRecurrence(campaign.recurrence, 'recurrence', problems, refs);
  checkAssets(
    campaign.assets,
    campaign.kind === 'promo' ? ['speech', 'jingle', 'music'] : ['speech', 'jingle'],
    'assets',
    problems,
    refs,
  );
  if (campaign.kind === 'promo' && campaign.promo === null)
    problems.add('promo', 'a promo campaign needs its settings');
  if (campaign.kind === 'announcement' && campaign.promo !== null) problems.add('promo', 'only for kind promo');
  if (campaign.promo && campaign.promo.maxSplDb < campaign.promo.targetSplDb) {
    problems.add('promo.maxSplDb', 'must be at least targetSplDb');
  }
  if (campaign.layer === 'store_campaign') {
    const s = campaign.stores;
    if (s.all || s.regions.length > 0 || s.tags.length > 0 || s.storeIds.length !== 1) {
      problems.add('stores', 'a store campaign targets exactly its own store (storeIds: [store])');
    }
    if (campaign.optPolicy !== 'mandatory') problems.add('optPolicy', 'a store campaign is mandatory in its store');
    if (ownerStoreId !== null && s.storeIds[0] !== ownerStoreId) problems.add('stores.storeIds', 'not the owner');
  }
  checkStoreTarget(campaign.stores, problems, refs);
  checkSpeakerTarget(campaign.speakers, problems);
  problems.throwIfAny(`campaign '${campaign.id}'`);
  return campaign;
}

export function checkedHoliday(holiday: Holiday): Holiday {
  const problems = new Problems();
  holiday.dates.forEach((d, i) => {
    if (!isDate(d)) problems.add(`dates[${i}]`, `'${d}' is not a date`);
  });
  problems.throwIfAny(`holiday '${holiday.id}'`);
  return { ...holiday, dates: [...new Set(holiday.dates)].sort() };
}

export function checkedSlotOverride(
  body: SlotOverrideBody,
  programme: Programme,
  refs: ScheduleReferences,
): SlotOverride {
  const override: SlotOverride = { ...body, shuffle: body.shuffle ?? false };
  const problems = new Problems();
  if (!programme.slots.some((s) => s.id === override.slotId)) {
    problems.add('slotId', `programme '${programme.id}' has no slot '${override.slotId}'`);
  }
  for (const [field, d] of [
    ['fromDate', override.fromDate],
    ['untilDate', override.untilDate],
  ] as const) {
    if (!isDate(d)) problems.add(field, `'${d}' is not a date`);
  }
  if (override.untilDate < override.fromDate) problems.add('untilDate', 'before fromDate');
  if (override.playlist) checkAssets(override.playlist, ['music'], 'playlist', problems, refs);
  problems.throwIfAny(`slot override '${override.id}'`);
  return override;
}

export function checkVolume(volume: VolumeSchedule | null): void {
  if (!volume) return;
  const problems = new Problems();
  const check = (rules: VolumeSchedule['rules'], field: string) =>
    rules.forEach((r, i) => {
      if (r.from === r.to) problems.add(`${field}[${i}]`, 'from and to are the same time');
    });
  check(volume.rules, 'volume.rules');
  for (const [thing, rules] of Object.entries(volume.speakers)) check(rules, `volume.speakers.${thing}`);
  problems.throwIfAny('volume schedule');
}

function withDefaults(r: RecurrenceBody): Recurrence {
  return {
    ...r,
    exceptions: r.exceptions ?? [],
    exceptHolidays: r.exceptHolidays ?? [],
    onlyOnHolidays: r.onlyOnHolidays ?? [],
  };
}

function checkRecurrence(r: Recurrence, field: string, problems: Problems, refs: ScheduleReferences): void {
  checkRule(r.rule);
  if (!isDate(r.validFrom)) problems.add(`${field}.validFrom`, `'${r.validFrom}' is not a date`);
  if (r.validUntil !== null) {
    if (!isDate(r.validUntil)) problems.add(`${field}.validUntil`, `'${r.validUntil}' is not a date`);
    else if (r.validUntil < r.validFrom) problems.add(`${field}.validUntil`, 'before validFrom');
  }
  r.exceptions.forEach((e, i) => {
    if (!isDate(e.slice(0, 10))) problems.add(`${field}.exceptions[${i}]`, `'${e}' is not a date`);
  });
  for (const [key, ids] of [
    ['exceptHolidays', r.exceptHolidays],
    ['onlyOnHolidays', r.onlyOnHolidays],
  ] as const) {
    for (const id of ids) if (!refs.holidayExists(id)) problems.add(`${field}.${key}`, `no holiday '${id}'`);
  }
}

function checkAssets(
  shas: readonly string[],
  kinds: readonly AssetKind[],
  field: string,
  problems: Problems,
  refs: ScheduleReferences,
): void {
  for (const sha of shas) {
    const asset = refs.assets.get(sha);
    if (!asset) problems.add(field, `no asset ${sha} in the content library`);
    else if (!kinds.includes(asset.kind)) problems.add(field, `asset ${sha} is ${asset.kind}, not ${kinds.join('/')}`);
  }
}

function checkStoreTarget(target: StoreTarget, problems: Problems, refs: ScheduleReferences): void {
  if (!target.all && target.regions.length + target.tags.length + target.storeIds.length === 0) {
    problems.add('stores', 'targets no store: set all, regions, tags or storeIds');
  }
  for (const id of target.storeIds) if (!refs.storeExists(id)) problems.add('stores.storeIds', `no store '${id}'`);
}

function checkSpeakerTarget(target: SpeakerTarget, problems: Problems): void {
  if (target.roles.length + target.thingNames.length === 0) {
    problems.add('speakers', 'targets no speaker: set roles or thingNames');
  }
}

function isDate(d: string): boolean {
  const t = Date.parse(`${d}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === d;
}
