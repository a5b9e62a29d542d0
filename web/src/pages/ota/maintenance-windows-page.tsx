import type { Me } from '../../api/types.ts';
import { setQuery } from '../../app/router.ts';
import { can } from '../../app/session.ts';
import { useStores } from '../../app/stores-cache.ts';
import { Loading, PageHeader } from '../../components/page-state.tsx';
import { StoreSelect } from '../commerce/store-select.tsx';
import { MaintenanceWindowsEditor } from './maintenance-windows-editor.tsx';
import { OtaNav } from './ota-nav.tsx';

/** Each store's maintenance windows: read by whoever sees the store, edited by `rollouts:manage` (HQ). */
export function MaintenanceWindowsPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const stores = useStores();
  const storeId = query.get('storeId') ?? stores[0]?.id ?? '';
  const store = stores.find((s) => s.id === storeId);
  return (
    <div class="page ota" data-testid="windows-page">
      <PageHeader
        title="Maintenance windows"
        subtitle="When a rollout that keeps to windows may queue a store’s devices, in the store’s time"
      />
      <OtaNav me={me} active="windows" />
      <section class="filters">
        <StoreSelect stores={stores} value={storeId} onChange={(id) => setQuery({ storeId: id })} all={null} />
      </section>
      <section class="panel">
        <header class="panel-header">
          <h2>{store?.name ?? 'Store'}</h2>
          {store ? <span class="muted small">{store.timeZone}</span> : null}
        </header>
        <div class="pad">
          {store ? (
            <MaintenanceWindowsEditor key={store.id} store={store} editable={can(me, 'rollouts:manage')} />
          ) : (
            <Loading />
          )}
        </div>
      </section>
    </div>
  );
}
