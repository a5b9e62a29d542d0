import { AlertRulesBody, AlertRulesSchema } from '../../../protocol/api/alert-rules.ts';
import {
  AlertListQuery,
  AlertNoteBody,
  AlertPageSchema,
  AlertParams,
  AlertSchema,
} from '../../../protocol/api/alerts.ts';
import { FleetError } from '../../../protocol/errors.ts';
import { inScope } from '../../access/principal.ts';
import type { AlertsPort } from '../ports.ts';
import { actorOf, audit, type HttpDeps, principal, scopeList } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

export function alertRoutes(app: ApiApp, deps: HttpDeps): void {
  const alerts = (): AlertsPort => {
    if (!deps.alerts) throw new FleetError('NOT_FOUND', 'alerts are not running');
    return deps.alerts;
  };

  app.get(
    '/api/alerts',
    {
      config: { permission: 'alerts:read' },
      schema: {
        tags: ['alerts'],
        summary: 'Alerts in my scope, newest first',
        querystring: AlertListQuery,
        response: { 200: AlertPageSchema },
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

  for (const action of ['acknowledge', 'resolve'] as const) {
    app.post(
      `/api/alerts/:id/${action}`,
      {
        config: { permission: 'alerts:manage' },
        schema: {
          tags: ['alerts'],
          summary: action === 'acknowledge' ? 'Acknowledge an alert (someone is on it)' : 'Resolve an alert by hand',
          params: AlertParams,
          body: AlertNoteBody,
          response: { 200: AlertSchema },
        },
      },
      async (req) => {
        const alert = visibleAlert(req, req.params.id);
        const note = req.body?.note;
        const updated = alerts()[action](req.params.id, actorOf(req), note);
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
    {
      config: { permission: 'alerts:read' },
      schema: { tags: ['alerts'], summary: 'Alert rules', response: { 200: AlertRulesSchema } },
    },
    async () => alerts().rules(),
  );

  app.put(
    '/api/alert-rules',
    {
      config: { permission: 'alert-rules:write' },
      // The schema documents the body; the engine checks it (every problem at once, ALERT_RULES_INVALID with one
      // `index.field: message` line per problem, which the console's rule editor places on the rules).
      attachValidation: true,
      schema: {
        tags: ['alerts'],
        summary: 'Replace the alert rules (validated as a whole)',
        body: AlertRulesBody,
        response: { 200: AlertRulesSchema },
      },
    },
    async (req) => {
      const before = alerts().rules();
      const rules = alerts().replaceRules(req.body);
      audit(req, deps, {
        action: 'alert-rules.update',
        targetType: 'alert-rules',
        targetId: null,
        storeId: null,
        details: { before, after: rules },
      });
      return rules;
    },
  );
}
