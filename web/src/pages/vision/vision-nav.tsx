import type { Me, Permission, Store } from '../../api/types.ts';
import { setQuery } from '../../app/router.ts';
import { can } from '../../app/session.ts';
import { useStores } from '../../app/stores-cache.ts';
import { StoreSelect } from '../commerce/store-select.tsx';

export type VisionView = 'gallery' | 'enrol' | 'versions' | 'carts' | 'accuracy' | 'settings';

const VIEWS: { key: VisionView; href: string; label: string; needs?: Permission }[] = [
  { key: 'gallery', href: '/recognition', label: 'Gallery' },
  { key: 'enrol', href: '/recognition/enrol', label: 'Enrol a product', needs: 'vision:enrol' },
  { key: 'versions', href: '/recognition/versions', label: 'Versions' },
  { key: 'carts', href: '/recognition/carts', label: 'Carts' },
  { key: 'accuracy', href: '/recognition/accuracy', label: 'Field accuracy' },
  { key: 'settings', href: '/recognition/settings', label: 'Settings' },
];

/**
 * The store a Recognition view shows: `?storeId=` when it is one of the user's stores, else the first of them
 * (GET /api/stores is already scoped: a store manager only ever gets theirs). `null` until the stores load.
 */
export function useVisionStore(query: URLSearchParams): {
  stores: Store[];
  storeId: string | null;
  setStoreId: (storeId: string) => void;
} {
  const stores = useStores();
  const asked = query.get('storeId');
  const storeId = stores.find((s) => s.id === asked)?.id ?? stores[0]?.id ?? null;
  return { stores, storeId, setStoreId: (id) => setQuery({ storeId: id }) };
}

/**
 * The Recognition section's views as a segmented control, and the store they show. The store picked on one view
 * travels to the next (`storeId` in the query).
 */
export function VisionNav({
  me,
  active,
  stores,
  storeId,
  storeChoice = true,
}: {
  me: Me;
  active: VisionView;
  stores: Store[];
  storeId: string | null;
  /** The view picks its own store (the accuracy view also offers every store). */
  storeChoice?: boolean;
}) {
  const suffix = storeId ? `?storeId=${encodeURIComponent(storeId)}` : '';
  return (
    <section class="filters vision-nav">
      <nav class="segmented" aria-label="Recognition views" data-testid="vision-nav">
        {VIEWS.filter((v) => !v.needs || can(me, v.needs)).map((v) => (
          <a
            key={v.key}
            href={v.href + suffix}
            class={v.key === active ? 'active' : ''}
            data-testid={`vision-nav-${v.key}`}
          >
            {v.label}
          </a>
        ))}
      </nav>
      {storeChoice && stores.length > 0 ? (
        <StoreSelect
          stores={stores}
          value={storeId ?? ''}
          all={null}
          testId="vision-store"
          onChange={(id) => setQuery({ storeId: id })}
        />
      ) : null}
    </section>
  );
}
