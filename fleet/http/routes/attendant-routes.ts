import {
  AttendantQueueQuery,
  AttendantQueueSchema,
  AttendantRequestParams,
  ResolveAttendantBody,
  StaffCodeSchema,
} from '../../../protocol/api/attendants.ts';
import { AttendantRequestSchema } from '../../../protocol/commerce/attendant.ts';
import { audit, commerceOf, type HttpDeps, principal, scopeList } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

/** The attendant queue of the caller's stores (attendants:manage) and the caller's own staff code. */
export function attendantRoutes(app: ApiApp, deps: HttpDeps): void {
  app.get(
    '/api/attendants/requests',
    {
      config: { permission: 'attendants:manage' },
      schema: {
        tags: ['attendants'],
        summary: 'Carts waiting for an attendant (open, oldest first), or resolved requests',
        querystring: AttendantQueueQuery,
        response: { 200: AttendantQueueSchema },
      },
    },
    async (req) => commerceOf(deps).attendants.list({ ...req.query, storeIds: scopeList(principal(req).storeIds) }),
  );

  app.post(
    '/api/attendants/requests/:requestId/resolve',
    {
      config: { permission: 'attendants:manage' },
      schema: {
        tags: ['attendants'],
        summary:
          'Approve or reject a cart’s request (age check, weight mismatch, offline payment...); the cart is told',
        params: AttendantRequestParams,
        body: ResolveAttendantBody,
        response: { 200: AttendantRequestSchema },
      },
    },
    async (req) => {
      const p = principal(req);
      const request = await commerceOf(deps).attendants.resolve(
        req.params.requestId,
        req.body.decision,
        { userId: p.userId, username: p.username },
        p.storeIds,
        req.body.note,
      );
      audit(req, deps, {
        action: 'attendant.resolve',
        targetType: 'attendant-request',
        targetId: request.id,
        storeId: request.storeId,
        details: {
          decision: req.body.decision,
          reason: request.reason,
          thingName: request.thingName,
          orderId: request.orderId,
        },
      });
      return request;
    },
  );

  app.post(
    '/api/attendants/staff-code',
    {
      config: { permission: 'attendants:manage' },
      schema: {
        tags: ['attendants'],
        summary: 'A new staff code for yourself (6 digits, shown once; the previous one stops working)',
        response: { 200: StaffCodeSchema },
      },
    },
    async (req) => {
      const p = principal(req);
      const code = await commerceOf(deps).staffCodes.issue(p.userId, deps.clock.now());
      audit(req, deps, { action: 'attendant.staff-code', targetType: 'user', targetId: p.userId, storeId: null });
      return { code };
    },
  );
}
