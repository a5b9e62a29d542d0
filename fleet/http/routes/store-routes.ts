import { StoreParams } from '../../../protocol/api/parameters.ts';
import { StoreSchema } from '../../../protocol/api/stores.ts';
import { FleetError } from '../../../protocol/errors.ts';
import { inScope } from '../../access/principal.ts';
import type { Store } from '../../registry/registry-types.ts';
import { type HttpDeps, principal } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

export function storeRoutes(app: ApiApp, deps: HttpDeps): void {
  const { stores } = deps;
  const withZones = (store: Store) => ({
    ...store,
    zones: stores.listZones(store.id).map(({ storeId: _s, ...zone }) => zone),
  });

  app.get(
    '/api/stores',
    {
      config: { permission: 'stores:read' },
      schema: {
        tags: ['stores'],
        summary: 'Stores in my scope, with their zones',
        response: { 200: { type: 'array', items: StoreSchema } },
      },
    },
    async (req) => {
      const p = principal(req);
      return stores
        .listStores()
        .filter((s) => inScope(p, s.id))
        .map(withZones);
    },
  );

  app.get(
    '/api/stores/:storeId',
    {
      config: { permission: 'stores:read' },
      schema: {
        tags: ['stores'],
        summary: 'One store with its floor zones (polygons in metres)',
        params: StoreParams,
        response: { 200: StoreSchema },
      },
    },
    async (req) => {
      const store = stores.getStore(req.params.storeId);
      if (!store || !inScope(principal(req), store.id)) {
        throw new FleetError('STORE_NOT_FOUND', `no store '${req.params.storeId}'`);
      }
      return withZones(store);
    },
  );
}
