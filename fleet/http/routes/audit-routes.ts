import { AuditPageSchema, AuditQuery } from '../../../protocol/api/audit.ts';
import { inScope } from '../../access/principal.ts';
import { type HttpDeps, principal } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

export function auditRoutes(app: ApiApp, deps: HttpDeps): void {
  app.get(
    '/api/audit',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first: who changed what, when, from where (store managers: their stores)',
        querystring: AuditQuery,
        response: { 200: AuditPageSchema },
      },
    },
    async (req) => {
      const p = principal(req);
      if (req.query.storeId && !inScope(p, req.query.storeId)) return { items: [], total: 0 };
      return deps.audit.search({ ...req.query, storeIds: p.storeIds, viewerId: p.userId });
    },
  );
}
