import {
  BroadcastIdParams,
  BroadcastStoreParams,
  BroadcastThingParams,
  CalendarQuery,
  CalendarSchema,
  CampaignListQuery,
  CampaignRecordSchema,
  CampaignSchema,
  ChainBroadcastSettingsSchema,
  CompiledScheduleSchema,
  HolidaySchema,
  ManifestDraftQuery,
  OptBody,
  OptRecordSchema,
  ProgrammeRecordSchema,
  ProgrammeSchema,
  SlotOverrideSchema,
  StoreBroadcastBody,
  StoreBroadcastSettingsSchema,
  StoreCampaignParams,
} from '../../../protocol/api/broadcast-schedule.ts';
import { NoContent, nullable } from '../../../protocol/api/json-schema.ts';
import { FleetError } from '../../../protocol/errors.ts';
import type { ScheduleActor } from '../../broadcast/schedule/broadcast-schedule-service.ts';
import { audit, type HttpDeps, noContent, principal, visibleThing } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

const tags = ['broadcast'];

/**
 * Broadcast scheduling: programmes, campaigns, the holiday calendar, store opt-ins, slot overrides, volume and gaps,
 * and what each speaker will play (calendar, manifest draft). Reading needs `broadcast:read`, writing
 * `campaigns:write`; the service checks who writes what (HQ: programmes, HQ campaigns, holidays, tags, chain
 * settings; a store manager: their own stores' campaigns, opt decisions, overrides and volume) and answers stores
 * outside a caller's scope as unknown.
 */
export function broadcastScheduleRoutes(app: ApiApp, deps: HttpDeps): void {
  const actor = (req: Parameters<typeof principal>[0]): ScheduleActor => {
    const p = principal(req);
    return { username: p.username, storeIds: p.storeIds };
  };
  const schedule = () => {
    if (!deps.broadcastSchedule) throw new FleetError('NOT_FOUND', 'broadcast scheduling is not running');
    return deps.broadcastSchedule;
  };

  // Programmes.
  app.get(
    '/api/broadcast/programmes',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags,
        summary: 'Programmes (ambient music) that reach my stores',
        response: { 200: { type: 'array', items: ProgrammeRecordSchema } },
      },
    },
    async (req) => schedule().listProgrammes(actor(req)),
  );
  app.get(
    '/api/broadcast/programmes/:id',
    {
      config: { permission: 'broadcast:read' },
      schema: { tags, summary: 'One programme', params: BroadcastIdParams, response: { 200: ProgrammeRecordSchema } },
    },
    async (req) => schedule().getProgramme(actor(req), req.params.id),
  );
  app.put(
    '/api/broadcast/programmes/:id',
    {
      config: { permission: 'campaigns:write' },
      schema: {
        tags,
        summary: 'Create or replace a programme (HQ; 400 RRULE_INVALID or SCHEDULE_INVALID lists what is wrong)',
        params: BroadcastIdParams,
        body: ProgrammeSchema,
        response: { 200: ProgrammeRecordSchema },
      },
    },
    async (req) => {
      const { record, created, before } = await schedule().putProgramme(actor(req), req.params.id, req.body);
      audit(req, deps, {
        action: created ? 'broadcast.programme.create' : 'broadcast.programme.update',
        targetType: 'programme',
        targetId: req.params.id,
        storeId: null,
        details: { before: before?.programme ?? null, after: record.programme },
      });
      return record;
    },
  );
  app.delete(
    '/api/broadcast/programmes/:id',
    {
      config: { permission: 'campaigns:write' },
      schema: {
        tags,
        summary: 'Delete a programme (HQ) and its store overrides',
        params: BroadcastIdParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      const record = await schedule().deleteProgramme(actor(req), req.params.id);
      audit(req, deps, {
        action: 'broadcast.programme.delete',
        targetType: 'programme',
        targetId: req.params.id,
        storeId: null,
        details: { before: record.programme },
      });
      return noContent(reply);
    },
  );

  // Campaigns.
  app.get(
    '/api/broadcast/campaigns',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags,
        summary: 'Campaigns that reach my stores (filter by store, layer)',
        querystring: CampaignListQuery,
        response: { 200: { type: 'array', items: CampaignRecordSchema } },
      },
    },
    async (req) => schedule().listCampaigns(actor(req), req.query),
  );
  app.get(
    '/api/broadcast/campaigns/:id',
    {
      config: { permission: 'broadcast:read' },
      schema: { tags, summary: 'One campaign', params: BroadcastIdParams, response: { 200: CampaignRecordSchema } },
    },
    async (req) => schedule().getCampaign(actor(req), req.params.id),
  );
  app.put(
    '/api/broadcast/campaigns/:id',
    {
      config: { permission: 'campaigns:write' },
      schema: {
        tags,
        summary: 'Create or replace a campaign (store managers: store campaigns of their stores only)',
        params: BroadcastIdParams,
        body: CampaignSchema,
        response: { 200: CampaignRecordSchema },
      },
    },
    async (req) => {
      const { record, created, before } = await schedule().putCampaign(actor(req), req.params.id, req.body);
      audit(req, deps, {
        action: created ? 'broadcast.campaign.create' : 'broadcast.campaign.update',
        targetType: 'campaign',
        targetId: req.params.id,
        storeId: record.ownerStoreId,
        details: { before: before?.campaign ?? null, after: record.campaign },
      });
      return record;
    },
  );
  app.delete(
    '/api/broadcast/campaigns/:id',
    {
      config: { permission: 'campaigns:write' },
      schema: { tags, summary: 'Delete a campaign', params: BroadcastIdParams, response: { 204: NoContent } },
    },
    async (req, reply) => {
      const record = await schedule().deleteCampaign(actor(req), req.params.id);
      audit(req, deps, {
        action: 'broadcast.campaign.delete',
        targetType: 'campaign',
        targetId: req.params.id,
        storeId: record.ownerStoreId,
        details: { before: record.campaign },
      });
      return noContent(reply);
    },
  );

  // Store opt-in/out.
  app.get(
    '/api/broadcast/stores/:storeId/opts',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags,
        summary: 'The store’s opt decisions',
        params: BroadcastStoreParams,
        response: { 200: { type: 'array', items: OptRecordSchema } },
      },
    },
    async (req) => schedule().listOpts(actor(req), req.params.storeId),
  );
  app.put(
    '/api/broadcast/stores/:storeId/campaigns/:id/opt',
    {
      config: { permission: 'campaigns:write' },
      schema: {
        tags,
        summary:
          'Opt the store out of (opt_out) or in to (opt_in) an HQ campaign; null takes the decision back (403 CAMPAIGN_OPT_NOT_ALLOWED)',
        params: StoreCampaignParams,
        body: OptBody,
        response: { 200: nullable(OptRecordSchema) },
      },
    },
    async (req) => {
      const { storeId, id } = req.params;
      const record = await schedule().setOpt(actor(req), id, storeId, req.body.decision);
      audit(req, deps, {
        action: 'broadcast.campaign.opt',
        targetType: 'campaign',
        targetId: id,
        storeId,
        details: { decision: req.body.decision },
      });
      return record;
    },
  );

  // Holidays.
  app.get(
    '/api/broadcast/holidays',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags,
        summary: 'The chain’s holiday calendar',
        response: { 200: { type: 'array', items: HolidaySchema } },
      },
    },
    async () => schedule().listHolidays(),
  );
  app.put(
    '/api/broadcast/holidays/:id',
    {
      config: { permission: 'campaigns:write' },
      schema: {
        tags,
        summary: 'Create or replace a holiday (HQ)',
        params: BroadcastIdParams,
        body: HolidaySchema,
        response: { 200: HolidaySchema },
      },
    },
    async (req) => {
      const { holiday, created } = await schedule().putHoliday(actor(req), req.params.id, req.body);
      audit(req, deps, {
        action: created ? 'broadcast.holiday.create' : 'broadcast.holiday.update',
        targetType: 'holiday',
        targetId: holiday.id,
        storeId: null,
        details: { after: holiday },
      });
      return holiday;
    },
  );
  app.delete(
    '/api/broadcast/holidays/:id',
    {
      config: { permission: 'campaigns:write' },
      schema: {
        tags,
        summary: 'Delete a holiday no schedule uses (HQ)',
        params: BroadcastIdParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      const holiday = await schedule().deleteHoliday(actor(req), req.params.id);
      audit(req, deps, {
        action: 'broadcast.holiday.delete',
        targetType: 'holiday',
        targetId: holiday.id,
        storeId: null,
        details: { before: holiday },
      });
      return noContent(reply);
    },
  );

  // Slot overrides.
  app.get(
    '/api/broadcast/stores/:storeId/slot-overrides',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags,
        summary: 'The store’s programme slot overrides',
        params: BroadcastStoreParams,
        response: { 200: { type: 'array', items: SlotOverrideSchema } },
      },
    },
    async (req) => schedule().listSlotOverrides(actor(req), req.params.storeId),
  );
  app.put(
    '/api/broadcast/stores/:storeId/slot-overrides/:id',
    {
      config: { permission: 'campaigns:write' },
      schema: {
        tags,
        summary: 'Replace a programme slot’s playlist in the store for a date range (playlist null: silence)',
        params: StoreCampaignParams,
        body: SlotOverrideSchema,
        response: { 200: SlotOverrideSchema },
      },
    },
    async (req) => {
      const { storeId, id } = req.params;
      const { override, created, before } = await schedule().putSlotOverride(actor(req), storeId, id, req.body);
      audit(req, deps, {
        action: created ? 'broadcast.slot-override.create' : 'broadcast.slot-override.update',
        targetType: 'slot-override',
        targetId: id,
        storeId,
        details: { before: before ?? null, after: override },
      });
      return override;
    },
  );
  app.delete(
    '/api/broadcast/stores/:storeId/slot-overrides/:id',
    {
      config: { permission: 'campaigns:write' },
      schema: { tags, summary: 'Delete a slot override', params: StoreCampaignParams, response: { 204: NoContent } },
    },
    async (req, reply) => {
      const { storeId, id } = req.params;
      const before = await schedule().deleteSlotOverride(actor(req), storeId, id);
      audit(req, deps, {
        action: 'broadcast.slot-override.delete',
        targetType: 'slot-override',
        targetId: id,
        storeId,
        details: { before },
      });
      return noContent(reply);
    },
  );

  // Store settings (volume, gap, tags) and the chain's.
  app.get(
    '/api/broadcast/stores/:storeId/settings',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags,
        summary: 'The store’s volume schedule, minimum gap and tags',
        params: BroadcastStoreParams,
        response: { 200: StoreBroadcastSettingsSchema },
      },
    },
    async (req) => schedule().storeSettings(actor(req), req.params.storeId),
  );
  app.patch(
    '/api/broadcast/stores/:storeId/settings',
    {
      config: { permission: 'campaigns:write' },
      schema: {
        tags,
        summary: 'Change the store’s volume schedule or minimum gap (tags: HQ only); fields left out keep their value',
        params: BroadcastStoreParams,
        body: StoreBroadcastBody,
        response: { 200: StoreBroadcastSettingsSchema },
      },
    },
    async (req) => {
      const { storeId } = req.params;
      const { before, after } = await schedule().putStoreSettings(actor(req), storeId, req.body);
      audit(req, deps, {
        action: 'broadcast.store-settings.update',
        targetType: 'store',
        targetId: storeId,
        storeId,
        details: { before, after },
      });
      return after;
    },
  );
  app.get(
    '/api/broadcast/settings',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags,
        summary: 'The chain’s global minimum gap and default volume',
        response: { 200: ChainBroadcastSettingsSchema },
      },
    },
    async () => schedule().chainSettings(),
  );
  app.put(
    '/api/broadcast/settings',
    {
      config: { permission: 'campaigns:write' },
      schema: {
        tags,
        summary: 'Set the chain’s global minimum gap and default volume (HQ)',
        body: ChainBroadcastSettingsSchema,
        response: { 200: ChainBroadcastSettingsSchema },
      },
    },
    async (req) => {
      const { before, after } = await schedule().putChainSettings(actor(req), req.body);
      audit(req, deps, {
        action: 'broadcast.settings.update',
        targetType: 'chain',
        targetId: null,
        storeId: null,
        details: { before, after },
      });
      return after;
    },
  );

  // What will play.
  app.get(
    '/api/broadcast/stores/:storeId/calendar',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags,
        summary:
          'Per speaker, what will play from `from` (default now) for `days` (default 7), which layer won and what was dropped',
        params: BroadcastStoreParams,
        querystring: CalendarQuery,
        response: { 200: CalendarSchema },
      },
    },
    async (req) =>
      schedule().calendar(
        actor(req),
        req.params.storeId,
        req.query.from ?? deps.clock.now(),
        req.query.days,
        req.query.thingName,
      ),
  );
  app.get(
    '/api/broadcast/things/:thingName/manifest-draft',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags,
        summary: 'The speaker’s manifest as it would compile now (no version), with what was dropped (debugging)',
        params: BroadcastThingParams,
        querystring: ManifestDraftQuery,
        response: { 200: CompiledScheduleSchema },
      },
    },
    async (req) => {
      visibleThing(req, deps, req.params.thingName);
      return schedule().compileScheduleForThing(req.params.thingName, req.query.from ?? deps.clock.now());
    },
  );
}
