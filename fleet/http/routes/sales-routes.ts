import { StoreParams } from '../../../protocol/api/parameters.ts';
import {
  SalesHistoryBody,
  type SalesHistoryResult,
  SalesHistoryResultSchema,
  UpliftListSchema,
  UpliftQuery,
  type UpliftQuery as UpliftQueryType,
} from '../../../protocol/api/sales.ts';
import { FleetError } from '../../../protocol/errors.ts';
import { inScope } from '../../access/principal.ts';
import { upliftCsv } from '../../broadcast/uplift/uplift-service.ts';
import { audit, type HttpDeps, principal } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

/** Largest sales history body: 250,000 CSV rows of about 48 bytes. */
const HISTORY_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Point-of-sale history import (chain-wide data: `catalog:write`) and the promo uplift report (`broadcast:read`, in
 * the caller's stores: a store outside the scope answers 404 STORE_NOT_FOUND as for an unknown one).
 */
export function salesRoutes(app: ApiApp, deps: HttpDeps): void {
  const { sales } = deps;

  app.post(
    '/api/sales/history',
    {
      config: { permission: 'catalog:write' },
      bodyLimit: HISTORY_MAX_BYTES,
      schema: {
        tags: ['sales'],
        summary:
          'Import daily sales per store and product from the point of sale, all or nothing (JSON or text/csv). ' +
          '400 SALES_HISTORY_INVALID lists every problem (row, column) in details; nothing is written',
        consumes: ['application/json', 'text/csv'],
        body: SalesHistoryBody,
        response: { 200: SalesHistoryResultSchema },
      },
    },
    async (req) => {
      const body = req.body as unknown;
      let result: SalesHistoryResult;
      if (typeof body === 'string') result = await sales.history.importCsv(body);
      else {
        const rows = (body as { rows?: unknown }).rows;
        if (!Array.isArray(rows)) throw new FleetError('BAD_REQUEST', 'a JSON import is { rows: [...] }');
        result = await sales.history.importJson(rows);
      }
      audit(req, deps, {
        action: 'sales.history.import',
        targetType: 'sales',
        targetId: null,
        storeId: null,
        details: result,
      });
      return result;
    },
  );

  const reportsFor = (req: Parameters<typeof principal>[0], storeId: string, query: UpliftQueryType) => {
    if (!inScope(principal(req), storeId) || !deps.stores.getStore(storeId))
      throw new FleetError('STORE_NOT_FOUND', `no store '${storeId}'`);
    return sales.uplift.reports(storeId, query);
  };

  app.get(
    '/api/stores/:storeId/uplift',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags: ['broadcast'],
        summary:
          "Promo uplift per promoted product and speaker in a store: sales over the period against last year's and " +
          "last month's same weekdays, net of the category's other products",
        params: StoreParams,
        querystring: UpliftQuery,
        response: { 200: UpliftListSchema },
      },
    },
    async (req) => ({ reports: reportsFor(req, req.params.storeId, req.query) }),
  );

  app.get(
    '/api/stores/:storeId/uplift.csv',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags: ['broadcast'],
        summary: 'The uplift report as CSV (one line per product and baseline), for a spreadsheet',
        params: StoreParams,
        querystring: UpliftQuery,
        response: { 200: { content: { 'text/csv': { schema: { type: 'string' } } } } },
      },
    },
    async (req, reply) => {
      const reports = reportsFor(req, req.params.storeId, req.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="uplift-${req.params.storeId}.csv"`)
        .send(upliftCsv(reports));
    },
  );
}
