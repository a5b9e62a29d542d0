import { NoContent } from '../../../protocol/api/json-schema.ts';
import {
  PromotionBody,
  PromotionListQuery,
  PromotionPageSchema,
  PromotionParams,
  PromotionRecordSchema,
} from '../../../protocol/api/promotions.ts';
import type { PromotionActor } from '../../promotions/promotion-service.ts';
import { audit, type HttpDeps, noContent, principal } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';
import { rethrowUnlessBody } from './catalog-routes.ts';

/**
 * Promotions. Chain-wide roles read and write any; a store manager reads those that run in their stores and writes
 * only promotions scoped to their own stores (`403 NOT_AUTHORIZED` otherwise: a chain or region scope, another
 * store, or a promotion HQ owns). Reading needs `catalog:read`, writing `promotions:write`.
 */
export function promotionRoutes(app: ApiApp, deps: HttpDeps): void {
  const { promotions } = deps;
  const actor = (req: Parameters<typeof principal>[0]): PromotionActor => {
    const p = principal(req);
    return { username: p.username, storeIds: p.storeIds };
  };
  /** A store promotion's audit entry names its store, so the store's manager sees it in their audit log. */
  const storeOf = (scope: { storeIds: string[]; regions: string[] }) =>
    scope.regions.length === 0 && scope.storeIds.length === 1 ? (scope.storeIds[0] as string) : null;

  app.get(
    '/api/promotions',
    {
      config: { permission: 'catalog:read' },
      schema: {
        tags: ['promotions'],
        summary: 'Promotions in my scope by id: filter by store, kind, and whether running at an instant',
        querystring: PromotionListQuery,
        response: { 200: PromotionPageSchema },
      },
    },
    async (req) => promotions.list(actor(req), req.query),
  );

  app.get(
    '/api/promotions/:id',
    {
      config: { permission: 'catalog:read' },
      schema: {
        tags: ['promotions'],
        summary: 'One promotion with who owns and changed it',
        params: PromotionParams,
        response: { 200: PromotionRecordSchema },
      },
    },
    async (req) => promotions.get(actor(req), req.params.id),
  );

  app.put(
    '/api/promotions/:id',
    {
      config: { permission: 'promotions:write' },
      attachValidation: true,
      schema: {
        tags: ['promotions'],
        summary: 'Create or replace a promotion (400 PROMOTION_INVALID lists every problem)',
        params: PromotionParams,
        body: PromotionBody,
        response: { 200: PromotionRecordSchema },
      },
    },
    async (req) => {
      rethrowUnlessBody(req.validationError);
      const me = actor(req);
      const before = promotions.repository.get(req.params.id);
      const { record, created } = await promotions.put(me, req.params.id, req.body);
      audit(req, deps, {
        action: created ? 'promotion.create' : 'promotion.update',
        targetType: 'promotion',
        targetId: record.promotion.id,
        storeId: storeOf(record.promotion.scope),
        details: { before: before?.promotion ?? null, after: record.promotion },
      });
      return record;
    },
  );

  app.delete(
    '/api/promotions/:id',
    {
      config: { permission: 'promotions:write' },
      schema: {
        tags: ['promotions'],
        summary: 'Delete a promotion',
        params: PromotionParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      const record = await promotions.delete(actor(req), req.params.id);
      audit(req, deps, {
        action: 'promotion.delete',
        targetType: 'promotion',
        targetId: req.params.id,
        storeId: storeOf(record.promotion.scope),
        details: { before: record.promotion },
      });
      return noContent(reply);
    },
  );
}
