import type { CampaignBody, CampaignRecord } from '../../../../protocol/api/broadcast-schedule.ts';
import type { Me } from '../../api/types.ts';
import { parseRule, type RecurrenceDraft } from './rrule-builder.ts';

/** The campaign form's state: the body as the API takes it, plus the recurrence builder and the exceptions' text. */
export interface CampaignDraft {
  body: CampaignBody;
  recurrence: RecurrenceDraft;
  exceptions: string;
}

export const DEFAULT_PROMO = {
  productId: '',
  windowMinutes: 60,
  cooldownMs: 120_000,
  maxPerHour: 12,
  minBatteryPercent: 20,
  targetSplDb: 60,
  maxSplDb: 70,
};

export function newCampaignDraft(me: Me, storeId: string | null, today: string): CampaignDraft {
  const hq = me.storeIds === null;
  return {
    body: {
      id: '',
      name: '',
      kind: 'announcement',
      layer: hq ? 'hq_campaign' : 'store_campaign',
      priority: 50,
      assets: [],
      recurrence: { rule: 'FREQ=DAILY;BYHOUR=10;BYMINUTE=0', validFrom: today, validUntil: null, exceptions: [] },
      entry: 'between_tracks',
      maxDelayMs: 120_000,
      caps: { maxPerHour: null, minGapMinutes: null },
      stores: hq
        ? { all: true, regions: [], tags: [], storeIds: [] }
        : { all: false, regions: [], tags: [], storeIds: storeId ? [storeId] : [] },
      speakers: { roles: ['broadcast'], zoneIds: [], thingNames: [] },
      optPolicy: 'mandatory',
      promo: null,
    },
    recurrence: { mode: 'daily', days: [], times: '10:00' },
    exceptions: '',
  };
}

export function campaignDraftOf(record: CampaignRecord): CampaignDraft {
  const c = record.campaign;
  return {
    body: structuredClone(c) as CampaignBody,
    recurrence: parseRule(c.recurrence.rule),
    exceptions: (c.recurrence.exceptions ?? []).join(', '),
  };
}

/**
 * Whether this user may change the campaign, as the server decides: HQ everything; a store manager the store
 * campaigns of their own stores.
 */
export function canEditCampaign(me: Me, record: CampaignRecord | null): boolean {
  if (me.storeIds === null) return true;
  if (!record) return true;
  return record.ownerStoreId !== null && me.storeIds.includes(record.ownerStoreId);
}
