import type { FastifyRequest } from 'fastify';
import {
  CancelOrderBody,
  OrderDetailSchema,
  OrderListQuery,
  OrderListSchema,
  OrderParams,
  QuoteBody,
  QuoteSchema,
  RefundBody,
} from '../../../protocol/api/orders.ts';
import type { Order } from '../../../protocol/commerce/orders.ts';
import { OrderSchema } from '../../../protocol/commerce/orders.ts';
import { FleetError } from '../../../protocol/errors.ts';
import { inScope } from '../../access/principal.ts';
import { audit, commerceOf, type HttpDeps, principal, scopeList } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

/** Orders (orders:read, refund, verify-exit; scoped to the caller's stores) and the quote endpoint. */
export function orderRoutes(app: ApiApp, deps: HttpDeps): void {
  /** The order if the caller may see it; otherwise 404, as for an unknown order. */
  const visibleOrder = (req: FastifyRequest, orderId: string): Order => {
    const record = commerceOf(deps).orders.record(orderId);
    if (!record || !inScope(principal(req), record.storeId))
      throw new FleetError('ORDER_NOT_FOUND', `no order '${orderId}'`);
    return commerceOf(deps).orders.view(record);
  };
  const user = (req: FastifyRequest) => ({ kind: 'user' as const, id: principal(req).userId });

  app.get(
    '/api/orders',
    {
      config: { permission: 'orders:read' },
      schema: {
        tags: ['orders'],
        summary: 'Orders of the caller’s stores, newest first (by store, state, member, time)',
        querystring: OrderListQuery,
        response: { 200: OrderListSchema },
      },
    },
    async (req) => {
      const commerce = commerceOf(deps);
      const { items, total } = commerce.search({ ...req.query, storeIds: scopeList(principal(req).storeIds) });
      return { items: items.map((r) => commerce.orders.view(r)), total };
    },
  );

  app.get(
    '/api/orders/:orderId',
    {
      config: { permission: 'orders:read' },
      schema: {
        tags: ['orders'],
        summary: 'One order: lines, discounts, price audit, payment, and every transition (who, when)',
        params: OrderParams,
        response: { 200: OrderDetailSchema },
      },
    },
    async (req) => {
      const order = visibleOrder(req, req.params.orderId);
      const commerce = commerceOf(deps);
      return { order, events: commerce.orderEvents(order.id), receiptUrl: commerce.receipts.url(order.id) };
    },
  );

  app.post(
    '/api/orders/:orderId/refund',
    {
      config: { permission: 'orders:refund' },
      schema: {
        tags: ['orders'],
        summary: 'Refund a paid order, whole or some lines; money through the payment provider, points reversed',
        params: OrderParams,
        body: RefundBody,
        response: { 200: OrderSchema },
      },
    },
    async (req) => {
      const before = visibleOrder(req, req.params.orderId);
      const { order, refundId } = await commerceOf(deps).settlement.refund(before.id, req.body, user(req));
      audit(req, deps, {
        action: 'order.refund',
        targetType: 'order',
        targetId: order.id,
        storeId: order.storeId,
        details: { refundId, lines: req.body.lines ?? 'all', reason: req.body.reason, refundedFen: order.refundedFen },
      });
      return order;
    },
  );

  app.post(
    '/api/orders/:orderId/cancel',
    {
      config: { permission: 'orders:refund' },
      schema: {
        tags: ['orders'],
        summary: 'Cancel an order that is not paid yet (its payment lapses, points and coupons are released)',
        params: OrderParams,
        body: CancelOrderBody,
        response: { 200: OrderSchema },
      },
    },
    async (req) => {
      const before = visibleOrder(req, req.params.orderId);
      const reason = req.body.reason ?? `cancelled by ${principal(req).username}`;
      const order = await commerceOf(deps).orders.cancel(before.id, user(req), reason);
      audit(req, deps, {
        action: 'order.cancel',
        targetType: 'order',
        targetId: order.id,
        storeId: order.storeId,
        details: { reason },
      });
      return order;
    },
  );

  app.post(
    '/api/orders/:orderId/verify-exit',
    {
      config: { permission: 'orders:verify-exit' },
      schema: {
        tags: ['orders'],
        summary: 'An attendant at the exit checked the receipt of a paid order (an unpaid one: ORDER_STATE_INVALID)',
        params: OrderParams,
        response: { 200: OrderSchema },
      },
    },
    async (req) => {
      const before = visibleOrder(req, req.params.orderId);
      const order = await commerceOf(deps).settlement.verifyExit(before.id, user(req));
      audit(req, deps, {
        action: 'order.verify-exit',
        targetType: 'order',
        targetId: order.id,
        storeId: order.storeId,
      });
      return order;
    },
  );

  app.post(
    '/api/quote',
    {
      config: { permission: 'catalog:read' },
      schema: {
        tags: ['orders'],
        summary: 'Price a basket for a store, member and time with the checkout engine; creates nothing',
        body: QuoteBody,
        response: { 200: QuoteSchema },
      },
    },
    async (req) => {
      const commerce = commerceOf(deps);
      const body = req.body;
      if (!inScope(principal(req), body.storeId) && principal(req).storeIds !== null) {
        throw new FleetError('STORE_NOT_FOUND', `no store '${body.storeId}'`);
      }
      if (!deps.stores.getStore(body.storeId)) throw new FleetError('STORE_NOT_FOUND', `no store '${body.storeId}'`);
      const at = body.at ?? deps.clock.now();
      const member = body.memberNumber ? commerce.loyalty.member(body.memberNumber, body.storeId, at) : undefined;
      if (body.memberNumber && !member) throw new FleetError('MEMBER_NOT_FOUND', `no member '${body.memberNumber}'`);
      return commerce.pricing.price({
        storeId: body.storeId,
        member: member ? { ...member, verified: true } : null,
        lines: body.lines,
        couponIds: body.couponIds ?? [],
        pointsToRedeem: body.pointsToRedeem ?? 0,
        at,
      });
    },
  );
}
