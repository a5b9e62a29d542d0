import {
  StorePriceBody,
  StorePriceListQuery,
  StorePricePageSchema,
  StoreSkuParams,
} from '../../../protocol/api/catalog.ts';
import { NoContent } from '../../../protocol/api/json-schema.ts';
import { StoreParams } from '../../../protocol/api/parameters.ts';
import { StorePriceSchema } from '../../../protocol/commerce/catalog.ts';
import { FleetError } from '../../../protocol/errors.ts';
import { inScope } from '../../access/principal.ts';
import { audit, type HttpDeps, noContent, principal } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

/**
 * A store's overrides of the chain's prices and availability. A store manager reads and writes their own stores'
 * (`prices:write`); a store outside the caller's scope answers `404 STORE_NOT_FOUND`, as for an unknown one
 * (the rule of every store-scoped route).
 */
export function storePriceRoutes(app: ApiApp, deps: HttpDeps): void {
  const { catalog } = deps;
  const scopedStore = (req: Parameters<typeof principal>[0], storeId: string) => {
    if (!inScope(principal(req), storeId)) throw new FleetError('STORE_NOT_FOUND', `no store '${storeId}'`);
  };

  app.get(
    '/api/stores/:storeId/prices',
    {
      config: { permission: 'catalog:read' },
      schema: {
        tags: ['catalog'],
        summary: "A store's price and availability overrides, by SKU",
        params: StoreParams,
        querystring: StorePriceListQuery,
        response: { 200: StorePricePageSchema },
      },
    },
    async (req) => {
      scopedStore(req, req.params.storeId);
      return catalog.listStorePrices(req.params.storeId, req.query.sku, req.query.limit, req.query.offset);
    },
  );

  app.put(
    '/api/stores/:storeId/prices/:sku',
    {
      config: { permission: 'prices:write' },
      schema: {
        tags: ['catalog'],
        summary: "Override a product's price (fen) or availability in one store; null keeps the chain's",
        params: StoreSkuParams,
        body: StorePriceBody,
        response: { 200: StorePriceSchema },
      },
    },
    async (req) => {
      const { storeId, sku } = req.params;
      scopedStore(req, storeId);
      const before = catalog.prices.get(storeId, sku) ?? null;
      const after = await catalog.putStorePrice(storeId, sku, req.body, principal(req).username);
      audit(req, deps, {
        action: 'catalog.store-price.update',
        targetType: 'product',
        targetId: sku,
        storeId,
        details: { before, after },
      });
      return after;
    },
  );

  app.delete(
    '/api/stores/:storeId/prices/:sku',
    {
      config: { permission: 'prices:write' },
      schema: {
        tags: ['catalog'],
        summary: "Remove a store's override: the chain's price and availability apply again",
        params: StoreSkuParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      const { storeId, sku } = req.params;
      scopedStore(req, storeId);
      const before = catalog.prices.get(storeId, sku) ?? null;
      await catalog.deleteStorePrice(storeId, sku);
      audit(req, deps, {
        action: 'catalog.store-price.delete',
        targetType: 'product',
        targetId: sku,
        storeId,
        details: { before },
      });
      return noContent(reply);
    },
  );
}
