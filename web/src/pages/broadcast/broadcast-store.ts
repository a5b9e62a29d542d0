import type { Store } from '../../api/types.ts';
import { setQuery } from '../../app/router.ts';
import { useStores } from '../../app/stores-cache.ts';

/**
 * The store a Broadcast view shows: `?storeId=` when it is one of the user's stores, else the first of them
 * (GET /api/stores is already scoped, so a store manager only ever gets theirs). `null` until the stores load.
 */
export function useBroadcastStore(query: URLSearchParams): {
  stores: Store[];
  storeId: string | null;
  setStoreId: (storeId: string) => void;
} {
  const stores = useStores();
  const asked = query.get('storeId');
  const storeId = stores.find((s) => s.id === asked)?.id ?? stores[0]?.id ?? null;
  return { stores, storeId, setStoreId: (id) => setQuery({ storeId: id }) };
}
