import type { FastifyInstance } from 'fastify';
import { FleetError } from '../../../protocol/errors.ts';
import { inScope } from '../../access/principal.ts';
import type { AlertsPort } from '../ports.ts';
import { actorOf, audit, type HttpDeps, paging, principal, scopeList } from '../route-support.ts';

const noteBody = {
  type: 'object',
  additionalProperties: false,
  properties: { note: { type: 'string', maxLength: 500 } },
} as const;

export function alertRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const alerts = (): AlertsPort => {
    if (!deps.alerts) throw new FleetError('NOT_FOUND', 'alerts are not running');
    return deps.alerts;
  };

  app.get<{
    Querystring: {
      state?: 'open' | 'acknowledged' | 'resolved' | 'active';
      storeId?: string;
      thingName?: string;
      severity?: 'warning' | 'critical';
      limit: number;
      offset: number;
    };
  }>(
    '/api/alerts',
    {
      config: { permission: 'alerts:read' },
      schema: {
        tags: ['alerts'],
        summary: 'Alerts in my scope, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string', enum: ['open', 'acknowledged', 'resolved', 'active'] },
            storeId: { type: 'string', maxLength: 64 },
            thingName: { type: 'string', maxLength: 128 },
            severity: { type: 'string', enum: ['warning', 'critical'] },
            ...paging,
          },
        },
      },
    },
    async (req) => {
      const p = principal(req);
      const { storeId, thingName, state, severity, limit, offset } = req.query;
      if (storeId && !inScope(p, storeId)) return { items: [], total: 0 };
      return alerts().list({
        storeIds: scopeList(p.storeIds),
        ...(state ? { state } : {}),
        ...(storeId ? { storeId } : {}),
        ...(thingName ? { thingName } : {}),
        ...(severity ? { severity } : {}),
        limit,
        offset,
      });
    },
  );

  const visibleAlert = (req: Parameters<typeof principal>[0], id: number) => {
    const alert = alerts().get(id);
    if (!inScope(principal(req), alert.storeId)) throw new FleetError('ALERT_NOT_FOUND', `no alert '${id}'`);
    return alert;
  };
  const alertParams = {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'integer', minimum: 1 } },
  } as const;

  for (const action of ['acknowledge', 'resolve'] as const) {
    app.post<{ Params: { id: number }; Body: { note?: string } | undefined }>(
      `/api/alerts/:id/${action}`,
      {
        config: { permission: 'alerts:manage' },
        schema: {
          tags: ['alerts'],
          summary: action === 'acknowledge' ? 'Acknowledge an alert (someone is on it)' : 'Resolve an alert by hand',
          params: alertParams,
          body: noteBody,
        },
      },
      async (req) => {
        const alert = visibleAlert(req, req.params.id);
        const note = req.body?.note;
        const updated = await alerts()[action](req.params.id, actorOf(req), note);
        audit(req, deps, {
          action: `alert.${action}`,
          targetType: 'alert',
          targetId: String(req.params.id),
          storeId: alert.storeId,
          details: { thingName: alert.thingName, note: note ?? null },
        });
        return updated;
      },
    );
  }

  app.get(
    '/api/alert-rules',
    { config: { permission: 'alerts:read' }, schema: { tags: ['alerts'], summary: 'Alert rules' } },
    async () => alerts().rules(),
  );

  app.put<{ Body: unknown[] }>(
    '/api/alert-rules',
    {
      config: { permission: 'alert-rules:write' },
      schema: {
        tags: ['alerts'],
        summary: 'Replace the alert rules (validated as a whole)',
        body: { type: 'array', maxItems: 500, items: { type: 'object' } },
      },
    },
    async (req) => {
      const before = alerts().rules();
      const rules = await alerts().replaceRules(req.body);
      audit(req, deps, {
        action: 'alert-rules.update',
        targetType: 'alert-rules',
        targetId: null,
        storeId: null,
        details: { before, after: req.body },
      });
      return rules;
    },
  );
}
