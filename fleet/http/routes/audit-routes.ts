import type { FastifyInstance } from 'fastify';
import { inScope } from '../../access/principal.ts';
import { type HttpDeps, paging, principal } from '../route-support.ts';

export function auditRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{
    Querystring: {
      actor?: string;
      action?: string;
      targetId?: string;
      storeId?: string;
      from?: number;
      to?: number;
      limit: number;
      offset: number;
    };
  }>(
    '/api/audit',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first: who changed what, when, from where (store managers: their stores)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            actor: { type: 'string', maxLength: 64 },
            action: { type: 'string', maxLength: 64 },
            targetId: { type: 'string', maxLength: 128 },
            storeId: { type: 'string', maxLength: 64 },
            from: { type: 'integer', minimum: 0 },
            to: { type: 'integer', minimum: 0 },
            ...paging,
          },
        },
      },
    },
    async (req) => {
      const p = principal(req);
      if (req.query.storeId && !inScope(p, req.query.storeId)) return { items: [], total: 0 };
      return deps.audit.search({ ...req.query, storeIds: p.storeIds, viewerId: p.userId });
    },
  );
}
