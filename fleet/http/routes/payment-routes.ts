import type { FastifyInstance } from 'fastify';
import {
  PaymentNotifyAnswerSchema,
  PaymentParams,
  PayPageQuery,
  ReceiptParams,
  ReceiptQuery,
} from '../../../protocol/api/payments.ts';
import { FleetError } from '../../../protocol/errors.ts';
import { renderReceipt } from '../../orders/receipt-page.ts';
import { renderPayPage } from '../../payments/pay-page.ts';
import { pageLanguage } from '../html-page.ts';
import { commerceOf, type HttpDeps } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

/**
 * What a shopper's phone and the payment provider reach without signing in: the sandbox pay page
 * (`/pay/{paymentId}`, its Pay button a form POST), the provider's signed notification, and the e-receipt
 * (`/receipt/{orderId}?t=`). The unguessable payment id and receipt token are what open them.
 */
export function paymentRoutes(app: ApiApp, deps: HttpDeps): void {
  const storeName = (storeId: string) => deps.stores.getStore(storeId)?.name ?? storeId;

  app.get(
    '/pay/:paymentId',
    {
      config: { public: true },
      // A page for phones, not part of the operations API (kept out of the OpenAPI document, as the console is).
      schema: {
        hide: true,
        summary: 'The sandbox pay page (HTML)',
        params: PaymentParams,
        querystring: PayPageQuery,
      },
    },
    async (req, reply) => {
      const commerce = commerceOf(deps);
      const payment = commerce.payments.get(req.params.paymentId);
      if (!payment) throw new FleetError('PAYMENT_NOT_FOUND', 'no such payment');
      const order = commerce.orders.get(payment.orderId);
      const lang = pageLanguage(req.query.lang, req.headers['accept-language']);
      return reply.type('text/html; charset=utf-8').send(renderPayPage(lang, payment, order, storeName(order.storeId)));
    },
  );

  // The Pay button: a plain form POST (the page runs no script), so its urlencoded body is read and ignored.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, _body, done) =>
    done(null, {}),
  );
  app.post(
    '/pay/:paymentId',
    {
      config: { public: true },
      // A page for phones, not part of the operations API (kept out of the OpenAPI document, as the console is).
      schema: {
        hide: true,
        summary: "The sandbox pay page's Pay button: the sandbox charges and notifies the fleet, then shows the result",
        params: PaymentParams,
        querystring: PayPageQuery,
      },
    },
    async (req, reply) => {
      const commerce = commerceOf(deps);
      const payment = commerce.payments.get(req.params.paymentId);
      if (!payment) throw new FleetError('PAYMENT_NOT_FOUND', 'no such payment');
      const lang = pageLanguage(req.query.lang, req.headers['accept-language']);
      if (payment.state === 'pending') {
        const result = await commerce.sandbox.charge(payment);
        if (result.status !== 200) {
          const order = commerce.orders.get(payment.orderId);
          const code = (result.body as { code?: string } | null)?.code ?? String(result.status);
          const again = commerce.payments.get(payment.paymentId)!;
          return reply
            .status(409)
            .type('text/html; charset=utf-8')
            .send(renderPayPage(lang, again, order, storeName(order.storeId), code));
        }
      }
      return reply.redirect(`/pay/${payment.paymentId}?lang=${lang}`, 303);
    },
  );

  app.register(async (raw: FastifyInstance) => {
    // The signature covers the exact bytes sent: the body is kept as text and parsed after verification.
    raw.removeContentTypeParser('application/json');
    raw.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    raw.post(
      '/api/payments/sandbox/notify',
      {
        config: { public: true },
        schema: {
          tags: ['payments'],
          summary:
            "The sandbox provider's payment notification, signed per plan decision 10 (X-Sandbox-Timestamp, -Nonce, -Signature)",
          response: { 200: PaymentNotifyAnswerSchema },
        },
      },
      async (req) => {
        const commerce = commerceOf(deps);
        const body = typeof req.body === 'string' ? req.body : '';
        const { outcome } = await commerce.settlement.notification(req.headers, body);
        // A retry of a notification already taken gets the same answer, so the provider stops retrying.
        return {
          code: 'SUCCESS' as const,
          message: outcome === 'alreadyPaid' ? 'already processed' : outcome === 'refunded' ? 'refunded' : 'OK',
        };
      },
    );
  });

  app.get(
    '/receipt/:orderId',
    {
      config: { public: true },
      schema: {
        hide: true,
        summary: 'The e-receipt (HTML), opened by its link',
        params: ReceiptParams,
        querystring: ReceiptQuery,
      },
    },
    async (req, reply) => {
      const commerce = commerceOf(deps);
      // A wrong token and an unknown order answer alike: receipt links cannot be walked.
      if (!commerce.receipts.verify(req.params.orderId, req.query.t)) {
        throw new FleetError('ORDER_NOT_FOUND', 'no such receipt');
      }
      const order = commerce.orders.get(req.params.orderId);
      const store = deps.stores.getStore(order.storeId);
      const lang = pageLanguage(req.query.lang, req.headers['accept-language']);
      const html = renderReceipt(
        lang,
        order,
        store?.name ?? order.storeId,
        store?.timeZone ?? 'Asia/Shanghai',
        commerce.receipts.url(order.id),
      );
      return reply.type('text/html; charset=utf-8').send(html);
    },
  );
}
