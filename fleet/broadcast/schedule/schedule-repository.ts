import { StatementCache } from '../../../platform/statement-cache.ts';
import type {
  Campaign,
  CampaignRecord,
  ChainBroadcastSettings,
  Holiday,
  OptDecision,
  OptRecord,
  Programme,
  ProgrammeRecord,
  SlotOverride,
  StoreBroadcastSettings,
  VolumeSchedule,
} from '../../../protocol/api/broadcast-schedule.ts';
import type { Database } from '../../storage/database.ts';

interface DocumentRow {
  body: string;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
}

/** Until HQ sets them: 5 minutes between two announcements (Rockbot's default spacing), volume 60 in opening hours. */
export const DEFAULT_CHAIN_BROADCAST: ChainBroadcastSettings = { minGapMs: 5 * 60_000, defaultVolume: 60 };

/** Programmes, campaigns, holidays, opt decisions, slot overrides, store settings and tags (migration 27). */
export class ScheduleRepository {
  private readonly statements: StatementCache;

  constructor(private readonly db: Database) {
    this.statements = new StatementCache(db);
  }

  programmes(): ProgrammeRecord[] {
    const rows = this.statements.prepare('SELECT * FROM broadcast_programmes ORDER BY id').all() as DocumentRow[];
    return rows.map((r) => ({ programme: JSON.parse(r.body) as Programme, ...bookkeeping(r) }));
  }

  programme(id: string): ProgrammeRecord | undefined {
    const r = this.statements.prepare('SELECT * FROM broadcast_programmes WHERE id = ?').get(id) as
      | DocumentRow
      | undefined;
    return r && { programme: JSON.parse(r.body) as Programme, ...bookkeeping(r) };
  }

  /** Creates or replaces; true when it was new. */
  putProgramme(programme: Programme, by: string, now: number): boolean {
    const existed = this.programme(programme.id) !== undefined;
    this.statements
      .prepare(
        `INSERT INTO broadcast_programmes (id, layer, body, created_at, created_by, updated_at, updated_by)
         VALUES (@id, @layer, @body, @now, @by, @now, @by)
         ON CONFLICT(id) DO UPDATE SET layer = excluded.layer, body = excluded.body, updated_at = excluded.updated_at,
           updated_by = excluded.updated_by`,
      )
      .run({ id: programme.id, layer: programme.layer, body: JSON.stringify(programme), now, by });
    return !existed;
  }

  deleteProgramme(id: string): boolean {
    return this.statements.prepare('DELETE FROM broadcast_programmes WHERE id = ?').run(id).changes > 0;
  }

  campaigns(): CampaignRecord[] {
    const rows = this.statements.prepare('SELECT * FROM broadcast_campaigns ORDER BY id').all() as CampaignRow[];
    return rows.map(toCampaign);
  }

  campaign(id: string): CampaignRecord | undefined {
    const r = this.statements.prepare('SELECT * FROM broadcast_campaigns WHERE id = ?').get(id) as
      | CampaignRow
      | undefined;
    return r && toCampaign(r);
  }

  putCampaign(campaign: Campaign, ownerStoreId: string | null, by: string, now: number): boolean {
    const existed = this.campaign(campaign.id) !== undefined;
    this.statements
      .prepare(
        `INSERT INTO broadcast_campaigns (id, layer, owner_store_id, body, created_at, created_by, updated_at,
           updated_by)
         VALUES (@id, @layer, @owner, @body, @now, @by, @now, @by)
         ON CONFLICT(id) DO UPDATE SET layer = excluded.layer, owner_store_id = excluded.owner_store_id,
           body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      )
      .run({ id: campaign.id, layer: campaign.layer, owner: ownerStoreId, body: JSON.stringify(campaign), now, by });
    return !existed;
  }

  deleteCampaign(id: string): boolean {
    return this.statements.prepare('DELETE FROM broadcast_campaigns WHERE id = ?').run(id).changes > 0;
  }

  holidays(): Holiday[] {
    const rows = this.statements.prepare('SELECT id, name, dates FROM broadcast_holidays ORDER BY id').all() as {
      id: string;
      name: string;
      dates: string;
    }[];
    return rows.map((r) => ({ id: r.id, name: r.name, dates: JSON.parse(r.dates) as string[] }));
  }

  putHoliday(holiday: Holiday, by: string, now: number): boolean {
    const existed = this.holidays().some((h) => h.id === holiday.id);
    this.statements
      .prepare(
        `INSERT INTO broadcast_holidays (id, name, dates, updated_at, updated_by) VALUES (@id, @name, @dates, @now, @by)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, dates = excluded.dates, updated_at = excluded.updated_at,
           updated_by = excluded.updated_by`,
      )
      .run({ id: holiday.id, name: holiday.name, dates: JSON.stringify([...holiday.dates].sort()), now, by });
    return !existed;
  }

  deleteHoliday(id: string): boolean {
    return this.statements.prepare('DELETE FROM broadcast_holidays WHERE id = ?').run(id).changes > 0;
  }

  /** Opt decisions of a store (by campaign), or of every store (`storeId` undefined). */
  opts(storeId?: string): OptRecord[] {
    const sql = `SELECT campaign_id AS campaignId, store_id AS storeId, decision, at, by FROM broadcast_campaign_opts
      ${storeId === undefined ? '' : 'WHERE store_id = ?'} ORDER BY campaign_id, store_id`;
    const statement = this.statements.prepare(sql);
    return (storeId === undefined ? statement.all() : statement.all(storeId)) as OptRecord[];
  }

  setOpt(campaignId: string, storeId: string, decision: OptDecision | null, by: string, now: number): void {
    if (decision === null) {
      this.statements
        .prepare('DELETE FROM broadcast_campaign_opts WHERE campaign_id = ? AND store_id = ?')
        .run(campaignId, storeId);
      return;
    }
    this.statements
      .prepare(
        `INSERT INTO broadcast_campaign_opts (campaign_id, store_id, decision, at, by) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(campaign_id, store_id) DO UPDATE SET decision = excluded.decision, at = excluded.at, by = excluded.by`,
      )
      .run(campaignId, storeId, decision, now, by);
  }

  slotOverrides(storeId?: string): SlotOverride[] {
    const sql = `SELECT body FROM broadcast_slot_overrides ${storeId === undefined ? '' : 'WHERE store_id = ?'} ORDER BY id`;
    const statement = this.statements.prepare(sql);
    const rows = (storeId === undefined ? statement.all() : statement.all(storeId)) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as SlotOverride);
  }

  slotOverride(id: string): SlotOverride | undefined {
    const r = this.statements.prepare('SELECT body FROM broadcast_slot_overrides WHERE id = ?').get(id) as
      | { body: string }
      | undefined;
    return r && (JSON.parse(r.body) as SlotOverride);
  }

  putSlotOverride(override: SlotOverride, by: string, now: number): boolean {
    const existed = this.slotOverride(override.id) !== undefined;
    this.statements
      .prepare(
        `INSERT INTO broadcast_slot_overrides (id, programme_id, store_id, body, updated_at, updated_by)
         VALUES (@id, @programmeId, @storeId, @body, @now, @by)
         ON CONFLICT(id) DO UPDATE SET programme_id = excluded.programme_id, store_id = excluded.store_id,
           body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      )
      .run({ ...override, body: JSON.stringify(override), now, by });
    return !existed;
  }

  deleteSlotOverride(id: string): boolean {
    return this.statements.prepare('DELETE FROM broadcast_slot_overrides WHERE id = ?').run(id).changes > 0;
  }

  storeSettings(storeId: string): StoreBroadcastSettings {
    const r = this.statements
      .prepare('SELECT volume, min_gap_ms FROM broadcast_store_settings WHERE store_id = ?')
      .get(storeId) as { volume: string | null; min_gap_ms: number | null } | undefined;
    return {
      storeId,
      volume: r?.volume ? (JSON.parse(r.volume) as VolumeSchedule) : null,
      minGapMs: r?.min_gap_ms ?? null,
      tags: this.tagsOf(storeId),
    };
  }

  putStoreSettings(settings: StoreBroadcastSettings, by: string, now: number): void {
    this.db.transaction(() => {
      this.statements
        .prepare(
          `INSERT INTO broadcast_store_settings (store_id, volume, min_gap_ms, updated_at, updated_by)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(store_id) DO UPDATE SET volume = excluded.volume, min_gap_ms = excluded.min_gap_ms,
             updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        )
        .run(settings.storeId, settings.volume && JSON.stringify(settings.volume), settings.minGapMs, now, by);
      this.statements.prepare('DELETE FROM store_tags WHERE store_id = ?').run(settings.storeId);
      for (const tag of new Set(settings.tags)) {
        this.statements.prepare('INSERT INTO store_tags (store_id, tag) VALUES (?, ?)').run(settings.storeId, tag);
      }
    })();
  }

  tagsOf(storeId: string): string[] {
    return (
      this.statements.prepare('SELECT tag FROM store_tags WHERE store_id = ? ORDER BY tag').all(storeId) as {
        tag: string;
      }[]
    ).map((r) => r.tag);
  }

  /** Every store's tags, for a chain-wide compile. */
  allTags(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    const rows = this.statements.prepare('SELECT store_id, tag FROM store_tags ORDER BY store_id, tag').all() as {
      store_id: string;
      tag: string;
    }[];
    for (const r of rows) out.set(r.store_id, [...(out.get(r.store_id) ?? []), r.tag]);
    return out;
  }

  chainSettings(): ChainBroadcastSettings {
    const r = this.statements
      .prepare('SELECT min_gap_ms, default_volume FROM broadcast_chain_settings WHERE id = 1')
      .get() as { min_gap_ms: number; default_volume: number } | undefined;
    return r ? { minGapMs: r.min_gap_ms, defaultVolume: r.default_volume } : { ...DEFAULT_CHAIN_BROADCAST };
  }

  putChainSettings(settings: ChainBroadcastSettings, by: string, now: number): void {
    this.statements
      .prepare(
        `INSERT INTO broadcast_chain_settings (id, min_gap_ms, default_volume, updated_at, updated_by)
         VALUES (1, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET min_gap_ms = excluded.min_gap_ms, default_volume = excluded.default_volume,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      )
      .run(settings.minGapMs, settings.defaultVolume, now, by);
  }
}

interface CampaignRow extends DocumentRow {
  owner_store_id: string | null;
}

function toCampaign(r: CampaignRow): CampaignRecord {
  return { campaign: JSON.parse(r.body) as Campaign, ownerStoreId: r.owner_store_id, ...bookkeeping(r) };
}

function bookkeeping(r: DocumentRow) {
  return { createdAt: r.created_at, createdBy: r.created_by, updatedAt: r.updated_at, updatedBy: r.updated_by };
}
