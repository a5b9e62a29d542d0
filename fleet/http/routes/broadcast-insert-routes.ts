import {
  BroadcastEmergencySchema,
  BroadcastInsertSchema,
  EmergencyBody,
  EmergencyStateSchema,
  InsertBody,
  InsertListQuery,
  InsertListSchema,
  InsertParams,
} from '../../../protocol/api/broadcast-inserts.ts';
import { StoreParams } from '../../../protocol/api/parameters.ts';
import { FleetError } from '../../../protocol/errors.ts';
import { inScope } from '../../access/principal.ts';
import { actorOf, audit, type HttpDeps, principal } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

/**
 * Ad-hoc inserts (`broadcast:insert`) and emergency announcements (`broadcast:emergency` to start, `broadcast:insert`
 * to clear: whoever may announce may also end the alarm) in the caller's stores; another store answers 404.
 */
export function broadcastInsertRoutes(app: ApiApp, deps: HttpDeps): void {
  const { inserts } = deps;
  const scoped = (req: Parameters<typeof principal>[0], storeId: string) => {
    if (!inScope(principal(req), storeId) || !deps.stores.getStore(storeId))
      throw new FleetError('STORE_NOT_FOUND', `no store '${storeId}'`);
  };

  app.post(
    '/api/stores/:storeId/broadcast/inserts',
    {
      config: { permission: 'broadcast:insert' },
      schema: {
        tags: ['broadcast'],
        summary: "Play an announcement now or at a time on all or some of the store's speakers",
        params: StoreParams,
        body: InsertBody,
        response: { 201: BroadcastInsertSchema },
      },
    },
    async (req, reply) => {
      scoped(req, req.params.storeId);
      const insert = await inserts.insert(req.params.storeId, req.body, actorOf(req).username);
      audit(req, deps, {
        action: 'broadcast.insert',
        targetType: 'asset',
        targetId: insert.sha256,
        storeId: insert.storeId,
        details: { id: insert.id, at: insert.at, entry: insert.entry, thingNames: insert.thingNames },
      });
      return reply.code(201).send(insert);
    },
  );

  app.get(
    '/api/stores/:storeId/broadcast/inserts',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags: ['broadcast'],
        summary: "The store's inserts, newest first (active=true: those still to play), with each speaker's delivery",
        params: StoreParams,
        querystring: InsertListQuery,
        response: { 200: InsertListSchema },
      },
    },
    async (req) => {
      scoped(req, req.params.storeId);
      return { items: inserts.list(req.params.storeId, req.query.active ?? false) };
    },
  );

  app.delete(
    '/api/stores/:storeId/broadcast/inserts/:id',
    {
      config: { permission: 'broadcast:insert' },
      schema: {
        tags: ['broadcast'],
        summary: 'Cancel an insert that has not played yet (a speaker already playing it stops)',
        params: InsertParams,
        response: { 200: BroadcastInsertSchema },
      },
    },
    async (req) => {
      scoped(req, req.params.storeId);
      const insert = await inserts.cancel(req.params.storeId, req.params.id, actorOf(req).username);
      audit(req, deps, {
        action: 'broadcast.insert.cancel',
        targetType: 'asset',
        targetId: insert.sha256,
        storeId: insert.storeId,
        details: { id: insert.id },
      });
      return insert;
    },
  );

  app.get(
    '/api/stores/:storeId/broadcast/emergency',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags: ['broadcast'],
        summary: "The store's emergency announcement, if one is playing",
        params: StoreParams,
        response: { 200: EmergencyStateSchema },
      },
    },
    async (req) => {
      scoped(req, req.params.storeId);
      return { emergency: inserts.emergency(req.params.storeId) };
    },
  );

  app.post(
    '/api/stores/:storeId/broadcast/emergency',
    {
      config: { permission: 'broadcast:emergency' },
      schema: {
        tags: ['broadcast'],
        summary:
          'Start an emergency announcement: it overrides everything and repeats until cleared. ' +
          '409 EMERGENCY_ALREADY_ACTIVE while one plays in the store',
        params: StoreParams,
        body: EmergencyBody,
        response: { 201: BroadcastEmergencySchema },
      },
    },
    async (req, reply) => {
      scoped(req, req.params.storeId);
      const emergency = await inserts.startEmergency(req.params.storeId, req.body, actorOf(req).username);
      audit(req, deps, {
        action: 'broadcast.emergency.start',
        targetType: 'asset',
        targetId: emergency.sha256,
        storeId: emergency.storeId,
        details: { id: emergency.id, thingNames: emergency.thingNames },
      });
      return reply.code(201).send(emergency);
    },
  );

  app.delete(
    '/api/stores/:storeId/broadcast/emergency',
    {
      config: { permission: 'broadcast:insert' },
      schema: {
        tags: ['broadcast'],
        summary: 'Clear the emergency announcement (409 EMERGENCY_NOT_ACTIVE when none plays)',
        params: StoreParams,
        response: { 200: BroadcastEmergencySchema },
      },
    },
    async (req) => {
      scoped(req, req.params.storeId);
      const emergency = await inserts.clearEmergency(req.params.storeId, actorOf(req).username);
      audit(req, deps, {
        action: 'broadcast.emergency.clear',
        targetType: 'asset',
        targetId: emergency.sha256,
        storeId: emergency.storeId,
        details: { id: emergency.id, startedAt: emergency.startedAt },
      });
      return emergency;
    },
  );
}
