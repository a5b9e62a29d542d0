import {
  CouponListQuery,
  CouponPageSchema,
  CouponParams,
  CouponRecordSchema,
  EarnRulesSchema,
  IssueCouponBody,
  RedemptionPolicySchema,
  TiersSchema,
} from '../../../protocol/api/loyalty.ts';
import { actorOf, audit, type HttpDeps } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

/**
 * Coupons and the loyalty configuration. Store managers issue coupons (coupons:issue) and read the configuration;
 * changing tiers, earn rules and the redemption policy is chain-wide (members:write: HQ).
 */
export function loyaltyRoutes(app: ApiApp, deps: HttpDeps): void {
  const { loyalty } = deps;

  app.post(
    '/api/coupons',
    {
      config: { permission: 'coupons:issue' },
      schema: {
        tags: ['loyalty'],
        summary: 'Issue a coupon to a member (single use, within its validity, above a minimum spend)',
        body: IssueCouponBody,
        response: { 201: CouponRecordSchema },
      },
    },
    async (req, reply) => {
      const coupon = await loyalty.coupons.issue(req.body, actorOf(req).userId);
      audit(req, deps, {
        action: 'coupon.issue',
        targetType: 'coupon',
        targetId: coupon.id,
        storeId: null,
        details: { memberId: coupon.memberId, promotionId: coupon.promotionId, validTo: coupon.validTo },
      });
      return reply.status(201).send(coupon);
    },
  );

  app.get(
    '/api/coupons',
    {
      config: { permission: 'members:read' },
      schema: {
        tags: ['loyalty'],
        summary: 'Coupons, newest first, by member, promotion or state',
        querystring: CouponListQuery,
        response: { 200: CouponPageSchema },
      },
    },
    async (req) => loyalty.coupons.list(req.query),
  );

  app.post(
    '/api/coupons/:id/revoke',
    {
      config: { permission: 'coupons:issue' },
      schema: {
        tags: ['loyalty'],
        summary: 'Withdraw an unused coupon',
        params: CouponParams,
        response: { 200: CouponRecordSchema },
      },
    },
    async (req) => {
      const coupon = await loyalty.coupons.revoke(req.params.id);
      audit(req, deps, {
        action: 'coupon.revoke',
        targetType: 'coupon',
        targetId: coupon.id,
        storeId: null,
        details: { memberId: coupon.memberId },
      });
      return coupon;
    },
  );

  const settings = [
    {
      path: 'tiers',
      summary: 'Member tiers, in display order',
      schema: TiersSchema,
      get: () => loyalty.settings.tiers(),
      put: (body: unknown) => loyalty.settings.replaceTiers(body),
    },
    {
      path: 'earn-rules',
      summary: 'How points are earned (base rules per category and store, bonus rules with time windows)',
      schema: EarnRulesSchema,
      get: () => loyalty.settings.earnRules(),
      put: (body: unknown) => loyalty.settings.replaceEarnRules(body),
    },
    {
      path: 'redemption-policy',
      summary: 'What points are worth, the cap per order and the per-store daily limit',
      schema: RedemptionPolicySchema,
      get: () => loyalty.settings.redemptionPolicy(),
      put: (body: unknown) => loyalty.settings.setRedemptionPolicy(body),
    },
  ] as const;

  for (const setting of settings) {
    app.get(
      `/api/loyalty/${setting.path}`,
      {
        config: { permission: 'members:read' },
        schema: { tags: ['loyalty'], summary: setting.summary, response: { 200: setting.schema } },
      },
      async () => setting.get(),
    );
    app.put(
      `/api/loyalty/${setting.path}`,
      {
        config: { permission: 'members:write' },
        schema: {
          tags: ['loyalty'],
          summary: `Replace: ${setting.summary.charAt(0).toLowerCase()}${setting.summary.slice(1)}`,
          body: setting.schema,
          response: { 200: setting.schema },
        },
      },
      async (req) => {
        const before = setting.get();
        const after = await setting.put(req.body);
        audit(req, deps, {
          action: `loyalty.${setting.path}.update`,
          targetType: 'loyalty-config',
          targetId: setting.path,
          storeId: null,
          details: { before, after },
        });
        return after;
      },
    );
  }
}
